"""The condition language of rule files, and its three-valued reading.

A condition is plain YAML data (never code):

    spec_author: city              # equality; on a list field: "contains"
    activity: [festival, local_event]   # one of
    funding: {in: [cost_share, project_subsidy]}
    actors: {count_at_most: 1}     # list and number fields only
    unknown: documents             # the fact was not given
    known: stage
    all: [...]   any: [...]   not: {...}

Several keys in one mapping must all hold. Because a missing fact means
"unknown", not "false", every condition is read in Kleene's three-valued logic:
it is *definitely* true (true whatever the unknown facts turn out to be),
*possibly* true, or false. Conditions are first pushed into negation normal
form, so that "definitely" and "possibly" are just two readings of each
literal; both engines compile those two readings.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from kyodo_rules.model.vocabulary import FIELD_KINDS

Scalar = str | bool | int
#: field name -> (kind, allowed codes); kinds: "bool", "code", "codes", "int".
Schema = Mapping[str, tuple[str, tuple[object, ...]]]


@dataclass(frozen=True)
class Eq:
    """`field == value`; on a list field, "the list contains value"."""

    field: str
    value: Scalar


@dataclass(frozen=True)
class Unknown:
    field: str


@dataclass(frozen=True)
class Count:
    """Number of codes in a list field compared with `n`."""

    field: str
    op: Literal["at_most", "at_least"]
    n: int


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Eq | Unknown | Count | All | AnyOf | Not
Atom = Eq | Unknown | Count


@dataclass(frozen=True)
class Literal_:
    """An atom or its negation: the leaves of a condition in negation normal form."""

    atom: Atom
    negated: bool


@dataclass(frozen=True)
class NAll:
    items: tuple[NNF, ...]


@dataclass(frozen=True)
class NAny:
    items: tuple[NNF, ...]


NNF = Literal_ | NAll | NAny

_OPERATORS = ("in", "not_in", "is_not", "count_at_most", "count_at_least")


class ConditionSyntaxError(Exception):
    """Raised with the path of keys that led to the problem; the loader adds file and line."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


def _allowed(schema: Schema, field: str) -> str:
    kind, codes = schema[field]
    if kind == "bool":
        return "true, false"
    if kind == "int":
        return "a whole number"
    return ", ".join(str(c) for c in codes)


def _check_value(schema: Schema, field: str, value: Any) -> Scalar:
    kind, codes = schema[field]
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConditionSyntaxError(
                f"{field}: expected a whole number >= 0, got {value!r}", field
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConditionSyntaxError(f"{field}: expected true or false, got {value!r}", field)
        return value
    if isinstance(value, bool) or value not in codes:
        raise ConditionSyntaxError(
            f"{field}: unknown code {value!r}; allowed: {_allowed(schema, field)}", field
        )
    return str(value)


def _field(schema: Schema, name: Any, key: str) -> str:
    if not isinstance(name, str) or name not in schema:
        hint = ""
        if isinstance(name, str):
            close = difflib.get_close_matches(name, list(schema), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConditionSyntaxError(
            f"unknown field {name!r}{hint}; fields: {', '.join(schema)}", key
        )
    return name


def _field_test(schema: Schema, field: str, spec: Any) -> Condition:
    if isinstance(spec, list):
        if not spec:
            raise ConditionSyntaxError(f"{field}: an empty list of codes matches nothing", field)
        return AnyOf(tuple(Eq(field, _check_value(schema, field, v)) for v in spec))
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise ConditionSyntaxError(
                f"{field}: give exactly one of {', '.join(_OPERATORS)}", field
            )
        ((op, arg),) = spec.items()
        kind = schema[field][0]
        if op in ("in", "not_in"):
            if not isinstance(arg, list) or not arg:
                raise ConditionSyntaxError(f"{field}: {op} needs a non-empty list of codes", field)
            inner: Condition = AnyOf(tuple(Eq(field, _check_value(schema, field, v)) for v in arg))
            return inner if op == "in" else Not(inner)
        if op == "is_not":
            return Not(Eq(field, _check_value(schema, field, arg)))
        if op in ("count_at_most", "count_at_least"):
            if kind not in ("codes", "int"):
                raise ConditionSyntaxError(
                    f"{field}: {op} applies to list and number fields only", field
                )
            if not isinstance(arg, int) or isinstance(arg, bool) or arg < 0:
                raise ConditionSyntaxError(f"{field}: {op} needs a whole number >= 0", field)
            return Count(field, "at_most" if op == "count_at_most" else "at_least", arg)
        raise ConditionSyntaxError(
            f"{field}: unknown operator {op!r}; allowed: {', '.join(_OPERATORS)}", field
        )
    return Eq(field, _check_value(schema, field, spec))


def parse(node: Any, schema: Schema = FIELD_KINDS) -> Condition:
    """Turn the YAML data of a `when:` into a condition, or raise ConditionSyntaxError."""
    if isinstance(node, list):
        if not node:
            raise ConditionSyntaxError("an empty list of conditions")
        return All(tuple(parse(item, schema) for item in node))
    if not isinstance(node, dict) or not node:
        raise ConditionSyntaxError(f"expected a mapping of conditions, got {node!r}")
    parts: list[Condition] = []
    for key, value in node.items():
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ConditionSyntaxError(f"{key}: needs a non-empty list of conditions", key)
            items = tuple(parse(item, schema) for item in value)
            parts.append(All(items) if key == "all" else AnyOf(items))
        elif key == "not":
            parts.append(Not(parse(value, schema)))
        elif key in ("unknown", "known"):
            names = value if isinstance(value, list) else [value]
            atoms = [Unknown(_field(schema, n, key)) for n in names]
            tests: list[Condition] = [a if key == "unknown" else Not(a) for a in atoms]
            parts.append(tests[0] if len(tests) == 1 else All(tuple(tests)))
        else:
            parts.append(_field_test(schema, _field(schema, key, key), value))
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def to_nnf(cond: Condition, negate: bool = False) -> NNF:
    if isinstance(cond, Eq | Unknown | Count):
        return Literal_(cond, negate)
    if isinstance(cond, Not):
        return to_nnf(cond.item, not negate)
    items = tuple(to_nnf(c, negate) for c in cond.items)
    conj = isinstance(cond, All) != negate
    return NAll(items) if conj else NAny(items)


def fields_read(cond: Condition | NNF) -> frozenset[str]:
    if isinstance(cond, Eq | Unknown | Count):
        return frozenset({cond.field})
    if isinstance(cond, Literal_):
        return fields_read(cond.atom)
    if isinstance(cond, Not):
        return fields_read(cond.item)
    out: frozenset[str] = frozenset()
    for item in cond.items:
        out |= fields_read(item)
    return out


def negate(nnf: NNF) -> NNF:
    """The negation of a condition already in negation normal form."""
    if isinstance(nnf, Literal_):
        return Literal_(nnf.atom, not nnf.negated)
    items = tuple(negate(item) for item in nnf.items)
    return NAny(items) if isinstance(nnf, NAll) else NAll(items)


def same_field_eqs(items: Sequence[Condition]) -> str | None:
    """The one field that all of `items` test for equality, if they do."""
    fields = {i.field for i in items if isinstance(i, Eq)}
    if len(fields) == 1 and all(isinstance(i, Eq) for i in items):
        return fields.pop()
    return None


def to_data(c: Condition) -> Any:
    """The condition back in the rule language's data form: `parse(to_data(c))` means `c`.

    Canonical rather than the file's own text: reports, docs and the checker's
    witnesses show conditions the way rule authors write them.
    """
    if isinstance(c, Eq):
        return {c.field: c.value}
    if isinstance(c, Unknown):
        return {"unknown": c.field}
    if isinstance(c, Count):
        return {c.field: {f"count_{c.op}": c.n}}
    if isinstance(c, Not):
        inner = c.item
        if isinstance(inner, Eq):
            return {inner.field: {"is_not": inner.value}}
        if isinstance(inner, Unknown):
            return {"known": inner.field}
        if isinstance(inner, AnyOf) and (f := same_field_eqs(inner.items)):
            return {f: {"not_in": [i.value for i in inner.items if isinstance(i, Eq)]}}
        return {"not": to_data(inner)}
    if isinstance(c, AnyOf):
        if f := same_field_eqs(c.items):
            return {f: [i.value for i in c.items if isinstance(i, Eq)]}
        return {"any": [to_data(i) for i in c.items]}
    parts = [to_data(i) for i in c.items]
    keys = [k for p in parts for k in p]
    if len(keys) == len(set(keys)) and "all" not in keys:
        merged: dict[str, Any] = {}
        for p in parts:
            merged.update(p)
        return merged
    return {"all": parts}
