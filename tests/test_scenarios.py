"""The README's three staff scenarios, end to end, in a real 80×24 terminal (tmux) and
in real headless Chromium: each ends on one screen and prints on one A4 page.

- 事例1: the city hall's cleaning contracted out → 協働ではない（確定）：アウトソーシング
- 事例3: the port cleanup, planned by the city, the residents' labour only, not
  consulted beforehand → 奉仕作業; then, with 戻る from the result screen, changed
  to "consulted beforehand" → 協働（暫定）
- a 子ども食堂 run by an NPO with a project subsidy → 協働（確定）, 補助金等の交付

Moves are made by the words on screen (the cursor is taken to the line that
says what a person would pick), so the tests read as the README tells them.
`KYODO_SCREENSHOTS=docs/img` also saves the screenshots the README shows.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM, flags
from test_web_browser import _click, _field, _finish, _text, browser, needs_browser, server
from test_web_browser import _start as web_start
from test_wizard_terminal import Term, answer_until_result, term

__all__ = ["browser", "server", "term"]  # the fixtures, shared

A4 = (595.0, 842.0)  # points

JIREI1 = {
    "title": "庁舎清掃の委託",
    "benefit": "public",
    "actors": ["city", "business"],
    "activity": "routine_service",
    "scheme": "contract",
    "funding": ["contract_fee"],
    "spec_author": "city",
    "city_supervises": True,
    "self_solvable": False,
    "community_solvable": False,
}
PORT = {
    "title": "港の清掃",
    "benefit": "public",
    "actors": ["city", "community_org", "business"],
    "activity": "safety_disaster_environment",
    "self_solvable": False,
    "community_solvable": False,
    "planner": "city",
    "partner_contribution": "labour_only",
    "prior_consultation": False,
}
KODOMO = {
    "title": "子ども食堂",
    "benefit": "public",
    "actors": ["city", "civic_group"],
    "activity": "care_support",
    "self_solvable": False,
    "community_solvable": False,
    "city_supervises": False,
    "scheme": "none",
    "prior_consultation": True,
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "partner_contribution": "expertise",
    "funding": ["project_subsidy"],
    "planner": "partner",
    "spec_author": "partner",
    "organizer": "partner",
}

OUTSOURCED = "協働ではない（確定）：アウトソーシング"
VOLUNTEER = "協働ではない（確定）：奉仕作業"
PROVISIONAL = "協働（暫定）"
SETTLED = "協働（確定）"


def _shots() -> Path | None:
    target = os.environ.get("KYODO_SCREENSHOTS")
    return Path(target) if target else None


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The pages of a PDF Chromium printed (one MediaBox a page)."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def _one_a4_page(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    pages = _pdf_pages(pdf)
    assert len(pages) == 1, f"{len(pages)} pages"
    width, height = pages[0]
    assert abs(width - A4[0]) <= 2 and abs(height - A4[1]) <= 2, pages


# --------------------------------------------------------------------------- the terminal

pytestmark = [pytest.mark.slow]


def _visible(t: Term) -> str:
    """What is on the 80×24 screen now (no scroll-back)."""
    return t.server.run("capture-pane", "-p", "-J", "-t", t.name).stdout


def _menu(text: str) -> list[str]:
    """The lines of the menu under the prompt being asked (the last line with 「? 」)."""
    lines = text.splitlines()
    last = max(i for i, line in enumerate(lines) if line.startswith("? "))
    return [line for line in lines[last + 1 :] if line.strip() and "────" not in line]


def pick(t: Term, words: str) -> None:
    """Move the cursor to the menu line that says `words` and press Enter."""
    text = t.wait(lambda s: any(line.startswith(" » ") for line in _menu(s)))
    menu = _menu(text)
    at = next(i for i, line in enumerate(menu) if line.startswith(" » "))
    to = next(i for i, line in enumerate(menu) if words in line)
    t.keys(*(["Down"] * (to - at) if to > at else ["Up"] * (at - to)), "Enter")


def _asking(t: Term, words: str) -> bool:
    """The prompt being asked says `words` (its menu is drawn under it)."""
    lines = t.screen().splitlines()
    asked = [i for i, line in enumerate(lines) if line.startswith("? ")]
    if not asked or words not in lines[asked[-1]]:
        return False
    return any(line.startswith(" » ") for line in lines[asked[-1] + 1 :])


def _to_the_result(t: Term) -> str:
    """From the end of the questions to the first result screen; that screen."""
    t.wait(lambda s: _asking(t, "まだ聞いていない質問で") or _asking(t, "回答の確認"))
    if _asking(t, "まだ聞いていない質問で"):
        pick(t, "結果を見る")
    t.wait(lambda s: _asking(t, "回答の確認"))
    pick(t, "結果を見る")
    t.wait(lambda s: _asking(t, "詳しく見る項目を選んでください"))
    # Every screen so far (questions, help, status lines, the result) in plain Japanese.
    from test_no_codes import codes_in

    assert not codes_in(t.screen()), codes_in(t.screen())
    return _visible(t)


def _fits(screen: str, headline: str) -> None:
    """The result's first screen is whole on 80×24: its title, headline and menu."""
    assert "【協働判定の結果】" in screen, screen
    assert f"判定: {headline}" in screen, screen
    assert "終わる" in screen.splitlines()[-1] or "終わる" in screen, screen
    assert len(screen.rstrip("\n").splitlines()) <= 24


def _report(t: Term, tmp_path: Path, title: str) -> Path:
    """The result menu's printable report, saved under its offered name; printed to PDF."""
    pick(t, "印刷用の報告書を保存する")
    t.wait(lambda s: "報告書のファイル名" in s)
    t.keys("Enter")
    t.wait(lambda s: "報告書を保存しました" in s)
    page = tmp_path / f"{title}.html"
    assert page.exists()
    pdf = tmp_path / f"{title}.pdf"
    assert CHROMIUM
    subprocess.run(
        [CHROMIUM, *flags(tmp_path / "chromium-print"), "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return pdf


def _shoot(t: Term, name: str, tmp_path: Path) -> None:
    target = _shots()
    if target is not None and CHROMIUM:
        from terminal_png import pane, save_png

        save_png(pane(t.name, ["-L", t.server.socket]), target / name, tmp_path)


def _begin(term: Callable[..., Term], tmp_path: Path, name: str) -> Term:
    # In the test's folder (the terminal's working folder), under a name the screen shows.
    t = term("--profile", "generic", "--session", f"{name}.session.yaml")
    t.wait(lambda s: "? [1]" in s)
    return t


def _done(t: Term) -> None:
    pick(t, "終わる")
    t.wait(lambda s: "EXIT=0" in s)


if CHROMIUM is None and os.environ.get("KYODO_REQUIRE_TOOLS"):
    raise RuntimeError("KYODO_REQUIRE_TOOLS is set but chromium is not installed")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium); CI installs it"
)


@pytest.mark.terminal
@needs_chromium
def test_jirei1_outsourced_cleaning_in_the_terminal(
    term: Callable[..., Term], tmp_path: Path
) -> None:
    t = _begin(term, tmp_path, "jirei1")
    answer_until_result(t, JIREI1)
    _fits(_to_the_result(t), OUTSOURCED)
    _shoot(t, "scenario-jirei1-terminal.png", tmp_path)
    _one_a4_page(_report(t, tmp_path, str(JIREI1["title"])).read_bytes())
    _done(t)


@pytest.mark.terminal
@needs_chromium
def test_port_cleanup_changed_with_back_from_the_result_in_the_terminal(
    term: Callable[..., Term], tmp_path: Path
) -> None:
    t = _begin(term, tmp_path, "port")
    answer_until_result(t, PORT, stop_after=2)  # the title, the benefit
    # Who takes part: ticked with Space (the screenshot of a question the docs show).
    t.wait(lambda s: _asking(t, "この事業に参加するのは誰ですか"))
    t.keys("Space", "Down", "Down", "Space", "Down", "Down", "Space")
    t.wait(lambda s: s.count("●") == 3)
    _shoot(t, "wizard.png", tmp_path)
    t.keys("Enter")
    answer_until_result(t, PORT, seen={"? [1", "? [2", "? [3"})
    first = _to_the_result(t)
    _fits(first, VOLUNTEER)
    # 戻る from the result screen: the last question; 戻る again until the question
    # on consulting beforehand, every later answer kept.
    pick(t, "← 戻る（最後の質問へ）")
    for _ in range(20):
        t.wait(lambda s: any(line.startswith(" » ") for line in _menu(s)))
        if _asking(t, "作業内容・日時・役割分担などを事前に相手方と確認し"):
            break
        pick(t, "← 戻る")
        time.sleep(0.3)
    else:
        raise AssertionError(t.screen())
    pick(t, "はい、事前に確認し意見を反映した")
    answer_until_result(t, {**PORT, "prior_consultation": True}, seen=_numbers(t))
    changed = _to_the_result(t)
    _fits(changed, PROVISIONAL)
    _shoot(t, "scenario-port-terminal.png", tmp_path)
    _one_a4_page(_report(t, tmp_path, str(PORT["title"])).read_bytes())
    _done(t)


def _numbers(t: Term) -> set[str]:
    """The question numbers already on screen (answered before)."""
    return {line.split("]")[0] for line in t.screen().splitlines() if line.startswith("? [")}


@pytest.mark.terminal
@needs_chromium
def test_kodomo_shokudo_with_a_project_subsidy_in_the_terminal(
    term: Callable[..., Term], tmp_path: Path
) -> None:
    t = _begin(term, tmp_path, "kodomo")
    answer_until_result(t, KODOMO)
    screen = _to_the_result(t)
    _fits(screen, SETTLED)
    assert "補助金等の交付" in screen
    _shoot(t, "scenario-kodomo-terminal.png", tmp_path)
    _one_a4_page(_report(t, tmp_path, str(KODOMO["title"])).read_bytes())
    _done(t)


# --------------------------------------------------------------------------- the browser


def _web_to_the_result(driver: Any, facts: dict[str, Any]) -> str:
    _finish(driver, facts)
    _click(driver, "#see-result")
    return str(_text(driver))


def _printed(driver: Any) -> bytes:
    from selenium.webdriver.common.print_page_options import PrintOptions

    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    return base64.b64decode(driver.print_page(options))


def _web_shot(driver: Any, name: str) -> None:
    target = _shots()
    if target is not None:
        driver.save_screenshot(str(target / name))


def _headline(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, "headline").text)


def _web_scenario(browser: Any, server: Any, facts: dict[str, Any]) -> str:
    web_start(browser, server, "generic", facts["title"])
    return _web_to_the_result(browser, facts)


@needs_browser
@pytest.mark.browser
def test_jirei1_outsourced_cleaning_in_the_browser(browser: Any, server: Any) -> None:
    _web_scenario(browser, server, JIREI1)
    assert _headline(browser) == OUTSOURCED + "（一般的な外部委託）"
    _web_shot(browser, "scenario-jirei1-web.png")
    _one_a4_page(_printed(browser))


@needs_browser
@pytest.mark.browser
def test_port_cleanup_changed_with_back_from_the_result_in_the_browser(
    browser: Any, server: Any
) -> None:
    _web_scenario(browser, server, PORT)
    assert _headline(browser).startswith(VOLUNTEER)
    # 戻る from the result page: the last question; 戻る until the one on consulting.
    _click(browser, "#back")
    for _ in range(20):
        if _field(browser) == "prior_consultation":
            break
        _click(browser, "#back")
    assert _field(browser) == "prior_consultation"
    _web_to_the_result(browser, {**PORT, "prior_consultation": True})
    assert _headline(browser) == PROVISIONAL
    _web_shot(browser, "scenario-port-web.png")
    _one_a4_page(_printed(browser))


@needs_browser
@pytest.mark.browser
def test_kodomo_shokudo_with_a_project_subsidy_in_the_browser(browser: Any, server: Any) -> None:
    page = _web_scenario(browser, server, KODOMO)
    assert _headline(browser) == SETTLED
    assert "補助金等の交付" in page
    _web_shot(browser, "scenario-kodomo-web.png")
    _one_a4_page(_printed(browser))
