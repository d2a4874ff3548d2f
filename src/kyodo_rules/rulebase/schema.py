"""The schema of rule files, and messages that point at `file:line: rule-id`.

Rule files are data written by people who read municipal guidance, not by
programmers; when one is wrong the message must say where and what is allowed,
as a compiler would, never show a traceback from inside pydantic or PyYAML.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kyodo_rules.files.yaml import Located
from kyodo_rules.model.vocabulary import (
    LANGS,
    Category,
    Document,
    FlagCode,
    FormCode,
    Stage,
    Subsidiarity,
    Zone,
)

#: `<seed file> <section>`, e.g. `002_5706d2c9275a3206.txt (7) 事例1`.
SOURCE_PATTERN = r"^\d{3}_[0-9a-f]{16}\.txt \S.*$"
RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text people read, Japanese first."""

    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        """The text in `lang`; a language the model does not know reads Japanese, as
        every door checks the language first (`parse_lang`)."""
        text: str = getattr(self, lang) if lang in LANGS else self.ja
        return text


class Conclusion(_Strict):
    """What a rule concludes when its condition holds."""

    verdict: Literal["kyodo", "not_kyodo"] | None = None
    category: Category | None = None
    zone: Zone | None = None
    subsidiarity: Subsidiarity | None = None
    #: form code -> weight; the forms of a case are ranked by their summed weights.
    forms: dict[FormCode, int] = Field(default_factory=dict)
    flags: tuple[FlagCode, ...] = ()
    documents_required: tuple[Document, ...] = ()
    checklist: Stage | None = None
    violates: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _category_goes_with_not_kyodo(self) -> Conclusion:
        if self.verdict == "not_kyodo" and self.category is None:
            raise ValueError("a not_kyodo conclusion needs a category (why it is not 協働)")
        if self.category is not None and self.verdict != "not_kyodo":
            raise ValueError("a category is only given with verdict: not_kyodo")
        return self


class Citation(_Strict):
    """Another guide saying the same thing, in its own words."""

    source: str = Field(pattern=SOURCE_PATTERN)
    quote: str | None = None


class RuleSpecBase(_Strict):
    """What every rule file says of a rule, whatever its ruleset concludes."""

    id: str = Field(pattern=RULE_ID_PATTERN)
    title: Text
    source: str = Field(pattern=SOURCE_PATTERN)
    #: The sentence of the source that the rule encodes, verbatim.
    quote: str | None = None
    #: Other guides that say the same (the trace and docs cite them too).
    see_also: tuple[Citation, ...] = ()
    note: Text | None = None
    when: Any


class RuleSpec(RuleSpecBase):
    """A rule of the 協働 rulebase."""

    then: Conclusion
    #: Rules this one sets aside when it fires (declared exceptions).
    overrides: tuple[str, ...] = ()
    #: In a profile: the shipped rule that this rule stands in for.
    replaces: str | None = None
    #: The parts of the definition of 協働 (ア・イ・ウ, named by their fields) that
    #: the rule's own sentence states. A form of 協働 is evidence of 協働 (a
    #: `kyodo` rule); where its sentence states a part of the definition, an
    #: open failure of that part is shown as taken from the form's sentence,
    #: not as a bare presumption.
    states: tuple[Literal["equal_footing", "shared_purpose", "roles_shared"], ...] = ()
    #: A reading another guide contests: the rule never settles an answer on its
    #: own (the strict verdict keeps it open); the provisional answer follows it
    #: and names it, with this citation beside it.
    contested_by: Citation | None = None

    @model_validator(mode="after")
    def _states_need_kyodo(self) -> RuleSpec:
        if not self.then.model_fields_set and not self.overrides:
            raise ValueError("a rule must conclude something (or set another rule aside)")
        if self.states and self.then.verdict != "kyodo":
            raise ValueError(
                "states: only a kyodo rule (evidence of 協働) states parts of the definition"
            )
        if self.contested_by is not None and self.then.verdict is None and not self.overrides:
            raise ValueError(
                "contested_by: only a rule that gives a verdict or sets one aside can be contested"
            )
        return self


def where(node: Any, loc: Sequence[str | int]) -> int | None:
    """The line of the deepest located mapping on the path `loc`."""
    line = node.line if isinstance(node, Located) else None
    current = node
    for key in loc:
        if isinstance(current, Located):
            line = current.line_of(key if isinstance(key, str) else None)
            current = current.get(key) if isinstance(key, str) else None
        elif isinstance(current, list) and isinstance(key, int) and 0 <= key < len(current):
            current = current[key]
            if isinstance(current, Located):
                line = current.line
        else:
            break
    return line


def _describe(error: Any, model: type[BaseModel]) -> str:
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    path = ".".join(loc) or "(top)"
    kind = error["type"]
    if kind == "extra_forbidden":
        parent_fields = _fields_at(model, error["loc"][:-1])
        close = difflib.get_close_matches(loc[-1], parent_fields, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {loc[-1]!r}{hint}; allowed: {', '.join(parent_fields)}"
    if kind == "missing":
        return f"{path}: required"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "source":
        message = "must be '<seed file> <section>', e.g. '002_5706d2c9275a3206.txt (7) 事例1'"
    return f"{path}: {message}"


def _fields_at(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    current: Any = model
    for key in loc:
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(key, str):
            info = current.model_fields.get(key)
            if info is None:
                return []
            annotation = info.annotation
            current = next(
                (
                    a
                    for a in getattr(annotation, "__args__", (annotation,))
                    if isinstance(a, type) and issubclass(a, BaseModel)
                ),
                annotation,
            )
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def explain(
    exc: ValidationError, node: Any, model: type[BaseModel], file: str, label: str | None
) -> list[str]:
    """One `file:line: label: problem` line per validation error."""
    lines = []
    for error in exc.errors():
        line = where(node, error["loc"])
        at = f"{file}:{line}" if line else file
        who = f" {label}:" if label else ""
        lines.append(f"{at}:{who} {_describe(error, model)}")
    return lines
