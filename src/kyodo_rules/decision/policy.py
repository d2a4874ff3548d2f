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
from functools import cache
from typing import Any, NamedTuple

from kyodo_rules.decision.decisions import Decision, FormWeight, bits, indices
from kyodo_rules.model.vocabulary import (
    DOCUMENTS,
    FLAGS,
    FORMS,
    Category,
    FlagCode,
    FormCode,
    Stage,
    Verdict,
)
from kyodo_rules.rulebase.loading import Rule, RuleSet
from kyodo_rules.rulebase.settings import Policy


class _Reading(NamedTuple):
    verdict: Verdict
    category: Category | None
    decided_by: tuple[int, ...]
    contested: tuple[int, ...]
    in_favour: tuple[int, ...]
    pending: tuple[int, ...]
    named: tuple[int, ...]


#: Entries a memo keeps before it starts afresh (a few MB at most).
MEMO_SIZE = 20_000


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[key] = value


def _overriders_first(overridden_by: Mapping[int, tuple[int, ...]]) -> tuple[int, ...] | None:
    """The rules that have exceptions, each after all of its exceptions (None on a cycle)."""
    order: list[int] = []
    state: dict[int, int] = {}  # 1: being visited, 2: placed

    def visit(i: int) -> bool:
        if state.get(i) == 2:
            return True
        if state.get(i) == 1:
            return False
        state[i] = 1
        if not all(visit(j) for j in overridden_by.get(i, ())):
            return False
        state[i] = 2
        if i in overridden_by:
            order.append(i)
        return True

    return tuple(order) if all(visit(i) for i in sorted(overridden_by)) else None


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
        self._held_while_unknown = frozenset(self._while_unknown)
        self._held_bits = bits(self._while_unknown)
        self._not_kyodo = frozenset(
            i for i, rule in enumerate(self.rules) if rule.then.verdict == "not_kyodo"
        )
        self._kyodo = frozenset(
            i for i, rule in enumerate(self.rules) if rule.then.verdict == "kyodo"
        )
        # The same sets as bit sets (bit i: rule i): steps 2 and 3 and the answer's
        # signature are computed on them, hundreds of times for one case's open
        # questions.
        rules = self.rules
        self._nk_bits = bits(self._not_kyodo)
        self._k_bits = bits(self._kyodo)
        self._target_bits = bits(self._overridden_by)
        self._overrider_bits = bits(i for i, targets in enumerate(self._overrides) if targets)
        #: rule -> its exceptions (the rules that can set it aside)
        self._exception_bits = {i: bits(by) for i, by in self._overridden_by.items()}
        #: rule -> its exceptions that are not themselves not_kyodo
        self._turning_bits = {i: m & ~self._nk_bits for i, m in self._exception_bits.items()}
        #: the not_kyodo rules that name a category, by precedence then rule order
        self._category_order = tuple(
            sorted(
                (i for i in self._not_kyodo if rules[i].then.category is not None),
                key=lambda i: (rank.get(rules[i].then.category or "", 0), i),
            )
        )
        #: the same as bit sets, one a rank: the first rank present names the
        #: category, and within a rank the first rule
        ranks: dict[int, int] = {}
        for i in self._category_order:
            level = rank.get(rules[i].then.category or "", 0)
            ranks[level] = ranks.get(level, 0) | 1 << i
        self._category_ranks = tuple(ranks[level] for level in sorted(ranks))
        self._turned_bits = bits(self._turning_bits)
        self._excepted_bits = bits(self._exception_bits)
        self._override_order = _overriders_first(self._overridden_by)
        flag_at = {code: n for n, code in enumerate(FLAGS)}
        document_at = {code: n for n, code in enumerate(DOCUMENTS)}
        #: rule -> (its flags, its flags that are not "process", its documents) as bit sets
        self._advice: dict[int, tuple[int, int, int]] = {
            i: (
                bits(flag_at[f] for f in r.then.flags),
                bits(flag_at[f] for f in r.then.flags if f not in self._process_flags),
                bits(document_at[d] for d in r.then.documents_required),
            )
            for i, r in enumerate(rules)
        }
        self._advice_bits = bits(
            i
            for i, r in enumerate(rules)
            if r.then.flags or r.then.forms or r.then.documents_required or r.then.checklist
        )
        self._zone_rules = tuple(i for i, r in enumerate(rules) if r.then.zone)
        self._subsidiarity_rules = tuple(i for i, r in enumerate(rules) if r.then.subsidiarity)
        # Bounded memos: the same few sets of rule statuses come back again and
        # again (every open question tries each answer; a wizard re-asks after
        # each answer), and a decision depends on nothing else.
        self._provisional: dict[frozenset[int], Decision] = {}
        self._decisions: dict[tuple[frozenset[int], frozenset[int]], Decision] = {}
        self._signatures: dict[int, tuple[Any, ...]] = {}
        self._advice_parts: dict[tuple[int, bool], tuple[Any, ...]] = {}
        #: the rules whose conclusions the advice part of a signature shows
        self._shown_bits = (
            self._advice_bits | bits(self._zone_rules) | bits(self._subsidiarity_rules)
        )
        self._verdicts: dict[tuple[int, int], tuple[str, str | None]] = {}

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
        held = self._while_unknown
        moved = frozenset(i for i in definite & self._held_while_unknown if held[i] & unknown)
        if not moved:
            return definite, undecided
        return definite - moved, undecided | moved

    def _force_bits(self, definite: int) -> int:
        """The definite rules in force (step 1), as a bit set.

        A rule is set aside when one of its exceptions is in force; exceptions
        are decided before the rules they set aside (`_override_order`).
        """
        if not definite & self._target_bits or not definite & self._overrider_bits:
            return definite
        order = self._override_order
        if order is None:  # a cycle of exceptions: `check` reports it
            return definite & ~bits(self._set_aside(indices(definite)))
        force = definite
        for i in order:
            if force >> i & 1 and force & self._exception_bits[i]:
                force ^= 1 << i
        return force

    def _read_bits(self, undecided: int, force: int) -> tuple[Verdict, int, int, int]:
        """Step 2 on bit sets: the verdict, and the rules against, decisive and pending.

        A not_kyodo rule in force is contested (not decisive) while an exception
        to it that is not itself not_kyodo is open; an open not_kyodo rule is
        pending unless a rule in force sets it aside.
        """
        against = force & self._nk_bits
        decisive = against
        pending = 0
        if undecided:
            rest = against & self._turned_bits
            while rest:
                low = rest & -rest
                rest ^= low
                if undecided & self._turning_bits[low.bit_length() - 1]:
                    decisive ^= low
            open_against = undecided & self._nk_bits
            pending = open_against & ~self._excepted_bits
            rest = open_against & self._excepted_bits
            while rest:
                low = rest & -rest
                rest ^= low
                if not force & self._exception_bits[low.bit_length() - 1]:
                    pending |= low
        verdict: Verdict
        if decisive:
            verdict = "not_kyodo"
        elif force & self._k_bits and not pending and not against:
            verdict = "kyodo"
        else:
            verdict = "undetermined"
        return verdict, against, decisive, pending

    def _category(self, against: int) -> Category | None:
        """Step 3: the category of the first not_kyodo rule in force by precedence."""
        for level in self._category_ranks:
            hit = against & level
            if hit:
                return self.rules[(hit & -hit).bit_length() - 1].then.category
        return None

    def _verdict(self, undecided: frozenset[int], force: list[int]) -> _Reading:
        """Verdict and category (steps 2 and 3), with the rules each step rests on."""
        force_bits = bits(force)
        verdict, against, decisive, pending = self._read_bits(bits(undecided), force_bits)
        in_favour = tuple(sorted(indices(force_bits & self._k_bits)))
        category = self._category(against) if verdict == "not_kyodo" else None
        decisive_rules = tuple(sorted(indices(decisive)))
        decided_by = (
            decisive_rules if verdict == "not_kyodo" else in_favour if verdict == "kyodo" else ()
        )
        return _Reading(
            verdict,
            category,
            decided_by,
            tuple(sorted(indices(against & ~decisive))),
            in_favour,
            tuple(sorted(indices(pending))),
            tuple(i for i in self._category_order if against >> i & 1),
        )

    def verdict(
        self, definite: frozenset[int], undecided: frozenset[int]
    ) -> tuple[str, str | None]:
        """The strict verdict and category alone."""
        return self._verdict_of(bits(definite), bits(undecided))

    def _verdict_of(self, definite: int, undecided: int) -> tuple[str, str | None]:
        key = (definite, undecided)
        found = self._verdicts.get(key)
        if found is None:
            verdict, against, _, _ = self._read_bits(undecided, self._force_bits(definite))
            found = verdict, self._category(against) if verdict == "not_kyodo" else None
            _remember(self._verdicts, key, found)
        return found

    def strict_bits(
        self, definite: int, undecided: int, unknown: frozenset[str]
    ) -> tuple[int, int]:
        """`strict` of bit sets."""
        held = definite & self._held_bits
        if held:
            moved = bits(i for i in indices(held) if self._while_unknown[i] & unknown)
            return definite & ~moved, undecided | moved
        return definite, undecided

    def verdict_bits(
        self, definite: int, undecided: int, unknown: frozenset[str]
    ) -> tuple[str, str | None]:
        """The strict verdict and category of bit sets (`strict`, then `verdict`):
        what the open questions compare for every answer."""
        return self._verdict_of(*self.strict_bits(definite, undecided, unknown))

    def set_aside_bits(self, definite: int) -> int:
        """The definite rules an exception in force sets aside (step 1), as a bit set."""
        return definite & ~self._force_bits(definite)

    @property
    def not_kyodo_bits(self) -> int:
        return self._nk_bits

    def provisional_verdict_bits(self, definite: int) -> Verdict:
        """`provisional(...).verdict` of a bit set: what the what-if tests each change for."""
        return self._read_bits(0, self._force_bits(definite))[0]

    def signature_bits(self, definite: int) -> tuple[Any, ...]:
        """`provisional(...).signature()` of a bit set, without building the Decision.

        The open questions compare an answer's signature with the case's for
        every distinct set of statuses an answer gives; only the codes are needed.
        The advice part depends only on the advice rules in force (and on whether
        advice is given), so it is remembered by those: most answers move a few
        verdict rules and leave it as it was.
        """
        found = self._signatures.get(definite)
        if found is not None:
            return found
        force = self._force_bits(definite)
        verdict, against, _, _ = self._read_bits(0, force)
        advice = verdict != "not_kyodo"
        key = (force & self._shown_bits, advice)
        parts = self._advice_parts.get(key)
        if parts is None:
            parts = self._advice_of(*key)
            _remember(self._advice_parts, key, parts)
        found = (verdict, self._category(against) if verdict == "not_kyodo" else None, *parts)
        _remember(self._signatures, definite, found)
        return found

    def _advice_of(self, force: int, advice: bool) -> tuple[Any, ...]:
        """Zone, subsidiarity, forms, flags, documents and checklist of the rules in force."""
        rules = self.rules
        zone = next((rules[i].then.zone for i in self._zone_rules if force >> i & 1), None)
        subsidiarity = next(
            (rules[i].then.subsidiarity for i in self._subsidiarity_rules if force >> i & 1), None
        )
        weights: dict[str, int] = {}
        flags = documents = 0
        checklist: Stage | None = None
        rest = force & self._advice_bits
        while rest:
            low = rest & -rest
            rest ^= low
            i = low.bit_length() - 1
            every_flag, own_flags, own_documents = self._advice[i]
            if not advice:
                flags |= own_flags
                continue
            flags |= every_flag
            documents |= own_documents
            then = rules[i].then
            for form, weight in then.forms.items():
                weights[form] = weights.get(form, 0) + weight
            checklist = checklist or then.checklist
        ranked = sorted(
            (code for code, w in weights.items() if w > 0),
            key=lambda code: (-weights[code], FORMS.index(code)),
        )
        return (
            zone,
            subsidiarity,
            tuple(ranked),
            tuple(code for n, code in enumerate(FLAGS) if flags >> n & 1),
            tuple(code for n, code in enumerate(DOCUMENTS) if documents >> n & 1),
            checklist,
        )

    def decide(self, definite: Collection[int], undecided: Collection[int]) -> Decision:
        """The policy applied to these rule statuses (remembered: the what-if, the open
        questions and the checker put the same few sets of statuses again and again)."""
        key = (frozenset(definite), frozenset(undecided))
        found = self._decisions.get(key)
        if found is None:
            found = self._decide(*key)
            _remember(self._decisions, key, found)
        return found

    def _decide(self, definite: frozenset[int], undecided: frozenset[int]) -> Decision:
        rules = self.rules
        overridden = self._set_aside(definite)
        force = [i for i in sorted(definite) if i not in overridden]
        reading = self._verdict(undecided, force)
        verdict = reading.verdict
        zone_from = next((i for i in force if rules[i].then.zone), None)
        subsidiarity_from = next((i for i in force if rules[i].then.subsidiarity), None)
        advice = verdict != "not_kyodo"
        forms: dict[FormCode, tuple[int, tuple[int, ...]]] = {}
        documents: set[str] = set()
        checklist: Stage | None = None
        flags: dict[FlagCode, int] = {}
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
            (FormWeight(code, w, why) for code, (w, why) in forms.items() if w > 0),
            key=lambda form: (-form.weight, FORMS.index(form.code)),
        )
        return Decision(
            verdict=verdict,
            category=reading.category,
            zone=None if zone_from is None else rules[zone_from].then.zone,
            subsidiarity=(
                None if subsidiarity_from is None else rules[subsidiarity_from].then.subsidiarity
            ),
            forms=tuple(ranked),
            flags=tuple(sorted(flags.items(), key=lambda kv: FLAGS.index(kv[0]))),
            documents=tuple(d for d in DOCUMENTS if d in documents),
            checklist=checklist,
            violates=tuple(violates.items()),
            overridden=overridden,
            decided_by=reading.decided_by,
            contested=reading.contested,
            in_favour=reading.in_favour,
            pending=reading.pending,
            category_from=reading.named,
            zone_from=zone_from,
            subsidiarity_from=subsidiarity_from,
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
