"""Loading the wizard's questions (`wizard/questions.yaml`).

The interview is data so that trainers can reword a question or a help text
without touching code; that makes the files an input to validate like any
other: a missing label or a misspelt code is reported as `file:line: problem`
when the wizard starts, never as a blank choice on someone's screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import Located, load_file
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import FIELD_KINDS, Lang
from kyodo_rules.rulebase.schema import SOURCE_PATTERN, Text, explain

TITLE = "title"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChoiceSpec(_Strict):
    value: bool | str
    label: Text
    example: Text | None = None
    #: For a long list: the heading it is shown under when the list does not
    #: fit the terminal (chosen first, then the choice within it).
    group: Text | None = None


class HelpSpec(_Strict):
    text: Text | None = None
    #: The source sentence, verbatim (extraction noise removed).
    quote: str = Field(min_length=1)
    source: str = Field(pattern=SOURCE_PATTERN)


class QuestionSpec(_Strict):
    field: str
    text: Text
    choices: tuple[ChoiceSpec, ...] = ()
    help: HelpSpec | None = None

    @field_validator("field")
    @classmethod
    def _known(cls, value: str) -> str:
        if value != TITLE and value not in FIELD_KINDS:
            raise ValueError(f"unknown field {value!r}; allowed: {TITLE}, {', '.join(FIELD_KINDS)}")
        return value


class TogetherSpec(_Strict):
    """Yes/no questions put on one screen while all of them are open: 「はい」 answers
    every one; anything else is asked one by one, so nothing is presumed."""

    fields: tuple[str, ...] = Field(min_length=2)
    text: Text
    #: The choice that answers every one of them "yes".
    all: Text
    #: The choice that asks them one by one.
    each: Text
    help: HelpSpec


class QuestionsFile(_Strict):
    questions: tuple[QuestionSpec, ...]
    together: tuple[TogetherSpec, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question with its field's kind, ready for the flow and the UI."""

    spec: QuestionSpec
    kind: str  # "text", "bool", "code", "codes"

    @property
    def field(self) -> str:
        return self.spec.field

    def label_of(self, value: Any, lang: Lang) -> str:
        for choice in self.spec.choices:
            if choice.value == value and type(choice.value) is type(value):
                return choice.label.get(lang)
        return str(value)


@dataclass(frozen=True)
class WizardData:
    questions: tuple[Question, ...]
    together: tuple[TogetherSpec, ...] = ()

    @property
    def groups(self) -> tuple[tuple[str, ...], ...]:
        """The fields of each `together` screen, for the flow."""
        return tuple(g.fields for g in self.together)

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(q.field for q in self.questions)

    def question(self, field: str) -> Question:
        return self._by_field[field]

    @property
    def _by_field(self) -> dict[str, Question]:
        return {q.field: q for q in self.questions}


def wizard_dir() -> Path:
    """The shipped interview data, found the one way all shipped data is."""
    return data_path("wizard")


def _validate(model: type[BaseModel], raw: Any, name: str) -> Any:
    if not isinstance(raw, dict):
        raise RuleError(f"{name}:1: expected a mapping")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise RuleError("\n".join(explain(exc, raw, model, name, None))) from None


def _line(node: Any, *path: Any) -> int:
    line = node.line if isinstance(node, Located) else 1
    for key in path:
        if isinstance(node, Located):
            line = node.line_of(key)
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            line = node.line if isinstance(node, Located) else line
    return line


def _check_questions(spec: QuestionsFile, raw: Any, name: str) -> tuple[Question, ...]:
    errors: list[str] = []
    seen: set[str] = set()
    out: list[Question] = []
    for n, q in enumerate(spec.questions):
        where = f"{name}:{_line(raw, 'questions', n)}: {q.field}"
        if q.field in seen:
            errors.append(f"{where}: asked twice")
        seen.add(q.field)
        if q.field == TITLE:
            out.append(Question(q, "text"))
            if q.choices:
                errors.append(f"{where}: a free-text question has no choices")
            continue
        kind, codes = FIELD_KINDS[q.field]
        values = [c.value for c in q.choices]
        expected = list(codes)
        wrong = [v for v in values if v not in expected or type(v) is not type(expected[0])]
        if wrong:
            shown = ", ".join(str(c).lower() if isinstance(c, bool) else str(c) for c in expected)
            errors.append(
                f"{where}: choice {wrong[0]!r} is not a code of this field; allowed: {shown}"
            )
        absent = [c for c in expected if c not in values]
        if absent:
            errors.append(f"{where}: no choice (label) for code {absent[0]!r}")
        if len(set(map(repr, values))) != len(values):
            errors.append(f"{where}: a choice is listed twice")
        if q.help is None:
            errors.append(f"{where}: a help text quoting the source is required")
        out.append(Question(q, kind))
    absent_fields = [f for f in (TITLE, *FIELD_KINDS) if f not in seen]
    if absent_fields:
        errors.append(f"{name}:1: no question for field {absent_fields[0]!r}")
    grouped: set[str] = set()
    for n, group in enumerate(spec.together):
        where = f"{name}:{_line(raw, 'together', n)}: together"
        for f in group.fields:
            if FIELD_KINDS.get(f, ("",))[0] != "bool":
                bools = ", ".join(k for k, (kind, _) in FIELD_KINDS.items() if kind == "bool")
                errors.append(f"{where}: {f!r} is not a yes/no field; allowed: {bools}")
            elif f in grouped:
                errors.append(f"{where}: {f!r} is in two groups")
            grouped.add(f)
    if errors:
        raise RuleError("\n".join(errors))
    return tuple(out)


def load(directory: Path | str | None = None) -> WizardData:
    """Read and check the questions; any problem is a `RuleError` naming file and line.

    The wizard's interface words (buttons, hints) are the wording catalog's
    `wizard` section, not part of the interview's data."""
    root = Path(directory) if directory is not None else wizard_dir()
    qname = "wizard/questions.yaml"
    raw_q = load_file(root / "questions.yaml", qname)
    spec: QuestionsFile = _validate(QuestionsFile, raw_q, qname)
    questions = _check_questions(spec, raw_q, qname)
    return WizardData(questions, spec.together)


@cache
def default_data() -> WizardData:
    return load()
