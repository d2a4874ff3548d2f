"""The decision record: what the policy concluded, and the rules each part rests on.

Apart from the policy (`policy.py`) because everything that explains an
answer reads this record, and nothing but the policy writes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kyodo_rules.model.vocabulary import (
    Category,
    Document,
    FlagCode,
    FormCode,
    Stage,
    Subsidiarity,
    Verdict,
    Zone,
)


@dataclass(frozen=True)
class FormWeight:
    """A recommended form, its summed weight, and the rules in force that add to it."""

    code: FormCode
    weight: int
    #: indices of the rules that recommend it, in rule order
    rules: tuple[int, ...]


@dataclass(frozen=True)
class Decision:
    """The answer, and the record of how the policy reached it.

    Rules are named by their index in the rule set. Everything that explains an
    answer (`explain`, the reports, the wizard, the docs) renders this record:
    none of them re-applies the policy, so none can disagree with it.
    """

    verdict: Verdict
    category: Category | None
    zone: Zone | None
    subsidiarity: Subsidiarity | None
    #: best first
    forms: tuple[FormWeight, ...]
    #: flag code -> index of the first rule in force that raised it
    flags: tuple[tuple[FlagCode, int], ...]
    documents: tuple[Document, ...]
    checklist: Stage | None
    violates: tuple[tuple[str, int], ...]
    #: index -> index of the rule that set it aside
    overridden: Mapping[int, int]
    #: the rules that decide the verdict: for not_kyodo the not-協働 rules in force
    #: that no open rule can set aside, for kyodo the 協働 rules in force
    decided_by: tuple[int, ...] = ()
    #: not-協働 rules in force that an open exception (not itself not_kyodo) may set aside
    contested: tuple[int, ...] = ()
    #: 協働 rules in force (whatever the verdict)
    in_favour: tuple[int, ...] = ()
    #: open not-協働 rules that nothing in force sets aside: the strict verdict waits on them
    pending: tuple[int, ...] = ()
    #: the not-協働 rules in force that name a category, best first by the precedence
    #: list; the first names the category
    category_from: tuple[int, ...] = ()
    zone_from: int | None = None
    subsidiarity_from: int | None = None

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
                tuple(form.code for form in self.forms),
                tuple(code for code, _ in self.flags),
                self.documents,
                self.checklist,
            )
            self.__dict__["_signature"] = found
        return found


def bits(indices: Iterable[int]) -> int:
    """Rule indices as a bit set (bit i: rule i)."""
    out = 0
    for i in indices:
        out |= 1 << i
    return out


def indices(bit_set: int) -> frozenset[int]:
    """The rule indices of a bit set."""
    out = []
    while bit_set:
        low = bit_set & -bit_set
        out.append(low.bit_length() - 1)
        bit_set ^= low
    return frozenset(out)
