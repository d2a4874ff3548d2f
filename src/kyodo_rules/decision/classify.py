"""`classify()`: facts in, a cited answer out.

The rulebase is loaded once, on the first call; after that a call does no I/O.
Each profile gets its own compiled engines the first time it is used. The
default engine is durable-rules; the plain-Python backend answers the many
small questions of the what-if search and the wizard's relevance test.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from kyodo_rules.decision.open_questions import Question, evaluated_moves, open_questions
from kyodo_rules.decision.policy import MEMO_SIZE, Combiner, Decision
from kyodo_rules.decision.whatif import WhatIf
from kyodo_rules.engines.python import Evaluator, PythonEngine
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import (
    Case,
    FactChange,
    Flag,
    FormRecommendation,
    OpenQuestion,
    Outcome,
    Presumption,
    Principle,
    Provisional,
    Result,
    TraceEntry,
)
from kyodo_rules.model.validation import validate_case
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.loading import Policy, Profile, Rulebase, RuleSet, load_rulebase
from kyodo_rules.rulebase.readings import FlatFacts, flatten

EngineName = Literal["durable", "python"]


@dataclass
class Bound:
    """One profile's rule set with its combiner and (lazily built) engines."""

    ruleset: RuleSet
    combiner: Combiner
    generic: Profile
    policy: Policy
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _faces: dict[tuple[str, str], tuple[str, tuple[str, ...], str | None]] = field(
        default_factory=dict
    )
    _trace: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    _move_memo: dict[tuple[str, tuple[Any, ...]], Any] = field(default_factory=dict)

    @cached_property
    def durable(self) -> Evaluator:
        from kyodo_rules.engines.durable import DurableEngine

        return DurableEngine(self.ruleset.rules)

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
            face = self._form_face(code, lang)
            self._faces[key] = face
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
            self._trace[key] = fields
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

    def assess(
        self, facts: Mapping[str, Any], engine: EngineName = "durable"
    ) -> tuple[Decision, frozenset[int], frozenset[int]]:
        definite, undecided = self.engine(engine).evaluate(flatten(facts))
        d, u = frozenset(definite), frozenset(undecided)
        unknown = frozenset(f for f in FACT_FIELDS if facts.get(f) is None)
        return self.combiner.decide(*self.combiner.strict(d, u, unknown)), d, u

    @cached_property
    def design_fields(self) -> frozenset[str]:
        declared = self.combiner.design_fields
        read = self.ruleset.fields_read
        return read & frozenset(declared) if declared else read

    @cached_property
    def readers(self) -> dict[str, frozenset[int]]:
        """For each field, the rules that read it: all that one changed fact can move."""
        return {
            f: frozenset(i for i, rule in enumerate(self.ruleset.rules) if f in rule.fields)
            for f in FACT_FIELDS
        }

    def questions(
        self,
        facts: Mapping[str, Any],
        definite: frozenset[int],
        undecided: frozenset[int],
        engine: EngineName = "python",
    ) -> tuple[Question, ...]:
        """The open questions, each answer evaluated.

        On the Python backend only the rules that read the field are tested
        again; on durable-rules (the differential tests) every answer is a
        whole evaluation, so the two can be compared.
        """
        if engine == "python":
            return open_questions(
                self.combiner,
                facts,
                (definite, undecided),
                self._moves,
                self.ruleset.fields_read,
                readers=self.readers,
            )
        evaluate = self.engine(engine).evaluate
        return open_questions(
            self.combiner,
            facts,
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

    def _moves(
        self, field: str, flat: FlatFacts
    ) -> Sequence[tuple[Any, frozenset[int], frozenset[int]]]:
        """The readers' statuses for each answer of `field`, remembered by what they read.

        Which of the few rules reading a field hold depends only on the facts
        those rules read, so the same answers come back for every case that
        agrees on them: a wizard re-asks, an inventory repeats itself.
        """
        key = (field, tuple(flat[k] for k in self._depends[field]))
        found = self._move_memo.get(key)
        if found is None:
            python = self.engine("python")
            assert isinstance(python, PythonEngine)
            evaluate = python.subset(sorted(self.readers[field]))
            found = evaluated_moves(lambda _f: evaluate)(field, flat)
            if len(self._move_memo) >= MEMO_SIZE:
                self._move_memo.clear()
            self._move_memo[key] = found
        return found

    def status(self, facts: Mapping[str, Any]) -> tuple[Decision, Decision, tuple[Question, ...]]:
        """Strict and provisional decisions and the open questions (the wizard's view)."""
        decision, d, u = self.assess(facts, "python")
        return decision, self.provisional(decision, d), self.questions(facts, d, u)

    def provisional(self, strict: Decision, definite: frozenset[int]) -> Decision:
        """A settled answer is its own provisional one; otherwise open rules are presumed
        not to apply."""
        return strict if strict.verdict != "undetermined" else self.combiner.provisional(definite)


class Classifier:
    """A loaded rulebase and its engines; `classify()` uses a shared default one."""

    def __init__(self, rulebase: Rulebase | None = None, rules_dir: Path | str | None = None):
        self.rulebase = rulebase or load_rulebase(rules_dir)
        self._bound: dict[str, Bound] = {}
        self._lock = threading.Lock()

    def bound(self, profile: str) -> Bound:
        with self._lock:
            if profile not in self._bound:
                ruleset = self.rulebase.ruleset(profile)
                self._bound[profile] = Bound(
                    ruleset,
                    Combiner(ruleset, self.rulebase.policy),
                    self.rulebase.profiles["generic"],
                    self.rulebase.policy,
                )
            return self._bound[profile]

    def classify(
        self,
        case: Case | Mapping[str, Any],
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
        engine: EngineName = "durable",
        questions_engine: EngineName = "python",
    ) -> Result:
        if lang not in ("ja", "en"):
            raise InputError(f"lang: unknown language {lang!r}; allowed: ja, en")
        checked = validate_case(case)
        bound = self.bound(profile)
        facts = checked.facts()
        decision, definite, undecided = bound.assess(facts, engine)
        provisional = bound.provisional(decision, definite)
        # A settled verdict presumes nothing; what may still refine its category
        # is among the open questions.
        presumed: tuple[int, ...] = ()
        if decision.verdict == "undetermined":
            # The open rules presumed not to apply, and the rules taken to hold while
            # a fact is unknown (their exception presumed away): both are named.
            unknown = frozenset(f for f in FACT_FIELDS if facts.get(f) is None)
            strict_definite, _ = bound.combiner.strict(definite, undecided, unknown)
            held = definite - strict_definite
            presumed = tuple(
                sorted(set(bound.combiner.presumptions(definite, undecided, provisional)) | held)
            )
        questions = bound.questions(facts, definite, undecided, questions_engine)
        found = WhatIf(())
        if what_if and provisional.verdict == "not_kyodo":
            from kyodo_rules.decision.whatif import would_be_kyodo_if

            found = would_be_kyodo_if(bound, facts, confirm_with=engine)
        answer = Answer(decision, provisional, definite, presumed, questions, found)
        return build_result(bound, answer, facts, lang)


def _text(value: Any, lang: str) -> str:
    return str(value.get(lang)) if value is not None else ""


def _contributions(
    then: Any, decision: Decision, shown: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """The parts of the answer that a rule in force actually gave."""
    parts = []
    if then.verdict and then.verdict == decision.verdict:
        parts.append("verdict")
    if then.category and then.category == decision.category:
        parts.append("category")
    if then.zone and then.zone == decision.zone:
        parts.append("zone")
    if then.subsidiarity and then.subsidiarity == decision.subsidiarity:
        parts.append("subsidiarity")
    if then.forms and not shown["forms"].isdisjoint(then.forms):
        parts.append("forms")
    if then.flags and not shown["flags"].isdisjoint(then.flags):
        parts.append("flags")
    if then.documents_required and not shown["documents"].isdisjoint(then.documents_required):
        parts.append("required_documents")
    if then.checklist and then.checklist == decision.checklist:
        parts.append("checklist")
    return tuple(parts)


@dataclass(frozen=True)
class Answer:
    """Everything the policy decided for one case, before any of it is put into words."""

    decision: Decision
    provisional: Decision
    definite: frozenset[int]
    presumed: tuple[int, ...]
    questions: tuple[Question, ...]
    what_if: WhatIf


def _presumption(bound: Bound, index: int, facts: Mapping[str, Any], lang: str) -> Presumption:
    rule = bound.ruleset.rules[index]
    return Presumption(
        rule_id=rule.id,
        title=rule.title.get(lang),
        source=rule.source,
        quote=rule.quote,
        facts=tuple(f for f in FACT_FIELDS if f in rule.fields and facts.get(f) is None),
    )


def build_result(bound: Bound, answer: Answer, facts: Mapping[str, Any], lang: str) -> Result:
    decision, definite = answer.decision, answer.definite
    rules = bound.ruleset.rules
    profile = bound.profile.spec
    generic = bound.generic.spec
    forms = []
    for form in decision.forms:
        label, cautions, shown = bound.form_face(form.code, lang)
        forms.append(
            FormRecommendation(
                code=form.code,
                label=label,
                reasons=tuple(bound.reason(i, lang) for i in form.rules),
                cautions=cautions,
                shown_as=shown,
            )
        )
    flags = tuple(
        Flag(
            code=code,
            message=bound.combiner.flag_messages[code].get(lang),
            source=rules[i].source,
        )
        for code, i in decision.flags
    )
    principles = []
    for code, i in decision.violates:
        principle = profile.principles.get(code) or generic.principles.get(code)
        principles.append(
            Principle(
                code=code,
                label=principle.label.get(lang) if principle else code,
                source=principle.source if principle else rules[i].source,
            )
        )
    checklist: tuple[str, ...] = ()
    if decision.checklist:
        items = (
            profile.checklists.get(decision.checklist)
            or generic.checklists.get(decision.checklist)
            or ()
        )
        checklist = tuple(t.get(lang) for t in items)
    shown_codes = {
        "forms": frozenset(form.code for form in decision.forms),
        "flags": frozenset(code for code, _ in decision.flags),
        "documents": frozenset(decision.documents),
    }
    trace = tuple(
        TraceEntry(
            **bound.trace_fields(i, lang),
            overridden_by=rules[decision.overridden[i]].id if i in decision.overridden else None,
            contributes=_contributions(rules[i].then, decision, shown_codes)
            if i not in decision.overridden
            else (),
        )
        for i in sorted(definite)
    )
    return Result(
        verdict=decision.verdict,
        category=decision.category,
        zone=decision.zone,
        subsidiarity=decision.subsidiarity,
        forms=tuple(forms),
        flags=flags,
        required_documents=decision.documents,
        checklist=checklist,
        missing_facts=tuple(q.field for q in answer.questions),
        would_be_kyodo_if=tuple(
            tuple(
                FactChange(field=f, value=list(v) if isinstance(v, tuple) else v)
                for f, v in change
            )
            for change in answer.what_if.changes
        ),
        trace=trace,
        principles_violated=tuple(principles),
        profile=profile.id,
        provisional=Provisional(
            verdict=answer.provisional.verdict,
            category=answer.provisional.category,
            presumptions=tuple(_presumption(bound, i, facts, lang) for i in answer.presumed),
        ),
        # Built from the policy's own codes, so not validated again: an open
        # question has a dozen outcomes and a sparse case two dozen questions.
        open_questions=tuple(
            OpenQuestion.model_construct(
                field=q.field,
                affects=q.affects,
                outcomes=tuple(
                    Outcome.model_construct(
                        value=value, verdict=p.verdict, category=p.category, settled=settled
                    )
                    for value, p, settled in q.outcomes
                ),
            )
            for q in answer.questions
        ),
        what_if_blocked_by=tuple(
            _presumption(bound, i, facts, lang) for i in answer.what_if.blocked_by
        ),
    )


_default: Classifier | None = None
_default_lock = threading.Lock()


def default_classifier() -> Classifier:
    global _default
    with _default_lock:
        if _default is None:
            _default = Classifier()
        return _default


def classify(
    case: Case | Mapping[str, Any],
    *,
    profile: str = "generic",
    lang: str = "ja",
    what_if: bool = True,
) -> Result:
    """Is this project 協働, and why? Pure and deterministic; no I/O after the first call.

    `case` is a `Case` or a mapping in the vocabulary's field names (unknown
    fields and codes raise `InputError` naming the field and the allowed values).
    `profile` chooses whose names, forms, principles and checklists the answer
    uses; `lang` the language of its texts; `what_if=False` skips the search for
    `would_be_kyodo_if` (the only part that costs more than a single evaluation).
    """
    return default_classifier().classify(case, profile=profile, lang=lang, what_if=what_if)
