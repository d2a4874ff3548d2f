"""Loading the wizard's data files (`wizard/questions.yaml`, `wizard/ui.yaml`).

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
from kyodo_rules.model.vocabulary import FIELD_KINDS
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
    #: A few words naming the fact, for summaries and "it would be 協働 if …".
    short: Text
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
    short: Text
    text: Text
    #: The choice that answers every one of them "yes".
    all: Text
    #: The choice that asks them one by one.
    each: Text
    help: HelpSpec


class QuestionsFile(_Strict):
    questions: tuple[QuestionSpec, ...]
    together: tuple[TogetherSpec, ...] = ()


class UiFile(_Strict):
    texts: dict[str, Text]


@dataclass(frozen=True)
class Question:
    """One question with its field's kind, ready for the flow and the UI."""

    spec: QuestionSpec
    kind: str  # "text", "bool", "code", "codes"

    @property
    def field(self) -> str:
        return self.spec.field

    def label_of(self, value: Any, lang: str) -> str:
        for choice in self.spec.choices:
            if choice.value == value and type(choice.value) is type(value):
                return choice.label.get(lang)
        return str(value)


@dataclass(frozen=True)
class WizardData:
    questions: tuple[Question, ...]
    texts: dict[str, Text]
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

    def t(self, key: str, lang: str, **values: Any) -> str:
        text = self.texts[key].get(lang)
        return text.format(**values) if values else text

    def field_label(self, field: str, lang: str) -> str:
        q = self._by_field.get(field)
        return q.spec.short.get(lang) if q else field

    def value_label(self, field: str, value: Any, lang: str) -> str:
        """A value in the words of the question's choices (lists joined)."""
        if value is None:
            return self.t("unknown", lang)
        q = self._by_field.get(field)
        if isinstance(value, list | tuple):
            if not value:
                return self.t("none_selected", lang)
            sep = "、" if lang == "ja" else ", "
            return sep.join(self.value_label(field, v, lang) for v in value)
        if q is None or not q.spec.choices:
            return str(value)
        return q.label_of(value, lang)


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


REQUIRED_TEXTS = (
    "unknown", "back", "why", "help", "why_title", "why_none", "summary_title",
    "see_result", "interrupted", "resume_hint", "not_a_terminal", "profile_question",
    "session_at", "welcome", "answer_yes", "answer_no", "none_selected", "example", "saved_report",
)  # fmt: skip


def load(directory: Path | str | None = None) -> WizardData:
    """Read and check both files; any problem is a `RuleError` naming file and line."""
    root = Path(directory) if directory is not None else wizard_dir()
    qname = "wizard/questions.yaml"
    raw_q = load_file(root / "questions.yaml", qname)
    spec: QuestionsFile = _validate(QuestionsFile, raw_q, qname)
    questions = _check_questions(spec, raw_q, qname)
    uname = "wizard/ui.yaml"
    raw_u = load_file(root / "ui.yaml", uname)
    ui: UiFile = _validate(UiFile, raw_u, uname)
    absent = [k for k in REQUIRED_TEXTS if k not in ui.texts]
    if absent:
        raise RuleError(f"{uname}:{_line(raw_u, 'texts')}: texts: no text {absent[0]!r}")
    return WizardData(questions, dict(ui.texts), spec.together)


@cache
def default_data() -> WizardData:
    return load()


def report_labels(lang: str, data: WizardData | None = None) -> dict[str, Any]:
    """`field_label` and `value_label` for `_report`: facts in the questions' own words.

    Reports show unknown facts and "it would be 協働 if" changes; staff read
    them in the wording they answered, not as field codes.
    """
    words = data or default_data()
    return {
        "field_label": lambda field: words.field_label(field, lang),
        "value_label": lambda field, value: words.value_label(field, value, lang),
    }
