"""The installed `kyodo-rules wizard` in a real 80×24 terminal (tmux), by keystrokes."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kyodo_rules.wizard import session
from tmux_terminal import Term, TmuxServer, command_line

pytestmark = pytest.mark.terminal

if shutil.which("tmux") is None:
    if os.environ.get("KYODO_REQUIRE_TOOLS"):
        raise RuntimeError("KYODO_REQUIRE_TOOLS is set but tmux is not installed")
    pytest.skip("tmux is not installed (CI installs it: .ci/run)", allow_module_level=True)

EXE = shutil.which("kyodo-rules", path=str(Path(sys.executable).parent)) or "kyodo-rules"


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Callable[..., Term]]:
    """Start the installed wizard in an 80×24 terminal, on this test's own tmux server."""
    server = TmuxServer()

    def start(*args: str) -> Term:
        return server.start(
            command_line([EXE, "wizard", *args]),
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
        )

    yield start
    server.close()


#: Screens that end the questions: no question can change the verdict, or the summary.
_ENDS = ("まだ聞いていない質問で", "回答の確認")


def _ended(text: str) -> bool:
    return "EXIT=" in text or any(
        line.startswith("? " + end) for end in _ENDS for line in text.splitlines()
    )


def answer_until_result(
    t: Term, answers: dict[str, Any], stop_after: int | None = None, seen: set[str] | None = None
) -> int:
    """Answer each question as it appears; return how many were answered. `seen`: the
    numbers of the questions already answered on screen (「? [8」), not to answer again."""
    from test_wizard_ui import keys_for  # reuse the key table

    seen = set(seen or ())
    count = 0
    while True:
        text = t.wait(lambda s: _ended(s) or _current(s) not in {"", *seen})
        if _ended(text):
            return count
        marker = _current(text)
        field = _field_for(text)
        seen.add(marker)
        if stop_after is not None and count >= stop_after:
            return count
        if field.startswith(GROUP):
            # ア・イ・ウ on one screen: 「はい、三つとも」 first, 「分からない」 after the line.
            values = [answers.get(f) for f in field.removeprefix(GROUP).split(",")]
            assert all(v is True for v in values) or all(v is None for v in values), values
            _send(t, "\r" if values[0] else "\x1b[B\x1b[B\r")
            count += 1
            continue
        # 80×24 is too small for the 21 kinds of activity: grouped, in two steps.
        _send(t, keys_for(field, answers.get(field), grouped=True))
        count += 1


def _current(text: str) -> str:
    lines = [line for line in text.splitlines() if line.startswith("? [")]
    return lines[-1].split("]")[0] if lines else ""


def _field_for(text: str) -> str:
    from kyodo_rules.rulebase.questions import default_data

    data = default_data()
    lines = [line for line in text.splitlines() if line.startswith("? [")]
    last = lines[-1]
    for q in data.questions:
        if q.spec.text.get("ja")[:12] in last:
            return q.field
    for g in data.together:
        if g.text.get("ja")[:12] in last:
            return GROUP + ",".join(g.fields)
    raise AssertionError(f"unknown question: {last}")


#: What `_field_for` returns for a screen of several questions (questions.yaml `together`).
GROUP = "together:"

_KEYNAMES = {"\x1b[B": "Down", "\r": "Enter", " ": "Space"}


def _send(t: Term, keys: str) -> None:
    i = 0
    while i < len(keys):
        for seq, name in _KEYNAMES.items():
            if keys.startswith(seq, i):
                t.keys(name)
                i += len(seq)
                break
        else:
            t.keys("-l", keys[i])
            i += 1


def see_result(t: Term) -> str:
    """From the end of the questions to the first result screen, then leave it."""
    text = t.wait(_ended)
    if any(line.startswith("? " + _ENDS[0]) for line in text.splitlines()):
        t.keys("Enter")  # 結果を見る
        t.wait(lambda s: any(line.startswith("? " + _ENDS[1]) for line in s.splitlines()))
    t.keys("Enter")  # the summary: 結果を見る
    first = t.wait(lambda s: "詳しく見る項目" in s)
    t.keys("Up", "Enter")  # the last entry: 終わる
    t.wait(lambda s: "EXIT=0" in s)
    return first


#: A plan made together: the activity is asked (it could put the case in a one-sided
#: zone), in two steps on 80×24.
TOGETHER = {
    "title": "防災",
    "self_solvable": False,
    "actors": ["city", "community_org"],
    "spec_author": "joint",
    "city_supervises": False,
    "scheme": "agreement",
    "funding": ["cost_share"],
    "planner": "joint",
    "prior_consultation": True,
    "partner_contribution": "expertise",
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "activity": "safety_disaster_environment",
    "benefit": "public",
}

FACTS = {
    "title": "port",
    "actors": ["city", "community_org", "business"],
    "planner": "city",
    "prior_consultation": False,
    "partner_contribution": "labour_only",
    "activity": "safety_disaster_environment",  # picked in two steps on 80×24
    "self_solvable": False,
    "community_solvable": False,
}


def test_wizard_in_tmux_and_resume_after_ctrl_c(term: Callable[..., Term], tmp_path: Path) -> None:
    t = term("--profile", "generic", "--session", str(tmp_path / "a.session.yaml"))
    t.wait(lambda s: "? [1]" in s)
    answer_until_result(t, FACTS)
    first = see_result(t)
    assert "判定: 協働ではない（確定）" in first
    assert "奉仕作業" in first
    assert "いまの見込み:" in first  # the status line after each answer
    # The end says how to get the printable report, with the command and this session.
    end = t.screen()
    assert "印刷用の報告書（A4）は、結果の画面の「印刷用の報告書を保存する」で保存できます" in end
    assert f"wizard --answers {tmp_path / 'a.session.yaml'} --report 報告書.html" in end

    s2 = tmp_path / "b.session.yaml"
    t2 = term("--profile", "generic", "--session", str(s2))
    t2.wait(lambda s: "? [1]" in s)
    answer_until_result(t2, FACTS, stop_after=3)
    t2.keys("C-c")
    text = t2.wait(lambda s: "EXIT=130" in s)
    assert "kyodo-rules wizard --resume" in text
    assert len(session.load_state(s2, None, None).asked) == 3

    t3 = term("--resume", str(s2))
    t3.wait(lambda s: "? [4]" in s)
    answer_until_result(t3, FACTS)
    assert "判定: 協働ではない（確定）" in see_result(t3)


def test_a_plan_made_together_in_tmux(term: Callable[..., Term], tmp_path: Path) -> None:
    path = tmp_path / "t.session.yaml"
    t = term("--profile", "generic", "--session", str(path))
    t.wait(lambda s: "? [1]" in s)
    asked = answer_until_result(t, TOGETHER)
    first = see_result(t)
    assert "判定: 協働" in first and "判定: 協働ではない" not in first
    # The verdict screen fits: title, verdict, status and next steps within 24 lines.
    assert asked <= 16
    state = session.load_state(path, None, None)
    assert state.answers["activity"] == "safety_disaster_environment"


def test_closing_the_terminal_keeps_every_answer(term: Callable[..., Term], tmp_path: Path) -> None:
    """A closed terminal (tmux kills the pane: SIGHUP) loses nothing already answered."""
    path = tmp_path / "closed.session.yaml"
    t = term("--profile", "generic", "--session", str(path))
    t.wait(lambda s: "? [1]" in s)
    answer_until_result(t, FACTS, stop_after=4)
    t.wait(lambda s: "? [5]" in s)
    t.kill()
    state = session.load_state(path, None, None)
    assert len(state.asked) == 4
    assert state.answers["title"] == FACTS["title"]

    resumed = term("--resume", str(path))
    resumed.wait(lambda s: "? [5]" in s)
    answer_until_result(resumed, FACTS)
    assert "判定: 協働ではない（確定）" in see_result(resumed)
