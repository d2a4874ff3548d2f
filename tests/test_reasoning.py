"""The reading of issue-style rows: the deciding question first, a what-if that gives the
guidance's advice, and the same what-if on both engines.

Properties over random cases (hypothesis), with the inputs that once made the
two engines disagree kept as named examples.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kyodo_rules import Result, classify
from kyodo_rules.decision.classify import default_classifier
from strategies import ISSUE_26_CASE, any_cases, cases, differential


def _status(verdict: str, settled: bool) -> str:
    if settled:
        return "settled"
    return "provisional" if verdict != "undetermined" else "undetermined"


def share(result: Result, field: str) -> float:
    """The share of a question's answers that change the answer shown, worked out from
    the result's own outcomes (every answer counted alike)."""
    question = next(q for q in result.open_questions if q.field == field)
    now = (result.answer.verdict, result.answer.category, result.answer.status)
    changed = [
        o
        for o in question.outcomes
        if (o.verdict, o.category, _status(o.verdict, o.settled)) != now
    ]
    return len(changed) / len(question.outcomes)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_the_first_open_question_changes_the_answer_most_often(facts: dict[str, Any]) -> None:
    result = classify(facts, what_if=False)
    if not result.open_questions:
        return
    shares = {q.field: share(result, q.field) for q in result.open_questions}
    first = result.open_questions[0].field
    assert shares[first] == max(shares.values()), (first, shares, facts)
    # Questions none of whose answers changes the answer shown come after the others.
    seen_zero = False
    for q in result.open_questions:
        if shares[q.field] == 0:
            seen_zero = True
        else:
            assert not seen_zero, (q.field, shares)


@settings(max_examples=200, deadline=None)
@given(
    cases(
        activity="routine_service",
        scheme=st.just("contract"),
    )
)
def test_no_change_makes_routine_contracted_work_kyodo_and_the_reason_is_named(
    facts: dict[str, Any],
) -> None:
    """事例1 has no exception: a what-if for routine contracted work would be the alibi
    あるある3 warns against. No set, and the sentence that closes the way is named."""
    result = classify(facts)
    assert result.would_be_kyodo_if == ()
    if result.answer.verdict == "not_kyodo":
        blocked = {p.rule_id for p in result.what_if_blocked_by}
        assert blocked, facts


def _same_what_if(facts: dict[str, Any]) -> None:
    classifier = default_classifier()
    durable = classifier.classify(facts, engine="durable")
    python = classifier.classify(facts, engine="python")
    assert durable.would_be_kyodo_if == python.would_be_kyodo_if, facts
    assert durable.what_if_blocked_by == python.what_if_blocked_by, facts


@differential(max_examples=300, deadline=None)
@given(any_cases())
# The input on which durable-rules once dropped a change the Python engine listed.
@example(ISSUE_26_CASE)
@example({"planner": "city", "partner_contribution": "labour_only"})
@example({"activity": "festival"})
def test_both_engines_give_the_same_what_if(facts: dict[str, Any]) -> None:
    _same_what_if(facts)
