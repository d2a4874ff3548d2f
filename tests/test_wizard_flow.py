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
from kyodo_rules.wizard.flow import Flow, State, replay

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


JIREI1 = next(c for c in CASES if c.id == "jirei1-building-management")
#: The facts of the issue's own 事例1 example (庁舎管理 contracted to a firm).
ISSUE_EXAMPLE = {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict_questions_alone_reach_the_library_verdict(case: Any) -> None:
    """Asked only what can change the verdict, the interview ends with the verdict
    the full facts give, or with that verdict provisionally (never another one)."""
    classifier = default_classifier()
    profile = case.profile or "generic"
    flow = Flow(classifier.bound(profile), default_data().order)
    state = State(profile)
    while (field := flow.next_field(state)) is not None:
        flow.answer(state, field, case.facts.get(field))
    got = classifier.classify(flow.facts(state), profile=profile, what_if=False)
    want = classifier.classify(dict(case.facts), profile=profile, what_if=False)
    shown = got.verdict if got.status == "settled" else got.provisional and got.provisional.verdict
    assert got.provisional is not None
    if want.verdict != "undetermined":
        assert shown == want.verdict
    # Whatever can still change the verdict was asked (and answered 分からない).
    assert {q.field for q in got.open_questions if "verdict" in q.affects} <= set(state.asked)


@pytest.mark.parametrize(
    "facts", [dict(JIREI1.facts), ISSUE_EXAMPLE], ids=["library-jirei1", "issue-example"]
)
def test_jirei1_at_most_8_questions(facts: dict[str, Any]) -> None:
    flow = Flow(default_classifier().bound("generic"), default_data().order)
    state = replay(flow, State("generic"), facts, details=False)  # as the interview asks
    asked = [f for f in state.asked if f != TITLE]
    assert len(asked) <= 8, asked
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
    # 共助 shapes the level and the forms, not the verdict: not asked yet.
    assert flow.next_field(state) == "actors"
    festival = {"actors": ["city", "business"], "funding": ["project_subsidy"],
                "benefit": "public", "organizer": "partner"}  # fmt: skip
    for field, value in festival.items():
        flow.answer(state, field, value)
    while (field := flow.next_field(state)) is not None:
        assert "verdict" in next(
            q.affects for q in flow.bound.status(flow.facts(state))[2] if q.field == field
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
