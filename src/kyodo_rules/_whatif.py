"""`would_be_kyodo_if`: the smallest changes of facts that make a case 協働.

What a trainer shows: "事例3 becomes 協働 if the work was confirmed with the
residents beforehand". The search runs the same rule data and the same
combination policy as `classify()` (on the fast Python backend), and every
change it reports is confirmed with the engine the caller used.

Single-field changes are tried first; pairs only when no single change works,
so every reported set is minimal. A change must touch every rule that now
stands in the way (a rule that reads none of the changed facts cannot change
its outcome), which prunes the pairs to a few hundred at most.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations
from typing import TYPE_CHECKING, Any

from kyodo_rules._vocabulary import FACT_FIELDS, FIELD_KINDS

if TYPE_CHECKING:
    from kyodo_rules._classify import Bound, EngineName

Change = tuple[tuple[str, Any], ...]

#: At most this many change sets are reported: enough to teach, short enough to read.
MAX_CHANGES = 12


def candidate_values(field: str, current: Any) -> Iterator[Any]:
    """Values a field could be changed to (lists: one code added, removed or swapped)."""
    kind, codes = FIELD_KINDS[field]
    if kind != "codes":
        yield from (v for v in codes if v != current)
        return
    if current is None:
        yield []
        yield from ([c] for c in codes)
        return
    present = [c for c in codes if c in current]
    absent = [c for c in codes if c not in current]
    for c in present:
        yield [p for p in present if p != c]
    for c in absent:
        yield [x for x in codes if x in present or x == c]
    for old in present:
        for new in absent:
            yield [x for x in codes if (x in present and x != old) or x == new]


def _obstacles(
    bound: Bound, facts: Mapping[str, Any]
) -> tuple[list[frozenset[str]], frozenset[str] | None]:
    """Field groups a change must each touch, and (if no `kyodo` rule is in force yet)
    the fields one of which must change to bring one in."""
    decision, definite, undecided = bound.assess(facts, "python")
    rules = bound.ruleset.rules
    force = {rules[i].id for i in definite if i not in decision.overridden}
    overriders: dict[str, frozenset[str]] = {}
    set_aside: set[str] = set()
    for rule in rules:
        for target in rule.overrides:
            overriders[target] = overriders.get(target, frozenset()) | rule.fields
            if rule.id in force:
                set_aside.add(target)
    groups = []
    for i in sorted(definite | undecided):
        rule = rules[i]
        if rule.then.verdict == "not_kyodo" and rule.id not in set_aside:
            groups.append(rule.fields | overriders.get(rule.id, frozenset()))
    if any(rules[i].then.verdict == "kyodo" for i in definite if rules[i].id in force):
        return groups, None
    favour = frozenset().union(*(r.fields for r in rules if r.then.verdict == "kyodo"))
    return groups, favour


def would_be_kyodo_if(
    bound: Bound, facts: Mapping[str, Any], confirm_with: EngineName = "durable"
) -> list[Change]:
    groups, favour = _obstacles(bound, facts)
    fields = [f for f in FACT_FIELDS if f in bound.ruleset.fields_read]

    def admissible(changed: set[str]) -> bool:
        return all(group & changed for group in groups) and (
            favour is None or bool(changed & favour)
        )

    def works(change: Change, engine: EngineName = "python") -> bool:
        trial = dict(facts)
        trial.update(change)
        return bound.assess(trial, engine)[0].verdict == "kyodo"

    found: list[Change] = []
    for field in fields:
        if admissible({field}):
            for value in candidate_values(field, facts.get(field)):
                if works(((field, value),)):
                    found.append(((field, value),))
    if not found:
        for f1, f2 in combinations(fields, 2):
            if not admissible({f1, f2}):
                continue
            for v1 in candidate_values(f1, facts.get(f1)):
                for v2 in candidate_values(f2, facts.get(f2)):
                    change = ((f1, v1), (f2, v2))
                    if works(change):
                        found.append(change)
                if len(found) >= MAX_CHANGES * 4:
                    break
    confirmed = [c for c in found if confirm_with == "python" or works(c, confirm_with)]
    return confirmed[:MAX_CHANGES]
