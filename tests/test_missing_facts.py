"""`missing_facts` takes shortcuts (`Combiner._effect`); they must never change it.

The reference below is the definition itself: an unknown fact is missing when
an undecided rule reading it, decided either way, changes the answer.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from kyodo_rules import Case
from kyodo_rules._classify import default_classifier
from kyodo_rules._policy import Combiner
from kyodo_rules._readings import flatten
from kyodo_rules._vocabulary import FACT_FIELDS
from strategies import any_cases


def reference(
    combiner: Combiner, definite: frozenset[int], undecided: frozenset[int], unknown: frozenset[str]
) -> tuple[str, ...]:
    now = combiner.decide(definite, undecided).signature()
    relevant: set[str] = set()
    for i in undecided:
        rest = undecided - {i}
        if (
            combiner.decide(definite | {i}, rest).signature() != now
            or combiner.decide(definite, rest).signature() != now
        ):
            relevant |= combiner.rules[i].fields & unknown
    for i in definite:
        fields = combiner.rules[i].fields & unknown
        if fields and combiner.decide(definite - {i}, undecided).signature() != now:
            relevant |= fields
    if not relevant and now[0] == "undetermined":
        for i in undecided:
            relevant |= combiner.rules[i].fields & unknown
    return tuple(f for f in FACT_FIELDS if f in relevant)


@settings(max_examples=300, deadline=None)
@given(any_cases())
def test_shortcuts_give_the_same_missing_facts_as_the_definition(raw: Any) -> None:
    bound = default_classifier().bound("generic")
    facts = Case.model_validate(raw).facts()
    definite, undecided = bound.python.evaluate(flatten(facts))
    d, u = frozenset(definite), frozenset(undecided)
    unknown = frozenset(f for f in FACT_FIELDS if facts.get(f) is None)
    fast = bound.combiner.missing_facts(d, u, unknown)
    assert fast == reference(bound.combiner, d, u, unknown)
