"""Settled, provisional and undetermined: the properties the vocabulary promises.

Each property is checked on both backends where it says so: durable-rules is
the engine of record, the Python backend answers the open questions.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules import classify
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.decision.open_questions import answers
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.readings import flatten, holds, reading
from strategies import cases, values

FESTIVAL = {
    "actors": ["city", "business"],
    "funding": ["project_subsidy"],
    "benefit": "public",
    "organizer": "partner",
}
JIREI1 = {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}


def _classify(facts: dict[str, Any], engine: str = "durable") -> Any:
    return default_classifier().classify(
        facts,
        what_if=False,
        engine=engine,  # type: ignore[arg-type]
        questions_engine=engine,  # type: ignore[arg-type]
    )


def test_festival_is_provisionally_kyodo_with_subsidy_first() -> None:
    result = classify(FESTIVAL)
    assert result.verdict == "undetermined"
    assert result.status == "provisional"
    assert result.provisional is not None
    assert result.provisional.verdict == "kyodo"
    assert result.forms[0].code == "subsidy"
    presumed = {p.rule_id for p in result.provisional.presumptions}
    assert "jirei1-outsourcing" in presumed
    assert all(p.source and p.quote and p.facts for p in result.provisional.presumptions)


def test_would_be_kyodo_if_changes_each_give_provisional_kyodo() -> None:
    result = classify(JIREI1)
    assert result.verdict == "not_kyodo"
    for change in result.would_be_kyodo_if:
        facts = {**JIREI1, **{c.field: c.value for c in change}}
        after = classify(facts, what_if=False)
        assert after.provisional is not None and after.provisional.verdict == "kyodo", change
        assert len(change) <= 3


def test_self_help_has_no_change_and_says_why() -> None:
    result = classify({"self_solvable": True})
    assert result.would_be_kyodo_if == ()
    assert [b.rule_id for b in result.what_if_blocked_by] == ["subsidiarity-self-help"]


def test_open_questions_are_ranked_verdict_first() -> None:
    result = classify(FESTIVAL)
    ranks = [0 if "verdict" in q.affects else 1 for q in result.open_questions]
    assert ranks == sorted(ranks)
    assert list(result.missing_facts) == [q.field for q in result.open_questions]


@settings(max_examples=150, deadline=None)
@given(cases())
def test_settled_means_provisional_equals_strict(facts: dict[str, Any]) -> None:
    result = _classify(facts)
    assert result.provisional is not None
    if result.status == "settled":
        assert (result.provisional.verdict, result.provisional.category) == (
            result.verdict,
            result.category,
        )
        assert result.provisional.presumptions == ()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_adding_a_fact_never_turns_a_settled_verdict(data: st.DataObject) -> None:
    facts = data.draw(cases())
    result = _classify(facts, "python")
    unknown = [f for f in FACT_FIELDS if f not in facts]
    if result.status != "settled" or not unknown:
        return
    field = data.draw(st.sampled_from(unknown))
    value = data.draw(values(field))
    after = _classify({**facts, field: value}, "python")
    assert after.verdict == result.verdict


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_lifting_every_presumption_settles_the_provisional_verdict(data: st.DataObject) -> None:
    facts = data.draw(cases())
    result = _classify(facts, "python")
    assert result.provisional is not None
    if result.status != "provisional":
        return
    rules = default_classifier().bound("generic").ruleset.by_id
    trial = dict(facts)
    for presumption in result.provisional.presumptions:
        for field in presumption.facts:
            if field not in trial:
                trial[field] = data.draw(st.sampled_from(answers(field)), label=field)
    presumed = [rules[p.rule_id] for p in result.provisional.presumptions]
    now, after_facts = flatten(facts), flatten(trial)
    for rule in presumed:
        if holds(reading(rule.nnf, True), now):
            # Taken to hold while a fact is unknown: its exception is what is presumed.
            if not holds(reading(rule.nnf, True), after_facts):
                return
        elif holds(reading(rule.nnf, False), after_facts):
            return  # the drawn answers did not rule this presumption out
    after = _classify(trial, "python")
    assert after.verdict == result.provisional.verdict


@settings(max_examples=150, deadline=None)
@given(cases())
def test_a_field_said_to_affect_the_verdict_has_outcomes_that_differ(
    facts: dict[str, Any],
) -> None:
    """Its answers lead to different verdicts, or one settles it and another does not,
    or it is read by a presumption that needs it together with another fact."""
    result = _classify(facts, "python")
    assert result.provisional is not None
    presumed = {f for p in result.provisional.presumptions for f in p.facts}
    for question in result.open_questions:
        if "verdict" not in question.affects:
            continue
        leads = {(o.verdict, o.settled) for o in question.outcomes}
        now = (result.provisional.verdict, result.status == "settled")
        assert len(leads) > 1 or leads != {now} or question.field in presumed, question.field


@settings(max_examples=20, deadline=None)
@given(cases())
def test_open_questions_are_exactly_the_fields_whose_answers_change_the_answer(
    facts: dict[str, Any],
) -> None:
    """The definition, checked with whole `classify()` calls for every answer."""
    result = _classify(facts, "python")

    def seen(r: Any) -> Any:
        p = r.provisional
        return (
            r.verdict,
            r.category,
            p.verdict,
            p.category,
        )

    now = seen(result)
    for field in FACT_FIELDS:
        if field in facts:
            continue
        outcomes = [_classify({**facts, field: v}, "python") for v in answers(field)]
        changes_verdict = any(seen(o) != now for o in outcomes)
        listed = [q for q in result.open_questions if q.field == field]
        if changes_verdict:
            assert listed and {"verdict", "category"} & set(listed[0].affects), field


@settings(max_examples=60, deadline=None)
@given(cases())
def test_both_backends_agree_on_provisional_and_open_questions(facts: dict[str, Any]) -> None:
    durable = _classify(facts, "durable")
    python = _classify(facts, "python")
    assert durable.provisional == python.provisional
    assert durable.open_questions == python.open_questions
    assert durable.missing_facts == python.missing_facts


def test_a_rule_that_holds_while_a_fact_is_unknown_is_not_settled() -> None:
    """自助 suffices unless the work is routine or a permit: with the activity unknown
    the answer is provisional, and the presumption names the activity."""
    result = classify({"self_solvable": True}, what_if=False)
    assert result.status == "provisional"
    assert result.provisional is not None
    assert result.provisional.category == "self_help_suffices"
    assert [(p.rule_id, p.facts) for p in result.provisional.presumptions] == [
        ("subsidiarity-self-help", ("activity",))
    ]
    assert classify({"self_solvable": True, "activity": "fellowship"}).status == "settled"
    assert classify({"self_solvable": True, "activity": "routine_service"}).verdict != "not_kyodo"
