"""The web application under attack and under faults, in this process (issue 20).

Each test reproduces one way the server lost an answer, answered 500, or
stalled, and holds it to the answer it gives now: a 409 conflict page instead
of a lost change, a token compared as bytes, 400/401/408/413 in JSON instead
of a 500, an upload classified while pages go on, a full disk said as such.
What needs a real server and real sockets is in `test_web_real.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install .[web])")

from starlette.testclient import TestClient

from kyodo_rules.web import guard
from kyodo_rules.web.app import MAX_UPLOAD, create_app
from strategies import JIREI1
from test_web import answer, csrf_of, field_of, run_interview, start, stored


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def app(data_dir: Path) -> Any:
    return create_app(data_dir, engine="python")


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "no version on the page"
    return found.group(1)


def _change(client: TestClient, url: str, token: str, field: str, value: Any, version: str) -> Any:
    data = {"csrf": token, "field": field, "action": "answer", "version": version}
    data["value"] = value
    return client.post(f"{url}/change/{field}", data=data, follow_redirects=False)


def _resume(client: TestClient, name: str, body: bytes) -> Any:
    """Upload a session file from the home page's form (its CSRF token)."""
    token = csrf_of(client.get("/").text)
    return client.post(
        "/resume",
        data={"csrf": token},
        files={"session": (name, body, "application/x-yaml")},
        follow_redirects=False,
    )


def _finished(client: TestClient, title: str = "二人で") -> tuple[str, str]:
    url, token = start(client, title=title)
    run_interview(client, url, token, JIREI1)
    return url, token


# --------------------------------------------------------------------------- two writers


def test_a_change_made_on_a_page_older_than_anothers_change_is_a_conflict(
    app: Any, data_dir: Path
) -> None:
    """Finding 1: tab A opened the change page, tab B changed the same answer (303);
    A's change, decided on the old page, must not undo B's. A gets the conflict page,
    which says so and shows the answers as they are; B's answer stays."""
    with TestClient(app) as first, TestClient(app) as second:
        url, token = _finished(first)
        second_token = csrf_of(second.get("/").text)
        page_a = first.get(f"{url}/change/title").text
        page_b = second.get(f"{url}/change/title").text
        r = _change(second, url, second_token, "title", "Bの事業名", _version(page_b))
        assert r.status_code == 303
        r = _change(first, url, token, "title", "Aの事業名", _version(page_a))
    assert r.status_code == 409
    assert "ほかの人（または別のタブ）がこの事業の回答を変更しました" in r.text
    assert "Bの事業名" in r.text  # the answers now
    assert "Aの事業名" in r.text  # the change that was not saved, shown back
    assert stored(data_dir, url).answers["title"] == "Bの事業名"


def test_changes_to_different_answers_from_two_pages_both_stay(app: Any, data_dir: Path) -> None:
    """Two tabs opened at the same version change two different answers: both are kept
    (each change is applied to the interview as it is when it arrives)."""
    with TestClient(app) as first, TestClient(app) as second:
        url, token = _finished(first)
        second_token = csrf_of(second.get("/").text)
        page_a = first.get(f"{url}/change/title").text
        page_b = second.get(f"{url}/change/spec_author").text
        assert _version(page_a) == _version(page_b)
        r = _change(second, url, second_token, "spec_author", "partner", _version(page_b))
        assert r.status_code == 303
        r = _change(first, url, token, "title", "新しい名前", _version(page_a))
        assert r.status_code == 303
    state = stored(data_dir, url)
    assert state.answers["title"] == "新しい名前" and state.answers["spec_author"] == "partner"


def test_an_answer_to_a_question_another_tab_answered_differently_is_a_conflict(
    app: Any, data_dir: Path
) -> None:
    with TestClient(app) as first, TestClient(app) as second:
        url, token = start(first, title="x")
        second_token = csrf_of(second.get("/").text)
        page = first.get(url).text
        field = field_of(page)
        assert field
        # Two of the question's own choices (the first question is whichever decides most).
        one, other = re.findall(r'name="value" value="([^"]+)"', page)[:2]
        r = second.post(
            f"{url}/answer",
            data={"csrf": second_token, "field": field, "action": "answer", "value": one},
            follow_redirects=False,
        )
        assert r.status_code == 303
        kept = stored(data_dir, url).answers[field]
        version = _version(page)
        same = {"csrf": token, "field": field, "action": "answer", "version": version}
        # The same answer, sent again from the old page: nothing to do.
        r = first.post(f"{url}/answer", data={**same, "value": one}, follow_redirects=False)
        assert r.status_code == 303
        r = first.post(f"{url}/answer", data={**same, "value": other}, follow_redirects=False)
    assert r.status_code == 409 and 'id="conflict"' in r.text
    assert stored(data_dir, url).answers[field] == kept


def test_every_write_says_the_version_it_made(client: TestClient, data_dir: Path) -> None:
    url, token = start(client, title="x")
    field = field_of(client.get(url).text) or ""
    r = answer(client, url, token, field, None, "unknown")
    assert r.status_code == 303 and int(r.headers["x-kyodo-version"]) >= 1


def test_a_store_write_never_replaces_a_state_it_did_not_read(data_dir: Path) -> None:
    from kyodo_rules.web.store import Store
    from kyodo_rules.wizard.flow import State

    data_dir.mkdir()
    store = Store(data_dir)
    try:
        interview = store.create("b", State(profile="generic"))
        base = store.load(interview)
        assert base is not None
        mine, theirs = store.load(interview), store.load(interview)
        assert mine is not None and theirs is not None
        theirs.state.answers["title"] = "theirs"
        assert store.commit(interview, theirs, theirs.state) == base.version + 1
        mine.state.answers["planner"] = "city"
        assert store.commit(interview, mine, mine.state) is None  # read before theirs
        now = store.load(interview)
        assert now is not None and now.state.answers == {"title": "theirs"}
        assert now.changed_since(base.version, "title")
        assert not now.changed_since(base.version, "planner")
    finally:
        store.close()


# --------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("token", ["合言葉", "a&b +c=d%", "s3cret"])
def test_a_token_works_from_its_link_the_cookie_and_bearer_whatever_its_characters(
    tmp_path: Path, token: str
) -> None:
    """Findings 2 and 'a token with &, + or a space never works from the printed link':
    the link (percent-encoded UTF-8), the cookie it sets, and `Authorization: Bearer`
    (UTF-8 bytes, as curl and browsers send it) all work; a wrong one is 401 JSON."""
    with TestClient(create_app(tmp_path, token=token)) as c:
        assert c.get("/").status_code == 401
        first = c.get(f"/?token={quote(token, safe='')}")
        assert first.status_code == 200, first.text
        assert token not in first.headers["set-cookie"]  # the cookie holds a MAC, not it
        assert c.get("/rules").status_code == 200  # the cookie now carries it
        header = b"Bearer " + token.encode("utf-8")
        ok = c.post("/api/classify", json=JIREI1, headers={b"authorization": header})
        assert ok.status_code == 200
        wrong = c.post(
            "/api/classify",
            json=JIREI1,
            headers={b"authorization": header + b"x", b"cookie": b""},
        )
        assert wrong.status_code == 401 and wrong.json()["error"].startswith("token")


@pytest.mark.parametrize(
    "headers",
    [
        [(b"authorization", "Bearer 合言葉".encode())],
        [(b"authorization", b"Bearer \xff\xfe\x00")],
        [(b"cookie", "kyodo_token=合言葉; kyodo_browser=\xe2\x80\xae".encode())],
        [(b"cookie", b"kyodo_token=\xff; =; ;;")],
        [(b"content-length", b"12x")],
    ],
)
def test_a_malformed_header_is_a_4xx_json_never_a_500(headers: list[tuple[bytes, bytes]]) -> None:
    """Finding 3: any non-ASCII byte in Authorization or the cookie was a plain-text
    500 without the security headers, even with an ASCII token."""
    app = create_app_for_asgi()
    status, sent, body = asyncio.run(_call(app, "GET", "/api/rules", headers))
    assert status in (400, 401), (status, body)
    assert json.loads(body)["error"]
    assert sent[b"x-content-type-options"] == b"nosniff"
    assert b"content-security-policy" in sent


def create_app_for_asgi() -> Any:
    import tempfile

    return create_app(tempfile.mkdtemp(prefix="kyodo-asgi-"), token="ascii-token")


async def _call(
    app: Any,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: list[bytes] | None = None,
    stall: bool = False,
    gone: bool = False,
) -> tuple[int, dict[bytes, bytes], bytes]:
    """One request through the ASGI interface itself: headers as raw bytes, the body in
    `body` chunks; then, with `stall`, the client sends nothing more, ever; with `gone`,
    it disconnects."""
    chunks = list(body or [b""])
    out: dict[str, Any] = {"status": 0, "headers": {}, "body": b""}

    async def receive() -> dict[str, Any]:
        if chunks:
            chunk = chunks.pop(0)
            more = bool(chunks) or stall or gone
            return {"type": "http.request", "body": chunk, "more_body": more}
        if gone:
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # a client that never sends the rest
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.lower(): v for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return out["status"], out["headers"], out["body"]


# --------------------------------------------------------------------------- strict types


def test_a_session_upload_whose_title_is_binary_is_refused_naming_it(
    client: TestClient, data_dir: Path
) -> None:
    """Finding 4: `title: !!binary aGVsbG8=` reached the JSON store as bytes (a 500)."""
    body = b"version: 1\nprofile: generic\nanswers: {title: !!binary aGVsbG8=}\nasked: [title]\n"
    r = _resume(client, "bin.session.yaml", body)
    assert r.status_code == 400
    assert "bin.session.yaml" in r.text and "!!binary" in r.text


def test_a_title_that_is_not_text_is_refused_by_the_library() -> None:
    from kyodo_rules import InputError, classify

    with pytest.raises(InputError, match="title: b'hello' is not text"):
        classify({"title": b"hello"})


# --------------------------------------------------------------------------- no stall


def test_a_page_is_answered_while_an_inventory_is_being_answered(
    app: Any, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 5: an upload classified inside the async handler blocked every other
    request. Here the inventory's work waits until a page has been answered: with the
    work on the event loop, no page could be, and the upload would give up waiting."""
    from kyodo_rules.outputs import inventory

    working, page_done = threading.Event(), threading.Event()
    seen: list[bool] = []
    real = inventory.answer_file

    def slow_answer_file(*args: Any, **kwargs: Any) -> Any:
        working.set()
        seen.append(page_done.wait(timeout=30))
        return real(*args, **kwargs)

    monkeypatch.setattr(inventory, "answer_file", slow_answer_file)
    upload: dict[str, Any] = {}

    def post() -> None:
        csv = "事業名,主体\n庁舎管理,市\n".encode()
        upload["r"] = client.post("/api/batch", files={"file": ("a.csv", csv, "text/csv")})

    thread = threading.Thread(target=post)
    thread.start()
    try:
        assert working.wait(timeout=30)
        assert client.get("/api/rules").status_code == 200
        page_done.set()
    finally:
        thread.join(60)
    assert seen == [True], "the inventory's work held up the page"
    assert upload["r"].status_code == 200


def test_work_over_its_time_limit_is_a_503_and_the_server_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kyodo_rules.web import work

    monkeypatch.setattr(work, "LIGHT_SECONDS", 0.2)
    release = threading.Event()
    web = client.app.app.state.web  # type: ignore[attr-defined]
    real = web.classifier.classify

    def stuck(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(web.classifier, "classify", stuck)
    try:
        r = client.post("/api/classify", json=JIREI1)
        assert r.status_code == 503 and r.json()["error"].startswith("time_limit: ")
        assert r.headers["retry-after"]
    finally:
        release.set()
    monkeypatch.setattr(work, "LIGHT_SECONDS", 20.0)
    monkeypatch.setattr(web.classifier, "classify", real)
    assert client.post("/api/classify", json=JIREI1).status_code == 200


def test_the_unknown_key_check_stops_after_twenty_problems(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file of 91,733 unknown keys held the server 6.6 s: a did-you-mean search ran
    for every key. Now at most twenty are looked at, and the rest only counted."""
    import difflib

    from kyodo_rules import InputError, classify

    calls = []
    real = difflib.get_close_matches

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    with pytest.raises(InputError) as caught:
        classify({f"key_{n}": 1 for n in range(60_000)})
    message = str(caught.value)
    assert message.count("'key_") == 20 and "…and 59980 more" in message
    assert len(calls) <= 20


def test_a_session_file_of_many_unknown_keys_names_the_first(
    client: TestClient,
) -> None:
    body = (
        "version: 1\nprofile: generic\n" + "".join(f"k{n}: 1\n" for n in range(80_000))
    ).encode()
    assert len(body) < MAX_UPLOAD
    r = _resume(client, "many.session.yaml", body)
    assert r.status_code == 400 and "k0: unknown session key" in r.text


# --------------------------------------------------------------------------- a full disk


def test_a_full_disk_is_a_507_page_in_both_languages_and_the_server_recovers(
    app: Any, client: TestClient, data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 6: SQLite's own "database or disk is full" (its page limit set to the
    pages the file has: the error a full disk gives) was a bare "internal error", and
    the log's last line was the rollback's. Now: 507, the page says it in Japanese and
    English, the log's line starts with the cause; space again, and it goes on."""
    url, token = start(client, title="x")
    field = field_of(client.get(url).text) or ""
    store = app.app.state.web.store
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    big = "大" * 500
    caplog.set_level(logging.INFO, logger="kyodo_rules.web")
    try:
        for _ in range(50):  # until the pages the file has are used up
            r = client.post(
                "/start",
                data={"csrf": token, "profile": "generic", "title": big},
                follow_redirects=False,
            )
            if r.status_code != 303:
                break
        assert r.status_code == 507, r.text
        assert "保存先の容量がいっぱいです" in r.text and "storage is full" in r.text
        records = [rec.getMessage() for rec in caplog.records if rec.name == "kyodo_rules.web"]
        assert records and records[0].startswith("storage full: database or disk is full")
        assert "Traceback" not in r.text
    finally:
        store._db.execute("PRAGMA max_page_count = 1073741823")
    r = answer(client, url, token, field, None, "unknown")
    assert r.status_code == 303  # recovered by itself
    assert stored(data_dir, url).answers[field] is None


def test_a_full_disk_under_uploads_is_a_507_in_json_on_the_api(
    client: TestClient, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.write_bytes

    def full(self: Path, data: Any) -> int:
        if "uploads" in self.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    csv = "事業名,主体\n庁舎管理,市\n".encode()
    r = client.post("/api/batch", files={"file": ("a.csv", csv, "text/csv")})
    assert r.status_code == 507
    error = r.json()["error"]
    assert error.startswith("storage: ") and r.json()["field"] == "storage"
    assert "保存先の容量がいっぱいです" in error and "storage is full" in error


# --------------------------------------------------------------------------- minor ones


def test_a_browser_id_the_server_did_not_issue_is_never_adopted(client: TestClient) -> None:
    """A cookie planted from another site of the same host named an id of the
    planter's choosing, and the server handed out that id's form token."""
    planted = "attackerchosenbrowserid0"
    client.cookies.set("kyodo_browser", planted)
    page = client.get("/")
    issued = page.headers["set-cookie"]
    assert "kyodo_browser=" in issued and planted not in issued
    token = csrf_of(page.text)
    # The page's token does not go with the planted id.
    client.cookies.clear()
    client.cookies.set("kyodo_browser", planted)
    r = client.post("/start", data={"csrf": token, "profile": "generic"})
    assert r.status_code == 403


def test_the_language_link_stays_on_this_site_and_encodes_the_query(client: TestClient) -> None:
    page = client.get('//evil.example/x?a b=1&c"d=<2>').text
    links = re.findall(r'href="([^"]*)"', page)
    assert not [link for link in links if link.startswith("//")], links
    other = next(link for link in links if "lang=en" in link)
    assert other.startswith("?") and " " not in other and "<" not in other and '"' not in other


def test_a_session_file_of_exactly_the_clis_limit_is_read_by_the_upload(
    client: TestClient, data_dir: Path
) -> None:
    """The CLI reads a 1,000,000-byte session file; the upload refused it, because its
    limit counted the form around the file."""
    head = b"version: 1\nprofile: generic\nanswers: {title: ok}\nasked: [title]\n#"
    body = head + b"x" * (MAX_UPLOAD - len(head) - 1) + b"\n"
    assert len(body) == MAX_UPLOAD
    r = _resume(client, "big.session.yaml", body)
    assert r.status_code == 303, r.text
    assert stored(data_dir, r.headers["location"]).answers["title"] == "ok"
    assert _resume(client, "big.session.yaml", body + b"#").status_code == 413


def test_a_body_that_stops_half_way_is_a_408_not_a_connection_held_for_ever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guard, "BODY_SECONDS", 0.3)
    app = create_app_for_asgi()
    headers = [
        (b"authorization", b"Bearer ascii-token"),
        (b"content-type", b"application/json"),
        (b"content-length", b"100"),
    ]
    status, sent, body = asyncio.run(
        asyncio.wait_for(
            _call(app, "POST", "/api/classify", headers, [b'{"actors"'], stall=True), 30
        )
    )
    assert status == 408 and json.loads(body)["error"].startswith("body: ")
    assert sent[b"connection"] == b"close"


def test_a_client_gone_mid_body_leaves_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app_for_asgi()
    headers = [
        (b"authorization", b"Bearer ascii-token"),
        (b"content-type", b"application/json"),
        (b"content-length", b"100"),
    ]

    caplog.set_level(logging.DEBUG)
    status, _, _ = asyncio.run(_call(app, "POST", "/api/classify", headers, [b'{"a'], gone=True))
    assert status == 400
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_an_inventory_over_its_time_limit_stops_and_leaves_nothing_behind(
    client: TestClient, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work that can stop between rows does, at its deadline: 503, no file kept."""
    from kyodo_rules.web import pages

    monkeypatch.setattr(pages, "HEAVY_SECONDS", 0.0)
    rows = "".join(f"事業{n},市\n" for n in range(50))
    csv = f"事業名,主体\n{rows}".encode()
    r = client.post("/api/batch", files={"file": ("a.csv", csv, "text/csv")})
    assert r.status_code == 503 and r.json()["error"].startswith("time_limit: ")
    assert not list((data_dir / "uploads").iterdir())


def test_a_database_of_the_first_release_is_read_and_written(tmp_path: Path) -> None:
    """The version and stamp columns are added to an interviews table made before them."""
    import sqlite3

    from kyodo_rules.web.store import Store

    db = sqlite3.connect(tmp_path / "interviews.sqlite3")
    db.executescript(
        "CREATE TABLE interviews (id TEXT PRIMARY KEY, browser TEXT NOT NULL, "
        "created TEXT NOT NULL, updated TEXT NOT NULL, state TEXT NOT NULL);"
        "INSERT INTO interviews VALUES ('old', 'b', 't', 't', "
        """'{"profile": "generic", "answers": {"title": "前から"}, "asked": ["title"]}');"""
    )
    db.commit()
    db.close()
    store = Store(tmp_path)
    try:
        stored = store.load("old")
        assert stored is not None and stored.version == 0 and stored.stamps == {}
        stored.state.answers["title"] = "変えた"
        assert store.commit("old", stored, stored.state) == 1
        again = store.load("old")
        assert again is not None and again.state.answers["title"] == "変えた"
        assert again.changed_since(0, "title")
    finally:
        store.close()


def test_a_data_directory_whose_database_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    from kyodo_rules import InputError

    (tmp_path / "interviews.sqlite3").mkdir()  # a directory where the file should be
    with pytest.raises(InputError, match=r"--data .*database"):
        create_app(tmp_path)


def test_headers_that_never_end_are_a_408_and_the_connection_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that opens a connection and sends half its headers (or nothing) held it
    for ever: uvicorn has no deadline for headers. `serve`'s protocol gives one."""
    import socket
    import time

    import uvicorn

    from kyodo_rules.web import server as served

    monkeypatch.setattr(served, "HEADER_SECONDS", 0.5)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(tmp_path),
        host="127.0.0.1",
        port=port,
        http=served.HttpProtocol,
        lifespan="off",
        log_level="warning",
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not running.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for sent in (b"GET / HTTP/1.1\r\nHost: x\r\n", b""):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.sendall(sent)
                answer = b""
                while chunk := s.recv(65536):  # until the server closes
                    answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408"), answer
            assert b"x-content-type-options: nosniff" in head
            assert json.loads(body)["error"].startswith("request: headers not received")
        # An ordinary request, and a kept-alive second one, are not affected.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            for _ in range(2):
                s.sendall(b"GET /api/rules HTTP/1.1\r\nHost: x\r\n\r\n")
                assert s.recv(20).startswith(b"HTTP/1.1 200")
                time.sleep(0.8)  # longer than the headers' deadline, shorter than keep-alive
                s.settimeout(0.1)
                with contextlib.suppress(TimeoutError):
                    while s.recv(65536):
                        pass
                s.settimeout(10)
    finally:
        running.should_exit = True
        thread.join(30)
