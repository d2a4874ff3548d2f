"""The explorer: one profile's rule set, its engines, and the searches over its inputs.

The checks themselves (`rule_checks`) ask it questions: the first input over
some rules' fields on which a test holds, a branch-and-prune search over
fully-known inputs, a witness made minimal. Every input it evaluates is
counted, and also put to a second backend that must agree.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from kyodo_rules.analysis.domains import domain, known, known_only, product
from kyodo_rules.analysis.findings import Defect, Facts, Report
from kyodo_rules.decision.decisions import Decision
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.engines.python import Evaluator, PythonEngine
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.loading import RuleSet
from kyodo_rules.rulebase.readings import FlatFacts, flatten
from kyodo_rules.rulebase.settings import Policy

Statuses = tuple[tuple[int, ...], tuple[int, ...]]

#: A cluster whose product is larger than this is sampled instead (and said so).
EXHAUSTIVE_LIMIT = 2_000_000
#: Nodes the branch-and-prune search may visit per question before giving up.
SEARCH_LIMIT = 2_000_000
#: Witnesses of one kind reported per profile (the first ones are enough to act on).
MAX_WITNESSES = 5
#: Inputs put to the second backend at once, and decisions remembered by rule statuses.
DIFFERENTIAL_BATCH = 500
DECISIONS_KEPT = 50_000
#: Distinct inputs whose rule statuses are remembered (and that the second backend has
#: had): the checks meet the same inputs again and again (a quarter of them are repeats).
INPUTS_KEPT = 200_000
#: Single-valued conclusions: two rules in force that differ here are a conflict.
SINGLE_VALUED = ("zone", "subsidiarity", "checklist")


class Explorer:
    """One profile's rule set, its engines, and the searches over its input space."""

    def __init__(
        self,
        ruleset: RuleSet,
        policy: Policy,
        report: Report,
        budget: int,
        other: Evaluator | None = None,
    ) -> None:
        self.ruleset = ruleset
        #: A second backend that must agree with the first on every explored input.
        self.other = other
        self.disagreed = False
        self._pending: list[tuple[FlatFacts, Statuses, Mapping[str, Any]]] = []
        self._decisions: dict[Statuses, Decision] = {}
        #: Rule statuses by flat input (`flatten` lists the same keys in the same order,
        #: so its values are the input). An input met again is neither evaluated nor put
        #: to the second backend again: both are functions of the input alone.
        self._statuses: dict[tuple[str | int, ...], Statuses] = {}
        self.rules = ruleset.rules
        self.profile = ruleset.profile.id
        self.report = report
        self.budget = budget
        self.engine = PythonEngine(self.rules)
        self.combiner = Combiner(ruleset, policy)
        index = {r.id: i for i, r in enumerate(self.rules)}
        direct: dict[int, set[int]] = {i: set() for i in range(len(self.rules))}
        for j, rule in enumerate(self.rules):
            for target in rule.overrides:
                if target in index:
                    direct[index[target]].add(j)
        self.overriders: dict[int, frozenset[int]] = {}
        for i in direct:
            seen: set[int] = set()
            todo = list(direct[i])
            while todo:
                j = todo.pop()
                if j not in seen:
                    seen.add(j)
                    todo.extend(direct[j])
            self.overriders[i] = frozenset(seen)
        # The fully-known reading used to prune searches (see the module docstring).
        self.known_engine = PythonEngine(
            [replace(r, condition=known_only(r.condition)) for r in self.rules]
        )

    # -- evaluation

    def assess(self, facts: Mapping[str, Any]) -> tuple[Decision, frozenset[int]]:
        self.report.inputs += 1
        flat = flatten(facts)
        key = tuple(flat.values())
        statuses = self._statuses.get(key)
        if statuses is None:
            statuses = self.engine.evaluate(flat)
            if len(self._statuses) >= INPUTS_KEPT:
                self._statuses.clear()  # forgetting only costs a second evaluation
            self._statuses[key] = statuses
            if self.other is not None and not self.disagreed:
                # Put to the second backend in batches (durable-rules answers a batch of
                # facts in one session for about half the cost of one session each).
                self._pending.append((flat, statuses, facts))
                if len(self._pending) >= DIFFERENTIAL_BATCH:
                    self.settle()
        decision = self._decisions.get(statuses)
        if decision is None:
            # Explored inputs repeat the same rule statuses again and again.
            decision = self.combiner.decide(*statuses)
            if len(self._decisions) >= DECISIONS_KEPT:
                self._decisions.clear()
            self._decisions[statuses] = decision
        return decision, frozenset(statuses[0])

    def settle(self) -> None:
        """Compare the inputs not yet put to the second backend; the first that differs
        is the witness (one is enough; the rest would repeat it)."""
        pending, self._pending = self._pending, []
        if self.other is None or self.disagreed or not pending:
            return
        flats = [flat for flat, _, _ in pending]
        many = getattr(self.other, "evaluate_many", None)
        answers = many(flats) if many is not None else [self.other.evaluate(f) for f in flats]
        for (_, (d, u), facts), theirs in zip(pending, answers, strict=True):
            if theirs != (d, u):
                self.disagreed = True
                differ = sorted(set(d) ^ set(theirs[0]) | set(u) ^ set(theirs[1]))
                self.add(
                    "backends_disagree",
                    "durable-rules と Python の評価が一致しません",
                    "the durable-rules and Python backends disagree",
                    differ[:6],
                    witness=dict(facts),
                )
                return

    def in_force(self, decision: Decision, definite: frozenset[int]) -> set[int]:
        return {i for i in definite if i not in decision.overridden}

    def cluster(self, indices: Iterable[int]) -> list[int]:
        out: set[int] = set()
        for i in indices:
            out |= {i} | self.overriders[i]
        return sorted(out)

    def fields_of(self, indices: Iterable[int]) -> list[str]:
        read: set[str] = set()
        for i in indices:
            read |= self.rules[i].fields
        return [f for f in FACT_FIELDS if f in read]

    def enumerate(
        self, indices: Sequence[int], with_unknown: bool = True
    ) -> tuple[Iterator[Facts], bool]:
        """Every abstract input over the fields of these rules (or a sample if too many)."""
        rules = [self.rules[i] for i in indices]
        fields = self.fields_of(indices)
        domains = {f: domain(f, rules, with_unknown) for f in fields}
        size = product(domains)
        if size <= min(EXHAUSTIVE_LIMIT, self.budget):
            combos = itertools.product(*domains.values())
            return (dict(zip(fields, combo, strict=True)) for combo in combos), True
        rng = random.Random(0)
        sample = (
            {f: rng.choice(domains[f]) for f in fields} for _ in range(min(size, self.budget))
        )
        return sample, False

    def first(
        self, indices: Sequence[int], test: Callable[[Decision, frozenset[int]], bool]
    ) -> tuple[Facts | None, bool]:
        """The first input over these rules' fields on which `test` holds."""
        inputs, exact = self.enumerate(indices)
        for assignment in inputs:
            facts = known(assignment)
            decision, definite = self.assess(facts)
            if test(decision, definite):
                return self.minimise(facts, test), exact
        if not exact:
            self.incomplete("enumeration", indices)
        return None, exact

    def minimise(self, facts: Facts, test: Callable[[Decision, frozenset[int]], bool]) -> Facts:
        """Drop every fact the witness does not need (a fact left out means unknown)."""
        out = dict(facts)
        for key in list(out):
            trial = {k: v for k, v in out.items() if k != key}
            if test(*self.assess(trial)):
                out = trial
        return out

    def incomplete(self, what: str, indices: Iterable[int]) -> None:
        self.report.complete = False
        ids = tuple(self.rules[i].id for i in indices)
        self.report.defects.append(
            Defect(
                "incomplete",
                "warning",
                f"{what}の上限に達したため、一部は標本検査です",
                f"{what} budget exhausted: part of the space was sampled, not exhausted",
                profile=self.profile,
                rules=ids[:6],
            )
        )

    def add(self, kind: str, ja: str, en: str, rules: Sequence[int], **kw: Any) -> None:
        first = self.rules[rules[0]] if rules else None
        self.report.defects.append(
            Defect(
                kind,
                kw.pop("severity", "defect"),
                ja,
                en,
                where=f"{first.file}:{first.line}" if first else "",
                profile=self.profile,
                rules=tuple(self.rules[i].id for i in rules),
                **kw,
            )
        )

    # -- the checks

    def verdict_rules(self) -> list[int]:
        return [i for i, r in enumerate(self.rules) if r.then.verdict is not None]

    def search(
        self,
        relevant: Sequence[int],
        prune: Callable[[set[int], set[int]], bool],
        accept: Callable[[Decision, frozenset[int]], bool],
        wanted: int = MAX_WITNESSES,
    ) -> tuple[list[Facts], bool]:
        """Branch and prune over fully-known inputs (see the module docstring)."""
        rules = [self.rules[i] for i in relevant]
        fields = self.fields_of(relevant)
        domains = {f: domain(f, rules, with_unknown=False) for f in fields}
        all_fields = self.fields_of(range(len(self.rules)))
        rest = {
            f: domain(f, self.rules, with_unknown=False)[0] for f in all_fields if f not in domains
        }
        relevant_set = set(relevant)
        found: list[Facts] = []
        nodes = 0
        exhausted = False

        def visit(assignment: Facts) -> bool:
            """False to stop: enough witnesses, or the budget is spent."""
            nonlocal nodes, exhausted
            nodes += 1
            self.report.inputs += 1
            if nodes > min(self.budget, SEARCH_LIMIT):
                exhausted = True
                return False
            d, u = self.known_engine.evaluate(flatten(assignment))
            definite = set(d) & relevant_set
            undecided = set(u) & relevant_set
            if prune(definite, undecided):
                return True
            open_fields = [
                f
                for f in fields
                if f not in assignment and any(f in self.rules[i].fields for i in undecided)
            ]
            if not open_fields:
                leaf = dict(assignment)
                for f in fields:
                    leaf.setdefault(f, domains[f][0])
                leaf.update({f: v for f, v in rest.items() if f not in leaf})
                if accept(*self.assess(leaf)):
                    found.append(leaf)
                return len(found) < wanted
            best = max(
                open_fields,
                key=lambda f: (
                    sum(f in self.rules[i].fields for i in undecided),
                    -len(domains[f]),
                ),
            )
            return all(visit({**assignment, best: value}) for value in domains[best])

        visit({})
        if exhausted:
            self.incomplete("search", relevant)
        return found, not exhausted

    def surely_in_force(self, i: int, definite: set[int], undecided: set[int]) -> bool:
        return i in definite and not (self.overriders[i] & (definite | undecided))
