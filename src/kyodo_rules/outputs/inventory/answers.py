"""Answering one row, and the answer in words: the result columns and the summary.

A row's `Result` lives only as long as it takes to put it into the sheet's
words; what the summary needs of it is a handful of codes (`Counted`), so a
run keeps counts, never answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import CATEGORIES, FORMS, VERDICTS, ZONES, Lang
from kyodo_rules.outputs.inventory.columns import (
    INPUT_FIELDS,
    RESULT_COLUMNS,
    Columns,
    parse_row,
)
from kyodo_rules.outputs.inventory.reading import Cell, RowError, SheetRow, pick
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import field_label

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier, EngineName
    from kyodo_rules.model.records import Result


def label(kind: str, code: str | None, lang: Lang = "ja") -> str:
    """`outputs.text.label`, imported on first use: a refused file never loads the models."""
    from kyodo_rules.outputs.text import label as report_label

    return report_label(kind, code, lang)


def next_steps(result: Result, lang: Lang) -> list[str]:
    """`outputs.text.next_steps`, imported on first use (as `label`)."""
    from kyodo_rules.outputs.text import next_steps as report_next_steps

    return report_next_steps(result, lang)


@dataclass(frozen=True)
class RowOutcome:
    row: int
    cells: tuple[Cell, ...]
    result: Result | None
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Counted:
    """What the summary counts of one answered row (codes as the sheet shows them)."""

    status: str
    verdict: str
    category: str | None
    zone: str | None
    forms: tuple[tuple[str, str], ...]  # (code, label as the profile names it)


@dataclass(frozen=True)
class Answered:
    """One row ready to be written: every output cell, and what the summary counts."""

    number: int
    cells: tuple[Cell, ...]
    errors: tuple[RowError, ...]
    counted: Counted | None


@dataclass(frozen=True)
class Layout:
    """Where each part of an output row goes; the same for every row of a run."""

    columns: Columns
    #: Position of the first answer column: right after the title (or first, without one).
    start: int

    @classmethod
    def of(cls, columns: Columns) -> Layout:
        for position, index in enumerate(columns.kept):
            if columns.fields[index] == "title":
                return cls(columns, position + 1)
        return cls(columns, 0)

    def headers(self, headers: Sequence[str], lang: Lang) -> list[str]:
        columns = self.columns
        names = columns.names or tuple(headers[i] for i in columns.kept)
        return [*names[: self.start], *result_headers(lang), *names[self.start :]]

    def row(self, cells: Sequence[Cell], answer: Sequence[Cell]) -> tuple[Cell, ...]:
        kept = [cells[i] if i < len(cells) else None for i in self.columns.kept]
        return (*kept[: self.start], *answer, *kept[self.start :])


def answer_rows(
    rows: Sequence[SheetRow],
    layout: Layout,
    classifier: Classifier,
    *,
    profile: str,
    lang: Lang,
    engine: EngineName,
) -> list[Answered]:
    """Rows answered together (`classify_many`: the rule engine matches them in shared
    sessions), each the answer `classify` gives it. `what_if` is skipped: a sheet has
    no room for it, and it costs most."""
    parsed: list[tuple[dict[str, Any], list[RowError]]] = []
    for row in rows:
        if row.errors:
            parsed.append(({}, list(row.errors)))
        else:
            parsed.append(parse_row(row.number, row.cells, layout.columns))
    valid = [facts for facts, errors in parsed if not errors]
    found = iter(
        classifier.classify_many(valid, profile=profile, lang=lang, what_if=False, engine=engine)
        if valid
        else ()
    )
    out: list[Answered] = []
    for row, (_facts, errors) in zip(rows, parsed, strict=True):
        result = None
        if not errors:
            answer = next(found)
            if isinstance(answer, InputError):
                errors = [_row_error(row.number, str(answer))]
            else:
                result = answer
        out.append(_answered(row, layout, result, errors, lang))
    return out


def _answered(
    row: SheetRow, layout: Layout, result: Result | None, errors: list[RowError], lang: Lang
) -> Answered:
    outcome = RowOutcome(row.number, row.cells, result, tuple(errors))
    counted = None
    if result is not None:
        shown = result.provisional if result.status == "provisional" else None
        counted = Counted(
            result.status,
            shown.verdict if shown else result.verdict,
            shown.category if shown else result.category,
            result.zone,
            tuple((f.code, f.label) for f in result.forms),
        )
    return Answered(
        row.number, layout.row(row.cells, result_cells(outcome, lang)), outcome.errors, counted
    )


def _row_error(number: int, message: str) -> RowError:
    # validate_case's messages start with the field they are about.
    head, sep, rest = message.partition(": ")
    name = head.split("[")[0]
    if sep and name in INPUT_FIELDS:
        return RowError(number, name, rest)
    return RowError(number, "(row)", message)


def result_headers(lang: Lang) -> list[str]:
    return [pick(pair, lang) for pair in RESULT_COLUMNS.values()]


def result_cells(outcome: RowOutcome, lang: Lang) -> list[str]:
    """The answer columns of one row, in words (Excel users filter on these)."""
    result = outcome.result
    errors = "\n".join(str(e) for e in outcome.errors)
    if result is None:
        return [""] * (len(RESULT_COLUMNS) - 1) + [errors]
    status = result.status
    shown = result.provisional if status == "provisional" and result.provisional else result
    return [
        label("verdict", shown.verdict, lang),
        label("status", status, lang),
        label("category", shown.category, lang) if shown.category else "",
        "\n".join(f.label for f in result.forms),
        "\n".join(next_steps(result, lang)[:1]),
        label("zone", result.zone, lang) if result.zone else "",
        label("subsidiarity", result.subsidiarity, lang) if result.subsidiarity else "",
        "\n".join(f.message for f in result.flags),
        "\n".join(f"{t.title}（{t.source}）" for t in _reasons(result)),
        catalog.join((field_label(f, lang) for f in result.missing_facts), lang),
        errors,
    ]


def _reasons(result: Result) -> list[Any]:
    """The rules the answer rests on; rules that held but gave nothing shown are left out."""
    used = [t for t in result.trace if t.contributes]
    return used or [t for t in result.trace if not t.overridden_by]


#: Row errors kept for the caller to show; all of them are in the output's 入力エラー column.
KEPT_ERRORS = 100


@dataclass
class Tally:
    """The counts of a run so far: every row adds to them as it is written."""

    read: int = 0
    bad: int = 0
    #: Rows with errors, in total (`errors` keeps only the first `KEPT_ERRORS`).
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counter[str | None]] = field(
        default_factory=lambda: {k: Counter() for k in ("status", "verdict", "category", "zone")}
    )
    forms: Counter[str] = field(default_factory=Counter)
    form_labels: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return self.read - self.bad

    def add(self, row: Answered) -> None:
        self.read += 1
        if row.errors:
            self.bad += 1
            self.error_count += len(row.errors)
            room = KEPT_ERRORS - len(self.errors)
            if room > 0:
                self.errors.extend(row.errors[:room])
        counted = row.counted
        if counted is None:
            return
        counts = self.counts
        counts["status"][counted.status] += 1
        counts["verdict"][counted.verdict] += 1
        counts["category"][counted.category] += 1
        counts["zone"][counted.zone] += 1
        for code, name in counted.forms:
            self.forms[code] += 1
            self.form_labels.setdefault(code, name)


def summary_headers(lang: Lang) -> list[str]:
    words = catalog.words("inventory_summary", lang)
    return [words[key] for key in ("section", "item", "code", "count")]


def summary_rows(
    tally: Tally, lang: Lang, ignored: int, form_label: Callable[[str], str]
) -> list[tuple[str, str, str, int]]:
    """(section, label, code, count) rows: each section's counts add up to the answered rows.

    The verdict and category are counted as the sheet shows them: the
    provisional ones where the answer is 暫定 (counted apart in its own section).
    """
    words = catalog.words("inventory_summary", lang)
    none = words["none"]
    rows: list[tuple[str, str, str, int]] = [
        (words["read"], "", "", tally.read),
        (words["total"], "", "", tally.answered),
        (words["bad"], "", "", tally.bad),
        (words["ignored"], "", "", ignored),
    ]
    statuses = tally.counts["status"]
    for code in ("settled", "provisional", "undetermined"):
        section = pick(RESULT_COLUMNS["status"], lang)
        rows.append((section, label("status", code, lang), code, statuses.get(code, 0)))
    for key, codes in (("verdict", VERDICTS), ("category", CATEGORIES), ("zone", ZONES)):
        counts = tally.counts[key]
        section = pick(RESULT_COLUMNS[key], lang)
        for code in codes:
            rows.append((section, label(key, code, lang), code, counts.get(code, 0)))
        if key != "verdict":
            rows.append((section, none, "", counts.get(None, 0)))
    for code in FORMS:
        shown = tally.form_labels.get(code) or form_label(code)
        rows.append((words["forms"], shown, code, tally.forms.get(code, 0)))
    return rows


def form_namer(profiles: Mapping[str, Any], profile: str, lang: Lang) -> Callable[[str], str]:
    """A form no row was given, named as the profile of the classifier that answered names it."""

    def name(code: str) -> str:
        for pid in (profile, "generic"):
            spec = profiles[pid].spec if pid in profiles else None
            info = spec.forms.get(code) if spec else None
            if info is not None and info.label is not None:
                return str(info.label.get(lang))
        return code

    return name
