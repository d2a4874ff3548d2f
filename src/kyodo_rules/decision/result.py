"""From a decision to the public `Result`: the rule data's own texts, in the language asked.

The decision holds codes and rule indices; this is the one place they become
the JSON keys of the contract (docs/vocabulary.md), with titles, quotes and the
profile's names of forms and principles. It decides nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from kyodo_rules.decision.bound import Bound, EngineName
from kyodo_rules.decision.decisions import Decision
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.open_questions import Question
from kyodo_rules.decision.whatif import WhatIf, would_be_kyodo_if
from kyodo_rules.model.records import (
    FactChange,
    Flag,
    FormRecommendation,
    Later,
    OpenQuestion,
    Outcome,
    Presumption,
    Principle,
    Provisional,
    Result,
    TraceEntry,
    assemble,
)


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
    """Everything the policy decided for one case, before any of it is put into words.

    The open questions and the what-if are left out (None) when the result works
    them out as they are read (`build_result`'s `later`).
    """

    decision: Decision
    provisional: Decision
    definite: frozenset[int]
    #: (rule, the rules in force whose sentence states it), most decisive first
    presumed: tuple[tuple[int, tuple[int, ...]], ...]
    questions: tuple[Question, ...] | None = None
    what_if: WhatIf | None = None

    @property
    def shown(self) -> Decision:
        """The decision whose answer is shown: the strict one when it is settled,
        the provisional one otherwise (the headline of every output)."""
        return self.decision if self.decision.verdict != "undetermined" else self.provisional


def _presumption(
    bound: Bound,
    index: int,
    facts: Mapping[str, Any],
    lang: str,
    stated_by: tuple[int, ...] = (),
    holds: bool = False,
) -> Presumption:
    rule = bound.ruleset.rules[index]
    # The rule's fields nobody gave, in the declared order.
    unknown = tuple(f for f in bound.fields_in_order[index] if facts.get(f) is None)
    key = ("presumption", index, lang, unknown, stated_by, holds)
    found = bound.once_get(key)
    if found is not None:
        return cast(Presumption, found)
    stated = tuple(bound.ruleset.rules[j].id for j in stated_by)
    contested = rule.contested_by
    return bound.once(
        key,
        partial(
            assemble,
            Presumption,
            rule_id=rule.id,
            title=rule.title.get(lang),
            source=rule.source,
            quote=rule.quote,
            facts=unknown,
            stated_by=stated,
            holds=holds,
            contested_by=contested.source if contested else None,
            contested_quote=contested.quote if contested else None,
        ),
    )


def _form(bound: Bound, form: Any, lang: str) -> FormRecommendation:
    label, cautions, shown = bound.form_face(form.code, lang)
    return FormRecommendation(
        code=form.code,
        label=label,
        reasons=tuple(bound.reason(i, lang) for i in form.rules),
        cautions=cautions,
        shown_as=shown,
    )


def _trace(
    bound: Bound,
    decision: Decision,
    i: int,
    shown_codes: Mapping[str, frozenset[str]],
    lang: str,
) -> TraceEntry:
    rules = bound.ruleset.rules
    by = rules[decision.overridden[i]].id if i in decision.overridden else None
    contributes = () if by is not None else _contributions(rules[i].then, decision, shown_codes)
    decides = by is None and (
        i in decision.decided_by
        or (
            (decision.verdict == "not_kyodo" and bool(decision.category_from))
            and i == decision.category_from[0]
        )
    )
    return bound.once(
        ("trace", i, lang, by, contributes, decides),
        lambda: TraceEntry(
            **bound.trace_fields(i, lang),
            overridden_by=by,
            contributes=contributes,
            decides=decides,
        ),
    )


def _key(value: Any) -> Any:
    """An answer as a memo key (a list answer as a tuple, marked apart from a scalar)."""
    return ("list", *value) if isinstance(value, list) else value


def _question(bound: Bound, q: Question) -> OpenQuestion:
    # Built from the policy's own codes, so not validated again: an open
    # question has a dozen outcomes and a sparse case two dozen questions.
    return assemble(
        OpenQuestion,
        field=q.field,
        affects=q.affects,
        outcomes=tuple(
            bound.once(
                ("outcome", _key(value), verdict, category, settled),
                partial(
                    assemble,
                    Outcome,
                    value=value,
                    verdict=verdict,
                    category=category,
                    settled=settled,
                ),
            )
            for value, verdict, category, settled in q.outcomes
        ),
    )


def _traces(
    bound: Bound, decision: Decision, definite: frozenset[int], lang: str
) -> tuple[TraceEntry, ...]:
    shown_codes = {
        "forms": frozenset(form.code for form in decision.forms),
        "flags": frozenset(code for code, _ in decision.flags),
        "documents": frozenset(decision.documents),
    }
    return tuple(_trace(bound, decision, i, shown_codes, lang) for i in sorted(definite))


def _forms(bound: Bound, decision: Decision, lang: str) -> tuple[FormRecommendation, ...]:
    return tuple(
        bound.once(("form", form.code, form.rules, lang), partial(_form, bound, form, lang))
        for form in decision.forms
    )


def _flags(bound: Bound, decision: Decision, lang: str) -> tuple[Flag, ...]:
    rules = bound.ruleset.rules
    return tuple(
        bound.once(
            ("flag", code, i, lang),
            partial(
                Flag,
                code=code,
                message=bound.combiner.flag_messages[code].get(lang),
                source=rules[i].source,
            ),
        )
        for code, i in decision.flags
    )


def _principles(bound: Bound, decision: Decision, lang: str) -> tuple[Principle, ...]:
    rules = bound.ruleset.rules
    profile, generic = bound.profile.spec, bound.generic.spec
    principles = []
    for code, i in decision.violates:
        principle = profile.principles.get(code) or generic.principles.get(code)
        principles.append(
            bound.once(
                ("principle", code, i, lang),
                partial(
                    assemble,
                    Principle,
                    code=code,
                    label=principle.label.get(lang) if principle else code,
                    source=principle.source if principle else rules[i].source,
                ),
            )
        )
    return tuple(principles)


def _checklist(bound: Bound, decision: Decision, lang: str) -> tuple[str, ...]:
    if not decision.checklist:
        return ()
    profile, generic = bound.profile.spec, bound.generic.spec
    items = (
        profile.checklists.get(decision.checklist)
        or generic.checklists.get(decision.checklist)
        or ()
    )
    return tuple(t.get(lang) for t in items)


def build_result(
    bound: Bound,
    answer: Answer,
    facts: Mapping[str, Any],
    lang: str,
    later: Later | None = None,
) -> Result:
    """The public result of `answer`; with `later`, the open questions and the
    what-if are left to it, worked out when the result's reader first needs them
    (`Result.later`); otherwise they come from the answer."""
    decision, definite = answer.decision, answer.definite
    # Each part is kept by what it is made of: the same few come back case after case.
    # The forms of the answer shown: a provisional 協働 recommends what its own rules
    # recommend (a form established only while a fact is unknown included).
    advised = (
        answer.provisional
        if decision.verdict == "undetermined" and answer.provisional.verdict == "kyodo"
        else decision
    )
    forms = bound.once(("forms", lang, advised.forms), partial(_forms, bound, advised, lang))
    flags = bound.once(("flags", lang, decision.flags), partial(_flags, bound, decision, lang))
    principles = bound.once(
        ("principles", lang, decision.violates), partial(_principles, bound, decision, lang)
    )
    checklist = bound.once(
        ("checklist", lang, decision.checklist), partial(_checklist, bound, decision, lang)
    )
    # The trace depends on the rules that hold, the decision's codes and which
    # rules it set aside: the same few combinations come back case after case.
    # The trace says which rules gave the answer shown: the strict answer when
    # it is settled, the provisional one otherwise (a form that makes a case
    # provisionally 協働 is its ground, not a rule "not reflected").
    shown = answer.shown
    trace = bound.once(
        (
            "traces",
            lang,
            definite,
            shown.signature(),
            shown.decided_by,
            shown.category_from[:1],
            tuple(sorted(shown.overridden.items())),
        ),
        partial(_traces, bound, shown, definite, lang),
    )
    # Every part is built from the rulebase's validated data and the policy's own
    # codes, so the whole is not validated again (tests/test_properties.py
    # validates generated results against the model).
    eager = dict(
        verdict=decision.verdict,
        category=decision.category,
        zone=decision.zone,
        subsidiarity=decision.subsidiarity,
        forms=forms,
        flags=flags,
        required_documents=decision.documents,
        checklist=checklist,
        trace=trace,
        principles_violated=principles,
        profile=bound.profile.spec.id,
        provisional=assemble(
            Provisional,
            verdict=answer.provisional.verdict,
            category=answer.provisional.category,
            presumptions=tuple(
                _presumption(bound, i, facts, lang, stated, i in answer.definite)
                for i, stated in answer.presumed
            ),
            zone=answer.provisional.zone,
            subsidiarity=answer.provisional.subsidiarity,
            forms=tuple(form.code for form in answer.provisional.forms),
        ),
    )
    if later is not None:
        return Result.later(later, **eager)
    questions = answer.questions or ()
    what_if = answer.what_if or WhatIf(())
    return assemble(Result, **eager, **later_parts(bound, questions, what_if, facts, lang))


def later_parts(
    bound: Bound,
    questions: tuple[Question, ...],
    what_if: WhatIf,
    facts: Mapping[str, Any],
    lang: str,
) -> dict[str, Any]:
    """The parts of a result a caller may leave unread (`records.LATER`): the open
    questions (and the missing facts they name) and the what-if."""
    return {
        "missing_facts": tuple(q.field for q in questions),
        "open_questions": tuple(open_question(bound, q) for q in questions),
        **what_if_parts(bound, what_if, facts, lang),
    }


def open_question(bound: Bound, q: Question) -> OpenQuestion:
    """A question as the result gives it, built once for every case that asks it alike.

    Built from the policy's own codes, so not validated again: an open
    question has a dozen outcomes and a sparse case two dozen questions."""
    return bound.once(("question", q.key), partial(_question, bound, q))


def what_if_parts(
    bound: Bound, what_if: WhatIf, facts: Mapping[str, Any], lang: str
) -> dict[str, Any]:
    """The what-if's parts of a result (`would_be_kyodo_if`, `what_if_blocked_by`)."""
    return {
        "would_be_kyodo_if": _changes(what_if),
        "what_if_blocked_by": _blocked(bound, what_if, facts, lang),
    }


def _changes(what_if: WhatIf) -> tuple[tuple[FactChange, ...], ...]:
    return tuple(
        tuple(
            assemble(FactChange, field=f, value=list(v) if isinstance(v, tuple) else v)
            for f, v in change
        )
        for change in what_if.changes
    )


def _blocked(
    bound: Bound, what_if: WhatIf, facts: Mapping[str, Any], lang: str
) -> tuple[Presumption, ...]:
    return tuple(_presumption(bound, i, facts, lang) for i in what_if.blocked_by)


class Rest:
    """The parts of one answer a caller may leave unread (`records.LATER`), worked out
    when first read: the open questions and the what-if."""

    def __init__(
        self,
        bound: Bound,
        given: Given,
        decided: tuple[Decision, frozenset[int], frozenset[int]],
        provisional: Decision,
        lang: str,
        what_if: bool,
        engine: EngineName,
        questions_engine: EngineName,
    ) -> None:
        self.bound = bound
        self.given = given
        _, self.definite, self.undecided = decided
        self.provisional = provisional
        self.lang = lang
        self.what_if = what_if
        self.engine: EngineName = engine
        self.questions_engine: EngineName = questions_engine

    def later(self) -> Later:
        # Without the what-if search its parts are known now, so that reading
        # them (an inventory's settled rows) does not work out the open questions.
        known = None if self._searches else self._what_if_parts(WhatIf(()))
        return Later(self.whole, known=known, first_question=self.first_question)

    @property
    def _searches(self) -> bool:
        """Whether the what-if is searched for (not for a 協働 answer)."""
        return self.what_if and self.provisional.verdict != "kyodo"

    def _what_if_parts(self, found: WhatIf) -> dict[str, Any]:
        return what_if_parts(self.bound, found, self.given.facts, self.lang)

    def whole(self) -> dict[str, Any]:
        bound, given = self.bound, self.given
        questions = bound.questions(given, self.definite, self.undecided, self.questions_engine)
        found = WhatIf(())
        if self._searches:
            found = would_be_kyodo_if(
                bound, given, self.engine, definite=self.definite, undecided=self.undecided
            )
        return later_parts(bound, questions, found, given.facts, self.lang)

    def first_question(self) -> OpenQuestion | None:
        """The first of the open questions, the others not worked out (`Asked.first`)."""
        bound = self.bound
        first = bound.asked(
            self.given, self.definite, self.undecided, self.questions_engine
        ).first()
        return None if first is None else open_question(bound, first)
