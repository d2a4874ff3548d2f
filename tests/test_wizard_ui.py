"""questionary's real prompts, driven through a pipe (no terminal), as its own tests do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard import session
from kyodo_rules.wizard.flow import Flow, State, answer_from
from kyodo_rules.wizard.ui import Wizard

DOWN, ENTER, SPACE, CTRL_C = "\x1b[B", "\r", " ", "\x03"


def keys_for(field: str, value: Any, first: bool = False, grouped: bool = True) -> str:
    """Keystrokes that pick `value` (None = 分からない) at the question for `field`.

    A question whose choices have groups is asked in two steps (group, then
    choice), in every terminal; its choices with no group (「その他」) come after
    the groups in the group menu.
    """
    if field == TITLE:
        return (value or "") + ENTER
    specs = default_data().question(field).spec.choices
    if grouped and any(c.group for c in specs):
        groups = list(dict.fromkeys(c.group.ja for c in specs if c.group))
        everywhere = [c.value for c in specs if c.group is None]
        if value is None:
            return DOWN * (len(groups) + len(everywhere)) + ENTER
        if value in everywhere:
            return DOWN * (len(groups) + everywhere.index(value)) + ENTER
        spec = next(c for c in specs if c.value == value)
        group = spec.group.ja if spec.group else ""
        inner = [c.value for c in specs if (c.group.ja if c.group else "") == group]
        return DOWN * groups.index(group) + ENTER + DOWN * inner.index(value) + ENTER
    kind, codes = FIELD_KINDS[field]
    values: list[Any] = list(codes)
    if kind == "codes" and "none" not in codes:
        values.append("__none__")
    unknown_at = len(values)
    if kind == "codes":
        if value is None:
            return DOWN * unknown_at + SPACE + ENTER
        picks = value or ["__none__"]
        out, at = "", 0
        for i, v in enumerate(values):
            if v in picks:
                out += DOWN * (i - at) + SPACE
                at = i
        return out + ENTER
    index = unknown_at if value is None else values.index(value)
    return DOWN * index + ENTER


def group_keys(group: tuple[str, ...], answers: dict[str, Any]) -> str:
    """Keys at a `together` screen: はい、すべて / 一つずつ答える / ─ / 分からない."""
    values = [answers.get(f) for f in group]
    if all(v is True for v in values):
        return ENTER
    if all(v is None for v in values):
        return DOWN * 2 + ENTER
    return DOWN + ENTER + keys_for(group[0], answers.get(group[0]))


def script(answers: dict[str, Any]) -> tuple[str, State]:
    """The keys of an interview that answers the verdict questions, then sees the result."""
    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = State("generic")
    keys = ""
    while (name := flow.next_field(state)) is not None:
        group = flow.together(state, name)
        keys += group_keys(group, answers) if group else keys_for(name, answers.get(name))
        answer_from(flow, state, name, answers)
    if flow.more(state):
        keys += ENTER  # 判定を変えうるものはもうありません → 結果を見る
    return keys, state


def run_wizard(text: str, path: Path) -> tuple[Wizard, Any]:
    with (
        create_pipe_input() as inp,
        open(path.with_suffix(".out"), "w", encoding="utf-8") as out,
    ):
        inp.send_text(text)
        wizard = Wizard(
            default_data(),
            default_classifier(),
            State("generic"),
            path,
            out=out,
            prompt_kwargs={"input": inp, "output": DummyOutput()},
        )
        return wizard, wizard.run()


FACTS = {
    "title": "港の清掃",
    "actors": ["city", "community_org", "business"],
    "planner": "city",
    "prior_consultation": False,
    "partner_contribution": "labour_only",
    "self_solvable": False,
    "community_solvable": False,
}


def test_real_prompts_reach_the_classify_result(tmp_path: Path) -> None:
    keys, expected_state = script(FACTS)
    wizard, result = run_wizard(keys + ENTER, tmp_path / "s.session.yaml")  # ENTER: 結果を見る
    assert wizard.state.asked == expected_state.asked
    want = default_classifier().classify(Flow.facts(expected_state), profile="generic")
    assert (result.verdict, result.category) == (want.verdict, want.category)
    saved, meta = session.read(tmp_path / "s.session.yaml")
    assert saved["planner"] == "city" and meta["profile"] == "generic"


def test_ctrl_c_leaves_a_resumable_session(tmp_path: Path) -> None:
    path = tmp_path / "s.session.yaml"
    keys = keys_for(TITLE, "テスト") + keys_for("benefit", "public") + CTRL_C
    with pytest.raises(KeyboardInterrupt):
        run_wizard(keys, path)
    state = session.load_state(path, None, None)
    assert state.asked == [TITLE, "benefit"]
    assert state.answers == {TITLE: "テスト", "benefit": "public"}


def test_back_and_why_at_a_question(tmp_path: Path) -> None:
    path = tmp_path / "s.session.yaml"
    n = len(FIELD_KINDS["benefit"][1])  # the first question: it decides most often
    why = DOWN * (n + 2) + ENTER + DOWN + ENTER  # after 分からない, ← 戻る; then the quote
    back = DOWN * (n + 1) + ENTER
    keys = keys_for(TITLE, "x") + why + back + ("\x7f" + "y" + ENTER) + CTRL_C
    with pytest.raises(KeyboardInterrupt):
        run_wizard(keys, path)
    out = path.with_suffix(".out").read_text(encoding="utf-8")
    assert "不特定多数の第3者の利益" in out  # the help quotes the source
    state = session.load_state(path, None, None)
    assert state.answers[TITLE] == "y"  # the kept answer "x" was the default, erased


def test_status_line_after_each_answer_and_result_now(tmp_path: Path) -> None:
    path = tmp_path / "s.session.yaml"
    n = len(FIELD_KINDS["actors"][1]) + 1  # and どれも当てはまらない
    result_now = DOWN * (n + 3) + ENTER  # at 主体: after 分からない, ← 戻る, なぜこの質問？
    keys = keys_for(TITLE, "x") + keys_for("benefit", "public")
    wizard, result = run_wizard(keys + result_now, path)
    out = path.with_suffix(".out").read_text(encoding="utf-8")
    assert "いまの見込み:" in out and "確認すべき点" in out
    assert wizard.state.asked == [TITLE, "benefit"]
    assert result.verdict == "undetermined"


def test_back_on_a_multi_select_goes_back(tmp_path: Path) -> None:
    path = tmp_path / "s.session.yaml"
    n = len(FIELD_KINDS["actors"][1]) + 1  # and どれも当てはまらない
    back = DOWN * (n + 1) + ENTER  # the cursor on ← 戻る, nothing ticked
    keys = keys_for(TITLE, "x") + keys_for("benefit", "public") + back + CTRL_C
    with pytest.raises(KeyboardInterrupt):
        run_wizard(keys, path)
    state = session.load_state(path, None, None)
    assert state.reask == "benefit"
    assert "actors" not in state.answers
    out = path.with_suffix(".out").read_text(encoding="utf-8")
    assert "selections" not in out and "done" not in out


def test_ticked_boxes_are_shown_in_japanese(tmp_path: Path) -> None:
    path = tmp_path / "s.session.yaml"
    keys = (
        keys_for(TITLE, "x")
        + keys_for("benefit", "public")
        + keys_for("actors", ["city", "business"])
        + CTRL_C
    )
    with pytest.raises(KeyboardInterrupt):
        run_wizard(keys, path)
    out = path.with_suffix(".out").read_text(encoding="utf-8")
    assert "市・行政" in out and "事業者" in out and "selections" not in out


FESTIVAL = {
    "title": "商店会の夏祭り", "self_solvable": False, "actors": ["city", "business"],
    "funding": ["project_subsidy"], "benefit": "public", "equal_footing": True,
    "shared_purpose": True, "roles_shared": True, "activity": "festival",
    "spec_author": "partner", "city_supervises": False, "scheme": "none",
    "partner_contribution": "expertise",
}  # fmt: skip


def test_the_definition_on_one_screen_reaches_a_settled_kyodo(tmp_path: Path) -> None:
    keys, expected = script(FESTIVAL)
    wizard, result = run_wizard(keys + ENTER, tmp_path / "s.session.yaml")
    assert wizard.state.asked == expected.asked
    assert (result.verdict, result.status) == ("kyodo", "settled")
    out = (tmp_path / "s.session.out").read_text(encoding="utf-8")
    assert "対等な立場で自由に意見を出し合えますか" in out  # the three statements are shown
    saved, _meta = session.read(tmp_path / "s.session.yaml")
    assert saved["equal_footing"] is saved["shared_purpose"] is saved["roles_shared"] is True


def test_one_by_one_at_the_definition_screen_asks_each(tmp_path: Path) -> None:
    facts = {**FESTIVAL, "shared_purpose": False}
    keys, expected = script(facts)
    wizard, result = run_wizard(keys + ENTER, tmp_path / "s.session.yaml")
    assert wizard.state.asked == expected.asked
    assert wizard.state.answers["shared_purpose"] is False
    assert (result.verdict, result.category) == ("not_kyodo", "no_shared_purpose")


def test_back_after_the_definition_screen_returns_to_it(tmp_path: Path) -> None:
    # The keys up to the group screen, then 「はい」, then ← 戻る at the next question.
    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state, before = State("generic"), ""
    while not flow.together(state, name := flow.next_field(state) or ""):
        before += keys_for(name, FESTIVAL.get(name))
        answer_from(flow, state, name, FESTIVAL)
    flow.answer_together(state, flow.together(state, name), True)
    after = flow.next_field(state) or ""
    assert FIELD_KINDS[after][0] == "code"
    n = len(FIELD_KINDS[after][1])
    back = DOWN * (n + 1) + ENTER  # after 分からない
    path = tmp_path / "s.session.yaml"
    with pytest.raises(KeyboardInterrupt):
        run_wizard(before + ENTER + back + CTRL_C, path)
    saved = session.load_state(path, None, None)
    assert saved.reask == "equal_footing"
    assert not {"equal_footing", "shared_purpose", "roles_shared"} & set(saved.asked)


# -- the command without prompts ----------------------------------------------------


def _cli(*args: str, stdin: Any = None) -> Any:
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "kyodo_rules", "wizard", *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def test_answers_file_replays_without_prompts(tmp_path: Path) -> None:
    good = tmp_path / "a.yaml"
    good.write_text("spec_author: city\ncity_supervises: true\nactors: [city, business]\n", "utf-8")
    report = tmp_path / "r.json"
    proc = _cli("--answers", str(good), "--save", str(report))
    assert proc.returncode == 0, proc.stderr
    assert "協働ではない" in proc.stdout
    assert '"verdict": "not_kyodo"' in report.read_text("utf-8")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("spec_autor: city\n", "spec_autor"),
        ("spec_author: mayor\n", "mayor"),
        ("actors: [city\n", "not valid YAML"),
    ],
)
def test_bad_answers_file_one_line_exit_2(tmp_path: Path, text: str, needle: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, "utf-8")
    proc = _cli("--answers", str(bad))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and needle in proc.stderr


def test_refuses_without_a_terminal() -> None:
    proc = _cli()
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "--answers" in proc.stderr


# -- 戻る everywhere, the 分からない answers, the menus ---------------------------------


def _drive(text: str, path: Path, state: State, call: Any) -> tuple[Wizard, Any]:
    """`call(wizard)` on a wizard over `state`, fed `text` as keystrokes."""
    with (
        create_pipe_input() as inp,
        open(path.with_suffix(".out"), "w", encoding="utf-8") as out,
    ):
        inp.send_text(text)
        wizard = Wizard(
            default_data(),
            default_classifier(),
            state,
            path,
            out=out,
            prompt_kwargs={"input": inp, "output": DummyOutput()},
        )
        return wizard, call(wizard)


def _answered(facts: dict[str, Any]) -> State:
    _keys, state = script(facts)
    return state


def test_the_result_screen_goes_back_to_the_last_question_or_to_the_answers(
    tmp_path: Path,
) -> None:
    from kyodo_rules.wizard.flow import Flow

    state = _answered(FACTS)
    last = state.asked[-1]
    result = default_classifier().classify(Flow.facts(state), profile="generic")
    up = "\x1b[A"
    # The menu ends: …, 回答を確認・変更する, ← 戻る（最後の質問へ）, 終わる.
    wizard, action = _drive(up + up + ENTER, tmp_path / "a.session.yaml", state, _result(result))
    assert action == "back"
    _wizard, action = _drive(up * 3 + ENTER, tmp_path / "b.session.yaml", state, _result(result))
    assert action == "summary"
    _wizard, action = _drive(up + ENTER, tmp_path / "c.session.yaml", state, _result(result))
    assert action == "done"
    # 戻る: the last question is asked again, with its kept answer.
    assert wizard.back() and wizard.flow.next_field(wizard.state) == last


def _result(result: Any) -> Any:
    return lambda wizard: wizard.show_result(result)


def test_the_summary_offers_the_unknown_answers_and_asks_them_again(tmp_path: Path) -> None:
    state = _answered(FACTS)
    unknown = [f for f in state.asked if f != TITLE and state.answers[f] is None]
    assert unknown
    first = unknown[0]
    last_choice = default_data().question(first).spec.choices[-1].value
    # 「分からない」と答えた N 問に今答える (the entry after 結果を見る); the first of them
    # asked again, 分からない chosen as kept: ↑ to its last choice; Ctrl-C after.
    keys = DOWN + ENTER + "\x1b[A" + ENTER
    wizard, _ = _drive(keys + CTRL_C, tmp_path / "s.session.yaml", state, _summary_or_stop)
    out = (tmp_path / "s.session.out").read_text("utf-8")
    assert f"「分からない」と答えた質問: {len(unknown)} 問" in out
    assert wizard.state.answers[first] == last_choice
    assert "いまの見込み" in out  # the answer changed the interview, as a change does


def _summary_or_stop(wizard: Wizard) -> Any:
    try:
        return wizard.summary()
    except KeyboardInterrupt:
        return None


def test_back_in_a_question_asked_again_from_the_summary_goes_to_the_one_before(
    tmp_path: Path,
) -> None:
    state = _answered(FACTS)
    asked = list(state.asked)
    n = asked.index("self_solvable")  # a yes/no question answered いいえ
    assert state.answers["self_solvable"] is False
    # The summary: 結果を見る, 分からない…に今答える, ─, the answers from the title on.
    to_it = DOWN * (2 + n)
    # Asked again with いいえ (the 2nd choice) chosen: ↓ 分からない, ↓ ← 戻る.
    back = DOWN * 2 + ENTER
    path = tmp_path / "s.session.yaml"
    wizard, seen = _drive(to_it + ENTER + back, path, state, Wizard.summary)
    assert seen is False
    assert wizard.state.reask == asked[n - 1] and wizard.state.asked == asked[: n - 1]
    assert all(f in wizard.state.answers for f in asked)  # nothing thrown away


def test_the_activity_menus_offer_other_and_unknown_in_every_menu(tmp_path: Path) -> None:
    state = State("generic", answers={TITLE: "x"}, asked=[TITLE])  # nothing kept
    groups = list(
        dict.fromkeys(
            c.group.ja for c in default_data().question("activity").spec.choices if c.group
        )
    )
    # Into the first group, then 分からない there (after its choices and その他).
    inner = [
        c
        for c in default_data().question("activity").spec.choices
        if c.group and c.group.ja == groups[0]
    ]
    keys = ENTER + DOWN * (len(inner) + 1) + ENTER
    _w, picked = _drive(keys, tmp_path / "s.session.yaml", state, lambda w: w._prompt("activity"))
    assert picked == ("answer", None)
    keys = DOWN * len(groups) + ENTER  # その他, in the group menu itself
    _w, picked = _drive(keys, tmp_path / "t.session.yaml", state, lambda w: w._prompt("activity"))
    assert picked == ("answer", "other")
    keys = ENTER + DOWN * len(inner) + ENTER  # その他 in a group's menu
    _wizard, picked = _drive(
        keys, tmp_path / "u.session.yaml", state, lambda w: w._prompt("activity")
    )
    assert picked == ("answer", "other")
    out = (tmp_path / "u.session.out").read_text("utf-8")
    # One answered line, however many menus it took.
    assert (
        out.count("どのような種類の活動ですか？") == 1 and "その他（どれにも当てはまらない）" in out
    )


def test_action_lines_of_a_multi_select_have_no_tick_box() -> None:
    from questionary import Choice, Separator
    from questionary.constants import INDICATOR_UNSELECTED
    from questionary.prompts.common import InquirerControl

    from kyodo_rules.wizard.checkbox import BACK, RESULT, UNKNOWN, WHY, _draw_without_boxes

    control = InquirerControl(
        [
            Choice("市・行政", value="city"),
            Separator("─" * 10),
            Choice("分からない", value=UNKNOWN),
            Choice("← 戻る", value=BACK),
            Choice("なぜこの質問？", value=WHY),
            Choice("ここまでの回答で結果を見る", value=RESULT),
        ]
    )
    _draw_without_boxes(control, {UNKNOWN, BACK, WHY, RESULT})
    drawn: Any = control.text  # replaced by a function of no arguments
    lines = "".join(token[1] for token in drawn()).splitlines()
    assert INDICATOR_UNSELECTED in lines[0] and "市・行政" in lines[0]
    for line in lines[2:]:
        assert INDICATOR_UNSELECTED not in line, line
    assert [line.strip() for line in lines[2:]] == [
        "分からない",
        "← 戻る",
        "なぜこの質問？",
        "ここまでの回答で結果を見る",
    ]


def test_a_long_first_result_screen_puts_the_sections_behind_one_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the sections listed would push the headline off 80×24, one entry lists them."""
    from kyodo_rules.outputs import text
    from kyodo_rules.wizard.flow import Flow

    state = _answered(FACTS)
    result = default_classifier().classify(Flow.facts(state), profile="generic")
    brief = text.brief_lines(result, "ja")
    monkeypatch.setattr(text, "brief_lines", lambda r, lang="ja": [*brief, *["…"] * 10])
    keys = ENTER + ENTER + "\x1b[A" + ENTER  # 詳しく見る項目を選ぶ …, its first; 終わる
    _w, action = _drive(keys, tmp_path / "s.session.yaml", state, _result(result))
    assert action == "done"
    out = (tmp_path / "s.session.out").read_text("utf-8")
    assert f"■ {text.heading(text.DETAIL_SECTIONS[0], 'ja')}" in out
