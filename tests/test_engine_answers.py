"""The open questions' evaluator, with every answer of a field folded into the rules at
compile time, against the plain evaluation of each answer written over the facts."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.decision.decisions import bits
from kyodo_rules.decision.open_questions import flat_answers
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.readings import flatten
from strategies import any_cases

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
