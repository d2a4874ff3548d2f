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

from collections.abc import Collection
from functools import cache
from typing import Any, NamedTuple

from kyodo_rules.decision.decisions import Decision, FormWeight, bits, indices
from kyodo_rules.decision.masks import RuleMasks
from kyodo_rules.model import memo
from kyodo_rules.model.memo import Memo
from kyodo_rules.model.memo import bound_memos as bound_memos
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


def __getattr__(name: str) -> Any:
    """`policy.MEMO_SIZE`: the bound of the decision layer's memos (`memo.MEMO_SIZE`),
    read here by the inventory, which lowers it while a sheet is answered."""
    if name == "MEMO_SIZE":
        return memo.MEMO_SIZE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def _ascending(bit_set: int) -> tuple[int, ...]:
    """The rule indices of a bit set, in rule order."""
    out = []
    while bit_set:
        low = bit_set & -bit_set
        out.append(low.bit_length() - 1)
        bit_set ^= low
    return tuple(out)


def _first(bit_set: int) -> int | None:
    """The first rule (in rule order) of a bit set, None if it is empty."""
    return (bit_set & -bit_set).bit_length() - 1 if bit_set else None


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
        self._held_bits = bits(self._while_unknown)
        # Contested rules (a reading another guide disputes, `contested_by`): never
        # settled on their own. The strict reading keeps them open, and with them
        # the rules they set aside (they would stand without the contested
        # reading); the provisional reading follows them and names them.
        self._contested_bits = bits(
            i for i, rule in enumerate(self.rules) if rule.contested_by is not None
        )
        self._contested_targets: dict[int, int] = {
            i: bits(self._overrides[i])
            for i, rule in enumerate(self.rules)
            if rule.contested_by is not None
        }
        #: field -> the rules of `_while_unknown` that hold while it is unknown
        self._held_by: dict[str, int] = {}
        for i, fields in self._while_unknown.items():
            for name in fields:
                self._held_by[name] = self._held_by.get(name, 0) | 1 << i
        self.masks = RuleMasks(
            self.rules, self._overrides, self._overridden_by, rank, self._process_flags
        )
        self._verdict_reads = self.masks.verdict_reads
        self._violates_bits = bits(i for i, rule in enumerate(self.rules) if rule.then.violates)
        # Bounded memos: the same few sets of rule statuses come back again and
        # again (every open question tries each answer; a wizard re-asks after
        # each answer), and a decision depends on nothing else.
        self._provisional: Memo[frozenset[int], Decision] = Memo()
        self._decisions: Memo[tuple[frozenset[int], frozenset[int]], Decision] = Memo()
        self._signatures: Memo[int, tuple[Any, ...]] = Memo()
        self._advice_parts: Memo[tuple[int, bool], tuple[Any, ...]] = Memo()
        self._verdicts: Memo[tuple[int, int], tuple[str, str | None]] = Memo()

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
        while a fact is unknown is still open (`strict_bits` on sets)."""
        d = bits(definite)
        strict_d, strict_u = self.strict_bits(d, bits(undecided), unknown)
        if strict_d == d:
            return definite, undecided
        return indices(strict_d), indices(strict_u)

    def _force(self, definite: int) -> int:
        """The definite rules in force (step 1), as a bit set."""
        return self.masks.force(definite, self._set_aside)

    def _verdict_bits_read(self, undecided: int, force_bits: int) -> _Reading:
        """Verdict and category (steps 2 and 3), with the rules each step rests on."""
        verdict, against, decisive, pending = self.masks.read(undecided, force_bits)
        in_favour = _ascending(force_bits & self.masks.k_bits)
        category = self.masks.category(against) if verdict == "not_kyodo" else None
        decisive_rules = _ascending(decisive)
        decided_by = (
            decisive_rules if verdict == "not_kyodo" else in_favour if verdict == "kyodo" else ()
        )
        return _Reading(
            verdict,
            category,
            decided_by,
            _ascending(against & ~decisive),
            in_favour,
            _ascending(pending),
            tuple(i for i in self.masks.category_order if against >> i & 1),
        )

    def verdict(
        self, definite: frozenset[int], undecided: frozenset[int]
    ) -> tuple[str, str | None]:
        """The strict verdict and category alone."""
        return self._verdict_of(bits(definite), bits(undecided))

    def _verdict_of(self, definite: int, undecided: int) -> tuple[str, str | None]:
        # Remembered by the rules the verdict reads alone (`masks.verdict_reads`:
        # about half the rules): cases that differ only in advice share the entry.
        reads = self._verdict_reads
        key = (definite & reads, undecided & reads)
        found = self._verdicts.get(key)
        if found is None:
            verdict, against, _, _ = self.masks.read(key[1], self._force(key[0]))
            found = verdict, self.masks.category(against) if verdict == "not_kyodo" else None
            self._verdicts.put(key, found)
        return found

    def strict_bits(
        self, definite: int, undecided: int, unknown: frozenset[str]
    ) -> tuple[int, int]:
        """`strict` of bit sets."""
        moved = 0
        held = definite & self._held_bits
        if held:
            moved = bits(i for i in indices(held) if self._while_unknown[i] & unknown)
        contested = definite & self._contested_bits
        if contested:
            moved |= contested
            for i in indices(contested):
                moved |= definite & self._contested_targets[i]
        if moved:
            return definite & ~moved, undecided | moved
        return definite, undecided

    def same_strict_verdict(
        self, definite: int, undecided: int, near: int, near_undecided: int, learnt: str
    ) -> bool:
        """Whether `verdict_bits(definite, undecided, unknown - {learnt})` is certainly
        `verdict_bits(near, near_undecided, unknown)`, without applying the policy:
        the two differ in no rule the strict verdict reads, and no verdict rule
        in force holds only while `learnt` is unknown (learning it would settle it)."""
        reads = self.masks.verdict_reads
        if (definite ^ near) & reads or (undecided ^ near_undecided) & reads:
            return False
        return not definite & self._held_by.get(learnt, 0)

    def verdict_bits(
        self, definite: int, undecided: int, unknown: frozenset[str]
    ) -> tuple[str, str | None]:
        """The strict verdict and category of bit sets (`strict`, then `verdict`):
        what the open questions compare for every answer."""
        return self._verdict_of(*self.strict_bits(definite, undecided, unknown))

    def set_aside_bits(self, definite: int) -> int:
        """The definite rules an exception in force sets aside (step 1), as a bit set."""
        return definite & ~self._force(definite)

    @property
    def not_kyodo_bits(self) -> int:
        return self.masks.nk_bits

    def provisional_verdict_bits(self, definite: int) -> Verdict:
        """`provisional(...).verdict` of a bit set: what the what-if tests each change for."""
        return self.masks.read(0, self._force(definite))[0]

    def force_bits(self, definite: int) -> int:
        """The definite rules in force (step 1) of a bit set."""
        return self._force(definite)

    def signature_near(
        self, definite: int, near: int, near_force: int, near_sig: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        """`signature_bits(definite)`, knowing the signature and the rules in force of
        `near`, a set it differs from by a few rules (an open question's answer
        and the case): only the parts those rules make are worked out again."""
        moved = definite ^ near
        if not moved & self.masks.signature_reads:
            return near_sig
        found = self._signatures.get(definite)
        if found is not None:
            return found
        if not moved & self.masks.verdict_reads:
            # No rule of a verdict or an exception moved: the same verdict and
            # category, and the rules in force differ exactly by the moved ones.
            advice = near_sig[0] != "not_kyodo"
            parts = self.masks.advice_near(near_force ^ moved, advice, near_force, near_sig[2:])
            found = (*near_sig[:2], *parts)
            self._signatures.put(definite, found)
            return found
        force = self._force(definite)
        verdict, against, _, _ = self.masks.read(0, force)
        advice = verdict != "not_kyodo"
        if advice != (near_sig[0] != "not_kyodo"):
            return self.signature_bits(definite)
        parts = self.masks.advice_near(force, advice, near_force, near_sig[2:])
        found = (verdict, self.masks.category(against) if verdict == "not_kyodo" else None, *parts)
        self._signatures.put(definite, found)
        return found

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
        force = self._force(definite)
        verdict, against, _, _ = self.masks.read(0, force)
        advice = verdict != "not_kyodo"
        key = (force & self.masks.shown_bits, advice)
        parts = self._advice_parts.get(key)
        if parts is None:
            parts = self.masks.advice_of(*key)
            self._advice_parts.put(key, parts)
        found = (verdict, self.masks.category(against) if verdict == "not_kyodo" else None, *parts)
        self._signatures.put(definite, found)
        return found

    def decide(self, definite: Collection[int], undecided: Collection[int]) -> Decision:
        """The policy applied to these rule statuses (remembered: the what-if, the open
        questions and the checker put the same few sets of statuses again and again)."""
        key = (frozenset(definite), frozenset(undecided))
        found = self._decisions.get(key)
        if found is None:
            found = self._decide(*key)
            self._decisions.put(key, found)
        return found

    def _decide(self, definite: frozenset[int], undecided: frozenset[int]) -> Decision:
        """The decision record (steps 1-5), on bit sets: each part walks only the rules
        in force that conclude it."""
        rules = self.rules
        masks = self.masks
        definite_bits = bits(definite)
        if masks.override_order is None:  # a cycle of exceptions: `check` reports it
            overridden = self._set_aside(definite)
            force_bits = definite_bits & ~bits(overridden)
        else:
            force_bits = masks.force(definite_bits, self._set_aside)
            overridden = {}
            if force_bits != definite_bits:
                # In the order of `definite`, each with the first of its exceptions in force.
                for i in definite:
                    if not force_bits >> i & 1:
                        by = self._overridden_by[i]
                        overridden[i] = next(j for j in by if force_bits >> j & 1)
        reading = self._verdict_bits_read(bits(undecided), force_bits)
        verdict = reading.verdict
        zone_from = _first(force_bits & masks.part_bits[0])
        subsidiarity_from = _first(force_bits & masks.part_bits[1])
        advice = verdict != "not_kyodo"
        forms: dict[FormCode, tuple[int, tuple[int, ...]]] = {}
        documents: set[str] = set()
        checklist: Stage | None = None
        flags: dict[FlagCode, int] = {}
        violates: dict[str, int] = {}
        for i in _ascending(force_bits & masks.part_bits[3]):
            for flag in rules[i].then.flags:
                if flag not in flags and (advice or flag not in self._process_flags):
                    flags[flag] = i
        for i in _ascending(force_bits & self._violates_bits):
            for principle in rules[i].then.violates:
                violates.setdefault(principle, i)
        if advice:
            for i in _ascending(force_bits & masks.part_bits[2]):
                for form, weight in rules[i].then.forms.items():
                    total, why = forms.get(form, (0, ()))
                    forms[form] = (total + weight, (*why, i))
            for i in _ascending(force_bits & masks.part_bits[4]):
                documents.update(rules[i].then.documents_required)
            first = _first(force_bits & masks.part_bits[5])
            checklist = None if first is None else rules[first].then.checklist
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
            self._provisional.put(key, found)
        return found

    def presumptions(
        self, definite: Collection[int], undecided: Collection[int], provisional: Decision
    ) -> tuple[int, ...]:
        """The open rules that, established, would change the provisional verdict or category.

        Only rules that conclude a verdict or set one aside can: the others are
        advice, which the open questions cover. Those that would change the
        verdict come first, then those that would change only the category.
        """
        definite_bits = bits(definite)
        now = (provisional.verdict, provisional.category)
        verdict_first: list[int] = []
        category_only: list[int] = []
        for i in sorted(undecided):
            rule = self.rules[i]
            if rule.then.verdict is None and not rule.overrides:
                continue
            # The verdict and category of `decide(definite | {i}, ())`, on bit sets.
            then = self._verdict_of(definite_bits | 1 << i, 0)
            if then[0] != now[0]:
                verdict_first.append(i)
            elif then != now:
                category_only.append(i)
        return (*verdict_first, *category_only)

    def presumed(
        self,
        definite: frozenset[int],
        undecided: frozenset[int],
        unknown: frozenset[str],
        provisional: Decision,
    ) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """What the provisional answer presumes, most decisive first, each with the
        rules in force whose own sentence states it (`states:`; empty: a bare
        presumption).

        Named: the open rules that, established, would change the provisional
        verdict or category (presumed not to apply), and the rules the strict
        reading keeps open that the provisional answer follows (one that holds
        only while a fact is unknown, a contested reading). A provisional answer
        that is itself undetermined presumes nothing: it gives no answer to rest
        on, and the open questions say what would decide it. Bare presumptions
        come before those a form's sentence states, which the form already
        speaks for.
        """
        if provisional.verdict == "undetermined":
            return ()
        strict_definite, _ = self.strict(definite, undecided, unknown)
        force = set(definite) - set(provisional.overridden)
        held = sorted(
            i
            for i in definite - strict_definite
            if i in force
            and (self.rules[i].then.verdict is not None or self.rules[i].contested_by is not None)
        )
        evidence = [i for i in provisional.in_favour if self.rules[i].states]
        out: list[tuple[int, tuple[int, ...]]] = []
        for i in (*self.presumptions(definite, undecided, provisional), *held):
            fields = self.rules[i].fields
            stated = tuple(
                j for j in evidence if i != j and not fields.isdisjoint(self.rules[j].states)
            )
            # Only a failure of the definition is stated by a form's sentence.
            out.append((i, stated if self.rules[i].then.verdict == "not_kyodo" else ()))
        # Most decisive first: a bare presumption before one a form's sentence
        # states; then one that a single answer would establish before one that
        # needs several (the verdict-changing ones already lead `out`).
        # What the strict reading keeps open but the answer follows (a contested
        # reading, a rule held while a fact is unknown) is what the answer rests on
        # most: it leads.
        unknown_reads = {i: len(self.rules[i].fields & unknown) for i, _ in out}
        followed = set(held)
        ranked = sorted(
            range(len(out)),
            key=lambda n: (
                bool(out[n][1]),
                out[n][0] not in followed,
                unknown_reads[out[n][0]] > 1,
                n,
            ),
        )
        return tuple(out[n] for n in ranked)
