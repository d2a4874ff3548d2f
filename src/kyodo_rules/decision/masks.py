"""The rule set as bit masks (bit i: rule i): what the policy's steps run on.

The open questions and the what-if apply the policy hundreds of times for one
case, to rule statuses that differ from the case's by a few rules; on bit sets
each step is a few integer operations. `policy.py` (the `Combiner`) owns the
policy and the decision record; this is its arithmetic, and nothing else
reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kyodo_rules.decision.decisions import bits, indices
from kyodo_rules.model.vocabulary import DOCUMENTS, FLAGS, FORMS, Category, Stage, Verdict
from kyodo_rules.rulebase.loading import Rule


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


class RuleMasks:
    """Precomputed masks of one rule set: who concludes what, who sets whom aside."""

    def __init__(
        self,
        rules: tuple[Rule, ...],
        overrides: tuple[tuple[int, ...], ...],
        overridden_by: Mapping[int, tuple[int, ...]],
        rank: Mapping[str, int],
        process_flags: frozenset[str],
    ) -> None:
        self.rules = rules
        not_kyodo = frozenset(i for i, r in enumerate(rules) if r.then.verdict == "not_kyodo")
        kyodo = frozenset(i for i, r in enumerate(rules) if r.then.verdict == "kyodo")
        # The same sets as bit sets (bit i: rule i): steps 2 and 3 and the answer's
        # signature are computed on them, hundreds of times for one case's open
        # questions.
        self.nk_bits = bits(not_kyodo)
        self.k_bits = bits(kyodo)
        self.target_bits = bits(overridden_by)
        self.overrider_bits = bits(i for i, targets in enumerate(overrides) if targets)
        #: rule -> its exceptions (the rules that can set it aside)
        self.exception_bits = {i: bits(by) for i, by in overridden_by.items()}
        #: rule -> its exceptions that are not themselves not_kyodo
        self.turning_bits = {i: m & ~self.nk_bits for i, m in self.exception_bits.items()}
        #: the not_kyodo rules that name a category, by precedence then rule order
        self.category_order = tuple(
            sorted(
                (i for i in not_kyodo if rules[i].then.category is not None),
                key=lambda i: (rank.get(rules[i].then.category or "", 0), i),
            )
        )
        #: the same as bit sets, one a rank: the first rank present names the
        #: category, and within a rank the first rule
        ranks: dict[int, int] = {}
        for i in self.category_order:
            level = rank.get(rules[i].then.category or "", 0)
            ranks[level] = ranks.get(level, 0) | 1 << i
        self.category_ranks = tuple(ranks[level] for level in sorted(ranks))
        self.turned_bits = bits(self.turning_bits)
        self.excepted_bits = bits(self.exception_bits)
        self.override_order = _overriders_first(overridden_by)
        flag_at = {code: n for n, code in enumerate(FLAGS)}
        document_at = {code: n for n, code in enumerate(DOCUMENTS)}
        #: rule -> (its flags, its flags that are not "process", its documents) as bit sets
        self.advice: dict[int, tuple[int, int, int]] = {
            i: (
                bits(flag_at[f] for f in r.then.flags),
                bits(flag_at[f] for f in r.then.flags if f not in process_flags),
                bits(document_at[d] for d in r.then.documents_required),
            )
            for i, r in enumerate(rules)
        }
        self.advice_bits = bits(
            i
            for i, r in enumerate(rules)
            if r.then.flags or r.then.forms or r.then.documents_required or r.then.checklist
        )
        self.zone_rules = tuple(i for i, r in enumerate(rules) if r.then.zone)
        self.subsidiarity_rules = tuple(i for i, r in enumerate(rules) if r.then.subsidiarity)
        #: the rules whose conclusions the advice part of a signature shows
        self.shown_bits = self.advice_bits | bits(self.zone_rules) | bits(self.subsidiarity_rules)
        #: for each advice part of a signature (zone, subsidiarity, forms, flags,
        #: documents, checklist), the rules whose conclusions make it: a change of
        #: the rules in force that misses a part's rules leaves that part as it was
        self.part_bits = (
            bits(self.zone_rules),
            bits(self.subsidiarity_rules),
            bits(i for i, r in enumerate(rules) if r.then.forms),
            bits(i for i, r in enumerate(rules) if r.then.flags),
            bits(i for i, r in enumerate(rules) if r.then.documents_required),
            bits(i for i, r in enumerate(rules) if r.then.checklist),
        )
        #: the rules whose status the strict verdict and category can depend on:
        #: those that conclude a verdict, and those in an exception
        self.verdict_reads = self.nk_bits | self.k_bits | self.target_bits | self.overrider_bits
        #: the rules whose status a provisional signature can depend on: those it
        #: shows, those that conclude a verdict, and those in an exception (a rule
        #: outside all of these is never set aside and sets nothing aside, so
        #: adding or removing it changes nothing but itself)
        self.signature_reads = (
            self.shown_bits | self.nk_bits | self.k_bits | self.target_bits | self.overrider_bits
        )

    def force(self, definite: int, set_aside: Callable[[frozenset[int]], Mapping[int, int]]) -> int:
        """The definite rules in force (step 1), as a bit set.

        A rule is set aside when one of its exceptions is in force; exceptions
        are decided before the rules they set aside (`_override_order`).
        """
        if not definite & self.target_bits or not definite & self.overrider_bits:
            return definite
        order = self.override_order
        if order is None:  # a cycle of exceptions: `check` reports it
            return definite & ~bits(set_aside(indices(definite)))
        force = definite
        for i in order:
            if force >> i & 1 and force & self.exception_bits[i]:
                force ^= 1 << i
        return force

    def read(self, undecided: int, force: int) -> tuple[Verdict, int, int, int]:
        """Step 2 on bit sets: the verdict, and the rules against, decisive and pending.

        A not_kyodo rule in force is contested (not decisive) while an exception
        to it that is not itself not_kyodo is open; an open not_kyodo rule is
        pending unless a rule in force sets it aside.
        """
        against = force & self.nk_bits
        decisive = against
        pending = 0
        if undecided:
            rest = against & self.turned_bits
            while rest:
                low = rest & -rest
                rest ^= low
                if undecided & self.turning_bits[low.bit_length() - 1]:
                    decisive ^= low
            open_against = undecided & self.nk_bits
            pending = open_against & ~self.excepted_bits
            rest = open_against & self.excepted_bits
            while rest:
                low = rest & -rest
                rest ^= low
                if not force & self.exception_bits[low.bit_length() - 1]:
                    pending |= low
        verdict: Verdict
        if decisive:
            verdict = "not_kyodo"
        elif force & self.k_bits and not pending and not against:
            verdict = "kyodo"
        else:
            verdict = "undetermined"
        return verdict, against, decisive, pending

    def category(self, against: int) -> Category | None:
        """Step 3: the category of the first not_kyodo rule in force by precedence."""
        for level in self.category_ranks:
            hit = against & level
            if hit:
                return self.rules[(hit & -hit).bit_length() - 1].then.category
        return None

    def advice_near(
        self, force: int, advice: bool, near: int, near_parts: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        """`advice_of(force, advice)`, given `near_parts` = `advice_of(near, advice)`:
        only the parts whose rules differ between the two sets are worked out (an
        answer to an open question moves a few rules; most parts stay as they were)."""
        delta = force ^ near
        if not delta & self.shown_bits:
            return near_parts
        out = list(near_parts)
        for k, mask in enumerate(self.part_bits):
            if delta & mask:
                out[k] = self._parts[k](self, force & mask, advice)
        return tuple(out)

    def advice_of(self, force: int, advice: bool) -> tuple[Any, ...]:
        """Zone, subsidiarity, forms, flags, documents and checklist of the rules in force."""
        return tuple(
            part(self, force & mask, advice)
            for part, mask in zip(self._parts, self.part_bits, strict=True)
        )

    def _first(self, rules: int) -> Any:
        """The conclusions of the first rule (in rule order) of a non-empty bit set."""
        return self.rules[(rules & -rules).bit_length() - 1].then

    def _zone(self, rules: int, advice: bool) -> Any:
        return self._first(rules).zone if rules else None

    def _subsidiarity(self, rules: int, advice: bool) -> Any:
        return self._first(rules).subsidiarity if rules else None

    def _forms(self, rules: int, advice: bool) -> tuple[str, ...]:
        if not advice:
            return ()
        weights: dict[str, int] = {}
        while rules:
            low = rules & -rules
            rules ^= low
            for form, weight in self.rules[low.bit_length() - 1].then.forms.items():
                weights[form] = weights.get(form, 0) + weight
        return tuple(
            sorted(
                (code for code, w in weights.items() if w > 0),
                key=lambda code: (-weights[code], FORMS.index(code)),
            )
        )

    def _flags(self, rules: int, advice: bool) -> tuple[str, ...]:
        flags = 0
        at = 0 if advice else 1  # every flag, or only those that are not "process"
        while rules:
            low = rules & -rules
            rules ^= low
            flags |= self.advice[low.bit_length() - 1][at]
        return tuple(code for n, code in enumerate(FLAGS) if flags >> n & 1)

    def _documents(self, rules: int, advice: bool) -> tuple[str, ...]:
        if not advice:
            return ()
        documents = 0
        while rules:
            low = rules & -rules
            rules ^= low
            documents |= self.advice[low.bit_length() - 1][2]
        return tuple(code for n, code in enumerate(DOCUMENTS) if documents >> n & 1)

    def _checklist(self, rules: int, advice: bool) -> Stage | None:
        return self._first(rules).checklist if advice and rules else None

    _parts = (_zone, _subsidiarity, _forms, _flags, _documents, _checklist)
