"""Settled, provisional and undetermined: the properties the vocabulary promises.

Each property is checked on both backends where it says so: durable-rules is
the engine of record, the Python backend answers the open questions.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kyodo_rules import classify
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.readings import flatten, holds, reading
from strategies import cases, differential, full_cases, values

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
    # A property of the policy: the plain-Python backend (the durable-rules one is
    # held to the same answers by test_both_backends_agree_on_provisional_and_open_questions).
    result = _classify(facts, "python")
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
                trial[field] = data.draw(st.sampled_from(_answers(field)), label=field)
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
    # A field read by an open rule that needs it together with another unknown fact
    # (事例3's planner and what the partner brings) can matter only jointly.
    bound = default_classifier().bound("generic")
    _, _, undecided = bound.assess(facts, "python")
    unknown = {f for f in FACT_FIELDS if facts.get(f) is None}
    for i in undecided:
        if len(bound.ruleset.rules[i].fields & unknown) > 1:
            presumed |= bound.ruleset.rules[i].fields & unknown
    for question in result.open_questions:
        if "verdict" not in question.affects:
            continue
        leads = {(o.verdict, o.settled) for o in question.outcomes}
        now = (result.provisional.verdict, result.status == "settled")
        assert len(leads) > 1 or leads != {now} or question.field in presumed, question.field


def _answers(field: str) -> list[Any]:
    """Every answer a person could give, from the vocabulary alone (not the code under test):
    each code, and for a list field each code on its own (docs/answers.md)."""
    kind, codes = FIELD_KINDS[field]
    return [[code] for code in codes] if kind == "codes" else list(codes)


def _parts(facts: dict[str, Any]) -> dict[str, Any]:
    """The parts of the answer an open question can change, by their `affects` names."""
    r = _classify(facts, "python")
    return {
        "verdict": (r.verdict, r.provisional.verdict, r.status),
        "category": (r.category, r.provisional.category),
        "zone": r.zone,
        "subsidiarity": r.subsidiarity,
        "forms": tuple(f.code for f in r.forms),
        "flags": tuple(f.code for f in r.flags),
        "required_documents": r.required_documents,
        "checklist": r.checklist,
    }


@settings(max_examples=60, deadline=None)
@given(full_cases(), st.sampled_from(FACT_FIELDS))
def test_with_one_fact_unknown_it_is_an_open_question_exactly_when_an_answer_changes_it(
    full: dict[str, Any], field: str
) -> None:
    """The definition decided either way, by whole `classify()` calls for every answer:
    with one fact unknown (so no rule can need it together with another), it is an
    open question if and only if some answer changes the answer, and `affects`
    names exactly the parts that change."""
    facts = {k: v for k, v in full.items() if k != field}
    now = _parts(facts)
    changed: set[str] = set()
    for value in _answers(field):
        after = _parts({**facts, field: value})
        changed |= {part for part in now if after[part] != now[part]}
    listed = {q.field: set(q.affects) for q in _classify(facts, "python").open_questions}
    assert listed.keys() <= {field}
    assert listed.get(field, set()) == changed, (field, facts)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(cases())
def test_a_fact_whose_answer_changes_the_verdict_or_category_is_an_open_question(
    facts: dict[str, Any],
) -> None:
    """The same definition on sparse cases, in the direction that holds whatever else
    is unknown: an answer that alone changes the verdict or the category is asked."""
    result = _classify(facts, "python")
    now = _parts(facts)
    listed = {q.field: set(q.affects) for q in result.open_questions}
    for field in FACT_FIELDS:
        if field in facts:
            continue
        for value in _answers(field):
            after = _parts({**facts, field: value})
            for part in ("verdict", "category"):
                if after[part] != now[part]:
                    assert part in listed.get(field, set()), (field, value, part)


@differential(max_examples=60, deadline=None)
@given(cases())
# A 事例3 cleanup whose planner and consultation are open, and the empty case.
@example({"partner_contribution": "labour_only"})
@example({})
def test_both_backends_agree_on_provisional_and_open_questions(facts: dict[str, Any]) -> None:
    durable = _classify(facts, "durable")
    python = _classify(facts, "python")
    assert durable.provisional == python.provisional
    assert durable.open_questions == python.open_questions
    assert durable.missing_facts == python.missing_facts


def test_self_help_is_settled_with_its_zone_and_level() -> None:
    """自助で足りる needs no other fact: no source excepts an activity from it, so the
    answer is settled, with its zone and level, and its rule decides it."""
    result = classify({"self_solvable": True}, what_if=False)
    assert result.status == "settled"
    assert (result.verdict, result.category) == ("not_kyodo", "self_help_suffices")
    assert (result.zone, result.subsidiarity) == ("citizen_independent", "self_help")
    assert [t.rule_id for t in result.trace if t.decides] == ["subsidiarity-self-help"]
    assert result.provisional is not None and result.provisional.presumptions == ()
