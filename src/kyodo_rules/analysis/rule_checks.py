"""The exploration checks of the 協働 rules: never fires, never in force, conflicts,
gaps, outvoted `kyodo` rules, and a random cross-check (see `kyodo_rules.analysis.check`)."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from typing import Any

from kyodo_rules.analysis.domains import domain, known
from kyodo_rules.analysis.explorer import SINGLE_VALUED, Explorer
from kyodo_rules.decision.decisions import Decision
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.loading import Rule
from kyodo_rules.rulebase.readings import flatten


class RuleChecks(Explorer):
    """Each check asks the explorer for witnesses and records what it finds."""

    def check_rules(self) -> None:
        for i, rule in enumerate(self.rules):

            def fires(_decision: Decision, definite: frozenset[int], i: int = i) -> bool:
                return i in definite

            fired, _ = self.first([i], fires)
            if fired is None:
                self.add(
                    "never_fires",
                    f"{rule.id}: どんな事実でも成り立たない条件です（発火しないルール）",
                    f"{rule.id}: its condition holds on no facts at all (the rule can never fire)",
                    [i],
                    core=_unsat_core(rule, self),
                )
                continue
            if not self.overriders[i]:
                continue
            cluster = self.cluster([i])

            def alive(decision: Decision, definite: frozenset[int], i: int = i) -> bool:
                return i in definite and i not in decision.overridden

            if self.first(cluster, alive)[0] is None:
                decision, _ = self.assess(fired)
                by = self.rules[decision.overridden.get(i, next(iter(self.overriders[i])))].id
                self.add(
                    "never_in_force",
                    f"{rule.id}: 成り立つときは必ず例外（{by} など）に退けられ、答えに使われません",
                    f"{rule.id}: whenever it fires an exception ({by}, ...) sets it aside",
                    [i],
                    witness=fired,
                )

    def check_conflicts(self) -> None:
        for what in SINGLE_VALUED:
            valued = [
                (i, getattr(r.then, what))
                for i, r in enumerate(self.rules)
                if getattr(r.then, what) is not None
            ]
            for (a, va), (b, vb) in itertools.combinations(valued, 2):
                if va == vb:
                    continue

                def both(
                    decision: Decision, definite: frozenset[int], a: int = a, b: int = b
                ) -> bool:
                    force = self.in_force(decision, definite)
                    return a in force and b in force

                witness, _ = self.first(self.cluster([a, b]), both)
                if witness is not None:
                    ra, rb = self.rules[a], self.rules[b]
                    self.add(
                        "conflict",
                        f"{ra.id} と {rb.id} が同じ事実で異なる {what}（{va} / {vb}）を結論し、"
                        "優先関係（overrides）がありません",
                        f"{ra.id} and {rb.id} conclude different {what} ({va} / {vb}) on the same "
                        "facts, with no override declared between them",
                        [a, b],
                        witness=witness,
                    )

    def check_gaps(self) -> None:
        verdicts = self.verdict_rules()
        relevant = self.cluster(verdicts)

        def prune(definite: set[int], undecided: set[int]) -> bool:
            return any(self.surely_in_force(i, definite, undecided) for i in verdicts)

        def gap(decision: Decision, _definite: frozenset[int]) -> bool:
            return decision.verdict == "undetermined"

        for witness in self.search(relevant, prune, gap)[0]:
            self.add(
                "gap",
                "すべての事実が分かっているのに判定できません（どの判定ルールも成り立たない）",
                "every fact the rules read is known, yet the answer is undetermined "
                "(no rule with a verdict is in force)",
                [],
                witness=witness,
            )

    def check_outvoted(self) -> None:
        verdicts = self.verdict_rules()
        relevant = self.cluster(verdicts)
        against = [i for i in verdicts if self.rules[i].then.verdict == "not_kyodo"]
        for k in verdicts:
            if self.rules[k].then.verdict != "kyodo":
                continue

            def prune(definite: set[int], undecided: set[int], k: int = k) -> bool:
                if k not in definite and k not in undecided:
                    return True
                return any(self.surely_in_force(i, definite, undecided) for i in against)

            def wins(decision: Decision, definite: frozenset[int], k: int = k) -> bool:
                return decision.verdict == "kyodo" and k in self.in_force(decision, definite)

            found, complete = self.search(relevant, prune, wins, wanted=1)
            if found or not complete:
                continue

            def holds(definite: set[int], undecided: set[int], k: int = k) -> bool:
                return k not in definite and k not in undecided

            def beaten(decision: Decision, definite: frozenset[int], k: int = k) -> bool:
                force = self.in_force(decision, definite)
                return k in force and any(i in force for i in against)

            leaves, _ = self.search(relevant, holds, beaten, wanted=1)
            fired = self.minimise(leaves[0], beaten) if leaves else None
            who = ""
            if fired is not None:
                decision, definite = self.assess(fired)
                force = self.in_force(decision, definite)
                who = ", ".join(sorted(self.rules[i].id for i in force if i in against))
            self.add(
                "kyodo_outvoted",
                f"{self.rules[k].id}: 協働とするルールですが、成り立つときは必ず協働でないとする"
                f"ルール（{who}）も成り立ち、結論になりません（overrides の書き忘れ？）",
                f"{self.rules[k].id}: a kyodo rule that never decides a case: whenever it holds a "
                f"not_kyodo rule ({who}) holds too (a missing overrides:?)",
                [k],
                witness=fired,
            )

    def check_sample(self, n: int) -> None:
        """Random whole inputs, with unknowns, through the real combiner: a cross-check."""
        fields = self.fields_of(range(len(self.rules)))
        domains = {f: domain(f, self.rules) for f in fields}
        rng = random.Random(5)
        seen = {(d.kind, d.rules) for d in self.report.defects if d.profile == self.profile}
        table = [(f, domains[f], len(domains[f])) for f in fields]
        pick = rng.random
        for _ in range(n):
            facts = known({f: values[int(pick() * size)] for f, values, size in table})
            decision, definite = self.assess(facts)
            force = sorted(self.in_force(decision, definite))
            for what in SINGLE_VALUED:
                valued = [(i, getattr(self.rules[i].then, what)) for i in force]
                valued = [(i, v) for i, v in valued if v is not None]
                for (a, va), (b, vb) in itertools.combinations(valued, 2):
                    key = ("conflict", (self.rules[a].id, self.rules[b].id))
                    if va != vb and key not in seen:
                        seen.add(key)
                        self.add(
                            "conflict",
                            f"{self.rules[a].id} と {self.rules[b].id} が異なる {what} を結論"
                            "します",
                            f"{self.rules[a].id} and {self.rules[b].id} conclude different {what}",
                            [a, b],
                            witness=facts,
                        )


def _satisfiable(condition: cond.Condition, explorer: Explorer) -> bool:
    rule = replace(explorer.rules[0], condition=condition, overrides=())
    engine = PythonEngine([rule])
    fields = [f for f in FACT_FIELDS if f in rule.fields]
    domains = [domain(f, [rule]) for f in fields]
    for combo in itertools.product(*domains):
        explorer.report.inputs += 1
        if engine.evaluate(flatten(known(dict(zip(fields, combo, strict=True)))))[0]:
            return True
    return False


def _unsat_core(rule: Rule, explorer: Explorer) -> Any:
    """The fewest top-level conditions of `rule` that already contradict each other."""
    parts = list(rule.condition.items) if isinstance(rule.condition, cond.All) else []
    if len(parts) < 2:
        return cond.to_data(rule.condition)
    core = list(parts)
    for part in parts:
        trial = [p for p in core if p is not part]
        if trial and not _satisfiable(cond.All(tuple(trial)), explorer):
            core = trial
    return [cond.to_data(p) for p in core]
