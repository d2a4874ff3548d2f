"""Abstract domains: the few values of each field that the rules can tell apart.

See `kyodo_rules.analysis.check` ("Why exploration is exact"): every real
input behaves like one point of the product of these domains, so enumerating
the product decides a question exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from kyodo_rules.analysis.findings import Facts
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.loading import RuleCore


def atoms(c: cond.Condition) -> Iterator[cond.Atom]:
    if isinstance(c, cond.Eq | cond.Unknown | cond.Count):
        yield c
    elif isinstance(c, cond.Not):
        yield from atoms(c.item)
    else:
        for item in c.items:
            yield from atoms(item)


def domain(
    fld: str,
    rules: Iterable[RuleCore],
    with_unknown: bool = True,
    schema: cond.Schema = FIELD_KINDS,
) -> list[Any]:
    """The abstract domain of `fld` relative to `rules` (see `kyodo_rules.analysis.check`)."""
    kind, codes = schema[fld]
    named: list[Any] = []
    cuts: set[int] = set()
    for rule in rules:
        for atom in atoms(rule.condition):
            if atom.field != fld:
                continue
            if isinstance(atom, cond.Eq) and atom.value not in named:
                named.append(atom.value)
            elif isinstance(atom, cond.Count):
                cuts.update((atom.n, atom.n + 1) if atom.op == "at_most" else (atom.n - 1, atom.n))
    out: list[Any] = [None] if with_unknown else []
    if kind == "bool":
        return [*out, True, False]
    if kind == "int":
        # A number matters only by which side of each threshold it falls on.
        cuts |= {v + d for v in named if isinstance(v, int) for d in (-1, 0, 1)} | {0}
        return out + sorted(n for n in cuts if n >= 0)
    named = [c for c in codes if c in named]
    unnamed = [c for c in codes if c not in named]
    if kind == "code":
        return out + named + unnamed[:1]
    for size in range(len(named) + 1):
        for subset in itertools.combinations(named, size):
            counts = {size} | {n for n in cuts if size <= n <= size + len(unnamed)}
            for n in sorted(counts):
                chosen = set(subset) | set(unnamed[: n - size])
                out.append([c for c in codes if c in chosen])
    return out


def product(domains: Mapping[str, Sequence[Any]]) -> int:
    total = 1
    for values in domains.values():
        total *= len(values)
    return total


def known(assignment: Mapping[str, Any]) -> Facts:
    return {k: v for k, v in assignment.items() if v is not None}


def known_only(c: cond.Condition) -> cond.Condition:
    """`c` with each `unknown: f` made never definitely true (it is false once f is known)."""
    if isinstance(c, cond.Unknown):
        kind, codes = FIELD_KINDS[c.field]
        value: cond.Scalar = True if kind == "bool" else str(codes[0])
        probe = cond.Eq(c.field, value)
        return cond.All((probe, cond.Not(probe)))
    if isinstance(c, cond.Eq | cond.Count):
        return c
    if isinstance(c, cond.Not):
        return cond.Not(known_only(c.item))
    items = tuple(known_only(i) for i in c.items)
    return cond.All(items) if isinstance(c, cond.All) else cond.AnyOf(items)
