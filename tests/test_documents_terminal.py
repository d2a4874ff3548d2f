"""The three drafts from the terminal wizard: after an interview, from the result menu (tmux)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from test_documents import rows
from test_wizard_terminal import TOGETHER, Term, answer_until_result, term

pytestmark = pytest.mark.terminal

__all__ = ["term"]  # the tmux fixture, shared


def _menus(t: Term, n: int) -> str:
    """Wait until the result menu has been drawn `n` times."""
    return t.wait(lambda s: s.count("? 詳しく見る項目を選んでください") >= n)


def test_the_result_menu_saves_the_three_drafts(term: Callable[..., Term], tmp_path: Path) -> None:
    t = term("--profile", "generic", "--session", str(tmp_path / "d.session.yaml"))
    t.wait(lambda s: "? [1]" in s)
    answer_until_result(t, TOGETHER)
    t.wait(lambda s: "判定を変えうるものはもうありません" in s or "回答の確認" in s)
    if "判定を変えうるものはもうありません" in t.screen():
        t.keys("Enter")  # 結果を見る
        t.wait(lambda s: "? 回答の確認" in s)
    t.keys("Enter")  # the summary: 結果を見る
    _menus(t, 1)
    t.keys("Up", "Up", "Up", "Up", "Enter")  # before 回答を確認・変更する, 戻る and 終わる
    t.wait(lambda s: "保存するフォルダ" in s)
    t.keys("Enter")  # the offered folder: the project's title
    text = t.wait(lambda s: s.count("保存しました:") == 3)
    folder = tmp_path / str(TOGETHER["title"])
    assert f"{folder.name}/事前確認シート.docx" in text
    # Again: the drafts are there, so it asks before replacing them; no keeps them.
    (folder / "ふりかえりシート.docx").write_bytes(b"filled in by hand")
    _menus(t, 2)
    t.keys("Up", "Up", "Up", "Up", "Enter")
    t.wait(lambda s: s.count("保存するフォルダ") >= 2)
    t.keys("Enter")
    t.wait(lambda s: "置き換えますか？" in s)
    t.keys("n")
    _menus(t, 3)
    assert (folder / "ふりかえりシート.docx").read_bytes() == b"filled in by hand"
    t.keys("Up", "Enter")  # 終わる
    t.wait(lambda s: "EXIT=0" in s)
    for name in ("事前確認シート.docx", "協働事業確認書.docx"):
        got = rows(Document(str(folder / name)))
        assert got["事業名"] == [TOGETHER["title"]]
        assert got["協働の相手方"][0].startswith("地域組織")
