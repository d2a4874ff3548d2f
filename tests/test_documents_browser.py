"""The three drafts from the web interview in a real headless browser: answered, then downloaded.

The same real server and Chromium as tests/test_web_browser.py (its fixtures and
helpers); the browser saves the files where a person's browser would, under the
names the server gives (`事前確認シート.docx`…), and python-docx reads them back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed (pip install .[web])")

from docx import Document

from strategies import FESTIVAL
from test_documents import BLANK, UNKNOWN, rows
from test_web_browser import Server, _click, _finish, _start, browser, needs_browser, server

__all__ = ["browser", "server"]  # the module's server and browser, as test_web_browser's

NAMES = ("事前確認シート.docx", "協働事業確認書.docx", "ふりかえりシート.docx")


def _downloaded(folder: Path, name: str, timeout: float = 30.0) -> Path:
    path = folder / name
    end = time.monotonic() + timeout
    while not (path.exists() and not list(folder.glob("*.crdownload"))):
        if time.monotonic() > end:
            raise AssertionError(f"{name} was not downloaded: {sorted(folder.iterdir())}")
        time.sleep(0.05)
    return path


@needs_browser
@pytest.mark.browser
@pytest.mark.slow
def test_after_an_interview_the_three_drafts_download(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
    _start(browser, server, "nichinan", "港まつり")
    facts = {k: v for k, v in FESTIVAL.items() if k != "organizer"}  # 主催: 分からない
    _finish(browser, facts, details=True)  # on past the verdict: 主催 is asked there
    _click(browser, "#see-result")
    for code, name in zip(
        ("pre_confirmation_sheet", "agreement_document", "review_sheet"), NAMES, strict=True
    ):
        browser.find_element("id", f"doc-{code}").click()
        path = _downloaded(folder, name)
        got = rows(Document(str(path)))
        assert got["事業名"] == ["港まつり"], name
        assert got["協働の相手方"][0].startswith("事業者"), name
        assert got["協働の形"][0][0] in "①②③④⑤⑥⑦⑧⑨", name  # 日南市's numbering
    agreement = rows(Document(str(folder / NAMES[1])))
    assert agreement["主催"][0].startswith(f"{BLANK} {UNKNOWN}")
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES)
