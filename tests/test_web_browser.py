"""`kyodo-rules serve` as a new user meets it: the real command, and a real browser.

One server (the installed command, on a free localhost port) and one browser
serve the whole run (`test_scenarios.py` uses them too). Headless Chromium from
the distribution, driven by Selenium through the distribution's chromedriver
(nothing downloads a browser), answers the
事例1 interview using 戻る and the summary, answers a subsidised festival
across a closed browser (resumed from the URL alone, with a fresh profile and
no cookies), and prints the result page to an A4 PDF.

Without chromium, chromedriver or selenium the browser tests skip with the
command that installs them; with KYODO_REQUIRE_TOOLS=1 (CI) they fail instead.
`KYODO_SCREENSHOTS=docs/img` also saves the screenshots the docs show.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM, DRIVER, flags
from strategies import FESTIVAL, JIREI1

pytest.importorskip("starlette", reason="the web extra is not installed (pip install .[web])")

try:
    import selenium  # noqa: F401

    HAVE_SELENIUM = True
except ModuleNotFoundError:
    HAVE_SELENIUM = False
_MISSING = [
    name
    for name, present in (
        ("chromium", CHROMIUM),
        ("chromedriver", DRIVER),
        ("selenium", HAVE_SELENIUM),
    )
    if not present
]
if _MISSING and os.environ.get("KYODO_REQUIRE_TOOLS"):
    raise RuntimeError(f"KYODO_REQUIRE_TOOLS is set but {', '.join(_MISSING)} is missing")
needs_browser = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"{', '.join(_MISSING)} missing (apt-get install -y chromium chromium-driver "
    "fonts-noto-cjk; pip install selenium); CI installs them",
)

A4 = (595.0, 842.0)  # points


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _command() -> list[str]:
    script = Path(sys.executable).with_name("kyodo-rules")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyodo_rules"]


class Server:
    def __init__(self, base: str, data: Path, log: Path) -> None:
        self.base = base
        self.data = data
        self.log = log

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, str, str]:
        """(status, content type, text) of one request; 4xx/5xx are answers, not errors."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers["content-type"], r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.headers["content-type"], err.read().decode()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve")
    port = _free_port()
    log = root / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*_command(), "serve", "--port", str(port), "--data", str(root / "data")],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    server = Server(f"http://127.0.0.1:{port}", root / "data", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.request("GET", "/api/rules")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- the command


def test_serve_prints_its_address_and_stores_under_data(server: Server) -> None:
    assert re.search(r"http://127\.0\.0\.1:\d+/", server.log.read_text())
    assert (server.data / "interviews.sqlite3").exists()
    mode = server.request("GET", "/")  # also: the journal is WAL
    assert mode[0] == 200
    import sqlite3

    db = sqlite3.connect(server.data / "interviews.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_api_classify_on_the_running_server(server: Server) -> None:
    status, kind, text = server.request("POST", "/api/classify", JIREI1)
    assert status == 200 and kind.startswith("application/json")
    data = json.loads(text)
    assert (data["verdict"], data["category"]) == ("not_kyodo", "outsourcing")
    status, kind, text = server.request("POST", "/api/classify", {"actors": ["dragon"]})
    assert 400 <= status < 500 and kind.startswith("application/json")
    error = json.loads(text)
    assert error["field"] == "actors" and "allowed: city" in error["error"]


def test_pages_on_the_running_server(server: Server) -> None:
    status, _, text = server.request("GET", "/")
    assert status == 200 and "どの自治体の手引きの言葉で結果を表示しますか？" in text
    status, _, text = server.request("GET", "/rules/jirei1-outsourcing")
    assert status == 200
    assert "仕様書などは、すべて市が作り、市が指導・監督するからです。" in text
    assert "日南市『市民協働の手引き』(7) 事例1" in text


# --------------------------------------------------------------------------- the browser


def _driver(profile_dir: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    assert CHROMIUM and DRIVER
    options.binary_location = CHROMIUM
    for flag in flags(profile_dir, "--window-size=1000,1300"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if _MISSING:
        pytest.skip(f"{', '.join(_MISSING)} missing")
    driver = _driver(tmp_path_factory.mktemp("chromium"))
    try:
        yield driver
    finally:
        driver.quit()


def _screenshot(driver: Any, name: str) -> None:
    target = os.environ.get("KYODO_SCREENSHOTS")
    if target:
        driver.save_screenshot(str(Path(target) / name))


def _field(driver: Any) -> str | None:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, 'form#question input[name="field"]')
    return str(found[0].get_attribute("value")) if found else None


def _click(driver: Any, css: str) -> None:
    """Click a link or a submit button and wait until the next page has replaced this one.

    While a page is being replaced chromedriver may answer for the old element
    with a generic inspector error rather than "stale element"; both mean gone.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, css).click()

    def gone(_driver: Any) -> bool:
        try:
            page.is_enabled()
        except WebDriverException:
            return True
        return False

    wait = WebDriverWait(driver, 30, poll_frequency=0.02, ignored_exceptions=(WebDriverException,))
    wait.until(gone)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def _choose(driver: Any, value: Any) -> None:
    """Tick the choices for `value` as a person would (clicking their labels' inputs)."""
    from selenium.webdriver.common.by import By

    values = value if isinstance(value, list) else [value]
    for v in values:
        shown = ("true" if v else "false") if isinstance(v, bool) else str(v)
        box = driver.find_element(By.CSS_SELECTOR, f'input[name="value"][value="{shown}"]')
        if not box.is_displayed():  # in a group not opened yet (the terminal's sub-menu)
            box.find_element(By.XPATH, "ancestor::details[1]/summary").click()
        if not box.is_selected():
            box.click()


def _answer(driver: Any, facts: Mapping[str, Any]) -> str:
    """Answer the question on screen from `facts` (absent: 分からない); its field."""
    from selenium.webdriver.common.by import By

    field = _field(driver)
    assert field, driver.page_source[:2000]
    value = facts.get(field)
    group = driver.find_elements(By.CSS_SELECTOR, 'form#question input[name="together"]')
    if group:
        # ア・イ・ウ on one screen, as the terminal asks them: all three, or one by one.
        values = [facts.get(f) for f in str(group[0].get_attribute("value")).split(",")]
        if all(v is None for v in values):
            _click(driver, "#unknown")
        else:
            _choose(driver, "all" if all(v is True for v in values) else "each")
            _click(driver, "#next")
        return field
    if value is None:
        _click(driver, "#unknown")
    else:
        _choose(driver, value)
        _click(driver, "#next")
    return field


def _finish(
    driver: Any, facts: Mapping[str, Any], details: bool = False, limit: int = 40
) -> list[str]:
    """Answer until the summary; with `details`, take its offer to go on past the verdict."""
    from selenium.webdriver.common.by import By

    asked = []
    for _ in range(limit):
        if "/summary" in driver.current_url:
            if details and driver.find_elements(By.ID, "details"):
                _click(driver, "#details")
                continue
            return asked
        asked.append(_answer(driver, facts))
    raise AssertionError(f"no end after {limit} questions: {asked}")


def _start(driver: Any, server: Server, profile: str, title: str) -> str:
    from selenium.webdriver.common.by import By

    driver.get(server.base + "/")
    driver.find_element(By.CSS_SELECTOR, f'input[name="profile"][value="{profile}"]').click()
    driver.find_element(By.NAME, "title").send_keys(title)
    _click(driver, "#start")
    url: str = driver.current_url
    assert re.search(r"/i/[A-Za-z0-9_-]{20,}$", url), url
    return url


def _text(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    text: str = driver.find_element(By.TAG_NAME, "body").text
    return text


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@needs_browser
@pytest.mark.browser
@pytest.mark.slow
def test_jirei1_in_the_browser_with_back_and_the_summary_then_printed_on_a4(
    browser: Any, server: Server
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.print_page_options import PrintOptions

    url = _start(browser, server, "generic", "庁舎管理の委託")
    facts = {**JIREI1, "benefit": "public", "self_solvable": False, "community_solvable": False}
    first = _answer(browser, facts)
    second_page = _field(browser)
    assert "いまの見込み" in _text(browser)
    # 戻る: the first question again, its answer still chosen; then on without retyping.
    _click(browser, "#back")
    assert _field(browser) == first
    kept = facts[first]
    shown = str(kept).lower() if isinstance(kept, bool) else kept
    assert browser.find_element(By.CSS_SELECTOR, f'input[value="{shown}"]').is_selected()
    _click(browser, "#next")
    assert _field(browser) == second_page
    # The verdict questions first; then the summary offers to go on.
    asked = [first, *_finish(browser, facts)]
    assert "判定を変えうるものはもうありません" in _text(browser)
    _click(browser, "#details")
    status = browser.find_element(By.ID, "status").text
    assert "協働ではない" in status and "確定" in status
    browser.find_element(By.CSS_SELECTOR, "#why summary").click()
    assert "手引きの該当箇所" in _text(browser)
    _screenshot(browser, "web-question.png")
    asked += _finish(browser, facts, details=True)
    assert {"actors", "spec_author", "city_supervises"} <= set(asked)
    # The summary: every answer with a link to change it.
    assert "すべて市が作った" in _text(browser)
    _click(browser, "#change-title")
    title = browser.find_element(By.CSS_SELECTOR, 'input[name="value"]')
    title.clear()
    title.send_keys("庁舎管理の委託（再確認）")
    _click(browser, "#next")
    if "/summary" not in browser.current_url:
        _finish(browser, facts)
    assert "庁舎管理の委託（再確認）" in _text(browser)
    _click(browser, "#see-result")
    page = _text(browser)
    assert "協働ではない（確定）" in page and "アウトソーシング" in page
    assert "庁舎管理の委託（再確認）" in page
    _screenshot(browser, "web-result.png")
    # Printed, the navigation disappears and the page is A4.
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(options))
    assert pdf.startswith(b"%PDF-")
    boxes = _media_boxes(pdf)
    assert boxes
    for width, height in boxes:
        assert abs(width - A4[0]) <= 2 and abs(height - A4[1]) <= 2, (width, height)
    # Every reason links to its rule page.
    # Every reason links to its rule page (in the details, which the print leaves out).
    browser.find_element(By.CSS_SELECTOR, "#details summary").click()
    _click(browser, 'a[href^="/rules/jirei1-outsourcing"]')
    assert "仕様書などは、すべて市が作り" in _text(browser)
    assert "日南市『市民協働の手引き』(7) 事例1" in _text(browser)
    browser.get(url)
    assert "/summary" in browser.current_url  # a finished interview opens on its summary


@needs_browser
@pytest.mark.browser
@pytest.mark.slow
def test_a_festival_interrupted_by_closing_the_browser_resumes_from_its_url(
    browser: Any, server: Server
) -> None:
    # The first half in a browser of its own, which is then closed altogether.
    with tempfile.TemporaryDirectory() as profile:
        first = _driver(Path(profile))
        try:
            url = _start(first, server, "nichinan", "港まつり")
            answered = [_answer(first, FESTIVAL) for _ in range(5)]
        finally:
            first.quit()
    # The resume link alone, in another browser (no cookie of the first one).
    browser.delete_all_cookies()
    browser.get(url)
    field = _field(browser)
    assert field and field not in answered
    browser.get(url + "/summary")
    assert "港まつり" in _text(browser)
    for name in answered:
        assert browser.find_elements("id", f"change-{name}"), name
    browser.get(url)
    _finish(browser, FESTIVAL)
    _click(browser, "#see-result")
    page = _text(browser)
    assert "協働（確定）" in page


@needs_browser
@pytest.mark.browser
@pytest.mark.slow
def test_two_browsers_on_one_interview_the_older_page_gets_the_conflict_page(
    browser: Any, server: Server
) -> None:
    """Two people on one interview (the resume link was mailed): both open the change
    page of the project name; the one who saves second gets the conflict page, which
    says another person changed the interview and shows the answers as they are now.
    The first person's answer stays."""
    from selenium.webdriver.common.by import By

    url = _start(browser, server, "generic", "二つのブラウザ")
    _finish(browser, JIREI1)
    with tempfile.TemporaryDirectory() as profile:
        other = _driver(Path(profile))
        try:
            other.get(url + "/change/title")
            browser.get(url + "/change/title")
            box = other.find_element(By.CSS_SELECTOR, 'input[name="value"]')
            box.clear()
            box.send_keys("もう一人が付けた名前")
            _click(other, "#next")
            assert "/i/" in other.current_url and "もう一人が付けた名前" in _text(other)
        finally:
            other.quit()
    box = browser.find_element(By.CSS_SELECTOR, 'input[name="value"]')
    box.clear()
    box.send_keys("私が付けた名前")
    _click(browser, "#next")
    page = _text(browser)
    assert "ほかの人がこの回答を変更しました" in page
    assert "ほかの人（または別のタブ）がこの事業の回答を変更しました" in page
    assert "私が付けた名前" in page  # the change not saved, shown back
    now = browser.find_element(By.ID, "now").text
    assert "もう一人が付けた名前" in now and "私が付けた名前" not in now
    browser.get(url + "/summary")
    assert "もう一人が付けた名前" in _text(browser)
