"""The web application through its ASGI test client: every route, bad input, CSRF, limits.

One application (one SQLite file) serves the whole module; each test that
needs a browser of its own gets a client with its own cookies. The interview
is driven the way a browser without JavaScript drives it: GET a page, post
its form, follow the redirect.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install .[web])")

from starlette.testclient import TestClient

from kyodo_rules.cli.main import build_parser
from kyodo_rules.web.app import MAX_BODY, MAX_UPLOAD, create_app
from kyodo_rules.web.store import Store
from kyodo_rules.wizard import session
from kyodo_rules.wizard.flow import State
from strategies import FESTIVAL, JIREI1


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-data")


@pytest.fixture(scope="module")
def app(data_dir: Path) -> Any:
    return create_app(data_dir)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    """A browser of its own (its own cookie jar) on the shared application."""
    with TestClient(app) as c:
        yield c


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


def field_of(page: str) -> str | None:
    match = re.search(r'name="field" value="([a-z_]+)"', page)
    return match.group(1) if match else None


def start(client: TestClient, profile: str = "generic", title: str = "") -> tuple[str, str]:
    """Start an interview; (its URL, the CSRF token)."""
    token = csrf_of(client.get("/").text)
    r = client.post(
        "/start",
        data={"csrf": token, "profile": profile, "lang": "ja", "title": title},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r.headers["location"], token


def form_value(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


def answer(
    client: TestClient, url: str, token: str, field: str, value: Any, action: str = "answer"
) -> Any:
    data: dict[str, Any] = {"csrf": token, "field": field, "action": action}
    if value is not None:
        data["value"] = form_value(value)
    return client.post(f"{url}/answer", data=data, follow_redirects=False)


def run_interview(
    client: TestClient,
    url: str,
    token: str,
    facts: Mapping[str, Any],
    limit: int = 40,
    details: bool = True,
) -> list[str]:
    """Answer every question from `facts` (absent = 分からない); the fields asked, in order.

    With `details`, goes on past the verdict (the summary's offer) to the
    questions that shape the forms and the procedure, as the terminal's replay does.
    """
    asked = []
    for _ in range(limit):
        page = client.get(url)
        if page.url.path.endswith("/summary"):
            if details and 'id="details"' in page.text:
                r = client.post(f"{url}/details", data={"csrf": token}, follow_redirects=False)
                assert r.status_code == 303
                continue
            return asked
        field = field_of(page.text)
        assert field, page.text
        asked.append(field)
        value = facts.get(field)
        r = answer(client, url, token, field, value, "answer" if value is not None else "unknown")
        assert r.status_code == 303, r.text
    raise AssertionError(f"the interview did not end within {limit} questions: {asked}")


def stored(data_dir: Path, url: str) -> State:
    """The interview as a fresh connection to the database sees it (i.e. committed)."""
    store = Store(data_dir)
    try:
        state = store.get(url.rsplit("/", 1)[-1])
    finally:
        store.close()
    assert state is not None
    return state


# --------------------------------------------------------------------------- pages


def test_home_asks_the_profile_first_in_japanese_and_in_english(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "どの自治体の手引きの言葉で結果を表示しますか？" in page.text
    assert re.findall(r'name="profile" value="([a-z]+)"', page.text)[0] == "generic"
    assert {"ama", "nichinan", "ogi"} <= set(re.findall(r'name="profile" value="(\w+)"', page.text))
    assert "kyodo_browser" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]
    english = client.get("/?lang=en")
    assert "Whose guidance should the result use?" in english.text
    assert '<html lang="en">' in english.text


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/api/rules"), client.get("/rules")):
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp and "'unsafe-inline'" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    assert "<script" not in client.get("/").text


def test_the_jirei1_interview_reaches_outsourcing_and_every_answer_is_committed(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="庁舎管理の委託")
    asked = run_interview(client, url, token, JIREI1)
    assert {"actors", "spec_author", "city_supervises"} <= set(asked)
    state = stored(data_dir, url)
    assert state.answers["title"] == "庁舎管理の委託"
    for field, value in JIREI1.items():
        assert state.answers[field] == value
    summary = client.get(f"{url}/summary").text
    assert "すべて市が作った" in summary and f"{url}/change/spec_author" in summary
    page = client.get(f"{url}/result")
    assert page.status_code == 200
    assert "協働ではない（確定）" in page.text and "アウトソーシング" in page.text
    assert "庁舎管理の委託" in page.text
    # Every reason links to its rule page.
    assert 'href="/rules/jirei1-outsourcing?lang=ja"' in page.text


def test_verdict_questions_first_then_the_offer_to_go_on(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="庁舎管理")
    first = run_interview(client, url, token, JIREI1, details=False)
    summary = client.get(f"{url}/summary").text
    assert "判定を変えうるものはもうありません" in summary and 'id="details"' in summary
    assert not stored(data_dir, url).details
    assert 'class="verdict not_kyodo"' in client.get(f"{url}/result").text
    # Going on asks what shapes the category, forms and procedure; no answer is lost.
    assert client.post(f"{url}/details", data={}).status_code == 403
    more = run_interview(client, url, token, JIREI1)
    state = stored(data_dir, url)
    assert state.details and "details" in state.history
    assert not set(first) & set(more) and "city_supervises" in state.asked
    assert "アウトソーシング" in client.get(f"{url}/result").text


def test_the_result_page_is_the_report_template_and_its_style_is_allowed_by_hash(
    client: TestClient,
) -> None:
    from kyodo_rules import classify
    from kyodo_rules.outputs.html import render_html

    url, token = start(client)
    run_interview(client, url, token, JIREI1)
    page = client.get(f"{url}/result")
    report = render_html(classify(JIREI1), "ja")
    for part in ('<section class="verdict not_kyodo" id="verdict">', '<section id="reasons">'):
        assert part in page.text and part in report
    style = re.search(r"<style>(.*?)</style>", page.text, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    csp = page.headers["content-security-policy"]
    assert f"style-src 'sha256-{digest}'" in csp
    assert "@media print { nav.web { display: none; } }" in style.group(1)


def test_a_subsidised_festival_is_kyodo(client: TestClient) -> None:
    url, token = start(client, "nichinan")
    run_interview(client, url, token, FESTIVAL)
    page = client.get(f"{url}/result").text
    assert 'class="verdict kyodo"' in page


def test_back_keeps_the_later_answers(client: TestClient, data_dir: Path) -> None:
    url, token = start(client)
    facts = {**JIREI1, "benefit": "public", "self_solvable": False, "community_solvable": False}
    first = field_of(client.get(url).text)
    assert first == "title"
    answer(client, url, token, "title", "戻るの確認")
    fields = []
    for _ in range(2):
        field = field_of(client.get(url).text)
        assert field
        fields.append(field)
        answer(client, url, token, field, facts[field])
    # Back twice: to the second-last answered question, whose answer is shown chosen.
    assert answer(client, url, token, field_of(client.get(url).text) or "", None, "back")
    answer(client, url, token, fields[-1], None, "back")
    page = client.get(url).text
    assert field_of(page) == fields[-2]
    kept = facts[fields[-2]]
    shown = str(kept).lower() if isinstance(kept, bool) else kept
    assert re.search(rf'value="{shown}" checked', page), "the kept answer is not pre-selected"
    assert stored(data_dir, url).answers[fields[-1]] == facts[fields[-1]]
    # Answering it again the same way skips the later question: its answer was kept.
    answer(client, url, token, fields[-2], facts[fields[-2]])
    assert field_of(client.get(url).text) not in fields


def test_first_question_has_no_back_and_unknown_everywhere(client: TestClient) -> None:
    url, _token = start(client, title="x")
    page = client.get(url).text
    assert 'value="unknown"' in page and "分からない" in page
    assert 'value="back"' in page  # the title is behind it
    url2, _ = start(client)
    assert 'value="back"' not in client.get(url2).text
    assert "ここまでの回答で結果を見る" in page


def test_why_this_question_quotes_the_guidance_and_links_the_rules(client: TestClient) -> None:
    url, _token = start(client, title="x")
    page = client.get(url).text
    why = re.search(r'<details class="card why" id="why">(.*?)</details>', page, re.S)
    assert why, "no なぜこの質問？ on the page"
    text = why.group(1)
    assert "なぜこの質問？" in text and "<blockquote>" in text
    assert re.search(r"『[^』]+』", text), (
        "no guide cited"
    )  # the issuer and the guide, not the file
    assert 'href="/rules/' in text


def test_the_running_status_is_shown_in_the_terminals_words(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="x")
    status = re.search(
        r'<aside class="status[^"]*" id="status">(.*?)</aside>', client.get(url).text, re.S
    )
    assert status and "いまの見込み" in status.group(1) and "確認すべき点" in status.group(1)
    run_interview(client, url, token, JIREI1, details=False)
    client.post(f"{url}/details", data={"csrf": token})
    page = client.get(url).text
    assert field_of(page), "no question after going on"
    status = re.search(r'<aside class="status[^"]*" id="status">(.*?)</aside>', page, re.S)
    assert status and "協働ではない" in status.group(1) and "確定" in status.group(1)


def test_see_the_result_from_the_answers_so_far(client: TestClient) -> None:
    url, _token = start(client)
    page = client.get(f"{url}/result")
    assert page.status_code == 200
    assert 'class="verdict undetermined"' in page.text
    assert f'href="{url}"' in page.text  # continue the questions


def test_changing_an_answer_in_the_summary_rederives_the_interview(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client)
    run_interview(client, url, token, JIREI1)
    form = client.get(f"{url}/change/spec_author")
    assert form.status_code == 200 and field_of(form.text) == "spec_author"
    version = re.search(r'name="version" value="(\d+)"', form.text)
    assert version, "the change page says which version of the interview it shows"
    r = client.post(
        f"{url}/change/spec_author",
        data={
            "csrf": token,
            "field": "spec_author",
            "action": "answer",
            "value": "partner",
            "version": version.group(1),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    state = stored(data_dir, url)
    assert state.answers["spec_author"] == "partner"
    assert state.answers["city_supervises"] is True  # kept
    assert "アウトソーシング" not in client.get(f"{url}/result").text.split("<main>")[1][:600]
    assert client.get(f"{url}/change/not_a_field").status_code == 404


def test_an_answer_that_is_not_a_choice_is_refused_and_nothing_changes(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="x")
    field = field_of(client.get(url).text)
    assert field
    before = stored(data_dir, url)
    r = answer(client, url, token, field, "maybe")
    assert r.status_code == 400
    # Said on the page in its language, with the question's name and the choices' words.
    from kyodo_rules.wording import catalog

    assert f"{catalog.field_label(field, 'ja')}: 「maybe」は選べません。" in r.text
    assert "次のどれかを選んでください" in r.text
    assert stored(data_dir, url) == before
    # A stale page (another field than the one asked) changes nothing either: it is
    # answered with the conflict page, which shows the answers as they are.
    r = answer(client, url, token, "planner", "city")
    assert r.status_code == 409 and 'id="conflict"' in r.text
    assert "planner" not in stored(data_dir, url).answers


def test_codes_questions_take_several_values_and_none(client: TestClient, data_dir: Path) -> None:
    url, token = start(client, title="x")
    for _ in range(6):
        field = field_of(client.get(url).text)
        if field == "actors":
            break
        answer(client, url, token, field or "", None, "unknown")
    assert field == "actors"
    answer(client, url, token, "actors", ["business", "city"])
    assert stored(data_dir, url).answers["actors"] == ["business", "city"]


def test_the_stylesheet_is_served_from_the_package(client: TestClient) -> None:
    css = client.get("/static/web.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "label.choice" in css.text
    assert css.headers["x-content-type-options"] == "nosniff"


def test_an_unknown_interview_is_404(client: TestClient) -> None:
    assert client.get("/i/nosuchinterview0000000").status_code == 404
    assert client.get("/i/nosuchinterview0000000/result").status_code == 404
    assert client.get("/no/such/page").status_code == 404


# --------------------------------------------------------------------------- CSRF


def test_every_form_post_needs_the_csrf_token_of_this_browser(
    app: Any, client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="x")
    field = field_of(client.get(url).text) or ""
    before = stored(data_dir, url)
    posts = [
        ("/start", {"profile": "generic"}),
        (f"{url}/answer", {"field": field, "action": "unknown"}),
        (f"{url}/change/title", {"field": "title", "action": "unknown"}),
        ("/batch", {"profile": "generic"}),
        ("/resume", {}),
    ]
    for path, data in posts:
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "0" * 64}).status_code == 403, path
    # Another browser's token does not work with this browser's cookie.
    with TestClient(app) as other:
        other_token = csrf_of(other.get("/").text)
    assert other_token != token
    r = client.post(
        f"{url}/answer", data={"csrf": other_token, "field": field, "action": "unknown"}
    )
    assert r.status_code == 403
    # A post from another site (Origin) is refused even with the right token.
    r = client.post(
        f"{url}/answer",
        data={"csrf": token, "field": field, "action": "unknown"},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert stored(data_dir, url) == before
    assert "フォームの有効期限が切れました" in r.text


# --------------------------------------------------------------------------- session files


def test_an_interview_downloads_as_the_wizards_session_file_and_uploads_back(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    url, token = start(client, "nichinan", title="往復")
    answer(client, url, token, field_of(client.get(url).text) or "", False)
    download = client.get(f"{url}/session.yaml")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    path = tmp_path / "web.session.yaml"
    path.write_bytes(download.content)
    state = session.load_state(path, None, None)  # exactly what `wizard --resume` reads
    assert state.profile == "nichinan" and state.answers == stored(data_dir, url).answers
    r = client.post(
        "/resume",
        data={"csrf": token},
        files={"session": ("web.session.yaml", download.content, "application/x-yaml")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    resumed = stored(data_dir, r.headers["location"])
    assert resumed.answers == state.answers and resumed.asked == state.asked
    assert not list((data_dir / "uploads").iterdir())


def test_a_terminal_session_file_resumes_in_the_browser(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    terminal = State(profile="generic", lang="ja", answers={"title": "端末から", **JIREI1})
    terminal.asked = ["title", "actors", "spec_author", "city_supervises"]
    path = tmp_path / "t.session.yaml"
    session.save(terminal, path)
    token = csrf_of(client.get("/").text)
    r = client.post(
        "/resume",
        data={"csrf": token},
        files={"session": ("t.session.yaml", path.read_bytes(), "application/x-yaml")},
        follow_redirects=False,
    )
    url = r.headers["location"]
    assert stored(data_dir, url).answers == terminal.answers
    assert "アウトソーシング" in client.get(f"{url}/result").text


def test_a_bad_session_file_is_one_line_naming_the_uploaded_file(
    client: TestClient, data_dir: Path
) -> None:
    token = csrf_of(client.get("/").text)
    bad = b"version: 1\nprofile: generic\nanswers: {actors: [dragon]}\n"
    r = client.post(
        "/resume",
        data={"csrf": token},
        files={"session": ("mine.session.yaml", bad, "application/x-yaml")},
    )
    assert r.status_code == 400
    assert "mine.session.yaml" in r.text and "dragon" in r.text and "allowed: city" in r.text
    assert str(data_dir) not in r.text
    assert not list((data_dir / "uploads").iterdir())


def test_a_browser_lists_only_its_own_interviews(app: Any) -> None:
    with TestClient(app) as one, TestClient(app) as two:
        url_one, _ = start(one, title="一つ目の事業")
        url_two, _ = start(two, title="二つ目の事業")
        home_one, home_two = one.get("/").text, two.get("/").text
    assert url_one in home_one and url_two not in home_one
    assert url_two in home_two and url_one not in home_two
    assert "一つ目の事業" in home_one


# --------------------------------------------------------------------------- API


def test_api_classify_answers_the_vocabularys_result(client: TestClient) -> None:
    r = client.post("/api/classify", json=JIREI1)
    assert r.status_code == 200
    data = r.json()
    assert (data["verdict"], data["category"]) == ("not_kyodo", "outsourcing")
    from kyodo_rules import classify

    assert data == classify(JIREI1).model_dump(mode="json")
    english = client.post("/api/classify?profile=nichinan&lang=en", json=JIREI1).json()
    assert english["profile"] == "nichinan"
    assert english["trace"][0]["title"] == classify(JIREI1, lang="en").trace[0].title


@pytest.mark.parametrize(
    ("body", "query", "field", "needle"),
    [
        ({"actors": ["dragon"]}, "", "actors", "allowed: city, citizen"),
        ({"colour": "red"}, "", "colour", "unknown field 'colour'"),
        ({"city_supervises": "yes"}, "", "city_supervises", "allowed: true, false"),
        ({}, "?profile=atlantis", "profile", "allowed: ama, generic, nichinan, ogi"),
        ({}, "?lang=fr", "lang", "allowed: ja, en"),
    ],
)
def test_api_classify_bad_input_is_a_4xx_naming_the_field(
    client: TestClient, body: dict[str, Any], query: str, field: str, needle: str
) -> None:
    r = client.post(f"/api/classify{query}", json=body)
    assert r.status_code == 400
    assert r.json()["field"] == field and needle in r.json()["error"]


def test_api_bodies_that_are_not_a_json_object(client: TestClient) -> None:
    headers = {"content-type": "application/json"}
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe", b"1" * 5000 + b"e9999"):
        r = client.post("/api/classify", content=body, headers=headers)
        assert r.status_code == 400 and r.json()["error"].startswith("body: "), body[:10]
    r = client.post(
        "/api/classify", content=b"actors: [city]", headers={"content-type": "text/yaml"}
    )
    assert r.status_code == 415 and "application/json" in r.json()["error"]
    assert client.get("/api/classify").status_code == 405
    assert client.get("/api/nothing").json()["error"]


def test_api_npo(client: TestClient) -> None:
    r = client.post("/api/npo", json={"members": 12, "for_profit": False})
    assert r.status_code == 200 and "eligible" in json.dumps(r.json())
    bad = client.post("/api/npo", json={"members": "many"})
    assert bad.status_code == 400 and bad.json()["field"] == "members"


def test_api_rules_and_the_openapi_document(client: TestClient) -> None:
    rules = client.get("/api/rules?lang=en").json()
    outsourcing = next(r for r in rules if r["id"] == "jirei1-outsourcing")
    assert outsourcing["source"] == "002_5706d2c9275a3206.txt (7) 事例1"
    assert client.get("/api/rules?profile=atlantis").status_code == 400
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/classify", "/api/npo", "/api/batch", "/api/rules"} <= set(doc["paths"])
    schemas = doc["components"]["schemas"]
    assert "actors" in schemas["Case"]["properties"]
    assert "verdict" in schemas["Result"]["properties"]


# --------------------------------------------------------------------------- inventory


def _inventory_csv() -> bytes:
    from kyodo_rules.outputs.inventory import INPUT_FIELDS
    from kyodo_rules.wording.field_labels import FIELD_LABELS

    out = io.StringIO()
    out.write(",".join(FIELD_LABELS[f] for f in INPUT_FIELDS) + "\n")
    row = {"title": "庁舎管理", "actors": "市、事業者", "spec_author": "市"}
    row["city_supervises"] = "はい"
    out.write(",".join(row.get(f, "") for f in INPUT_FIELDS) + "\n")
    bad = {"title": "誤記", "actors": "ドラゴン"}
    out.write(",".join(bad.get(f, "") for f in INPUT_FIELDS) + "\n")
    return out.getvalue().encode("utf-8")


def _sheet(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_api_batch_answers_the_inventory(client: TestClient, data_dir: Path) -> None:
    r = client.post("/api/batch", files={"file": ("一覧.csv", _inventory_csv(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.headers["x-kyodo-rows"] == "2" and r.headers["x-kyodo-rows-with-errors"] == "1"
    rows = _sheet(r.content)
    verdict = rows[0].index("判定")
    assert rows[1][0] == "庁舎管理" and rows[1][verdict].startswith("協働ではない（")
    assert any("ドラゴン" in str(c) for c in rows[2])
    bad = client.post("/api/batch", files={"file": ("一覧.txt", b"x", "text/plain")})
    assert bad.status_code == 400 and "allowed: .csv, .xlsx" in bad.json()["error"]
    assert client.post("/api/batch", json={}).status_code == 415
    assert not list((data_dir / "uploads").iterdir())


def test_inventory_page_upload_and_template(client: TestClient, data_dir: Path) -> None:
    page = client.get("/batch")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    token = csrf_of(page.text)
    r = client.post(
        "/batch",
        data={"csrf": token, "profile": "generic", "lang": "ja"},
        files={"inventory": ("一覧.csv", _inventory_csv(), "text/csv")},
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.open")
    assert _sheet(r.content)[1][0] == "庁舎管理"
    empty = client.post(
        "/batch",
        data={"csrf": token, "profile": "generic"},
        files={"inventory": ("一覧.csv", b"", "text/csv")},
    )
    assert empty.status_code == 400 and "一覧.csv" in empty.text and str(data_dir) not in empty.text
    template = client.get("/batch/template.xlsx")
    assert template.status_code == 200 and _sheet(template.content)[0][0] == "事業名"
    assert not list((data_dir / "uploads").iterdir())


# --------------------------------------------------------------------------- limits


def test_bodies_over_the_limit_are_413(client: TestClient) -> None:
    big = json.dumps({"title": "x" * (MAX_BODY + 10)})
    r = client.post("/api/classify", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "at most" in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"title": "'
        for _ in range(MAX_BODY // 1024 + 2):
            yield b"x" * 1024
        yield b'"}'

    r = client.post("/api/classify", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    token = csrf_of(client.get("/").text)
    r = client.post(
        "/resume",
        data={"csrf": token},
        files={"session": ("big.session.yaml", b"#" * (MAX_UPLOAD + 1), "application/x-yaml")},
    )
    assert r.status_code == 413
    r = client.post("/start", data={"csrf": token, "profile": "generic", "title": "x" * MAX_BODY})
    assert r.status_code == 413


# --------------------------------------------------------------------------- rule pages


def test_rule_pages(client: TestClient) -> None:
    from kyodo_rules.decision.classify import default_classifier

    base = default_classifier().rulebase
    every = len(base.rules) + sum(len(p.rules) for p in base.profiles.values())
    listing = client.get("/rules").text
    assert listing.count('<tr><td><a href="/rules/') == every
    page = client.get("/rules/jirei1-outsourcing").text
    assert "仕様書などは、すべて市が作り、市が指導・監督するからです。" in page
    assert "002_5706d2c9275a3206.txt (7) 事例1" in page
    assert "「仕様書の作成者」が市" in page  # the condition, in the catalog's words
    assert "アウトソーシング" in page  # what it concludes
    assert "jirei1-building-management" in page  # a library case that uses it
    with_override = next(r for r in base.rules if r.overrides)
    page = client.get(f"/rules/{with_override.id}").text
    assert f'href="/rules/{with_override.overrides[0]}?lang=ja"' in page
    target = client.get(f"/rules/{with_override.overrides[0]}").text
    assert f'href="/rules/{with_override.id}?lang=ja"' in target
    assert client.get("/rules/no-such-rule").status_code == 404
    assert "Applies when" in client.get("/rules/jirei1-outsourcing?lang=en").text


# --------------------------------------------------------------------------- token, serve


def test_a_token_guards_pages_and_api(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, token="s3cret-token")) as c:
        assert c.get("/").status_code == 401
        assert c.post("/api/classify", json=JIREI1).status_code == 401
        assert (
            c.post("/api/classify", json=JIREI1, headers={"authorization": "Bearer no"})
            .json()["error"]
            .startswith("token")
        )
        ok = c.post("/api/classify", json=JIREI1, headers={"authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
        first = c.get("/?token=s3cret-token")
        assert first.status_code == 200 and "HttpOnly" in first.headers["set-cookie"]
        assert c.get("/rules").status_code == 200  # the cookie now carries it


def test_serve_binds_to_localhost_unless_told() -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def test_a_data_directory_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    from kyodo_rules import InputError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="--data"):
        create_app(blocker / "data")


def test_a_defect_is_a_plain_500_never_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(tmp_path)
    with TestClient(app, raise_server_exceptions=False) as c:
        web = app.app.state.web

        def broken(*_args: object, **_kwargs: object) -> None:
            raise RuntimeError("secret detail")

        monkeypatch.setattr(web.classifier, "classify", broken)
        r = c.post("/api/classify", json=JIREI1)
    assert r.status_code == 500 and r.json()["error"].startswith("internal error")
    assert "secret detail" not in r.text and "Traceback" not in r.text


# --------------------------------------------------------------------------- office lists


def _office(name: str, directory: Path) -> Path:
    from offices import offices

    return next(o for o in offices() if o.name == name).write(directory)


def test_api_batch_reads_an_office_list_as_the_command_does(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    """The same reading over HTTP: title rows, the office's words, totals kept unanswered."""
    from kyodo_rules.cli.main import main

    path = _office("ogi_style", tmp_path)
    r = client.post("/api/batch", files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert r.status_code == 200, r.text
    assert r.headers["x-kyodo-rows"] == "10" and r.headers["x-kyodo-rows-skipped"] == "1"
    assert r.headers["x-kyodo-rows-with-errors"] == "0"
    web_rows = _sheet(r.content)
    out = tmp_path / "cli.xlsx"
    assert main(["batch", str(path), "-o", str(out)]) == 0
    from openpyxl import load_workbook

    book = load_workbook(out, read_only=True)
    cli_rows = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert web_rows == cli_rows
    summary = load_workbook(io.BytesIO(r.content), read_only=True)["集計"]
    assert (
        next(summary.iter_rows(values_only=True))[0] == "集計\u3000令和7年度 協働事業調書（集約）"
    )
    page = client.post(
        "/api/batch?format=html&guess=false",
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "size: A4 landscape" in page.text and page.text.count("<tr class=") == 11
    assert "--no-guess" in page.text  # said on the page's notes
    assert (
        client.post(
            "/api/batch?format=pdf", files={"file": (path.name, path.read_bytes(), "text/csv")}
        )
        .json()["error"]
        .startswith("format:")
    )
    assert not list((data_dir / "uploads").iterdir())


def test_inventory_page_takes_a_sheet_and_a_map(
    client: TestClient, data_dir: Path, tmp_path: Path
) -> None:
    path = _office("nichinan_style", tmp_path)
    page = client.get("/batch")
    token = csrf_of(page.text)
    assert 'name="map"' in page.text and 'name="sheet"' in page.text
    source = ("一覧.xlsx", path.read_bytes(), "application/octet-stream")
    r = client.post(
        "/batch",
        data={"csrf": token, "profile": "generic", "lang": "ja", "sheet": "記入例"},
        files={"inventory": source},
    )
    assert r.status_code == 200
    assert [row[1] for row in _sheet(r.content)[1:]] == ["○○清掃活動"]
    mapping = "columns:\n  備考: ignore\nwords:\n  funding:\n    なし: [none]\n"
    r = client.post(
        "/batch",
        data={"csrf": token, "profile": "generic", "lang": "ja"},
        files={"inventory": source, "map": ("map.yaml", mapping.encode(), "text/yaml")},
    )
    assert r.status_code == 200, r.text
    header = next(row for row in _sheet(r.content) if row and "判定" in row)
    assert "備考" in header  # kept, not read
    broken = client.post(
        "/batch",
        data={"csrf": token, "profile": "generic", "lang": "ja"},
        files={"inventory": source, "map": ("mine.yaml", b"colums: {}\n", "text/yaml")},
    )
    assert broken.status_code == 400 and "mine.yaml:1" in broken.text
    assert str(data_dir) not in broken.text
    assert not list((data_dir / "uploads").iterdir())


# --------------------------------------------------------------------------- one interview


def _screen(page: str) -> tuple[str, int]:
    """(the field, or `together:` and the group, of the page's screen; its number)."""
    group = re.search(r'name="together" value="([a-z_,]+)"', page)
    number = re.search(r'<span class="number">質問 (\d+)</span>', page)
    assert number, page[:3000]
    key = f"together:{group.group(1)}" if group else field_of(page) or ""
    return key, int(number.group(1))


def _web_screens(client: TestClient, url: str, token: str, facts: Mapping[str, Any]) -> list:
    """Answer as a person who knows `facts` (the terminal's `answer_from`); the screens."""
    seen = []
    for _ in range(60):
        page = client.get(url)
        if page.url.path.endswith("/summary"):
            return seen
        key, number = _screen(page.text)
        seen.append((key, number))
        field = field_of(page.text) or ""
        data: dict[str, Any] = {"csrf": token, "field": field, "action": "answer"}
        if key.startswith("together:"):
            group = key.removeprefix("together:")
            values = [facts.get(f) for f in group.split(",")]
            data["together"] = group
            if all(v is None for v in values):
                data["action"] = "unknown"
            else:
                data["value"] = "all" if all(v is True for v in values) else "each"
        elif facts.get(field) is None:
            data["action"] = "unknown"
        else:
            data["value"] = form_value(facts[field])
        r = client.post(f"{url}/answer", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text
    raise AssertionError(seen)


def _terminal_screens(facts: Mapping[str, Any]) -> list:
    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.rulebase.questions import TITLE, default_data
    from kyodo_rules.wizard.flow import Flow, answer_from

    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = State("generic")
    flow.answer(state, TITLE, "x")
    seen = []
    while (name := flow.next_field(state)) is not None:
        group = flow.together(state, name)
        key = "together:" + ",".join(group) if group else name
        seen.append((key, flow.number(state, name)))
        values = [facts.get(f) for f in group]
        if group and not (all(v is True for v in values) or all(v is None for v in values)):
            flow.split(state, group)
            seen.append((name, flow.number(state, name)))
        answer_from(flow, state, name, facts)
    return seen


@pytest.mark.parametrize(
    "facts",
    [FESTIVAL, {**FESTIVAL, "shared_purpose": False}, JIREI1],
    ids=["all-three", "one-by-one", "jirei1"],
)
def test_the_web_asks_the_terminals_screens_with_the_terminals_numbers(
    client: TestClient, facts: dict[str, Any]
) -> None:
    url, token = start(client, title="x")
    web = _web_screens(client, url, token, facts)
    assert web == _terminal_screens(facts)
    numbers = [n for _key, n in web]
    assert numbers == list(range(2, 2 + len(numbers)))  # no two screens share a number


def test_back_after_one_by_one_returns_to_the_groups_screen(client: TestClient) -> None:
    url, token = start(client, title="x")
    facts = {**FESTIVAL, "shared_purpose": False}
    while not (key := _screen(client.get(url).text))[0].startswith("together:"):
        _web_screens_one(client, url, token, facts)
    group, number = key
    field = field_of(client.get(url).text) or ""
    data = {"csrf": token, "field": field, "action": "answer", "value": "each"}
    data["together"] = group.removeprefix("together:")
    assert client.post(f"{url}/answer", data=data, follow_redirects=False).status_code == 303
    assert _screen(client.get(url).text) == (field, number + 1)
    assert answer(client, url, token, field, None, "back").status_code == 303
    assert _screen(client.get(url).text) == (group, number)


def _web_screens_one(client: TestClient, url: str, token: str, facts: Mapping[str, Any]) -> None:
    field = field_of(client.get(url).text) or ""
    value = facts.get(field)
    answer(client, url, token, field, value, "answer" if value is not None else "unknown")


def test_the_activity_is_grouped_as_the_terminals_menus_with_other(client: TestClient) -> None:
    from kyodo_rules.rulebase.questions import default_data

    url, token = start(client, title="x")
    specs = default_data().question("activity").spec.choices
    for _ in range(10):
        if field_of(client.get(url).text) == "activity":
            break
        _web_screens_one(client, url, token, FESTIVAL)
    page = client.get(url).text
    headings = re.findall(r'<details class="group"[^>]*><summary>([^<]+)</summary>', page)
    assert headings == list(dict.fromkeys(c.group.ja for c in specs if c.group))
    assert "その他（どれにも当てはまらない）" in page and 'id="unknown"' in page
    # その他 comes after the groups, outside them (as in the terminal's group menu).
    last_group = page.rindex('<details class="group"')
    assert page.index('value="other"') > page.index("</details>", last_group)


def test_the_summary_names_the_unknown_answers_and_asks_them_again_one_by_one(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="x")
    run_interview(client, url, token, JIREI1, details=False)
    state = stored(data_dir, url)
    unknown = [f for f in state.asked if f != "title" and state.answers[f] is None]
    assert len(unknown) >= 2
    summary = client.get(f"{url}/summary").text
    assert f"「分からない」と答えた質問: {len(unknown)} 問" in summary
    assert f'href="{url}/change/{unknown[0]}?unknowns=1"' in summary
    assert summary.count('class="unknown"') == len(unknown)
    # The round: 分からない again moves on to the next; 戻る goes to the one before.
    page = client.get(f"{url}/change/{unknown[0]}?unknowns=1").text
    assert 'name="unknowns" value="1"' in page and 'id="was-unknown"' in page
    data = {"csrf": token, "field": unknown[0], "action": "unknown", "unknowns": "1"}
    r = client.post(f"{url}/change/{unknown[0]}", data=data, follow_redirects=False)
    assert r.headers["location"] == f"{url}/change/{unknown[1]}?unknowns=1"
    data = {"csrf": token, "field": unknown[1], "action": "back", "unknowns": "1"}
    r = client.post(f"{url}/change/{unknown[1]}", data=data, follow_redirects=False)
    assert r.headers["location"] == f"{url}/change/{unknown[0]}?unknowns=1"
    data["action"], data["field"] = "back", unknown[0]
    r = client.post(f"{url}/change/{unknown[0]}", data=data, follow_redirects=False)
    assert r.headers["location"] == f"{url}/summary"
    assert stored(data_dir, url).asked == state.asked  # nothing moved


def test_back_on_a_change_page_goes_to_the_question_before(
    client: TestClient, data_dir: Path
) -> None:
    url, token = start(client, title="x")
    run_interview(client, url, token, JIREI1, details=False)
    asked = stored(data_dir, url).asked
    page = client.get(f"{url}/change/{asked[3]}").text
    assert 'value="back"' in page
    data = {"csrf": token, "field": asked[3], "action": "back"}
    r = client.post(f"{url}/change/{asked[3]}", data=data, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url
    assert field_of(client.get(url).text) == asked[2]
    assert set(asked) <= set(stored(data_dir, url).answers)


def test_back_from_the_result_page_and_the_summary(client: TestClient, data_dir: Path) -> None:
    url, token = start(client, title="x")
    run_interview(client, url, token, JIREI1, details=False)
    asked = stored(data_dir, url).asked
    page = client.get(f"{url}/result")
    assert "form-action 'self'" in page.headers["content-security-policy"]
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page.text)
    assert meta and "form-action 'self'" in meta.group(1)  # both policies let 戻る through
    assert f'action="{url}/back"' in page.text and "← 戻る（最後の質問へ）" in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    # A stale page moves nothing; the page's own version goes back one question.
    stale = {"csrf": token, "version": str(int(version.group(1)) - 1)}
    assert client.post(f"{url}/back", data=stale, follow_redirects=False).status_code == 303
    assert stored(data_dir, url).asked == asked
    data = {"csrf": token, "version": version.group(1)}
    assert client.post(f"{url}/back", data=data, follow_redirects=False).status_code == 303
    assert field_of(client.get(url).text) == asked[-1]
    summary = client.get(f"{url}/summary").text
    assert f'action="{url}/back"' in summary


def test_the_change_link_never_wraps(client: TestClient) -> None:
    css = client.get("/static/web.css").text
    assert re.search(r"td\.change\s*\{[^}]*white-space:\s*nowrap", css)
    url, token = start(client, title="x")
    run_interview(client, url, token, JIREI1, details=False)
    assert '<td class="change"><a href=' in client.get(f"{url}/summary").text


def test_the_status_line_is_the_terminals(client: TestClient, data_dir: Path) -> None:
    import html

    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.rulebase.questions import default_data
    from kyodo_rules.wizard.flow import Flow
    from kyodo_rules.wizard.status import status_line

    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    url, token = start(client, title="x")
    for _ in range(6):
        page = client.get(url).text
        shown = re.search(r'<aside class="status[^"]*" id="status">\s*<strong[^>]*>([^<]+)<', page)
        if shown:
            state = stored(data_dir, url)
            flow.next_field(state)
            assert html.unescape(shown.group(1)) == status_line(flow, state, "ja")
        _web_screens_one(client, url, token, {})  # 分からない throughout
