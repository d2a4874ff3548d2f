"""Flat facts and the two readings ("definitely", "undecided") of a condition.

Both engines see a case the same way: a flat mapping of scalar values, where
an unknown fact is written out as `UNKNOWN` (rule engines cannot match on a
missing key) and a list field becomes one "true"/"false" entry per code plus a
count. A condition in negation normal form is turned into a small tree of
comparisons over those keys; each engine compiles that tree in its own way,
so the two backends cannot drift apart in how they read a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.conditions import NNF, Count, Eq, Literal_, NAll, Schema, Unknown

UNKNOWN = "?"
FlatFacts = dict[str, str | int]


def count_key(field: str) -> str:
    return f"{field}__n"


def code_key(field: str, code: str) -> str:
    return f"{field}__{code}"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_TEXT = {True: "true", False: "false"}
_Plan = tuple[tuple[str, str, tuple[tuple[str, str], ...], str], ...]
#: id(schema) -> (schema, plan); the schema is kept so that its id is never reused.
_plans: dict[int, tuple[Schema, _Plan]] = {}


def _plan(schema: Schema) -> _Plan:
    """Per schema, once: each field with its kind, its per-code keys and its count key."""
    cached = _plans.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    plan = tuple(
        (
            field,
            kind,
            tuple((str(code), code_key(field, str(code))) for code in codes)
            if kind == "codes"
            else (),
            count_key(field),
        )
        for field, (kind, codes) in schema.items()
    )
    _plans[id(schema)] = (schema, plan)
    return plan


#: (id(plan), field, codes given) -> the flat entries of that list field (computed once).
_LISTS: dict[tuple[int, str, tuple[Any, ...] | None], dict[str, str | int]] = {}


def _list_entries(
    field: str, keys: tuple[tuple[str, str], ...], n_key: str, value: Any
) -> dict[str, str | int]:
    out: dict[str, str | int] = {}
    if value is None:
        out[n_key] = -1
        for _, key in keys:
            out[key] = UNKNOWN
    else:
        present = {str(v) for v in value}
        out[n_key] = len(present)
        for code, key in keys:
            out[key] = "true" if code in present else "false"
    return out


def flatten(facts: Mapping[str, Any], schema: Schema = FIELD_KINDS) -> FlatFacts:
    """Flatten known facts (JSON values, `None` or absent = unknown) for the engines.

    A list field's entries (one per code, and a count) are built once per list
    given and copied after: the what-if and the open questions flatten the same
    few lists thousands of times.
    """
    flat: FlatFacts = {}
    get = facts.get
    plan = _plan(schema)
    lists = _LISTS
    for field, kind, keys, n_key in plan:
        value = get(field)
        if kind == "codes":
            try:
                memo = (id(plan), field, None if value is None else tuple(value))
                entries = lists.get(memo)
            except TypeError:  # unhashable codes: not a validated case; built afresh
                memo, entries = None, None
            if entries is None:
                entries = _list_entries(field, keys, n_key, value)
                if memo is not None:
                    if len(lists) >= 50_000:
                        lists.clear()
                    lists[memo] = entries
            flat.update(entries)
        elif kind == "int":
            flat[field] = -1 if value is None else int(value)
        elif value is None:
            flat[field] = UNKNOWN
        elif value is True or value is False:
            flat[field] = _TEXT[value]
        else:
            flat[field] = str(value)
    return flat


Op = Literal["eq", "ne", "le", "ge"]


@dataclass(frozen=True)
class Cmp:
    key: str
    op: Op
    value: str | int


@dataclass(frozen=True)
class TAll:
    items: tuple[Test, ...]


@dataclass(frozen=True)
class TAny:
    items: tuple[Test, ...]


Test = Cmp | TAll | TAny


def _key_and_value(schema: Schema, atom: Eq) -> tuple[str, str | int]:
    kind = schema[atom.field][0]
    if kind == "codes":
        return code_key(atom.field, str(atom.value)), "true"
    if kind == "int":
        assert isinstance(atom.value, int)
        return atom.field, atom.value
    return atom.field, _text(atom.value)


def _count(key: str, op: Literal["at_most", "at_least"], n: int, definite: bool) -> Test:
    if op == "at_most":
        test: Test = Cmp(key, "le", n)
        return TAll((Cmp(key, "ge", 0), test)) if definite else test
    test = Cmp(key, "ge", n)
    return test if definite else TAny((test, Cmp(key, "eq", -1)))


def _number_key(schema: Schema, field: str) -> str:
    return count_key(field) if schema[field][0] == "codes" else field


def _literal(schema: Schema, lit: Literal_, definite: bool) -> Test:
    atom = lit.atom
    if isinstance(atom, Unknown):
        kind = schema[atom.field][0]
        value: str | int = -1 if kind in ("codes", "int") else UNKNOWN
        return Cmp(_number_key(schema, atom.field), "ne" if lit.negated else "eq", value)
    if isinstance(atom, Count):
        key = _number_key(schema, atom.field)
        if not lit.negated:
            return _count(key, atom.op, atom.n, definite)
        flipped: Literal["at_most", "at_least"] = "at_least" if atom.op == "at_most" else "at_most"
        n = atom.n + 1 if atom.op == "at_most" else atom.n - 1
        return _count(key, flipped, n, definite)
    key, value = _key_and_value(schema, atom)
    unknown: str | int = -1 if isinstance(value, int) else UNKNOWN
    if not lit.negated:
        eq = Cmp(key, "eq", value)
        return eq if definite else TAny((eq, Cmp(key, "eq", unknown)))
    ne = Cmp(key, "ne", value)
    return TAll((ne, Cmp(key, "ne", unknown))) if definite else ne


def reading(nnf: NNF, definite: bool, schema: Schema = FIELD_KINDS) -> Test:
    """The test that holds when `nnf` is definitely true (or, if not `definite`, possibly true)."""
    if isinstance(nnf, Literal_):
        return _literal(schema, nnf, definite)
    kind = TAll if isinstance(nnf, NAll) else TAny
    return _join(kind, [reading(item, definite, schema) for item in nnf.items])


def _join(kind: type[TAll] | type[TAny], parts: list[Test]) -> Test:
    """`kind` of `parts`, flattened and without repeats.

    Not only tidier: durable-rules expands every `$or` into separate
    alternatives and fires a rule once per alternative that matches, so a
    repeated test (the same "unknown" check from several literals of one field,
    as `activity: [a, b, c]` gives) would fire the rule several times.
    """
    items: list[Test] = []
    for part in parts:
        for item in part.items if isinstance(part, kind) else (part,):
            if item not in items:
                items.append(item)
    return items[0] if len(items) == 1 else kind(tuple(items))


def holds(test: Test, flat: Mapping[str, str | int]) -> bool:
    """Reference interpretation of a test; the engines must agree with it."""
    if isinstance(test, Cmp):
        actual = flat[test.key]
        if test.op == "eq":
            return actual == test.value
        if test.op == "ne":
            return actual != test.value
        assert isinstance(actual, int) and isinstance(test.value, int)
        return actual <= test.value if test.op == "le" else actual >= test.value
    if isinstance(test, TAll):
        return all(holds(t, flat) for t in test.items)
    return any(holds(t, flat) for t in test.items)
