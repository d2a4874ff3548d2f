"""The rulebase's data besides its rules: the policy (`policy.yaml`) and the profiles.

Typed and strict (an unknown key is refused with its file and line by the
loader), so that a city's profile can only say what the code knows how to use.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kyodo_rules.model.vocabulary import (
    FACT_FIELDS,
    FIELD_KINDS,
    FLAGS,
    FORMS,
    STAGES,
    Category,
    FormCode,
)
from kyodo_rules.rulebase.document_forms import DocumentForms
from kyodo_rules.rulebase.schema import SOURCE_PATTERN, Text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceDoc(_Strict):
    file: str
    issuer: Text
    title: str


class FlagInfo(_Strict):
    message: Text
    #: "process" flags are advice for running a 協働 and are not shown for a case
    #: that is not 協働; the others always are.
    kind: str = Field(pattern="^(verdict|anti_pattern|process)$")


def _keys_in(allowed: tuple[str, ...], what: str) -> Any:
    def check(value: dict[str, Any]) -> dict[str, Any]:
        unknown = [k for k in value if k not in allowed]
        if unknown:
            raise ValueError(f"unknown {what} {unknown[0]!r}; allowed: {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _fact_fields(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [f for f in value if f not in FACT_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}; allowed: {', '.join(FACT_FIELDS)}")
    return value


Value = str | bool | int


class Direction(_Strict):
    """Which way one fact moves toward collaboration (docs/policy.md, "Monotone").

    `steps` are single moves `[from, to]` (for a list field, `more: true` makes
    every added code a step); `from_unknown` is the value an unknown fact may be
    learnt to have without the answer reading worse (the field's most
    collaborative value). The same declaration is what `kyodo-rules check`
    proves monotone and the only moves `would_be_kyodo_if` proposes.
    """

    steps: tuple[tuple[Value, Value], ...] = ()
    more: bool = False
    from_unknown: Value | tuple[Value, ...] | None = None


def _directions(value: dict[str, Direction]) -> dict[str, Direction]:
    for name, direction in value.items():
        if name not in FIELD_KINDS:
            raise ValueError(f"unknown field {name!r}; allowed: {', '.join(FACT_FIELDS)}")
        kind, codes = FIELD_KINDS[name]
        values = [v for step in direction.steps for v in step]
        if isinstance(direction.from_unknown, tuple):
            if kind != "codes":
                raise ValueError(f"{name}: from_unknown is one value for a field of one value")
            values += list(direction.from_unknown)
        elif direction.from_unknown is not None:
            if kind == "codes":
                raise ValueError(f"{name}: from_unknown is a list of codes for a list field")
            values.append(direction.from_unknown)
        for v in values:
            if v not in codes or isinstance(v, bool) != (kind == "bool"):
                allowed = ", ".join(
                    str(c).lower() if isinstance(c, bool) else str(c) for c in codes
                )
                raise ValueError(f"{name}: unknown value {v!r}; allowed: {allowed}")
        if direction.more and kind != "codes":
            raise ValueError(f"{name}: more applies to list fields only")
        if kind == "codes" and direction.steps:
            raise ValueError(f"{name}: a list field moves by `more: true`, not by steps")
        # Steps must not come back to where they started (an order, not a cycle).
        after: dict[Value, set[Value]] = {}
        for a, b in direction.steps:
            after.setdefault(a, set()).add(b)
        for start in after:
            todo, seen = list(after[start]), set()
            while todo:
                v = todo.pop()
                if v == start:
                    raise ValueError(f"{name}: the steps go round in a circle through {start!r}")
                if v not in seen:
                    seen.add(v)
                    todo.extend(after.get(v, ()))
    return value


class Policy(_Strict):
    category_precedence: tuple[Category, ...]
    flags: Annotated[dict[str, FlagInfo], _keys_in(FLAGS, "flag")]
    sources: tuple[SourceDoc, ...]
    #: The facts a project's design can change, which `would_be_kyodo_if` may
    #: touch (not the activity, nor who the actors are); empty: every fact.
    design_fields: Annotated[tuple[str, ...], AfterValidator(_fact_fields)] = ()
    #: Per fact, the moves toward collaboration (see `Direction`).
    toward_collaboration: Annotated[dict[str, Direction], AfterValidator(_directions)] = Field(
        default_factory=dict
    )
    #: How a result puts a note or a source beside a text (a form's note, a
    #: caution's source, a reason's source): `{}` stands for the note.
    aside: Text = Text(ja="（{}）", en=" ({})")

    def beside(self, text: str, note: str, lang: str) -> str:
        return text + self.aside.get(lang).replace("{}", note, 1)


class Caution(_Strict):
    text: Text
    source: str = Field(pattern=SOURCE_PATTERN)


class FormInfo(_Strict):
    label: Text | None = None
    #: When the profile has no such form: the profile's form it is shown under.
    shown_as: FormCode | None = None
    note: Text | None = None
    cautions: tuple[Caution, ...] = ()


class PrincipleInfo(_Strict):
    label: Text
    source: str = Field(pattern=SOURCE_PATTERN)


class ProfileSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: Text
    source: str | None = Field(default=None, pattern=SOURCE_PATTERN)
    forms: Annotated[dict[str, FormInfo], _keys_in(FORMS, "form")] = Field(default_factory=dict)
    principles: dict[str, PrincipleInfo] = Field(default_factory=dict)
    checklists: Annotated[dict[str, tuple[Text, ...]], _keys_in(STAGES, "stage")] = Field(
        default_factory=dict
    )
    #: The 様式 of the three items (事前確認シート…), item by item over the generic one.
    documents: DocumentForms = Field(default_factory=dict)
    #: Shipped rules this profile switches off.
    disable: tuple[str, ...] = ()
    rules: tuple[Any, ...] = ()
