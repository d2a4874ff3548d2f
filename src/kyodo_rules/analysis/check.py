"""`kyodo-rules check`: the rulebase checked like a compiler checks code.

Staff rely on the answer, so a rule that can never fire, two rules that
silently disagree, or facts on which the rulebase says nothing must be found
before a case meets them, each with a *witness*: the facts that show it.

What is a defect (exit 1) and what is a warning (reported, exit 0):

- **invalid file** (defect): a rule, policy or profile file the loader rejects
  (unknown source document, `disable:` of an unknown rule, missing source ...),
  or a wizard file that cannot be read or is absent.
- **never fires** (defect): no input makes the rule definitely true. Decided
  exactly (see "Why exploration is exact" below), so this is also the symbolic
  test of an unsatisfiable condition; the smallest set of conditions that
  contradict each other is shown.
- **never in force** (defect): the rule fires, but every time it does a
  declared exception sets it aside, so it can never be part of an answer.
- **conflict** (defect): two rules in force on the same facts conclude a
  different `zone`, `subsidiarity` or `checklist` (single-valued conclusions;
  the combiner would silently take the first). A declared override between them
  would have set one aside, so being in force together means none was declared.
  `kyodo` against `not_kyodo` is *not* a conflict: the combination policy
  (`_policy.py`) says one definition failure is decisive, and every
  `not_kyodo` rule co-fires with the general `definition-met` rule by design.
- **kyodo rule outvoted** (defect): a `kyodo` rule that never yields a `kyodo`
  answer on any fully-known input, because whenever it is in force some
  `not_kyodo` rule is too. That is the shape of an exception (事例2/3/4) whose
  author forgot `overrides:`; the policy would silently let the failure win.
- **gap** (defect): a fully-known input (every field the rules read is given)
  that still ends `undetermined`: no rule with a verdict is in force.
- **backends disagree** (defect): every explored input is evaluated by the
  Python backend (fast, for the search) and again by durable-rules (the engine
  of `classify()`); the first input on which they differ is the witness.
- **wizard** (defect): a question about a field no rule reads, a field the rules
  read that no question asks, or a question about a field that does not exist.
- **catalogue** (defect): a flag of the catalogue that no rule raises; a
  source cited by a profile (its own, a caution's, a principle's) that is not
  one of the policy's source documents. **No quote** (warning): a rule without
  the sentence of its source that it encodes.

Why exploration is exact, not sampled. A field's values matter to the rules
only through the atoms that read it, so each field gets an *abstract domain*
relative to a set of rules: "unknown", each code a rule names plus one
representative of the codes none names (they are indistinguishable), and for
list fields every subset of the named codes, padded with unnamed codes to
each count the `count_at_*` thresholds tell apart. Every real input behaves
like one point of the product of these domains, so enumerating the product is
a decision procedure. The product over *all* fields is astronomically large,
but each question needs only a cluster of fields:

- whether rule R fires or is in force depends only on the fields of R and of
  the rules that (transitively) override it: evaluated exhaustively over that
  cluster, every other field left unknown (no rule of the cluster reads them);
- whether two rules conflict depends on the union of their two clusters;
- gaps and outvoted `kyodo` rules depend on all verdict rules at once. These
  are searched by a branch-and-prune search over fully-known inputs: fields are
  assigned one at a time, and a partial assignment is evaluated in Kleene's
  three-valued logic, which is monotone (a definitely true rule stays true in
  every completion, a rule that is not possibly true stays false), once
  `unknown:` atoms, which are false on fully-known inputs, are replaced by
  conditions that are never definitely true. A subtree is cut only when that
  reading proves the property impossible in all of its completions (e.g. a
  verdict rule is definitely true and none of its overriders is possibly true),
  so no witness is ever missed.

Budgets bound every enumeration; if one is exhausted the report says so (a
warning `incomplete`), never silently claims completeness. Besides these,
a seeded random sample of whole inputs (with unknowns) over every field
cross-checks conflicts and verdicts with the real combiner.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from kyodo_rules.decision.policy import Combiner, Decision
from kyodo_rules.engines.python import Evaluator, PythonEngine
from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import load_file
from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.loading import Rule, Rulebase, RuleSet, load_rulebase
from kyodo_rules.rulebase.readings import flatten
from kyodo_rules.rulebase.settings import Policy

Severity = Literal["defect", "warning"]
Facts = dict[str, Any]

#: A cluster whose product is larger than this is sampled instead (and said so).
EXHAUSTIVE_LIMIT = 2_000_000
#: Nodes the branch-and-prune search may visit per question before giving up.
SEARCH_LIMIT = 2_000_000
#: Witnesses of one kind reported per profile (the first ones are enough to act on).
MAX_WITNESSES = 5
#: Single-valued conclusions: two rules in force that differ here are a conflict.
SINGLE_VALUED = ("zone", "subsidiarity", "checklist")


@dataclass(frozen=True)
class Defect:
    kind: str
    severity: Severity
    ja: str
    en: str
    where: str = ""
    profile: str | None = None
    rules: tuple[str, ...] = ()
    #: A facts mapping that shows the defect (None where none can exist).
    witness: Facts | None = None
    #: For a rule that never fires: the smallest set of conditions that contradict.
    core: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "where": self.where,
            "profile": self.profile,
            "rules": list(self.rules),
            "ja": self.ja,
            "en": self.en,
            "witness": self.witness,
            "core": self.core,
        }


@dataclass
class Report:
    defects: list[Defect] = field(default_factory=list)
    #: Inputs evaluated by the engine (every point of every enumeration and search).
    inputs: int = 0
    seconds: float = 0.0
    #: Per profile: how its space was explored.
    methods: dict[str, str] = field(default_factory=dict)
    complete: bool = True

    @property
    def clean(self) -> bool:
        return not any(d.severity == "defect" for d in self.defects)

    def as_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "inputs_explored": self.inputs,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
            "methods": self.methods,
            "defects": [d.as_json() for d in self.defects],
        }


# --------------------------------------------------------------------------- domains


def _atoms(c: cond.Condition) -> Iterator[cond.Atom]:
    if isinstance(c, cond.Eq | cond.Unknown | cond.Count):
        yield c
    elif isinstance(c, cond.Not):
        yield from _atoms(c.item)
    else:
        for item in c.items:
            yield from _atoms(item)


def _domain(fld: str, rules: Iterable[Rule], with_unknown: bool = True) -> list[Any]:
    """The abstract domain of `fld` relative to `rules` (see the module docstring)."""
    kind, codes = FIELD_KINDS[fld]
    named: list[Any] = []
    cuts: set[int] = set()
    for rule in rules:
        for atom in _atoms(rule.condition):
            if atom.field != fld:
                continue
            if isinstance(atom, cond.Eq) and atom.value not in named:
                named.append(atom.value)
            elif isinstance(atom, cond.Count):
                cuts.update((atom.n, atom.n + 1) if atom.op == "at_most" else (atom.n - 1, atom.n))
    out: list[Any] = [None] if with_unknown else []
    if kind == "bool":
        return [*out, True, False]
    named = [c for c in codes if c in named]
    unnamed = [c for c in codes if c not in named]
    if kind == "code":
        return out + named + unnamed[:1]
    for size in range(len(named) + 1):
        for subset in itertools.combinations(named, size):
            counts = {size} | {n for n in cuts if size <= n <= size + len(unnamed)}
            for n in sorted(counts):
                chosen = set(subset) | set(unnamed[: n - size])
                out.append([c for c in codes if c in chosen])
    return out


def _product(domains: Mapping[str, Sequence[Any]]) -> int:
    total = 1
    for values in domains.values():
        total *= len(values)
    return total


def _facts(assignment: Mapping[str, Any]) -> Facts:
    return {k: v for k, v in assignment.items() if v is not None}


# --------------------------------------------------------------------------- the explorer


class _Explorer:
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
            [replace(r, condition=_known_only(r.condition)) for r in self.rules]
        )

    # -- evaluation

    def assess(self, facts: Mapping[str, Any]) -> tuple[Decision, frozenset[int]]:
        self.report.inputs += 1
        flat = flatten(facts)
        d, u = self.engine.evaluate(flat)
        if self.other is not None and not self.disagreed:
            theirs = self.other.evaluate(flat)
            if theirs != (d, u):
                self.disagreed = True  # one witness is enough; the rest would repeat it
                differ = sorted(set(d) ^ set(theirs[0]) | set(u) ^ set(theirs[1]))
                self.add(
                    "backends_disagree",
                    "durable-rules と Python の評価が一致しません",
                    "the durable-rules and Python backends disagree",
                    differ[:6],
                    witness=dict(facts),
                )
        return self.combiner.decide(d, u), frozenset(d)

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
        domains = {f: _domain(f, rules, with_unknown) for f in fields}
        size = _product(domains)
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
            facts = _facts(assignment)
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
        domains = {f: _domain(f, rules, with_unknown=False) for f in fields}
        all_fields = self.fields_of(range(len(self.rules)))
        rest = {
            f: _domain(f, self.rules, with_unknown=False)[0] for f in all_fields if f not in domains
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
        domains = {f: _domain(f, self.rules) for f in fields}
        rng = random.Random(5)
        seen = {(d.kind, d.rules) for d in self.report.defects if d.profile == self.profile}
        for _ in range(n):
            facts = _facts({f: rng.choice(domains[f]) for f in fields})
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


def _known_only(c: cond.Condition) -> cond.Condition:
    """`c` with each `unknown: f` made never definitely true (it is false once f is known)."""
    if isinstance(c, cond.Unknown):
        kind, codes = FIELD_KINDS[c.field]
        value: cond.Scalar = True if kind == "bool" else str(codes[0])
        probe = cond.Eq(c.field, value)
        return cond.All((probe, cond.Not(probe)))
    if isinstance(c, cond.Eq | cond.Count):
        return c
    if isinstance(c, cond.Not):
        return cond.Not(_known_only(c.item))
    items = tuple(_known_only(i) for i in c.items)
    return cond.All(items) if isinstance(c, cond.All) else cond.AnyOf(items)


def _satisfiable(condition: cond.Condition, explorer: _Explorer) -> bool:
    rule = replace(explorer.rules[0], condition=condition, overrides=())
    engine = PythonEngine([rule])
    fields = [f for f in FACT_FIELDS if f in rule.fields]
    domains = [_domain(f, [rule]) for f in fields]
    for combo in itertools.product(*domains):
        explorer.report.inputs += 1
        if engine.evaluate(flatten(_facts(dict(zip(fields, combo, strict=True)))))[0]:
            return True
    return False


def _unsat_core(rule: Rule, explorer: _Explorer) -> Any:
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


# --------------------------------------------------------------------------- static checks


def _static(rulebase: Rulebase, report: Report) -> None:
    sources = rulebase.source_files()
    every: dict[str, Rule] = {r.id: r for r in rulebase.rules}
    for profile in rulebase.profiles.values():
        every.update({f"{profile.id}:{r.id}": r for r in profile.rules})
    raised = {code for r in every.values() for code in r.then.flags}
    for code in rulebase.policy.flags:
        if code not in raised:
            report.defects.append(
                Defect(
                    "unused_flag",
                    "defect",
                    f"フラグ {code} はカタログにありますが、どのルールも立てません",
                    f"flag {code} is in the catalogue but no rule raises it",
                    where="policy.yaml",
                )
            )
    for rule in every.values():
        if not rule.quote:
            report.defects.append(
                Defect(
                    "no_quote",
                    "warning",
                    f"{rule.id}: 根拠の引用（quote）がありません",
                    f"{rule.id}: no quote of the source sentence it encodes",
                    where=f"{rule.file}:{rule.line}",
                    profile=rule.profile,
                    rules=(rule.id,),
                )
            )
    for profile in rulebase.profiles.values():
        spec = profile.spec
        cited = [("source", spec.source)] if spec.source else []
        for code, form in spec.forms.items():
            cited += [(f"forms.{code}.cautions", c.source) for c in form.cautions]
        cited += [(f"principles.{k}", p.source) for k, p in spec.principles.items()]
        for where, source in cited:
            doc = source.split(" ", 1)[0]
            if doc not in sources:
                report.defects.append(
                    Defect(
                        "unknown_source",
                        "defect",
                        f"{where}: 出典 {doc} は原典の一覧（policy.yaml sources）にありません",
                        f"{where}: source {doc} is not one of the policy's source documents",
                        where=profile.file,
                        profile=profile.id,
                    )
                )


def _wizard_dir() -> Path:
    """The shipped wizard data: `kyodo_rules/wizard` is also a Python package, so the
    packaged directory exists even in a checkout; only the file tells where the data is."""
    packaged = data_path("wizard")
    if (packaged / "questions.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "wizard"
    return checkout if checkout.is_dir() else packaged


def _wizard_fields(doc: Any) -> list[str] | None:
    """The fields the wizard asks about, read tolerantly (None: no questions found)."""
    questions: list[Any] = []
    if isinstance(doc, list):
        questions = doc
    elif isinstance(doc, dict):
        listed = doc.get("questions")
        if isinstance(listed, list):
            questions = listed
        else:
            for value in doc.values():
                if isinstance(value, list):
                    questions += value
    out: list[str] = []
    found = False
    for q in questions:
        if not isinstance(q, dict) or "field" not in q:
            continue
        found = True
        names = q["field"] if isinstance(q["field"], list) else [q["field"]]
        out += [str(n) for n in names if n is not None]
    return out if found else None


def _wizard(wizard_dir: Path, read: set[str], report: Report) -> None:
    path = wizard_dir / "questions.yaml"
    here = str(path)

    def defect(kind: str, ja: str, en: str) -> None:
        report.defects.append(Defect(kind, "defect", ja, en, where=here))

    if not path.is_file():
        defect("wizard", "質問ファイルがありません", "no wizard questions file")
        return
    try:
        doc = load_file(path, here)
    except InputError as exc:
        defect("invalid_file", f"読み込めません: {exc}", f"cannot be read: {exc}")
        return
    asked = _wizard_fields(doc)
    if asked is None:
        defect("wizard", "質問（field: を持つ項目）が見つかりません", "no questions with a field:")
        return
    for name in dict.fromkeys(asked):
        if name not in FIELD_KINDS and name != "title":
            defect(
                "wizard",
                f"存在しない項目 {name!r} を尋ねています",
                f"a question asks about {name!r}, which is not a field of a case",
            )
        elif name in FIELD_KINDS and name not in read:
            defect(
                "wizard",
                f"どのルールも読まない項目 {name} を尋ねています",
                f"a question asks about {name}, which no rule reads",
            )
    never = [name for name in FACT_FIELDS if name in read and name not in asked]
    if never:
        defect(
            "wizard",
            f"ルールが読む項目をウィザードが尋ねません: {', '.join(never)}",
            f"the rules read fields that no wizard question asks: {', '.join(never)}",
        )


# --------------------------------------------------------------------------- entry points


def explore(
    ruleset: RuleSet,
    policy: Policy,
    *,
    budget: int = EXHAUSTIVE_LIMIT,
    sample: int = 20_000,
    report: Report | None = None,
    differential: bool | Callable[[Sequence[Rule]], Evaluator] = True,
) -> Report:
    """Every exploration check of one profile's rule set (`budget` bounds each search).

    With `differential` (the default), every explored input is also evaluated
    by durable-rules (or by the given backend factory), and the first input on
    which it and the Python backend disagree is reported as a defect.
    """
    report = report if report is not None else Report()
    start = time.perf_counter()
    other: Evaluator | None = None
    if callable(differential):
        other = differential(ruleset.rules)
    elif differential:
        from kyodo_rules.engines.durable import DurableEngine

        other = DurableEngine(ruleset.rules)
    explorer = _Explorer(ruleset, policy, report, budget, other)
    before = report.inputs
    explorer.check_rules()
    explorer.check_conflicts()
    explorer.check_gaps()
    explorer.check_outvoted()
    explorer.check_sample(min(sample, budget))
    report.methods[ruleset.profile.id] = (
        f"{len(ruleset.rules)} rules, {len(ruleset.fields_read)} fields: exact per-rule and "
        f"per-pair clusters, branch-and-prune over fully-known inputs, "
        f"{min(sample, budget):,} random inputs; {report.inputs - before:,} inputs"
        + ("; each also through a second backend" if other is not None else "")
    )
    report.seconds += time.perf_counter() - start
    return report


def check(
    rules_dir: Path | str | None = None,
    wizard_dir: Path | str | None = None,
    *,
    budget: int = EXHAUSTIVE_LIMIT,
    sample: int = 20_000,
    differential: bool = True,
) -> Report:
    """Validate and explore a rulebase; the report lists each defect with its witness."""
    start = time.perf_counter()
    report = Report()
    try:
        rulebase = load_rulebase(rules_dir)
    except RuleError as exc:
        for line in str(exc).splitlines():
            report.defects.append(
                Defect(
                    "invalid_file",
                    "defect",
                    f"読み込めません: {line}",
                    f"invalid: {line}",
                    where=line.split(": ", 1)[0],
                )
            )
        report.seconds = time.perf_counter() - start
        return report
    _static(rulebase, report)
    read: set[str] = set()
    for name in sorted(rulebase.profiles, key=lambda p: (p != "generic", p)):
        ruleset = rulebase.ruleset(name)
        read |= ruleset.fields_read
        explore(
            ruleset,
            rulebase.policy,
            budget=budget,
            sample=sample,
            report=report,
            differential=differential,
        )
    _wizard(Path(wizard_dir) if wizard_dir is not None else _wizard_dir(), read, report)
    report.defects = _dedupe(report.defects)
    report.seconds = time.perf_counter() - start
    return report


def _dedupe(defects: list[Defect]) -> list[Defect]:
    """A shipped rule's defect shows in every profile that keeps it: say it once."""
    out: list[Defect] = []
    seen: dict[tuple[Any, ...], Defect] = {}
    for d in defects:
        key = (d.kind, d.rules, d.en)
        if key in seen and d.kind not in ("gap", "incomplete"):
            continue
        seen[key] = d
        out.append(d)
    return out
