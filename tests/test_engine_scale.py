"""A rulebase many times the shipped one: every case answered, engine limits named.

durable-rules has fixed tables (64 alternatives pending while one fact is
matched, 32 expressions in a rule, 255 properties in a fact). With the rules
repeated 8 times, one ruleset overflowed for about a third of the cases and
the raw `durable_rules_engine.error` escaped from `classify()`.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any

import pytest

from kyodo_rules.decision.classify import Classifier
from kyodo_rules.engines.durable import DurableEngine
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.model.errors import EngineError, KyodoError
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.conditions import Eq, Literal_, NAll
from kyodo_rules.rulebase.loading import load_rulebase
from kyodo_rules.rulebase.readings import flatten
from scaled import distinct_conditions, repeated
from strategies import random_facts

CASES = load_cases()


def _gist(result: Any) -> tuple[Any, ...]:
    return (
        result.verdict,
        result.category,
        result.provisional.verdict,
        result.provisional.category,
        tuple(q.field for q in result.open_questions if {"verdict", "category"} & set(q.affects)),
        tuple(f.code for f in result.forms),
    )


def _same_questions(got: Any, want: Any) -> bool:
    """The open questions of the rules repeated 8 times are the shipped ones, except
    where a question (or a part of one) comes only from an open rule that, established
    together with another answer, would reorder the forms: one copy of that rule adds
    an eighth of the weight the shipped rule adds (the open questions establish one
    rule at a time), and can reorder nothing the shipped weight does not. Such a
    question may drop out, or (its forms part gone) rank lower; the questions that
    change the verdict or the category are compared in order by `_gist`."""
    return set(got.missing_facts) <= set(want.missing_facts)


def test_every_library_case_is_answered_on_a_rulebase_with_every_rule_eight_times() -> None:
    base = load_rulebase()
    shipped = Classifier(rulebase=base)
    large = Classifier(rulebase=repeated(base, 8))
    assert len(large.rulebase.rules) == 8 * len(base.rules)
    for case in CASES:
        got = large.classify(case.facts, profile=case.profile, what_if=False, engine="durable")
        want = shipped.classify(case.facts, profile=case.profile, what_if=False)
        assert _gist(got) == _gist(want), case.id
        assert _same_questions(got, want), case.id
        assert len(got.trace) == 8 * len(want.trace), case.id


def test_conditions_beyond_one_ruleset_are_spread_over_several_and_agree() -> None:
    rules = distinct_conditions(load_rulebase().ruleset("generic").rules, 8)
    # Begin with all of them in one ruleset: the first cases overflow it (error
    # 303) and it is split while they wait.
    durable = DurableEngine(rules, label="test", part_size=len(rules))
    python = PythonEngine(rules)
    for case in CASES:
        flat = flatten(case.facts)
        assert durable.evaluate(flat) == python.evaluate(flat), case.id
    assert durable.rulesets > 1


@dataclasses.dataclass(frozen=True)
class _Rule:
    id: str
    nnf: Any


SCHEMA = {f"f{i}": ("bool", (True, False)) for i in range(300)}


def _all_true(name: str, fields: range) -> _Rule:
    return _Rule(name, NAll(tuple(Literal_(Eq(f"f{i}", True), False) for i in fields)))


def test_a_rule_beyond_the_engines_limits_is_refused_naming_the_rule_set_and_the_limit() -> None:
    with pytest.raises(EngineError) as refused:
        DurableEngine([_all_true("wide", range(300))], SCHEMA, label="rules/wide.yaml")
    message = str(refused.value)
    assert message.startswith("rules/wide.yaml: ")
    assert "at most 32 expressions in one rule" in message and "rule wide alone" in message


def test_a_fact_beyond_the_engines_limit_is_a_kyodo_error_not_the_engines_own() -> None:
    rules = [_all_true(f"r{k}", range(k * 10, k * 10 + 10)) for k in range(30)]
    engine = DurableEngine(rules, SCHEMA, label="rules/wide.yaml")
    with pytest.raises(KyodoError) as refused:
        engine.evaluate(flatten({}, SCHEMA))
    assert type(refused.value) is EngineError
    assert "at most 255 properties in one fact" in str(refused.value)


def test_many_facts_in_one_session_each_get_their_own_answer() -> None:
    rules = distinct_conditions(load_rulebase().ruleset("generic").rules, 8)
    durable = DurableEngine(rules, label="test", part_size=len(rules))
    python = PythonEngine(rules)
    rng = random.Random(3)
    flats = [flatten(c.facts) for c in CASES] + [flatten(random_facts(rng)) for _ in range(150)]
    assert durable.evaluate_many(flats) == [python.evaluate(f) for f in flats]
    assert durable.rulesets > 1
