"""The open questions' evaluator, with every answer of a field folded into the rules at
compile time, against the plain evaluation of each answer written over the facts."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.decision.decisions import bits
from kyodo_rules.decision.open_questions import flat_answers
from kyodo_rules.engines.durable import DurableEngine
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.readings import flatten
from strategies import ISSUE_26_CASE, any_cases, differential

PROFILES = ("generic", "nichinan", "ogi", "ama")


@settings(max_examples=300, deadline=None)
@given(any_cases(), st.sampled_from(PROFILES), st.sampled_from(FACT_FIELDS))
def test_folded_answers_are_each_answer_evaluated(
    facts: dict[str, Any], profile: str, field: str
) -> None:
    bound = default_classifier().bound(profile)
    python = bound.engine("python")
    assert isinstance(python, PythonEngine)
    readers = sorted(bound.readers[field])
    answers = flat_answers(field)
    folded = python.answers(readers, [keys for _, keys in answers])
    plain = python.subset(readers)
    flat = flatten(facts)
    expected = []
    for _, keys in answers:
        d, u = plain({**flat, **keys})
        expected.append((bits(d), bits(u)))
    assert folded(flat) == expected


#: field -> a durable-rules engine of the rules that read it, as the what-if's
#: confirmation builds them (a small ruleset on which many facts match nothing).
_READERS: dict[str, DurableEngine] = {}


def _readers(field: str) -> DurableEngine:
    if field not in _READERS:
        bound = default_classifier().bound("generic")
        rules = bound.ruleset.rules
        _READERS[field] = DurableEngine([rules[i] for i in sorted(bound.readers[field])])
    return _READERS[field]


_ISSUE_26 = ISSUE_26_CASE


@differential(max_examples=120, deadline=None)
@given(st.lists(any_cases(), min_size=1, max_size=6), st.sampled_from(FACT_FIELDS))
# Issue 26: the what-if's changes confirmed in one session; the first matched a rule,
# the others none, and the batch's "not handled" lost the first one's match.
@example(
    [
        {**_ISSUE_26, "prior_consultation": True, "partner_contribution": "labour_only"},
        {
            **_ISSUE_26,
            "spec_author": "joint",
            "funding": ["project_subsidy"],
            "partner_contribution": "expertise",
        },
        {
            **_ISSUE_26,
            "spec_author": "none",
            "funding": ["project_subsidy"],
            "partner_contribution": "expertise",
        },
    ],
    "partner_contribution",
)
def test_facts_matched_together_get_what_each_gets_alone(
    facts: list[dict[str, Any]], field: str
) -> None:
    """durable-rules matches a batch of facts in one session (`evaluate_many`, for
    inventories and the what-if's confirmation): each fact's rules must be those it
    matches on its own, whether or not the others match anything."""
    flats = [flatten(f) for f in facts]
    for engine in (_readers(field), default_classifier().bound("generic").durable):
        assert isinstance(engine, DurableEngine)
        assert engine.evaluate_many(flats) == [engine.evaluate(f) for f in flats], facts
