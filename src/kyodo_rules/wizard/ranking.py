"""Which verdict question to ask first: those the verdict will need, before those it may not.

A 協働 verdict is settled only when every disqualifier still open has been
ruled out, and most disqualifiers can be ruled out by more than one fact
(事例3's 奉仕作業 needs the city as planner *and* labour only: knowing either
one otherwise rules it out). Asking in the declared order alone therefore asks
questions that a later answer would have made moot: for 事例2's festival, who
planned it is asked although what the partner brings, asked anyway for 定義ウ,
already rules 事例3 out.

So each question that can change the verdict gets a *need*: over the open
rules that stand in the way of a verdict and read its field, the largest
chance that the other unknown facts leave the rule undecided, that is, that
nothing but this answer can rule it out. Chances count each answer of a field
alike and treat the parts of a condition as independent; they only order the
questions, they never decide which are asked: that stays with the evaluated
open questions, so the verdict reached is the one the facts give, whatever
the order.

Questions the verdict more likely than not needs (need above one half) are
asked first, in the declared order; then the others, in the declared order,
each only if an earlier answer has not made it moot. The declared order thus
stands within each of the two groups: the departure is one step, "a question
that the needed ones will probably make moot waits for them".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kyodo_rules.decision.classify import Bound
from kyodo_rules.decision.open_questions import answers
from kyodo_rules.rulebase.conditions import NNF, Literal_, NAll
from kyodo_rules.rulebase.readings import FlatFacts, flatten, holds, reading

#: From this need on a question keeps its declared place; below it, it waits.
NEEDED = 0.5


class Ranking:
    """The need of each verdict question, for one profile's rules."""

    def __init__(self, bound: Bound) -> None:
        self.bound = bound
        rules = bound.ruleset.rules
        index = {rule.id: i for i, rule in enumerate(rules)}
        self._not_kyodo = frozenset(
            i for i, rule in enumerate(rules) if rule.then.verdict == "not_kyodo"
        )
        self._overrides = {
            i: frozenset(index[t] for t in rule.overrides if t in index)
            for i, rule in enumerate(rules)
            if rule.overrides
        }
        #: (literal, field) -> share of the field's answers that make the literal false.
        self._false_share: dict[tuple[Literal_, str], float] = {}

    def blocking(self, definite: frozenset[int], undecided: frozenset[int]) -> list[int]:
        """Open rules that keep the verdict open: a disqualifier not yet ruled out, or an
        exception that could still set aside a rule that holds."""
        return [
            i
            for i in sorted(undecided)
            if i in self._not_kyodo or self._overrides.get(i, frozenset()) & definite
        ]

    def needs(self, facts: Mapping[str, Any], fields: Iterable[str]) -> dict[str, float]:
        """For each field, how likely the verdict needs its answer (0 when no open rule
        standing in the way reads it)."""
        _decision, definite, undecided = self.bound.assess(facts, "python")
        flat = flatten(facts)
        rules = self.bound.ruleset.rules
        blocking = self.blocking(definite, undecided)
        out: dict[str, float] = {}
        for field in fields:
            need = 0.0
            for i in blocking:
                if field in rules[i].fields:
                    need = max(need, 1.0 - self._p_false(rules[i].nnf, facts, flat, field))
            out[field] = need
        return out

    def order(
        self, facts: Mapping[str, Any], deciding: Iterable[str], declared: Mapping[str, int]
    ) -> list[str]:
        """The verdict questions in the order to ask them (see the module's docstring)."""
        fields = list(deciding)
        need = self.needs(facts, fields)
        return sorted(fields, key=lambda f: (need[f] < NEEDED, declared.get(f, len(declared))))

    def _p_false(self, nnf: NNF, facts: Mapping[str, Any], flat: FlatFacts, without: str) -> float:
        """The chance that the facts other than `without` make the condition false."""
        if isinstance(nnf, Literal_):
            field = nnf.atom.field
            if field == without:
                return 0.0
            if facts.get(field) is not None:
                return 0.0 if holds(reading(nnf, False), flat) else 1.0
            return self._share(nnf, field)
        parts = [self._p_false(item, facts, flat, without) for item in nnf.items]
        if isinstance(nnf, NAll):
            stays = 1.0
            for p in parts:
                stays *= 1.0 - p
            return 1.0 - stays
        both = 1.0
        for p in parts:
            both *= p
        return both

    def _share(self, literal: Literal_, field: str) -> float:
        key = (literal, field)
        found = self._false_share.get(key)
        if found is None:
            possible = reading(literal, False)
            values = answers(field)
            found = sum(not holds(possible, flatten({field: v})) for v in values) / len(values)
            self._false_share[key] = found
        return found
