"""Condition coverage: every condition of every rule pinned by a library case.

The rulebase's analogue of MC/DC. A rule's `when` is a set of conditions; the
case library pins a condition when some case's answer, as the case states it,
changes as soon as that condition alone is edited. Each condition gets the
single edits a careless rule author (or a mutation tool) would make, its
*mutants*:

- a conjunct (a key of a mapping, an item of `all:`): **dropped**, and
  **flipped** (negated: `roles_shared: true` → `false`, `actors: city` →
  `not: {actors: city}`, `unknown:` ↔ `known:`, a `not:` removed);
- an alternative of `any:`: dropped and flipped;
- a code in a list (`activity: [a, b, c]`, `in:`, `not_in:`): dropped;
- a count (`count_at_most: n`, `count_at_least: n`): n − 1 and n + 1;
- a form weight (`forms: {commission: 3}`): one less (at 1: the form is no
  longer recommended by the rule) and one more: the weights decide the order
  of the forms;
- an exception (`overrides:`): each rule it sets aside, no longer set aside.

A condition is **pinned** when each of its mutants is *detected*: some library
case run on the rulebase with that one edit no longer passes, "passes" being
what `kyodo-rules test` checks (`case_library.mismatches`) of the answer to the
case's own facts. What counts is every key the case states of that answer: the
verdict, the answer shown and its status, category, zone, subsidiarity, the
forms in order (the provisional answer's too) and their labels, flags,
required documents, principles, the checklist, what a provisional answer
presumes (in order, and which form's sentence states it), and the rules the
case says are, or are not, in the trace or set aside by an exception. A key
the case does not state counts for nothing. Not counted: the open questions,
the first question and the what-if (`missing_facts`, `first_question`,
`would_be_kyodo_if`), which put *other* answers to the rules; they pin the
code that ranks and searches (and tests/test_reasoning*.py pin it too). Nor
does the generated-docs snapshot (`tests/test_docs.py`), which fails on any
edit, whether it matters or not.

How it stays fast (two seconds for the whole library). A mutant changes one
rule, so a case's answer can change only if that rule's status on the case
(definitely true, undecided, false) changes, or, for a weight or an
exception, only if the rule holds on the case. Each mutant's condition is
compiled on its own and read on every case; only the cases where it moves are
answered again, the statuses of the other rules kept (the same rules on the
same facts), through the same combiner and result builder as `classify()`
(on the Python backend's statuses: the library's own tests hold it to
durable-rules' answers). The first case that detects a mutant ends its search.

A condition no case can pin, because no input at all tells the mutant apart,
is *equivalent*: it is named in `rules/coverage/equivalent.yaml` with the
reason, and the report counts it apart. A declared equivalence that a case
detects after all, or that names no condition of the rules, is a defect.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kyodo_rules.analysis.findings import Defect, Report, unreadable
from kyodo_rules.decision.bound import Bound
from kyodo_rules.decision.classify import Classifier
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.decision.result import Answer, build_result
from kyodo_rules.decision.whatif import WhatIf
from kyodo_rules.engines.python import compile_rules
from kyodo_rules.files.yaml import Located, load_file
from kyodo_rules.model.errors import KyodoError, RuleError
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.case_library import LibraryCase, load_cases, mismatches
from kyodo_rules.rulebase.loading import Rule, Rulebase, RuleSet
from kyodo_rules.rulebase.readings import FlatFacts, flatten
from kyodo_rules.rulebase.schema import explain

MutantKind = Literal["drop", "flip", "count-1", "count+1", "weight-1", "weight+1", "no-override"]
#: Where the declared equivalences live, under the rules directory.
EQUIVALENT_FILE = Path("coverage") / "equivalent.yaml"


@dataclass(frozen=True)
class Mutant:
    """One edit of one rule: a condition of its `when` (the whole `when` after
    the edit), a form weight, or an exception dropped."""

    kind: MutantKind
    #: the mutated `when` (a parsed condition), for a condition's edits
    condition: cond.Condition | None = None
    #: the mutated conclusion or exceptions, for a weight's or an override's
    rule_changes: Mapping[str, Any] = field(default_factory=dict)
    #: the rule whose exception is dropped (its status decides who is affected)
    target: str | None = None


@dataclass(frozen=True)
class Item:
    """A condition (or form weight, or exception) of a rule, with its mutants."""

    rule: str
    file: str
    line: int
    #: the condition as written, e.g. `roles_shared: true`, `activity: festival`
    text: str
    #: `when` (a condition), `forms` (a weight) or `overrides` (an exception)
    part: str
    mutants: tuple[Mutant, ...]

    @property
    def key(self) -> str:
        """How `equivalent.yaml` names it: rule id, part and text."""
        return f"{self.rule} {self.part} {self.text}"


@dataclass
class Outcome:
    item: Item
    #: each mutant's kind, with the id of the first case that detects it (None: none does)
    detected_by: tuple[tuple[MutantKind, str | None], ...]
    #: the reason the surviving mutants are equivalent, when `equivalent.yaml` gives one
    equivalent: str | None = None

    @property
    def pinned(self) -> bool:
        return all(case is not None for _, case in self.detected_by)

    @property
    def surviving(self) -> tuple[MutantKind, ...]:
        return tuple(kind for kind, case in self.detected_by if case is None)

    @property
    def caught(self) -> dict[str, str]:
        return {kind: case for kind, case in self.detected_by if case is not None}


@dataclass
class Coverage:
    """The condition coverage of one rule set (shared by the profiles that have it)."""

    profiles: tuple[str, ...]
    cases: int
    outcomes: list[Outcome]
    #: library cases that do not pass on the rules as they are (they pin nothing)
    failing: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def pinned(self) -> int:
        return sum(o.pinned for o in self.outcomes)

    @property
    def equivalent(self) -> int:
        return sum(not o.pinned and o.equivalent is not None for o in self.outcomes)

    @property
    def unpinned(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.pinned and o.equivalent is None]

    @property
    def mutants(self) -> tuple[int, int]:
        """(detected, all) mutants."""
        every = [case for o in self.outcomes for _, case in o.detected_by]
        return sum(case is not None for case in every), len(every)

    @property
    def share(self) -> float:
        """Pinned or equivalent, in per cent of all conditions."""
        return 100.0 * (self.pinned + self.equivalent) / self.total if self.total else 100.0

    def summary_ja(self) -> str:
        detected, every = self.mutants
        return (
            f"条件網羅 [{', '.join(self.profiles)}]: 条件 {self.total} 件のうち {self.pinned} 件を"
            f"事例 {self.cases} 件が押さえています（同値 {self.equivalent} 件、未網羅 "
            f"{len(self.unpinned)} 件、{self.share:.1f} %）; "
            f"編集 {every} 件のうち {detected} 件を検出"
        )

    def summary(self) -> str:
        share = self.share
        detected, every = self.mutants
        return (
            f"condition coverage [{', '.join(self.profiles)}]: {self.pinned} of {self.total} "
            f"conditions pinned by {self.cases} library cases, {self.equivalent} equivalent, "
            f"{len(self.unpinned)} not pinned ({share:.1f} %); "
            f"{detected} of {every} mutants detected"
        )


# --- the conditions of a rule and their mutants, read from the rule file ----------------


def _render(value: Any) -> str:
    """A condition's data in one line, as a rule author writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)


def _plain(value: Any) -> Any:
    """YAML data without the line bookkeeping (the mutated copies are plain)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


#: A mutated `when`: the data, or TRUE where every condition of a mapping is gone.
TRUE: Any = object()
Rebuild = Callable[[Any], Any]


def _flip_pair(key: str, value: Any) -> Any:
    """The negation of one `key: value` conjunct, as data."""
    if key == "not":
        return value
    if key == "unknown":
        return {"known": value}
    if key == "known":
        return {"unknown": value}
    if isinstance(value, bool):
        return {key: not value}
    return {"not": {key: value}}


def _without(mapping: Mapping[str, Any], key: str, put: Any = None) -> Any:
    """`mapping` with `key` removed (and `put`, a condition's data, added to it)."""
    rest = [{k: v} for k, v in mapping.items() if k != key]
    if put is not None:
        rest.append(put)
    if not rest:
        return TRUE
    return rest[0] if len(rest) == 1 else {"all": rest}


@dataclass(frozen=True)
class _Edit:
    path: str
    line: int
    text: str
    kind: MutantKind
    when: Any


def _edits(node: Any, rebuild: Rebuild, line: int, path: str) -> Iterator[_Edit]:
    """Every single edit of the conditions of `node` (a mapping: a conjunction)."""
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        at = node.line_of(key) if isinstance(node, Located) else line
        here = f"{path}.{key}"
        text = f"{key}: {_render(value)}"
        yield _Edit(here, at, text, "drop", rebuild(_without(node, key)))
        yield _Edit(here, at, text, "flip", rebuild(_without(node, key, _flip_pair(key, value))))
        yield from _inside(node, key, value, rebuild, at, here)


def _replace(node: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {k: (value if k == key else v) for k, v in node.items()}


def _inside(
    node: Mapping[str, Any], key: str, value: Any, rebuild: Rebuild, line: int, path: str
) -> Iterator[_Edit]:
    """The edits inside one conjunct's value: alternatives, nested conjuncts, codes, counts."""

    def put(new: Any) -> Any:
        return rebuild(_replace(node, key, new))

    if key in ("any", "all") and isinstance(value, list):
        yield from _items(node, key, value, rebuild, line, path)
    elif key == "not" and isinstance(value, Mapping):
        if len(value) == 1:
            ((inner, inner_value),) = value.items()
            yield from _inside(value, inner, inner_value, put, line, f"{path}.{inner}")
        else:
            yield from _edits(value, put, line, path)
    elif isinstance(value, list) and len(value) > 1:
        for n, code in enumerate(value):
            text = f"{key}: {_render(code)}"
            yield _Edit(f"{path}[{n}]", line, text, "drop", put(value[:n] + value[n + 1 :]))
    elif isinstance(value, Mapping) and len(value) == 1:
        ((op, arg),) = value.items()
        if op in ("in", "not_in") and isinstance(arg, list) and len(arg) > 1:
            for n, code in enumerate(arg):
                text = f"{key}: {{{op}: {_render(code)}}}"
                edited = {op: arg[:n] + arg[n + 1 :]}
                yield _Edit(f"{path}.{op}[{n}]", line, text, "drop", put(edited))
        elif op in ("count_at_most", "count_at_least") and isinstance(arg, int):
            text = f"{key}: {{{op}: {arg}}}"
            if arg > 0:
                yield _Edit(path, line, text, "count-1", put({op: arg - 1}))
            yield _Edit(path, line, text, "count+1", put({op: arg + 1}))


def _items(
    node: Mapping[str, Any], key: str, value: list[Any], rebuild: Rebuild, line: int, path: str
) -> Iterator[_Edit]:
    """The edits of the items of `any:` (alternatives) or `all:` (conjuncts)."""

    def put(new: Any) -> Any:
        return rebuild(_replace(node, key, new))

    for n, item in enumerate(value):
        here = f"{path}[{n}]"
        at = item.line if isinstance(item, Located) else line
        rest = value[:n] + value[n + 1 :]

        def put_item(new: Any, n: int = n) -> Any:
            if new is TRUE:
                # No condition left in the item: an `all` without it, an `any` always true.
                if key == "all" and len(value) > 1:
                    return put(value[:n] + value[n + 1 :])
                return rebuild(_without(node, key))
            return put([*value[:n], new, *value[n + 1 :]])

        single = isinstance(item, Mapping) and len(item) == 1
        if key == "any" or not single:
            # (a one-key conjunct of `all` is that key's own condition: see `_edits`)
            text = _render(item)[1:-1] if single else _render(item)
            if rest:
                yield _Edit(here, at, text, "drop", put(rest))
            yield _Edit(here, at, text, "flip", put_item({"not": item}))
        if not isinstance(item, Mapping):
            continue
        if single and key == "any":
            ((inner, inner_value),) = item.items()
            yield from _inside(item, inner, inner_value, put_item, at, f"{here}.{inner}")
        else:
            yield from _edits(item, put_item, at, here)


def _parsed(when: Any) -> cond.Condition | None:
    if when is TRUE:
        return cond.All(())
    try:
        return cond.parse(_plain(when))
    except cond.ConditionSyntaxError:
        return None


def _raw_rules(rulebase: Rulebase) -> dict[tuple[str, str], Any]:
    """(file, rule id) -> the rule's data as loaded, with its lines."""
    out: dict[tuple[str, str], Any] = {}
    files = {r.file for r in rulebase.rules}
    files |= {p.file for p in rulebase.profiles.values()}
    for name in sorted(files):
        path = rulebase.root.parent / name
        if not path.is_file():
            path = rulebase.root / Path(name).name
        try:
            doc = load_file(path, name)
        except KyodoError:
            continue
        items = doc.get("rules") if isinstance(doc, Mapping) else None
        for raw in items if isinstance(items, list) else ():
            if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
                out[(name, raw["id"])] = raw
    return out


def items_of(rule: Rule, raw: Any) -> list[Item]:
    """The conditions, form weights and exceptions of one rule, each with its mutants."""
    out: list[Item] = []
    when = raw.get("when") if isinstance(raw, Mapping) else None
    line = raw.line_of("when") if isinstance(raw, Located) else rule.line
    found: dict[tuple[int, str], list[Mutant]] = {}
    if isinstance(when, list):
        when = {"all": when}
    if isinstance(when, Mapping):
        seen = {rule.condition}
        for edit in _edits(when, lambda new: new, line, "when"):
            parsed = _parsed(edit.when)
            if parsed is None or parsed in seen:
                continue  # not a condition, or no edit at all, or one already made
            seen.add(parsed)
            found.setdefault((edit.line, edit.text), []).append(Mutant(edit.kind, parsed))
    for (at_line, text), mutants in found.items():
        out.append(Item(rule.id, rule.file, at_line, text, "when", tuple(mutants)))
    then = raw.get("then") if isinstance(raw, Mapping) else None
    forms = then.get("forms") if isinstance(then, Mapping) else None
    at = then.line_of("forms") if isinstance(then, Located) else rule.line
    for code, weight in rule.then.forms.items():
        lower = {k: (w - 1 if k == code else w) for k, w in rule.then.forms.items()}
        higher = {k: (w + 1 if k == code else w) for k, w in rule.then.forms.items()}
        out.append(
            Item(
                rule.id,
                rule.file,
                forms.line_of(code) if isinstance(forms, Located) else at,
                f"{code}: {weight}",
                "forms",
                (
                    Mutant(
                        "weight-1", rule_changes={"forms": {k: w for k, w in lower.items() if w}}
                    ),
                    Mutant("weight+1", rule_changes={"forms": higher}),
                ),
            )
        )
    over_at = raw.line_of("overrides") if isinstance(raw, Located) else rule.line
    for target in rule.overrides:
        out.append(
            Item(
                rule.id,
                rule.file,
                over_at,
                target,
                "overrides",
                (
                    Mutant(
                        "no-override",
                        rule_changes={"overrides": tuple(t for t in rule.overrides if t != target)},
                        target=target,
                    ),
                ),
            )
        )
    return out


# --- the declared equivalences ------------------------------------------------------------


class _Equivalence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    part: Literal["when", "forms", "overrides"] = "when"
    condition: str
    #: the mutants that no input tells apart (all of the condition's, by default)
    mutants: tuple[MutantKind, ...] = ()
    reason: str = Field(min_length=20)


def load_equivalences(rules_dir: Path) -> tuple[list[tuple[_Equivalence, int]], list[str]]:
    """The declared equivalences (each with its line), and the problems reading them."""
    path = rules_dir / EQUIVALENT_FILE
    if not path.is_file():
        return [], []
    name = f"{rules_dir.name}/{EQUIVALENT_FILE.as_posix()}"
    try:
        doc = load_file(path, name)
    except KyodoError as exc:
        return [], [str(exc)]
    items = doc.get("equivalent") if isinstance(doc, Mapping) else None
    if not isinstance(items, list):
        return [], [f"{name}:1: expected a top-level 'equivalent:' list"]
    out: list[tuple[_Equivalence, int]] = []
    problems: list[str] = []
    for raw in items:
        try:
            out.append((_Equivalence.model_validate(raw), getattr(raw, "line", 0)))
        except ValidationError as exc:
            problems.extend(explain(exc, raw, _Equivalence, name, None))
    return out, problems


# --- running the library on each mutant ----------------------------------------------------


@dataclass
class _Subject:
    """One library case, read once on the unedited rules."""

    case: LibraryCase
    bound: Bound
    flat: FlatFacts
    #: per rule: 0 false, 1 undecided, 2 definitely true
    statuses: list[int]
    #: the case as the coverage reads it: without the keys that need the answers to
    #: other facts (the open questions, the what-if)
    counted: LibraryCase
    #: the rulebase the case runs on (the checklists' texts)
    rulebase: Rulebase

    @classmethod
    def of(cls, case: LibraryCase, bound: Bound, rulebase: Rulebase) -> _Subject:
        flat = flatten(case.facts)
        definite, undecided = bound.engine("python").evaluate(flat)
        statuses = [0] * len(bound.ruleset.rules)
        for i in undecided:
            statuses[i] = 1
        for i in definite:
            statuses[i] = 2
        expect = case.expect.model_copy(
            update={"missing_facts": None, "first_question": None, "would_be_kyodo_if": ()}
        )
        counted = case.model_copy(update={"expect": expect})
        return cls(case, bound, flat, statuses, counted, rulebase)


def _status_reader(condition: cond.Condition) -> Callable[[FlatFacts], int]:
    """The status (0, 1, 2) of a rule with this condition, compiled once."""

    class _One:
        nnf = cond.to_nnf(condition)

    _, evaluate = compile_rules([_One()])

    def status(flat: FlatFacts) -> int:
        definite, undecided = evaluate(flat)
        return 2 if definite else 1 if undecided else 0

    return status


class _Library:
    """The case library of one rule set, and the mutated rule sets it is run on."""

    def __init__(self, rulebase: Rulebase, profiles: Sequence[str], cases: Sequence[LibraryCase]):
        self.rulebase = rulebase
        self.classifier = Classifier(rulebase)
        subjects = [_Subject.of(c, self.classifier.bound(c.profile), rulebase) for c in cases]
        #: cases that do not pass on the rules as they are pin nothing (`kyodo-rules
        #: test` reports them); their ids
        self.failing = [
            s.case.id for s in subjects if _fails(s.bound, s, 0, s.statuses[0] if s.statuses else 0)
        ]
        self.subjects = [s for s in subjects if s.case.id not in self.failing]
        self.index = {
            r.id: i for i, r in enumerate(self.classifier.bound(profiles[0]).ruleset.rules)
        }
        self.profiles = profiles

    def mutant_bound(self, base: Bound, index: int, rule: Rule) -> Bound:
        """`base` with rule `index` replaced by `rule` (its own combiner, fresh memos)."""
        rules = list(base.ruleset.rules)
        rules[index] = rule
        ruleset = RuleSet(base.ruleset.profile, tuple(rules), {r.id: r for r in rules})
        return Bound(
            ruleset, Combiner(ruleset, self.rulebase.policy), base.generic, self.rulebase.policy
        )

    @staticmethod
    def edited(rule: Rule, mutant: Mutant) -> tuple[Rule, Callable[[FlatFacts], int] | None]:
        """The rule with the edit made, and (for an edited condition) its status reader."""
        if mutant.condition is not None:
            return replace(rule, condition=mutant.condition), _status_reader(mutant.condition)
        changes = dict(mutant.rule_changes)
        then = rule.then
        if "forms" in changes:
            then = then.model_copy(update={"forms": changes.pop("forms")})
        return replace(rule, then=then, **changes), None

    def detect(self, rule: Rule, mutant: Mutant) -> str | None:
        """The id of the first case that no longer passes with the edit, or None."""
        index = self.index[rule.id]
        edited, status = self.edited(rule, mutant)
        target = self.index.get(mutant.target) if mutant.target else None
        bounds: dict[str, Bound] = {}
        for subject in self.subjects:
            before = subject.statuses[index]
            if status is not None:
                after = status(subject.flat)
                moved = after != before
            else:
                after = before
                moved = before == 2 and (target is None or subject.statuses[target] == 2)
            if not moved:
                continue
            bound = bounds.get(subject.case.profile)
            if bound is None:
                bound = bounds[subject.case.profile] = self.mutant_bound(
                    subject.bound, index, edited
                )
            if _fails(bound, subject, index, after):
                return subject.case.id
        return None


def _fails(bound: Bound, subject: _Subject, index: int, status: int) -> bool:
    """Whether the case, its other rules as they were and the edited rule at `status`,
    no longer gives the answer it states (the keys that need no other answer)."""
    statuses = list(subject.statuses)
    statuses[index] = status
    result = _result(bound, subject.case.facts, statuses)
    return bool(mismatches(subject.counted, result, subject.rulebase))


def _result(bound: Bound, facts: Mapping[str, Any], statuses: Sequence[int]) -> Any:
    """The result of these rule statuses, as `classify()` builds it, without the open
    questions and the what-if (which put other answers to the rules)."""
    definite = [i for i, s in enumerate(statuses) if s == 2]
    undecided = [i for i, s in enumerate(statuses) if s == 1]
    given = Given.of(facts)
    decision, d, u = bound.decided(given, (definite, undecided))
    provisional = bound.provisional(decision, d)
    presumed: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if decision.verdict == "undetermined":
        presumed = bound.combiner.presumed(d, u, given.unknown, provisional)
    answer = Answer(decision, provisional, d, presumed, (), WhatIf(()))
    return build_result(bound, answer, facts, "ja")


# --- the check ------------------------------------------------------------------------------


def measure(
    rulebase: Rulebase,
    profiles: Sequence[str],
    cases: Sequence[LibraryCase],
    only: Collection[str] | None = None,
) -> Coverage:
    """The condition coverage of the rule set of `profiles` by `cases` (those of them
    that run under one of these profiles)."""
    start = time.perf_counter()
    mine = [c for c in cases if c.profile in profiles]
    library = _Library(rulebase, profiles, mine)
    ruleset = rulebase.ruleset(profiles[0])
    raw = _raw_rules(rulebase)
    outcomes: list[Outcome] = []
    for rule in ruleset.rules:
        if only is not None and rule.id not in only:
            continue
        for item in items_of(rule, raw.get((rule.file, rule.id))):
            found = tuple((m.kind, library.detect(rule, m)) for m in item.mutants)
            outcomes.append(Outcome(item, found))
    return Coverage(
        tuple(profiles),
        len(library.subjects),
        outcomes,
        tuple(library.failing),
        time.perf_counter() - start,
    )


def _groups(rulebase: Rulebase) -> list[list[str]]:
    """The profiles, grouped by their rule set (generic's group first)."""
    groups: list[tuple[RuleSet, list[str]]] = []
    for name in sorted(rulebase.profiles, key=lambda p: (p != "generic", p)):
        ruleset = rulebase.ruleset(name)
        same = next((g for g in groups if g[0].rules == ruleset.rules), None)
        if same is not None:
            same[1].append(name)
        else:
            groups.append((ruleset, [name]))
    return [names for _, names in groups]


def _declared(
    coverage: Coverage, declared: Sequence[tuple[_Equivalence, int]], where: str
) -> tuple[set[int], list[Defect]]:
    """Apply the declared equivalences to `coverage`: which declarations it used, and
    the defects of those a case contradicts."""
    used: set[int] = set()
    defects: list[Defect] = []
    for outcome in coverage.outcomes:
        item = outcome.item
        for n, (eq, line) in enumerate(declared):
            if (eq.rule, eq.part, eq.condition) != (item.rule, item.part, item.text):
                continue
            used.add(n)
            claimed = set(eq.mutants) or {kind for kind, _ in outcome.detected_by}
            caught = sorted(k for k in claimed if k in outcome.caught)
            if caught:
                defects.append(
                    Defect(
                        "coverage",
                        "defect",
                        f"同値と宣言された条件を事例が区別しています: {item.key}",
                        f"declared equivalent, but a case tells it apart: {item.key} "
                        f"({', '.join(f'{k} by {outcome.caught[k]}' for k in caught)})",
                        where=f"{where}:{line}",
                        rules=(item.rule,),
                    )
                )
            elif set(outcome.surviving) <= claimed:
                outcome.equivalent = eq.reason
    return used, defects


def check_coverage(
    rulebase: Rulebase, report: Report, only: Collection[str] | None = None
) -> list[Coverage]:
    """The condition coverage of every rule set of the rulebase, into `report`: a
    defect per condition no case pins, a summary line per rule set. `only` (rule ids)
    measures those rules' conditions alone: a rule author's loop, and the tests."""
    cases_dir = rulebase.root / "cases"
    if not cases_dir.is_dir():
        report.defects.append(
            Defect(
                "coverage",
                "warning",
                f"事例集（{cases_dir.name}/）がないため、条件網羅を測れません",
                f"no case library ({cases_dir.name}/): condition coverage not measured",
                where=str(cases_dir),
            )
        )
        return []
    try:
        cases = load_cases(cases_dir)
    except RuleError as exc:
        report.defects.extend(unreadable(exc))
        return []
    declared, problems = load_equivalences(rulebase.root)
    report.defects.extend(unreadable(RuleError("\n".join(problems))) if problems else ())
    where = f"{rulebase.root.name}/{EQUIVALENT_FILE.as_posix()}"
    out: list[Coverage] = []
    used: set[int] = set()
    for profiles in _groups(rulebase):
        coverage = measure(rulebase, profiles, cases, only)
        mine, defects = _declared(coverage, declared, where)
        used |= mine
        report.defects.extend(defects)
        for case in coverage.failing:
            report.defects.append(
                Defect(
                    "coverage",
                    "defect",
                    f"事例が期待どおりの答えになりません（条件網羅に数えません）: {case}",
                    f"library case does not pass (counts for no condition): {case}",
                    profile=profiles[0],
                )
            )
        for outcome in coverage.unpinned:
            item = outcome.item
            surviving = ", ".join(outcome.surviving)
            report.defects.append(
                Defect(
                    "coverage",
                    "defect",
                    f"どの事例も押さえていない条件: {item.rule} {item.part} `{item.text}`"
                    f"（見逃す編集: {surviving}）",
                    f"no library case pins {item.rule} {item.part} `{item.text}` "
                    f"(undetected: {surviving})",
                    where=f"{item.file}:{item.line}",
                    profile=profiles[0],
                    rules=(item.rule,),
                )
            )
        out.append(coverage)
        report.coverage.extend((coverage.summary(), coverage.summary_ja()))
    for n, (eq, line) in enumerate(declared):
        named = f"{eq.rule} {eq.part} `{eq.condition}`"
        if n not in used and (only is None or eq.rule in only):
            report.defects.append(
                Defect(
                    "coverage",
                    "defect",
                    f"同値の宣言が規則のどの条件も指していません: {named}",
                    f"declared equivalence names no condition: {named}",
                    where=f"{where}:{line}",
                    rules=(eq.rule,),
                )
            )
    return out


# --- witnesses: facts on which an edit changes the answer --------------------------------


def _parts(result: Any) -> tuple[Any, ...]:
    """What the coverage compares of an answer, most visible first: the answer shown,
    then the rest of the answer, then the trace."""
    answer = (
        result.verdict,
        result.answer.verdict,
        result.status,
        result.answer.category,
        result.category,
    )
    rest = (
        result.zone,
        result.subsidiarity,
        tuple(f.code for f in result.forms),
        frozenset(f.code for f in result.flags),
        tuple(result.required_documents),
        frozenset(p.code for p in result.principles_violated),
    )
    trace = frozenset((t.rule_id, t.overridden_by) for t in result.trace)
    return answer, rest, trace


def _answer_of(bound: Bound, facts: Mapping[str, Any], statuses: Sequence[int]) -> Any:
    return _parts(_result(bound, facts, statuses))


def find_witness(
    rulebase: Rulebase,
    profile: str,
    rule: Rule,
    mutant: Mutant,
    *,
    tries: int = 4_000,
    seed: int = 0,
) -> tuple[dict[str, Any], tuple[Any, ...], tuple[Any, ...]] | None:
    """Facts on which `mutant` changes the answer (the answer shown first, then the rest
    of it, then the trace), made small: the facts, the answer's parts before and after.

    A seeded random search over the abstract domains of the fields the rules read
    (`analysis/domains.py`), the edited rule's own fields always given; None when
    no such facts turn up (which proves nothing: equivalence is for a person to argue).
    """
    import random

    from kyodo_rules.analysis.domains import domain

    classifier = Classifier(rulebase)
    base = classifier.bound(profile)
    library = _Library(rulebase, [profile], [])
    index = library.index[rule.id]
    edited, status = library.edited(rule, mutant)
    target = library.index.get(mutant.target) if mutant.target else None
    mutated = library.mutant_bound(base, index, edited)
    rules = base.ruleset.rules
    fields = sorted(base.ruleset.fields_read)
    domains = {f: domain(f, rules) for f in fields}
    own = rule.fields | edited.fields
    python = base.engine("python")
    rng = random.Random(seed)

    def differs(facts: dict[str, Any]) -> tuple[int, tuple[Any, ...], tuple[Any, ...]] | None:
        flat = flatten(facts)
        definite, undecided = python.evaluate(flat)
        before = [0] * len(rules)
        for i in undecided:
            before[i] = 1
        for i in definite:
            before[i] = 2
        after = list(before)
        if status is not None:
            after[index] = status(flat)
            if after[index] == before[index]:
                return None
        elif before[index] != 2 or (target is not None and before[target] != 2):
            return None
        old = _answer_of(base, facts, before)
        new = _answer_of(mutated, facts, after)
        level = next((n for n in range(3) if old[n] != new[n]), None)
        return None if level is None else (level, old, new)

    best: tuple[tuple[int, int], dict[str, Any], Any, Any] | None = None
    for attempt in range(tries):
        share = (0.1, 0.3, 0.6, 0.9)[attempt % 4]
        facts: dict[str, Any] = {}
        for name in fields:
            values = domains[name]
            if name in own:
                value = rng.choice(values[1:] if rng.random() < 0.85 else values)
            elif rng.random() < share:
                value = rng.choice(values[1:])
            else:
                value = None
            if value is not None:
                facts[name] = value
        found = differs(facts)
        if found is None:
            continue
        level, old, new = found
        # make it small: drop each fact the difference does not need
        for name in list(facts):
            trial = {k: v for k, v in facts.items() if k != name}
            again = differs(trial)
            if again is not None and again[0] <= level:
                facts, (level, old, new) = trial, again
        rank = (level, len(facts))
        if best is None or rank < best[0]:
            best = (rank, facts, old, new)
        if rank[0] == 0 and rank[1] <= 4:
            break
    return None if best is None else (best[1], best[2], best[3])
