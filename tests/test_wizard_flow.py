"""The interview without a terminal: every library case, answered from its facts."""

from __future__ import annotations

from typing import Any

import pytest

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase import questions as wq
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard.flow import Flow, State, answer_from, replay

CASES = load_cases()


def _key(result: Any) -> tuple[Any, ...]:
    return (
        result.verdict,
        result.category,
        result.zone,
        result.subsidiarity,
        [f.code for f in result.forms],
        [f.code for f in result.flags],
        result.required_documents,
        result.checklist,
    )


def _values(field: str) -> tuple[Any, ...]:
    kind, codes = FIELD_KINDS[field]
    if kind == "codes":
        return (*tuple([c] for c in codes), [])
    return codes


def test_every_field_has_a_question_and_every_code_a_label() -> None:
    data = default_data()
    assert data.order[0] == TITLE
    assert data.order[1:3] == ("self_solvable", "community_solvable")
    for field, (_kind, codes) in FIELD_KINDS.items():
        q = data.question(field)
        assert q.spec.help is not None and q.spec.help.quote
        for code in codes:
            assert q.label_of(code, "ja") != str(code), (field, code)
            assert q.label_of(code, "en") != str(code), (field, code)


def test_broken_question_file_names_file_and_line(tmp_path: Any) -> None:
    src = wq.wizard_dir()
    text = (src / "questions.yaml").read_text(encoding="utf-8")
    (tmp_path / "questions.yaml").write_text(
        text.replace("value: routine_service", "value: routine_servce"), encoding="utf-8"
    )
    with pytest.raises(RuleError, match=r"questions\.yaml:\d+: activity: .*routine_servce"):
        wq.load(tmp_path)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_reaches_classify_result_asking_only_relevant(case: Any) -> None:
    classifier = default_classifier()
    profile = case.profile or "generic"
    bound = classifier.bound(profile)
    flow = Flow(bound, default_data().order)
    state = State(profile, details=True)
    while (field := flow.next_field(state)) is not None:
        if field != TITLE:
            facts = flow.facts(state)
            decision, provisional, questions = bound.status(facts)
            assert field in [q.field for q in questions], f"{field} asked but not open"
            changes = False
            for value in _values(field):
                d2, p2, _q2 = bound.status({**facts, field: value})
                if (d2.verdict, p2.signature()) != (decision.verdict, provisional.signature()):
                    changes = True
                    break
            # Or it matters together with another unknown fact: an open rule reads both.
            _d, _definite, undecided = bound.assess(facts, "python")
            jointly = any(
                field in rule.fields and len([f for f in rule.fields if f not in facts]) > 1
                for rule in (bound.ruleset.rules[i] for i in undecided)
            )
            assert changes or jointly, f"{field} cannot change the answer"
        flow.answer(state, field, case.facts.get(field))
    got = classifier.classify(flow.facts(state), profile=profile, what_if=False)
    want = classifier.classify(dict(case.facts), profile=profile, what_if=False)
    assert _key(got) == _key(want)


def interview(
    facts: dict[str, Any], profile: str = "generic", *, stop_settled: bool = False
) -> tuple[State, int]:
    """The interactive interview (groups on one screen), answered from `facts`: the
    state it ends in and the screens it took (to the settled verdict if `stop_settled`)."""
    data = default_data()
    flow = Flow(default_classifier().bound(profile), data.order, data.groups)
    state = State(profile)
    screens = 0
    while (field := flow.next_field(state)) is not None:
        if field == TITLE:
            flow.answer(state, field, None)
            continue
        screens += answer_from(flow, state, field, facts)
        if stop_settled and flow.standing(state).settled:
            break
    return state, screens


JIREI1 = next(c for c in CASES if c.id == "jirei1-building-management")
#: The facts of the issue's own 事例1 example (庁舎管理 contracted to a firm).
ISSUE_EXAMPLE = {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict_questions_alone_reach_the_library_verdict(case: Any) -> None:
    """Asked only what can change the verdict, the interview ends with the verdict
    the full facts give, or with that verdict provisionally (never another one)."""
    classifier = default_classifier()
    profile = case.profile or "generic"
    state, _screens = interview(dict(case.facts), profile)
    flow = Flow(classifier.bound(profile), default_data().order)
    got = classifier.classify(flow.facts(state), profile=profile, what_if=False)
    want = classifier.classify(dict(case.facts), profile=profile, what_if=False)
    shown = got.verdict if got.status == "settled" else got.provisional and got.provisional.verdict
    assert got.provisional is not None
    if want.verdict != "undetermined":
        assert shown == want.verdict
    if got.status == "settled":  # 確定 is never wrong, whatever order the questions came in
        assert got.verdict == want.verdict
    # Whatever can still change the verdict was asked (and answered 分からない).
    assert {q.field for q in got.open_questions if "verdict" in q.affects} <= set(state.asked)


@pytest.mark.parametrize(
    "facts", [dict(JIREI1.facts), ISSUE_EXAMPLE], ids=["library-jirei1", "issue-example"]
)
def test_jirei1_at_most_9_questions(facts: dict[str, Any]) -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = replay(flow, State("generic"), facts, details=False)  # as the interview asks
    asked = [f for f in state.asked if f != TITLE]
    # Nine: the interview also pins the reason shown (事例5's 指定管理者 or 事例4's free
    # request would name a 事例1-like case otherwise), in the classifier's order.
    assert len(asked) <= 9, asked
    result = default_classifier().classify(state.answers, what_if=False)
    assert (result.verdict, result.category) == ("not_kyodo", "outsourcing")


def test_back_keeps_later_answers_and_rechecks_them() -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = State("generic", details=True)
    for value in ("t", False, False):
        flow.answer(state, flow.next_field(state) or "", value)
    third = flow.next_field(state)
    assert third == "actors"
    flow.answer(state, "actors", ["city", "business"])
    assert flow.back(state) == "actors"
    assert flow.back(state) == "community_solvable"
    assert flow.next_field(state) == "community_solvable"
    flow.answer(state, "community_solvable", False)
    # The kept answer to `actors` is still relevant: taken again without asking.
    assert flow.next_field(state) not in ("actors", "community_solvable")
    assert state.asked[:4] == [TITLE, "self_solvable", "community_solvable", "actors"]
    assert state.answers["actors"] == ["city", "business"]


def test_change_in_summary_rederives() -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = replay(flow, State("generic"), {"self_solvable": False, "spec_author": "city"})
    before = list(state.asked)
    flow.change(state, "self_solvable", True)
    assert state.answers["self_solvable"] is True
    assert state.asked != before or flow.next_field(state) is not None


def test_verdict_questions_come_first_then_the_rest_on_request() -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = State("generic")
    flow.answer(state, TITLE, None)
    flow.answer(state, "self_solvable", False)
    # 共助 shapes the level and the forms, not the answer shown: not asked yet.
    assert flow.next_field(state) != "community_solvable"
    festival = {"actors": ["city", "business"], "funding": ["project_subsidy"],
                "benefit": "public", "organizer": "partner"}  # fmt: skip
    for field, value in festival.items():
        flow.answer(state, field, value)
    while (field := flow.next_field(state)) is not None:
        # Each question asked can change the verdict or the reason shown.
        assert {"verdict", "category"} & set(
            next(q.affects for q in flow.bound.status(flow.facts(state))[2] if q.field == field)
        )
        flow.answer(state, field, {"spec_author": "partner"}.get(field))
    assert flow.more(state)
    state.details = True
    assert flow.next_field(state) == "community_solvable"


def test_why_lists_undecided_rules_reading_the_field() -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = State("generic")
    rules = flow.why(state, "spec_author")
    assert rules and all(r.source for r in rules)
    assert any("事例1" in r.source for r in rules)


def test_the_declared_question_order_is_the_vocabulary_order() -> None:
    """One order: the interview's (wizard/questions.yaml) breaks ties between open questions."""
    from kyodo_rules.model.vocabulary import FACT_FIELDS

    assert [f for f in default_data().order if f != TITLE] == list(FACT_FIELDS)


#: 事例2's festival as the issue tries it: a 商店会's festival with a project subsidy.
FESTIVAL = {
    "self_solvable": False, "actors": ["city", "business"], "funding": ["project_subsidy"],
    "benefit": "public", "organizer": "partner", "equal_footing": True,
    "shared_purpose": True, "roles_shared": True, "activity": "festival",
    "spec_author": "partner", "city_supervises": False, "scheme": "none",
    "planner": "partner", "partner_contribution": "expertise",
}  # fmt: skip


def test_library_settles_within_a_median_of_12_questions_and_the_festival_within_11() -> None:
    """The issue's acceptance figures (benchmarks/answers_from_few_facts.py prints them)."""
    import statistics

    classifier = default_classifier()
    settled = []
    for case in CASES:
        profile = case.profile or "generic"
        state, screens = interview(dict(case.facts), profile, stop_settled=True)
        flow = Flow(classifier.bound(profile), default_data().order)
        now = flow.standing(state)
        if now.settled:
            want = classifier.classify(dict(case.facts), profile=profile, what_if=False)
            assert now.verdict == want.verdict, case.id
            settled.append(screens)
    assert len(settled) >= 70
    assert statistics.median(settled) <= 12
    state, screens = interview(FESTIVAL, stop_settled=True)
    # Eleven: the questions come in the order of what they decide (docs/answers.md),
    # which asks the project subsidy of 事例2 after the questions that decide more often.
    assert screens <= 11
    assert Flow(classifier.bound("generic"), default_data().order).standing(state).verdict == (
        "kyodo"
    )


def test_each_question_asked_is_the_most_deciding_one_at_that_point() -> None:
    """The interview asks in the classifier's own order (docs/answers.md): each question
    asked was the first of the open questions that can change the answer shown."""
    data = default_data()
    bound = default_classifier().bound("generic")
    flow = Flow(bound, data.order, data.groups)
    state = State("generic")
    while (field := flow.next_field(state)) is not None:
        if field != TITLE:
            asked = set(state.asked)
            deciding = [f for f in flow.standing(state).deciding if f not in asked]
            assert field == deciding[0]
        flow.answer(state, field, FESTIVAL.get(field) if field != TITLE else None)
        if flow.standing(state).settled:
            break
    assert flow.standing(state).verdict == "kyodo"


def test_the_port_cleanup_planned_by_the_city_ends_on_volunteer_labour() -> None:
    """事例3 as staff describe it: the city calls residents and firms to clean the port
    before the festival, planned it alone, asks only their labour, and confirmed
    nothing with them beforehand; anything else is 分からない. The interview asks
    who planned it and what the partners bring (together they make 奉仕作業), and
    ends on 奉仕作業, not on 下請け扱い."""
    staff = {
        "actors": ["city", "community_org", "business"],
        "activity": "safety_disaster_environment",
        "planner": "city",
        "partner_contribution": "labour_only",
        "prior_consultation": False,
        "spec_author": "city",
        "benefit": "public",
    }
    state, _screens = interview(staff)
    now = Flow(default_classifier().bound("generic"), default_data().order).standing(state)
    assert (now.verdict, now.category) == ("not_kyodo", "volunteer_labour")
    assert {"planner", "partner_contribution"} <= set(state.asked)


def test_the_definition_is_one_screen_and_back_returns_to_it() -> None:
    data = default_data()
    group = ("equal_footing", "shared_purpose", "roles_shared")
    assert group in data.groups
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = State("generic")
    given = {f: v for f, v in FESTIVAL.items() if f not in group}
    while (field := flow.next_field(state)) is not None and field not in group:
        flow.answer(state, field, given.get(field))
    assert field == "equal_footing" and flow.together(state, field) == group
    flow.answer_together(state, group, True)
    assert all(state.answers[f] is True for f in group)
    assert flow.screens(state) == len(state.asked) - 2  # one screen, three answers
    assert flow.next_field(state) not in group
    assert flow.back(state) == "equal_footing"
    assert not set(group) & set(state.asked)  # the whole screen is undone
    assert flow.together(state, "equal_footing") == group  # and offered again
    # 「一つずつ答える」: each on its own, nothing presumed.
    assert answer_from(flow, state, "equal_footing", {"equal_footing": False}) == 2
    assert state.answers["equal_footing"] is False and "shared_purpose" not in state.asked
    assert flow.standing(state).verdict == "not_kyodo"


def test_a_group_is_not_offered_over_an_answer_already_given() -> None:
    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = State("generic")
    state.answers["shared_purpose"] = True  # kept from before (a back, a resumed file)
    assert flow.together(state, "equal_footing") == ()
    # No groups declared: one by one.
    plain = Flow(default_classifier().bound("generic"), data.order)
    assert plain.together(State("generic"), "equal_footing") == ()


def test_a_group_of_a_field_that_is_not_yes_no_is_refused(tmp_path: Any) -> None:
    src = wq.wizard_dir()
    text = (src / "questions.yaml").read_text(encoding="utf-8")
    broken = text.replace("fields: [equal_footing, shared_purpose, roles_shared]",
                          "fields: [equal_footing, activity]")  # fmt: skip
    assert broken != text
    (tmp_path / "questions.yaml").write_text(broken, encoding="utf-8")
    with pytest.raises(RuleError, match=r"questions\.yaml:\d+: together: 'activity' is not"):
        wq.load(tmp_path)


def _at_the_group(facts: dict[str, Any]) -> tuple[Flow, State, tuple[str, ...]]:
    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = State("generic")
    while not flow.together(state, field := flow.next_field(state) or ""):
        flow.answer(state, field, facts.get(field))
    return flow, state, flow.together(state, field)


def test_one_by_one_counts_the_groups_screen_and_back_returns_to_it() -> None:
    """「一つずつ答える」 is a screen: the question after it takes the next number (no two
    screens share one), and 戻る there returns to the group's screen, numbered as before."""
    flow, state, group = _at_the_group(FESTIVAL)
    name = flow.next_field(state) or ""
    at_group = flow.number(state, name)
    flow.split(state, group)
    assert flow.next_field(state) == name and flow.together(state, name) == ()
    assert flow.number(state, name) == at_group + 1
    flow.answer(state, name, False)
    assert flow.screens(state) == at_group + 1
    after = flow.next_field(state) or ""
    assert flow.number(state, after) == at_group + 2
    # The first question after the split: 戻る goes to the group's screen.
    flow2, state2, group2 = _at_the_group(FESTIVAL)
    name2 = flow2.next_field(state2) or ""
    flow2.split(state2, group2)
    assert flow2.back(state2) is not None
    assert flow2.next_field(state2) == name2 and flow2.together(state2, name2) == group2
    assert flow2.number(state2, name2) == at_group


def test_back_from_a_question_asked_again_goes_to_the_one_before() -> None:
    """戻る in a question asked again from the summary: the question before it, as
    anywhere; every later answer kept. Nothing moves from the first question."""
    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    state = replay(flow, State("generic"), {**FESTIVAL}, details=False)
    asked = list(state.asked)
    third = asked[3]
    assert flow.number(state, third) == flow.screens(state, upto=third) + 1
    assert flow.back_from(state, third) == asked[2]
    assert state.asked == asked[:2] and state.reask == asked[2]
    assert all(f in state.answers for f in asked)  # nothing thrown away
    assert flow.back_from(state, asked[0]) is None and state.reask == asked[2]


def test_the_status_line_counts_the_unknown_answers_apart() -> None:
    """At the end of the questions nothing is left to ask: the line says 0 points to
    confirm and counts the 分からない answers that could still change the answer apart,
    so it never contradicts 「まだ聞いていない質問で、判定を変えうるものはもうありません」."""
    from kyodo_rules.wizard.status import status_line

    data = default_data()
    flow = Flow(default_classifier().bound("generic"), data.order, data.groups)
    port = {"actors": ["city", "community_org"], "planner": "city",
            "partner_contribution": "labour_only", "prior_consultation": False}  # fmt: skip
    state = replay(flow, State("generic"), port, details=False)
    assert flow.done(state)
    unknown = [f for f in flow.standing(state).deciding if state.answers.get(f) is None]
    assert unknown
    line = status_line(flow, state, "ja")
    assert line.startswith("いまの見込み: 協働ではない（確定）")
    assert "確認すべき点 0" in line and f"「分からない」と答えた点 {len(unknown)}" in line
