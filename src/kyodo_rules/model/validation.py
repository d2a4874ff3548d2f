"""Turning untrusted input into a `Case`, with messages a person can act on.

pydantic's own messages are precise but written for programmers; here each
problem becomes one line that names the field and lists what is allowed, e.g.
`spec_author: 'mayor' is not allowed; allowed: city, partner, joint, none`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Case
from kyodo_rules.model.vocabulary import FIELD_KINDS

M = TypeVar("M", bound=BaseModel)

#: Problems listed in one message; the rest are counted (one line must stay readable).
MAX_PROBLEMS = 20


def _allowed(model: type[BaseModel], field: str) -> list[str]:
    info = model.model_fields.get(field)
    if info is None:
        return []
    out: list[str] = []

    def walk(tp: Any) -> None:
        args = get_args(tp)
        if getattr(tp, "__origin__", None) is not None and str(tp).startswith("typing.Literal"):
            out.extend(str(a) for a in args)
            return
        if tp is bool:
            out.extend(["true", "false"])
        for a in args:
            walk(a)

    walk(info.annotation)
    return list(dict.fromkeys(out))


def _shown(value: Any) -> str:
    """A short repr; some values have none (ints past 4,300 digits, lists nested too deep)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"(a {type(value).__name__} too large to show)"
    return text if len(text) <= 60 else text[:57] + "..."


#: A key shown in a message: a word, as a field name typed wrong is. Anything else (a
#: line of some other file read as a key, `root:*:19000:0:…`) is counted, never echoed.
_WORD = re.compile(r"[^\W\d]\w{0,59}")


def _unknown_part(names: Sequence[object], model: type[BaseModel]) -> str:
    """`unknown fields 'a' (did you mean …?), …` for the first MAX_PROBLEMS word-like
    names; the others counted. The did-you-mean search runs for those shown only."""
    shown = [n for n in names if isinstance(n, str) and _WORD.fullmatch(n)][:MAX_PROBLEMS]
    hidden = len(names) - len(shown)
    fields = list(model.model_fields)
    items = []
    for name in shown:
        close = difflib.get_close_matches(name, fields, n=1)
        items.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    listing = ", ".join(fields)
    if not items:
        keys = "1 key, not a field name" if hidden == 1 else f"{hidden} keys, none a field name"
        return f"unknown fields: {keys} (not shown); fields: {listing}"
    text = ", ".join(items)
    if hidden:
        text += f", …ほか {hidden} 件 / …and {hidden} more"
    word = "field" if len(names) == 1 else "fields"
    return f"unknown {word} {text}; fields: {listing}"


def describe(exc: ValidationError, model: type[BaseModel]) -> str:
    """All problems of one validation, as `; `-separated `field: problem` items."""
    parts: list[str] = []
    unknown: list[str] = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        field = loc[0] if loc else "(top)"
        path = field + "".join(f"[{p}]" for p in loc[1:])
        kind = error["type"]
        if kind == "extra_forbidden":
            unknown.append(field)
            continue
        allowed = _allowed(model, field)
        shown = _shown(error.get("input"))
        if kind in ("literal_error", "bool_type", "enum") and allowed:
            parts.append(f"{path}: {shown} is not allowed; allowed: {', '.join(allowed)}")
        elif kind == "string_type":
            parts.append(f"{path}: {shown} is not text; expected text (words in quotes)")
        elif kind in ("tuple_type", "list_type") or "must be a list" in str(error["msg"]):
            parts.append(f"{path}: must be a list of codes; allowed: {', '.join(allowed)}")
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
            parts.append(f"{path}: {message}")
    if unknown:
        # The list of fields is said once, however many names are unknown.
        parts.insert(0, _unknown_part(unknown, model))
    if len(parts) > MAX_PROBLEMS:
        more = len(parts) - MAX_PROBLEMS
        parts = [*parts[:MAX_PROBLEMS], f"…ほか {more} 件 / …and {more} more"]
    return "; ".join(parts)


def validate(model: type[M], data: Any, what: str = "case") -> M:
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise InputError(f"{what}: expected a mapping of field: value, got {type(data).__name__}")
    # Bounded: past MAX_PROBLEMS unknown keys the input is refused before pydantic
    # builds an error for each of them (a file of 90,000 keys took seconds).
    unknown = [key for key in data if key not in model.model_fields]
    if len(unknown) > MAX_PROBLEMS:
        raise InputError(_unknown_part(unknown, model))
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(describe(exc, model)) from None
    except RecursionError:
        raise InputError(f"{what}: nested too deeply") from None


def validate_case(data: Case | Mapping[str, Any]) -> Case:
    return validate(Case, data)


def _plan() -> dict[str, tuple[str, frozenset[object], tuple[object, ...]]]:
    """Each fact of `Case` with its kind, its allowed codes and their order."""
    out: dict[str, tuple[str, frozenset[object], tuple[object, ...]]] = {}
    for name in Case.model_fields:
        if name != "title":
            kind, codes = FIELD_KINDS[name]
            out[name] = (kind, frozenset(codes), codes)
    return out


_PLAN = _plan()


def case_facts(data: Case | Mapping[str, Any]) -> dict[str, Any]:
    """The known facts of `data`, checked, as plain JSON values: `validate_case(data).facts()`
    (as a mapping: its fields come in the order given).

    Validation runs on every call, so its common case is read directly: a dict
    of known fields whose values are already what the schema allows, exactly
    (booleans, codes as the vocabulary spells them, lists of codes). Such a
    dict gives the same facts pydantic would give (lists in the vocabulary's
    order, without duplicates). Anything else (an unknown field, a code with
    spaces around it, a value of another type, a title too long) goes through
    pydantic, which gives the facts or the one-line message naming the field;
    `tests/test_validation_fast.py` holds the two to the same answers.
    """
    if type(data) is not dict:
        return validate_case(data).facts()
    facts: dict[str, Any] = {}
    plan = _PLAN
    for name, value in data.items():
        check = plan.get(name)
        if check is None:  # the title, or no field of a case
            if name != "title" or not (value is None or (type(value) is str and len(value) <= 500)):
                return validate_case(data).facts()
            continue
        if value is None:
            continue
        kind, allowed, order = check
        if kind == "bool":
            if value is not True and value is not False:
                return validate_case(data).facts()
        elif kind == "code":
            if type(value) is not str or value not in allowed:
                return validate_case(data).facts()
        else:
            if type(value) is not list and type(value) is not tuple:
                return validate_case(data).facts()
            for code in value:
                if type(code) is not str or code not in allowed:
                    return validate_case(data).facts()
            value = [code for code in order if code in value]
        facts[name] = value
    return facts
