"""How the conclusions of the rules that fired become one answer.

This is the combination policy, written out once (see docs/policy.md):

1. **Declared exceptions first.** A rule that is definitely true sets aside
   every rule it lists under `overrides` (事例2/3/4's exceptions are written
   this way). Nothing is implied by file order.
2. **Verdict.** The definition of 協働 needs *all* of its parts, so one
   failure is decisive: if a `not_kyodo` rule is definitely true and no
   undecided rule could set it aside (an exception that is itself `not_kyodo`
   does not count), the case is `not_kyodo`. A case is
   `kyodo` only if a `kyodo` rule is definitely true and no `not_kyodo` rule is
   still possible. Anything else is `undetermined`, never a guess.
3. **Category.** Of the `not_kyodo` rules in force, the one whose category
   comes first in `policy.yaml`'s `category_precedence` names the category:
   the named 早わかり問答 answers before the zone rules, before the generic
   definition failures.
4. **Zone, subsidiarity:** from the rules in force; two rules in force that
   disagree are a rulebase defect that `kyodo-rules check` reports (the first
   in rule order is used meanwhile).
5. **Forms** are ranked by the summed weights of the rules in force that
   recommend them; documents still needed, the checklist and "process" flags
   are advice for running a 協働 and are given only when the verdict is not
   `not_kyodo`. Other flags and violated principles are always given.
6. **Two readings of the open rules.** The strict verdict above keeps every
   open rule possible. The provisional answer is the same policy applied with
   every open rule presumed not to apply (`decide(definite, ())`): an
   exception or a disqualifier counts once it is established, as in Catala's
   default logic. `presumptions` names the open rules that, once established,
   would change the provisional verdict or category.
7. **Open questions** (`_open_questions`) are found by evaluating each answer
   an unknown fact could take; "the answer" is everything but the violated
   principles (see `signature`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kyodo_rules.model.vocabulary import DOCUMENTS, FLAGS, FORMS
from kyodo_rules.rulebase.loading import Policy, Rule, RuleSet


@dataclass(frozen=True)
class Decision:
    verdict: str
    category: str | None
    zone: str | None
    subsidiarity: str | None
    #: form code -> (weight, indices of the rules that recommend it), best first
    forms: tuple[tuple[str, int, tuple[int, ...]], ...]
    #: flag code -> index of the first rule in force that raised it
    flags: tuple[tuple[str, int], ...]
    documents: tuple[str, ...]
    checklist: str | None
    violates: tuple[tuple[str, int], ...]
    #: index -> index of the rule that set it aside
    overridden: Mapping[int, int]

    def signature(self) -> tuple[Any, ...]:
        """What a person acts on in the answer (computed once per decision).

        Violated principles are left out: they restate, in each city's words,
        reasons the verdict already gives, so a fact that could only add one is
        not worth a question.
        """
        found: tuple[Any, ...] | None = self.__dict__.get("_signature")
        if found is None:
            found = (
                self.verdict,
                self.category,
                self.zone,
                self.subsidiarity,
                tuple(code for code, _, _ in self.forms),
                tuple(code for code, _ in self.flags),
                self.documents,
                self.checklist,
            )
            self.__dict__["_signature"] = found
        return found


#: Entries a memo keeps before it starts afresh (a few MB at most).
MEMO_SIZE = 20_000


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _unknown_reads(nnf: Any) -> frozenset[str]:
    """Fields an NNF condition tests for being unknown (positive `unknown:` literals)."""
    from kyodo_rules.rulebase.conditions import Literal_, Unknown

    if isinstance(nnf, Literal_):
        return (
            frozenset({nnf.atom.field})
            if isinstance(nnf.atom, Unknown) and not nnf.negated
            else frozenset()
        )
    out: frozenset[str] = frozenset()
    for item in nnf.items:
        out |= _unknown_reads(item)
    return out


class Combiner:
    """The policy above, bound to one rule set (precomputed lookups, no state)."""

    def __init__(self, ruleset: RuleSet, policy: Policy) -> None:
        self.rules: tuple[Rule, ...] = ruleset.rules
        index = {rule.id: i for i, rule in enumerate(self.rules)}
        self._overrides: tuple[tuple[int, ...], ...] = tuple(
            tuple(index[t] for t in rule.overrides if t in index) for rule in self.rules
        )
        self._overridden_by: dict[int, tuple[int, ...]] = {}
        for i, targets in enumerate(self._overrides):
            for t in targets:
                self._overridden_by[t] = (*self._overridden_by.get(t, ()), i)
        rank: dict[str, int] = {code: n for n, code in enumerate(policy.category_precedence)}
        self._rank = rank
        self.flag_messages = {code: info.message for code, info in policy.flags.items()}
        self._process_flags = frozenset(
            code for code, info in policy.flags.items() if info.kind == "process"
        )
        self.design_fields: tuple[str, ...] = policy.design_fields
        # Verdict rules that hold *because* a fact is unknown ("unknown: activity"):
        # learning the fact can make them false, so the strict reading must not
        # count them as settled (the provisional one does: the exception they
        # leave room for is presumed not to apply until it is established).
        self._while_unknown: dict[int, frozenset[str]] = {
            i: fields
            for i, rule in enumerate(self.rules)
            if rule.then.verdict is not None and (fields := _unknown_reads(rule.nnf))
        }
        self._not_kyodo = frozenset(
            i for i, rule in enumerate(self.rules) if rule.then.verdict == "not_kyodo"
        )
        self._kyodo = frozenset(
            i for i, rule in enumerate(self.rules) if rule.then.verdict == "kyodo"
        )
        # Bounded memos: the same few sets of rule statuses come back again and
        # again (every open question tries each answer; a wizard re-asks after
        # each answer), and a decision depends on nothing else.
        self._provisional: dict[frozenset[int], Decision] = {}
        self._verdicts: dict[tuple[frozenset[int], frozenset[int]], tuple[str, str | None]] = {}

    def _set_aside(self, definite: Collection[int]) -> dict[int, int]:
        """Which definite rules are overridden, and by which rule in force."""
        targets = [i for i in definite if i in self._overridden_by]
        if not targets or not any(j in definite for i in targets for j in self._overridden_by[i]):
            return {}

        @cache
        def in_force(i: int) -> bool:
            return not any(j in definite and in_force(j) for j in self._overridden_by.get(i, ()))

        out: dict[int, int] = {}
        for i in definite:
            if not in_force(i):
                out[i] = next(j for j in self._overridden_by[i] if j in definite and in_force(j))
        return out

    def strict(
        self, definite: frozenset[int], undecided: frozenset[int], unknown: frozenset[str]
    ) -> tuple[frozenset[int], frozenset[int]]:
        """The rule statuses the strict verdict reads: a verdict rule that holds only
        while a fact is unknown is still open."""
        moved = frozenset(i for i in definite if self._while_unknown.get(i, frozenset()) & unknown)
        if not moved:
            return definite, undecided
        return definite - moved, undecided | moved

    def _verdict(
        self, definite: frozenset[int], undecided: frozenset[int], force: list[int]
    ) -> tuple[str, str | None, list[int]]:
        """Verdict, category and the not_kyodo rules in force (steps 2 and 3)."""
        rules = self.rules
        not_kyodo = self._not_kyodo

        def may_be_set_aside(i: int) -> bool:
            # An exception that is itself a not_kyodo rule cannot turn the verdict.
            return any(
                j in undecided and j not in not_kyodo for j in self._overridden_by.get(i, ())
            )

        def surely_set_aside(i: int) -> bool:
            return any(j in force for j in self._overridden_by.get(i, ()))

        against = [i for i in force if i in not_kyodo]
        if any(not may_be_set_aside(i) for i in against):
            verdict = "not_kyodo"
        else:
            pending = any(i in not_kyodo and not surely_set_aside(i) for i in undecided)
            in_favour = any(i in self._kyodo for i in force)
            verdict = "kyodo" if in_favour and not pending and not against else "undetermined"
        category = None
        if verdict == "not_kyodo":
            named = [c for c in (rules[i].then.category for i in against) if c is not None]
            category = min(named, key=lambda c: self._rank[c])
        return verdict, category, against

    def verdict(
        self, definite: frozenset[int], undecided: frozenset[int]
    ) -> tuple[str, str | None]:
        """The strict verdict and category alone: what the open questions compare most."""
        key = (definite, undecided)
        found = self._verdicts.get(key)
        if found is None:
            overridden = self._set_aside(definite)
            force = [i for i in sorted(definite) if i not in overridden]
            verdict, category, _ = self._verdict(definite, undecided, force)
            found = (verdict, category)
            _remember(self._verdicts, key, found)
        return found

    def decide(self, definite: Collection[int], undecided: Collection[int]) -> Decision:
        rules = self.rules
        definite = frozenset(definite)
        undecided = frozenset(undecided)
        overridden = self._set_aside(definite)
        force = [i for i in sorted(definite) if i not in overridden]
        verdict, category, _ = self._verdict(definite, undecided, force)
        zone = next((rules[i].then.zone for i in force if rules[i].then.zone), None)
        subsidiarity = next(
            (rules[i].then.subsidiarity for i in force if rules[i].then.subsidiarity), None
        )
        advice = verdict != "not_kyodo"
        forms: dict[str, tuple[int, tuple[int, ...]]] = {}
        documents: set[str] = set()
        checklist = None
        flags: dict[str, int] = {}
        violates: dict[str, int] = {}
        for i in force:
            then = rules[i].then
            for flag in then.flags:
                if flag not in flags and (advice or flag not in self._process_flags):
                    flags[flag] = i
            for principle in then.violates:
                violates.setdefault(principle, i)
            if not advice:
                continue
            for form, weight in then.forms.items():
                total, why = forms.get(form, (0, ()))
                forms[form] = (total + weight, (*why, i))
            documents.update(then.documents_required)
            checklist = checklist or then.checklist
        ranked = sorted(
            ((code, w, why) for code, (w, why) in forms.items() if w > 0),
            key=lambda item: (-item[1], FORMS.index(item[0])),
        )
        return Decision(
            verdict=verdict,
            category=category,
            zone=zone,
            subsidiarity=subsidiarity,
            forms=tuple(ranked),
            flags=tuple(sorted(flags.items(), key=lambda kv: FLAGS.index(kv[0]))),
            documents=tuple(d for d in DOCUMENTS if d in documents),
            checklist=checklist,
            violates=tuple(violates.items()),
            overridden=overridden,
        )

    def provisional(self, definite: Collection[int]) -> Decision:
        """The answer with every open rule presumed not to apply."""
        key = frozenset(definite)
        found = self._provisional.get(key)
        if found is None:
            found = self.decide(key, ())
            _remember(self._provisional, key, found)
        return found

    def presumptions(
        self, definite: Collection[int], undecided: Collection[int], provisional: Decision
    ) -> tuple[int, ...]:
        """The open rules that, established, would change the provisional verdict or category.

        Only rules that conclude a verdict or set one aside can: the others are
        advice, which the open questions cover.
        """
        definite = frozenset(definite)
        now = (provisional.verdict, provisional.category)
        out = []
        for i in sorted(undecided):
            rule = self.rules[i]
            if rule.then.verdict is None and not rule.overrides:
                continue
            established = self.decide(definite | {i}, ())
            if (established.verdict, established.category) != now:
                out.append(i)
        return tuple(out)
