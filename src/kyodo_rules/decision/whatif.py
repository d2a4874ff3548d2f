"""`would_be_kyodo_if`: the smallest changes to a project's design that make it 協働.

What a trainer shows, and what staff need to hear when the answer is "not
協働": 事例3 becomes 協働 if the work was confirmed with the residents
beforehand. A change counts when the provisional answer becomes 協働 (the
rules still open are presumed not to apply), so partial cases get changes
too. Only facts a project's design can change are touched (`design_fields`
in policy.yaml: who plans, who writes the specification, supervision, money,
scheme, documents…; not the activity or who the actors are).

The search is goal-directed rather than blind. A case becomes provisionally
協働 when one `kyodo` rule is established and no `not_kyodo` rule stays in
force, so for each `kyodo` rule the changes that meet its unmet conditions are
tried first, then, for each obstacle still in force, the changes that lift
it; at most three facts in all. Every change set found is evaluated with the
same rules and policy as `classify()`, and confirmed with the engine the
caller used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.conditions import NAll, fields_read
from kyodo_rules.rulebase.readings import flatten, holds, reading

if TYPE_CHECKING:
    from kyodo_rules.decision.bound import Bound, EngineName
    from kyodo_rules.rulebase.loading import Rule

Change = tuple[tuple[str, Any], ...]

#: At most this many change sets are reported: enough to teach, short enough to read.
MAX_CHANGES = 12
#: A change set touches at most this many facts: more is a different project.
MAX_FACTS = 3
_ORDER = {name: n for n, name in enumerate(FACT_FIELDS)}


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]
    #: When there is no change: the rules in force in the way whose facts
    #: are none of the project's design to change.
    blocked_by: tuple[int, ...] = ()


def candidate_values(field: str, current: Any) -> Iterator[Any]:
    """Values a field could be changed to (lists: one code added, removed or swapped).

    Lists come as tuples, so that change sets can be compared and deduplicated.
    """
    kind, codes = FIELD_KINDS[field]
    if kind != "codes":
        yield from (v for v in codes if v != current)
        return
    if current is None:
        yield ()
        yield from ((c,) for c in codes)
        return
    present = [c for c in codes if c in current]
    absent = [c for c in codes if c not in current]
    for c in present:
        yield tuple(p for p in present if p != c)
    for c in absent:
        yield tuple(x for x in codes if x in present or x == c)
    for old in present:
        for new in absent:
            yield tuple(x for x in codes if (x in present and x != old) or x == new)


class _Search:
    def __init__(self, bound: Bound, facts: Mapping[str, Any]) -> None:
        self.bound = bound
        self.facts = dict(facts)
        self.rules: Sequence[Rule] = bound.ruleset.rules
        self.design = bound.design_fields

    def definitely(self, rule: Rule, facts: Mapping[str, Any]) -> bool:
        return holds(reading(rule.nnf, True), flatten(facts))

    def kyodo(self, change: Change, engine: EngineName = "python") -> bool:
        trial = {**self.facts, **dict(change)}
        _decision, definite, _ = self.bound.assess(trial, engine)
        return self.bound.combiner.provisional(definite).verdict == "kyodo"

    def obstacles(self, facts: Mapping[str, Any]) -> list[int]:
        """The not_kyodo rules in force: each must be lifted."""
        decision, definite, _ = self.bound.assess(facts, "python")
        return [
            i
            for i in sorted(definite)
            if i not in decision.overridden and self.rules[i].then.verdict == "not_kyodo"
        ]

    def lifts(self, rule: Rule, facts: Mapping[str, Any], taken: set[str]) -> list[Change]:
        """Single design changes of the facts `rule` reads: those that lift it first.

        A rule with two reasons in force (`any:` with both true) needs two
        changes; the others are kept so that the search can go one deeper.
        """
        lifting: list[Change] = []
        others: list[Change] = []
        for field in sorted(rule.fields & self.design - taken, key=_ORDER.__getitem__):
            for value in candidate_values(field, facts.get(field)):
                lifted = not self.definitely(rule, {**facts, field: value})
                (lifting if lifted else others).append(((field, value),))
        return lifting + others

    def meets(self, rule: Rule) -> list[Change] | None:
        """Change sets that establish `rule` (a `kyodo` rule), or None if design cannot."""
        parts = rule.nnf.items if isinstance(rule.nnf, NAll) else (rule.nnf,)
        needs: list[list[Change]] = []
        for part in parts:
            test = reading(part, True)
            if holds(test, flatten(self.facts)):
                continue
            options: list[Change] = []
            for field in sorted(fields_read(part) & self.design, key=_ORDER.__getitem__):
                for value in candidate_values(field, self.facts.get(field)):
                    if holds(test, flatten({**self.facts, field: value})):
                        options.append(((field, value),))
            if not options:
                return None
            needs.append(options)
        out: list[Change] = []
        for combo in product(*needs):
            merged = _merge(combo)
            if merged is not None and len(merged) <= MAX_FACTS:
                out.append(merged)
        return out

    def complete(self, base: Change, found: list[Change]) -> None:
        """Extend `base` with changes that lift each obstacle left, within MAX_FACTS."""
        if any(set(f) <= set(base) for f in found):
            return
        if self.kyodo(base):
            found.append(base)
            return
        if len(base) >= MAX_FACTS:
            return
        trial = {**self.facts, **dict(base)}
        left = self.obstacles(trial)
        if not left:
            return
        taken = {field for field, _ in base}
        for lift in self.lifts(self.rules[left[0]], trial, taken):
            merged = _merge((base, lift))
            if merged is not None:
                self.complete(merged, found)


def _merge(changes: Sequence[Change]) -> Change | None:
    """One change set from several; None if they set one fact to two values."""
    merged: dict[str, Any] = {}
    for change in changes:
        for field, value in change:
            if field in merged and merged[field] != value:
                return None
            merged[field] = value
    return tuple(sorted(merged.items(), key=lambda item: _ORDER[item[0]]))


def would_be_kyodo_if(
    bound: Bound, facts: Mapping[str, Any], confirm_with: EngineName = "durable"
) -> WhatIf:
    search = _Search(bound, facts)
    found: list[Change] = []
    for rule in search.rules:
        if rule.then.verdict != "kyodo":
            continue
        for base in search.meets(rule) or ():
            search.complete(base, found)
    minimal = sorted(set(found), key=lambda c: (len(c), [_ORDER[f] for f, _ in c], repr(c)))
    kept: list[Change] = []
    for change in minimal:
        if not any(set(k) <= set(change) for k in kept):
            kept.append(change)
    confirmed = [c for c in kept if confirm_with == "python" or search.kyodo(c, confirm_with)]
    if confirmed:
        return WhatIf(tuple(confirmed[:MAX_CHANGES]))
    blocked = tuple(
        i for i in search.obstacles(search.facts) if not search.rules[i].fields & search.design
    )
    return WhatIf((), blocked)
