"""A profile's rule set bound to its combiner and engines: what every answer is computed on.

Built once per profile (by `Classifier.bound`) and shared by every call: the
compiled engines, the form faces and trace entries, and the memos of the open
questions live here, so that a call only evaluates.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, TypeVar, cast

from kyodo_rules.decision.decisions import Decision, bits
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.open_questions import (
    Asked,
    Moves,
    Question,
    evaluated_moves,
    flat_answers,
)
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.engines.python import Evaluator, PythonEngine
from kyodo_rules.model.memo import Memo
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.directions import Directions
from kyodo_rules.rulebase.loading import Profile, RuleSet
from kyodo_rules.rulebase.readings import FlatFacts, flatten
from kyodo_rules.rulebase.settings import Policy

EngineName = Literal["durable", "python"]
T = TypeVar("T")


def _nothing(_flat: FlatFacts) -> tuple[()]:
    return ()


def _text(value: Any, lang: str) -> str:
    return str(value.get(lang)) if value is not None else ""


@dataclass
class Bound:
    """One profile's rule set with its combiner and (lazily built) engines."""

    ruleset: RuleSet
    combiner: Combiner
    generic: Profile
    policy: Policy
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: (form, language) -> how this profile shows the form
    _faces: Memo[tuple[str, str], tuple[str, tuple[str, ...], str | None]] = field(
        default_factory=lambda: Memo(unbounded=True)
    )
    #: (rule, language) -> the parts of its trace entry that never change
    _trace: Memo[tuple[int, str], dict[str, Any]] = field(
        default_factory=lambda: Memo(unbounded=True)
    )
    #: (field, the values its readers read besides it) -> the readers' moves
    _move_memo: Memo[tuple[str, tuple[Any, ...]], Moves] = field(default_factory=Memo)
    #: parts of results (see `once`)
    _built: Memo[tuple[Any, ...], Any] = field(default_factory=Memo)
    #: field -> the Python evaluator of the rules that read it
    _reading: Memo[str, Callable[[FlatFacts], tuple[list[int], list[int]]]] = field(
        default_factory=lambda: Memo(unbounded=True)
    )
    #: field -> those rules compiled with each of its answers folded in
    _answers: Memo[str, Callable[[FlatFacts], list[tuple[int, int]]]] = field(
        default_factory=lambda: Memo(unbounded=True)
    )
    #: field -> a durable-rules ruleset of the verdict rules that read it
    _readers_durable: Memo[str, tuple[Any, tuple[int, ...]]] = field(
        default_factory=lambda: Memo(unbounded=True)
    )

    @cached_property
    def fields_in_order(self) -> tuple[tuple[str, ...], ...]:
        """For each rule, the fields it reads in the declared order (`FACT_FIELDS`)."""
        return tuple(
            tuple(f for f in FACT_FIELDS if f in rule.fields) for rule in self.ruleset.rules
        )

    def once_get(self, key: tuple[Any, ...]) -> Any:
        """The part built for `key`, if it is (see `once`)."""
        return self._built.get(key)

    def once(self, key: tuple[Any, ...], make: Callable[[], T]) -> T:
        """A part of a result (a trace entry, a flag, a form, an outcome) built once.

        The parts are frozen and depend only on the key: the same few come back
        in result after result (126 distinct trace entries in 1.3 million).
        """
        return cast(T, self._built.of(key, make))

    @cached_property
    def durable(self) -> Evaluator:
        from kyodo_rules.engines.durable import DurableEngine

        return DurableEngine(self.ruleset.rules)

    @cached_property
    def verdict_rules(self) -> tuple[int, ...]:
        """The rules a provisional verdict can depend on: those that conclude one,
        and every rule that sets another aside (advice rules cannot change it)."""
        return tuple(
            i for i, rule in enumerate(self.ruleset.rules) if rule.then.verdict or rule.overrides
        )

    @cached_property
    def _verdict_durable(self) -> Any:
        from kyodo_rules.engines.durable import DurableEngine

        rules = self.ruleset.rules
        return DurableEngine([rules[i] for i in self.verdict_rules], label="the verdict rules")

    def verdicts_many(self, flats: Sequence[FlatFacts], engine: EngineName) -> list[frozenset[int]]:
        """The verdict rules definitely true for each of `flats`, on `engine` (by their
        index in the rule set): what confirming a what-if change needs. On
        durable-rules a ruleset of those rules alone, in shared sessions: a third
        of the rules, a third of the matches."""
        keep = self.verdict_rules
        if engine == "python":
            python = self.engine("python")
            assert isinstance(python, PythonEngine)
            evaluate = python.subset(keep)
            return [frozenset(evaluate(flat)[0]) for flat in flats]
        with self._lock:
            durable = self._verdict_durable
        found = durable.evaluate_many(flats)
        return [frozenset(keep[i] for i in definite) for definite, _ in found]

    def _verdict_readers(self, field: str) -> tuple[Any, tuple[int, ...]]:
        """A durable-rules ruleset of the verdict rules that read `field` (None if no
        verdict rule reads it), with those rules' indices in the rule set."""
        found = self._readers_durable.get(field)
        if found is None:
            with self._lock:  # a ruleset is built once, however many threads ask
                found = self._readers_durable.of(field, lambda: self._verdict_ruleset(field))
        return found

    def _verdict_ruleset(self, field: str) -> tuple[Any, tuple[int, ...]]:
        from kyodo_rules.engines.durable import DurableEngine

        rules = self.ruleset.rules
        members = tuple(i for i in self.verdict_rules if field in rules[i].fields)
        if not members:
            return None, members
        label = f"the verdict rules reading {field}"
        return DurableEngine([rules[i] for i in members], label=label), members

    def verdicts_changed(
        self, definite: frozenset[int], changed: Sequence[tuple[FlatFacts, frozenset[str]]]
    ) -> list[int]:
        """The verdict rules definitely true (a bit set) for each changed case, on
        durable-rules, given the rules definitely true for the case itself (which
        durable-rules gave): a rule that reads none of the changed facts keeps its
        status; those that read one are matched again on the whole changed case,
        one small ruleset per changed fact, every case that changes it in one
        session. What confirming the what-if's changes needs."""
        base = bits(definite) & bits(self.verdict_rules)
        found = [0] * len(changed)
        moved = [0] * len(changed)
        by_field: dict[str, list[int]] = {}
        for n, (_, fields) in enumerate(changed):
            for name in fields:
                by_field.setdefault(name, []).append(n)
        for name, cases in by_field.items():
            engine, members = self._verdict_readers(name)
            if engine is None:
                continue
            mine = bits(members)
            answers = engine.evaluate_many([changed[n][0] for n in cases])
            for n, (local, _) in zip(cases, answers, strict=True):
                found[n] |= bits(members[i] for i in local)
                moved[n] |= mine
        return [base & ~m | f for m, f in zip(moved, found, strict=True)]

    @cached_property
    def python(self) -> Evaluator:
        from kyodo_rules.engines.python import PythonEngine

        return PythonEngine(self.ruleset.rules)

    def form_face(self, code: str, lang: str) -> tuple[str, tuple[str, ...], str | None]:
        """How this profile shows a form: its label, its cautions, the form it is shown as.

        Computed once per form and language: the same few forms are shown again
        and again, and their texts never change once the rulebase is loaded.
        """
        key = (code, lang)
        face = self._faces.get(key)
        if face is None:
            face = self._faces.put(key, self._form_face(code, lang))
        return face

    def _form_face(self, code: str, lang: str) -> tuple[str, tuple[str, ...], str | None]:
        profile = self.profile.spec
        generic = self.generic.spec
        info = profile.forms.get(code)
        shown = info.shown_as if info else None
        label_info = profile.forms.get(shown) if shown else info
        label = _text(label_info.label if label_info and label_info.label else None, lang)
        if not label:
            label = _text(generic.forms[code].label, lang) if code in generic.forms else code
        if info and info.note:
            note = _text(info.note, lang)
            label = self.policy.beside(label, note, lang)
        cautions_from = info.cautions if info and info.cautions else ()
        if not cautions_from and label_info is not None:
            cautions_from = label_info.cautions
        beside = self.policy.beside
        cautions = tuple(beside(c.text.get(lang), c.source, lang) for c in cautions_from)
        return label, cautions, shown

    def trace_fields(self, index: int, lang: str) -> dict[str, Any]:
        """The parts of a rule's trace entry that never change (computed once per language)."""
        key = (index, lang)
        fields = self._trace.get(key)
        if fields is None:
            rule = self.ruleset.rules[index]
            fields = {
                "rule_id": rule.id,
                "title": rule.title.get(lang),
                "source": rule.source,
                "quote": rule.quote,
                "profile": rule.profile,
                "see_also": tuple(c.source for c in rule.see_also),
            }
            self._trace.put(key, fields)
        return fields

    def reason(self, index: int, lang: str) -> str:
        """A rule as a reason: its title and its source."""
        rule = self.ruleset.rules[index]
        return self.policy.beside(rule.title.get(lang), rule.source, lang)

    def engine(self, name: EngineName) -> Evaluator:
        with self._lock:
            return self.durable if name == "durable" else self.python

    @property
    def profile(self) -> Profile:
        return self.ruleset.profile

    def statuses(
        self, given: Given, engine: EngineName = "durable"
    ) -> tuple[Sequence[int], Sequence[int]]:
        """The rules definitely true and those undecided for the case, on `engine`
        (durable-rules reads the facts themselves: the flat facts are left for
        whoever needs them)."""
        evaluator = self.engine(engine)
        evaluate_facts = getattr(evaluator, "evaluate_facts", None)
        if evaluate_facts is not None:
            return cast(tuple[Sequence[int], Sequence[int]], evaluate_facts(given.facts))
        return evaluator.evaluate(given.flat)

    def assess(
        self, facts: Mapping[str, Any] | Given, engine: EngineName = "durable"
    ) -> tuple[Decision, frozenset[int], frozenset[int]]:
        given = facts if isinstance(facts, Given) else Given.of(facts)
        return self.decided(given, self.statuses(given, engine))

    def decided(
        self, given: Given, statuses: tuple[Sequence[int], Sequence[int]]
    ) -> tuple[Decision, frozenset[int], frozenset[int]]:
        """The strict decision of these rule statuses, with the statuses as sets."""
        d, u = frozenset(statuses[0]), frozenset(statuses[1])
        return self.combiner.decide(*self.combiner.strict(d, u, given.unknown)), d, u

    @cached_property
    def directions(self) -> Directions:
        """The moves toward collaboration (`toward_collaboration` in policy.yaml)."""
        return Directions(self.policy.toward_collaboration)

    @cached_property
    def design_fields(self) -> frozenset[str]:
        declared = self.combiner.design_fields
        read = self.ruleset.fields_read
        return read & frozenset(declared) if declared else read

    @cached_property
    def reach(self) -> tuple[frozenset[str], ...]:
        """For each rule, the fields that can change whether it is in force: its own,
        and those of every rule that sets it aside, directly or through another."""
        rules = self.ruleset.rules
        index = {rule.id: i for i, rule in enumerate(rules)}
        by: dict[int, set[int]] = {i: set() for i in range(len(rules))}
        for j, rule in enumerate(rules):
            for target in rule.overrides:
                if target in index:
                    by[index[target]].add(j)
        out = []
        for i, rule in enumerate(rules):
            fields, seen, todo = set(rule.fields), {i}, list(by[i])
            while todo:
                j = todo.pop()
                if j not in seen:
                    seen.add(j)
                    fields |= rules[j].fields
                    todo.extend(by[j])
            out.append(frozenset(fields))
        return tuple(out)

    @cached_property
    def readers(self) -> dict[str, frozenset[int]]:
        """For each field, the rules that read it: all that one changed fact can move."""
        return {
            f: frozenset(i for i, rule in enumerate(self.ruleset.rules) if f in rule.fields)
            for f in FACT_FIELDS
        }

    def _answering(self, field: str) -> Callable[[FlatFacts], list[tuple[int, int]]]:
        """The rules reading `field`, compiled with each of its answers folded in."""
        found = self._answers.get(field)
        if found is None:
            python = self.engine("python")
            assert isinstance(python, PythonEngine)
            answers = [keys for _, keys in flat_answers(field)]
            found = self._answers.put(field, python.answers(sorted(self.readers[field]), answers))
        return found

    def reading(self, field: str) -> Callable[[FlatFacts], tuple[list[int], list[int]]]:
        """The Python backend's evaluator of the rules that read `field` (compiled once)."""
        found = self._reading.get(field)
        if found is None:
            python = self.engine("python")
            assert isinstance(python, PythonEngine)
            found = self._reading.put(field, python.subset(sorted(self.readers[field])))
        return found

    @cached_property
    def reader_bits(self) -> dict[str, int]:
        """`readers` as bit sets (bit i: rule i)."""
        return {f: bits(mine) for f, mine in self.readers.items()}

    def questions(
        self,
        facts: Mapping[str, Any] | Given,
        definite: frozenset[int],
        undecided: frozenset[int],
        engine: EngineName = "python",
    ) -> tuple[Question, ...]:
        """The open questions, each answer evaluated (see `asked`)."""
        return self.asked(facts, definite, undecided, engine).questions()

    def asked(
        self,
        facts: Mapping[str, Any] | Given,
        definite: frozenset[int],
        undecided: frozenset[int],
        engine: EngineName = "python",
    ) -> Asked:
        """The case's answer now, from which each field's question is found.

        On the Python backend only the rules that read the field are tested
        again; on durable-rules (the differential tests) every answer is a
        whole evaluation, so the two can be compared.
        """
        given = facts if isinstance(facts, Given) else Given.of(facts)
        if engine == "python":
            return Asked(
                self.combiner,
                given,
                (definite, undecided),
                self._moves,
                self.ruleset.fields_read,
                readers=self.reader_bits,
            )
        evaluate = self.engine(engine).evaluate
        return Asked(
            self.combiner,
            given,
            (definite, undecided),
            evaluated_moves(lambda _f: evaluate),
            self.ruleset.fields_read,
        )

    @cached_property
    def _depends(self) -> dict[str, tuple[str, ...]]:
        """For each field, the flat keys its readers look at besides its own."""
        out: dict[str, tuple[str, ...]] = {}
        every = flatten({})
        for f, mine in self.readers.items():
            read: set[str] = set()
            for i in mine:
                read |= self.ruleset.rules[i].fields
            read.discard(f)
            keys = flatten({}, {g: FIELD_KINDS[g] for g in read})
            out[f] = tuple(k for k in every if k in keys)
        return out

    @cached_property
    def _depends_of(self) -> dict[str, Callable[[FlatFacts], Any]]:
        """For each field, a function giving the values of its `_depends` keys (a memo key)."""
        out: dict[str, Callable[[FlatFacts], Any]] = {}
        for name, keys in self._depends.items():
            out[name] = operator.itemgetter(*keys) if keys else _nothing
        return out

    def _moves(self, field: str, flat: FlatFacts) -> Moves:
        """The readers' statuses for each answer of `field`, remembered by what they read.

        Which of the few rules reading a field hold depends only on the facts
        those rules read, so the same answers come back for every case that
        agrees on them: a wizard re-asks, an inventory repeats itself.
        """
        key = (field, self._depends_of[field](flat))
        found = self._move_memo.get(key)
        if found is None:
            found = Moves.of_answers(
                [
                    (value, d, u)
                    for (value, _), (d, u) in zip(
                        flat_answers(field), self._answering(field)(flat), strict=True
                    )
                ]
            )
            self._move_memo.put(key, found)
        return found

    def status(self, facts: Mapping[str, Any]) -> tuple[Decision, Decision, tuple[Question, ...]]:
        """Strict and provisional decisions and the open questions (the wizard's view)."""
        given = Given.of(facts)
        decision, d, u = self.assess(given, "python")
        return decision, self.provisional(decision, d), self.questions(given, d, u)

    def provisional(self, strict: Decision, definite: frozenset[int]) -> Decision:
        """A settled answer is its own provisional one; otherwise open rules are presumed
        not to apply."""
        return strict if strict.verdict != "undetermined" else self.combiner.provisional(definite)
