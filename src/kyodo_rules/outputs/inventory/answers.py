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
from kyodo_rules.outputs.citation import cite_among
from kyodo_rules.outputs.inventory.columns import (
    INPUT_FIELDS,
    RESULT_COLUMNS,
    Columns,
    RowFacts,
    read_row,
)
from kyodo_rules.outputs.inventory.guesses import Presumed
from kyodo_rules.outputs.inventory.reading import Cell, RowError, SheetRow, pick
from kyodo_rules.outputs.inventory.sheetxml import RowText
from kyodo_rules.outputs.text import headline_words
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier, EngineName
    from kyodo_rules.model.records import Result
    from kyodo_rules.rulebase.settings import SourceDoc


def label(kind: str, code: str | None, lang: Lang = "ja") -> str:
    """`outputs.text.label`, imported on first use: a refused file never loads the models."""
    from kyodo_rules.outputs.text import label as report_label

    return report_label(kind, code, lang)


@dataclass(frozen=True)
class RowWords:
    """What a row's words need of the rulebase: each rule's conclusion, the guides' names."""

    #: rule id -> (verdict, category) it concludes.
    concludes: Mapping[str, tuple[str | None, str | None]]
    #: seed file -> its source document (issuer and title)
    guides: Mapping[str, SourceDoc]

    def cite(self, source: str, lang: Lang) -> str:
        """「日南市『市民協働の手引き』(7) 事例3」: the guide a reader knows, not its file."""
        return cite_among(source, lang, self.guides)


_WORDS: dict[tuple[int, str, str], RowWords] = {}


def row_words(classifier: Classifier, profile: str, lang: Lang) -> RowWords:
    """The rulebase's part of a row's words, worked out once per classifier and profile."""
    key = (id(classifier.rulebase), profile, lang)
    found = _WORDS.get(key)
    if found is None:
        rulebase = classifier.rulebase
        concludes = {
            r.id: (r.then.verdict, r.then.category) for r in rulebase.ruleset(profile).rules
        }
        guides = {s.file: s for s in rulebase.policy.sources}
        found = _WORDS[key] = RowWords(concludes, guides)
    return found


@dataclass(frozen=True)
class RowOutcome:
    row: int
    cells: tuple[Cell, ...]
    result: Result | None
    errors: tuple[RowError, ...] = ()
    #: Facts presumed from the project's name or summary.
    presumed: tuple[Presumed, ...] = ()
    words: RowWords | None = None
    #: The answer is settled only thanks to a presumed fact: shown as 暫定.
    rests_on_presumption: bool = False
    #: `data`, or a total or note row (not answered).
    kind: str = "data"
    #: Cells of columns that are not essential that were not read (shown with 注意点).
    notes: tuple[str, ...] = ()


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
    #: `data`, `total` or `note`.
    kind: str = "data"
    #: The row's 担当課, as written (grouped in the summary).
    department: str | None = None
    #: The row as the output file holds it, made where it was answered (a worker):
    #: a CSV line, or an xlsx row's XML (`sheetxml.RowText`); `cells` is then empty.
    #: None: the writer makes it from `cells`.
    text: str | RowText | None = None


@dataclass(frozen=True)
class Layout:
    """Where each part of an output row goes; the same for every row of a run.

    The answers come right after the project's title (first, without one), so
    that a department filters on them first and a printed page holds the title
    and its answer side by side; the list's 担当課, if it has one, is moved
    beside the title, for the same reason. Every other column follows as it was.
    """

    columns: Columns
    #: Position of the first answer column.
    start: int
    #: The kept columns' positions in the output order (`columns.kept` reordered).
    order: tuple[int, ...] = ()

    @classmethod
    def of(cls, columns: Columns) -> Layout:
        positions = list(range(len(columns.kept)))
        fields = [columns.fields[i] for i in columns.kept]
        start = next((p + 1 for p in positions if fields[p] == "title"), 0)
        department = next((p for p in positions if fields[p] == "department"), None)
        if department is not None and department >= start:
            positions.remove(department)
            positions.insert(start, department)
            start += 1
        return cls(columns, start, tuple(positions))

    def _ordered(self, items: Sequence[Any]) -> list[Any]:
        return [items[p] for p in self.order] if self.order else list(items)

    def headers(self, headers: Sequence[str], lang: Lang) -> list[str]:
        columns = self.columns
        names = self._ordered(columns.names or tuple(headers[i] for i in columns.kept))
        return [*names[: self.start], *result_headers(lang), *names[self.start :]]

    def row(self, cells: Sequence[Cell], answer: Sequence[Cell]) -> tuple[Cell, ...]:
        kept = self._ordered([cells[i] if i < len(cells) else None for i in self.columns.kept])
        return (*kept[: self.start], *answer, *kept[self.start :])

    def position(self, meaning: str) -> int | None:
        """Where the column of this meaning is in an output row (before the answers)."""
        columns = self.columns
        for at, p in enumerate(self.order or range(len(columns.kept))):
            if at < self.start and columns.fields[columns.kept[p]] == meaning:
                return at
        return None


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
    no room for it, and it costs most.

    A row settled only thanks to a fact presumed from its name is answered again
    without the presumptions; if that answer is not settled the same way, the row
    is shown as 暫定, the presumption being what is left to confirm.
    """
    words = row_words(classifier, profile, lang)
    read: list[RowFacts | None] = []
    for row in rows:
        if row.errors or row.kind != "data":
            read.append(None)
        else:
            read.append(read_row(row.number, row.cells, layout.columns))
    valid = [r.facts for r in read if r is not None]
    many = classifier.classify_many
    found = iter(
        many(valid, profile=profile, lang=lang, what_if=False, engine=engine) if valid else ()
    )
    results: list[Result | InputError | None] = [
        next(found) if r is not None else None for r in read
    ]
    again = [
        i
        for i, (r, result) in enumerate(zip(read, results, strict=True))
        if r is not None and r.presumed and result is not None
        and not isinstance(result, InputError) and result.status == "settled"
    ]  # fmt: skip
    if again:
        plain = [_without(read[i]) for i in again]  # type: ignore[arg-type]
        rechecked = many(plain, profile=profile, lang=lang, what_if=False, engine=engine)
        shaky = {
            i
            for i, other in zip(again, rechecked, strict=True)
            if isinstance(other, InputError)
            or other.status != "settled"
            or other.verdict != results[i].verdict  # type: ignore[union-attr]
        }
    else:
        shaky = set()
    out: list[Answered] = []
    for index, (row, facts, answer) in enumerate(zip(rows, read, results, strict=True)):
        errors = list(row.errors) if facts is None else list(facts.errors)
        result = None
        if isinstance(answer, InputError):
            errors.append(_row_error(row.number, str(answer)))
        elif answer is not None:
            result = answer
        outcome = RowOutcome(
            row.number,
            row.cells,
            result,
            tuple(errors),
            facts.presumed if facts is not None else (),
            words,
            index in shaky,
            row.kind,
            facts.notes if facts is not None else (),
        )
        department = facts.department if facts is not None else None
        out.append(_answered(outcome, layout, lang, department))
    return out


def _without(read: RowFacts) -> dict[str, Any]:
    presumed = {p.field for p in read.presumed}
    return {k: v for k, v in read.facts.items() if k not in presumed}


def _status(outcome: RowOutcome) -> str:
    assert outcome.result is not None
    return "provisional" if outcome.rests_on_presumption else outcome.result.status


def _answered(outcome: RowOutcome, layout: Layout, lang: Lang, department: str | None) -> Answered:
    result = outcome.result
    counted = None
    if result is not None:
        status = _status(outcome)
        shown = result.provisional if result.status == "provisional" else None
        counted = Counted(
            status,
            shown.verdict if shown else result.verdict,
            shown.category if shown else result.category,
            result.zone,
            tuple((f.code, f.label) for f in result.forms),
        )
    return Answered(
        outcome.row,
        layout.row(outcome.cells, result_cells(outcome, lang)),
        outcome.errors,
        counted,
        outcome.kind,
        department,
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
    presumed = "\n".join(p.words(lang) for p in outcome.presumed)
    keys = list(RESULT_COLUMNS)
    if result is None:
        cells = dict.fromkeys(keys, "")
        if outcome.kind != "data":
            cells["verdict"] = catalog.text("inventory_words", f"{outcome.kind}_row", lang)
        cells["presumed"] = presumed
        cells["flags"] = "\n".join(outcome.notes)
        cells["errors"] = errors
        return [cells[k] for k in keys]
    status = _status(outcome)
    shown = result.provisional if result.status == "provisional" and result.provisional else result
    if outcome.rests_on_presumption:
        question = catalog.text(
            "inventory_words",
            "confirm_presumed",
            lang,
            facts=catalog.join((p.words(lang) for p in outcome.presumed), lang),
        )
    else:
        question = key_question(result, lang)
    cells = {
        # The headline every output opens with (「協働ではない（暫定）：市主導の依頼」).
        "verdict": headline_words(shown.verdict, status, shown.category, lang),
        "status": label("status", status, lang),
        "category": label("category", shown.category, lang) if shown.category else "",
        "forms": "\n".join(f.label for f in result.forms),
        "question": question,
        "reasons": "\n".join(_reasons(result, shown.verdict, outcome.words, lang)),
        "presumed": presumed,
        "flags": "\n".join([*(f.message for f in result.flags), *outcome.notes]),
        "zone": label("zone", result.zone, lang) if result.zone else "",
        "subsidiarity": (
            label("subsidiarity", result.subsidiarity, lang) if result.subsidiarity else ""
        ),
        "errors": errors,
    }
    return [cells[k] for k in keys]


def key_question(result: Result, lang: Lang) -> str:
    """The one question that matters most: the first open question, as the interview asks
    it, with where each answer would lead. A settled answer has none; where the what-if
    ran (not in a batch), the smallest change that would make it 協働 stands in its place."""
    from kyodo_rules.outputs.text import _outcome_words, next_steps

    # The first question alone: the others are not worked out for a row that
    # shows none of them (nor is any for a settled answer).
    first = None if result.status == "settled" else result.first_open_question()
    if first is None:
        return "\n".join(next_steps(result, lang)[:1]) if result.would_be_kyodo_if else ""

    asked = _question_texts(lang).get(first.field) or catalog.field_label(first.field, lang)
    return f"{asked}\n{_outcome_words(first, lang)}"


_QUESTIONS: dict[str, dict[str, str]] = {}


def _question_texts(lang: Lang) -> dict[str, str]:
    """Each field's question as the interview words it (the field's name if it cannot load)."""
    found = _QUESTIONS.get(lang)
    if found is None:
        found = {}
        try:
            from kyodo_rules.rulebase.questions import default_data

            for q in default_data().questions:
                found[q.field] = q.spec.text.get(lang)
        except Exception:
            found = {}
        _QUESTIONS[lang] = found
    return found


def _reasons(result: Result, verdict: str, words: RowWords | None, lang: Lang) -> list[str]:
    """The deciding rules and their guides, at most two: the rules that gave the verdict
    or the category shown; for a provisional answer, the rules that held and conclude it.
    Never the rules that only list documents or advice."""
    deciding = [t for t in result.trace if {"verdict", "category"} & set(t.contributes)]
    if not deciding and words is not None and verdict != "undetermined":
        deciding = [
            t
            for t in result.trace
            if not t.overridden_by and words.concludes.get(t.rule_id, (None, None))[0] == verdict
        ]
    deciding.sort(key=lambda t: "category" not in t.contributes)
    out = []
    for entry in deciding[:2]:
        key = (entry.title, entry.source, lang)
        said = _SAID.get(key)
        if said is None:
            where = words.cite(entry.source, lang) if words is not None else entry.source
            said = entry.title + catalog.aside(where, lang)
            if len(_SAID) < 4_096:
                _SAID[key] = said
        out.append(said)
    return out


#: A rule's title with its guide, as `_reasons` says it (the same few rules decide most rows).
_SAID: dict[tuple[str, str, str], str] = {}


#: Row errors kept for the caller to show; all of them are in the output's 入力エラー column.
KEPT_ERRORS = 100


#: Departments counted apart in the summary; the others are counted together.
MAX_DEPARTMENTS = 200
#: Totals and notes rows named on the 注意 sheet (all of them are in the output).
KEPT_SKIPPED = 100


@dataclass
class Tally:
    """The counts of a run so far: every row adds to them as it is written."""

    #: Projects read (totals and notes rows are not projects).
    read: int = 0
    #: Projects answered (a row with an unread cell is answered with that fact unknown).
    answered: int = 0
    #: Rows with errors (answered or not).
    bad: int = 0
    #: Rows with errors, in total (`errors` keeps only the first `KEPT_ERRORS`).
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counter[str | None]] = field(
        default_factory=lambda: {k: Counter() for k in ("status", "verdict", "category", "zone")}
    )
    #: (verdict, status) as the sheet shows them.
    crossed: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: (department, verdict or "" for a row not answered).
    departments: Counter[tuple[str, str]] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)
    form_labels: dict[str, str] = field(default_factory=dict)
    #: Totals and notes rows: how many, and the first ones (row number, kind).
    skipped: int = 0
    skipped_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return self.read - self.answered

    def add(self, row: Answered) -> None:
        if row.kind != "data":
            self.skipped += 1
            if len(self.skipped_rows) < KEPT_SKIPPED:
                self.skipped_rows.append((row.number, row.kind))
            return
        self.read += 1
        if row.errors:
            self.bad += 1
            self.error_count += len(row.errors)
            room = KEPT_ERRORS - len(self.errors)
            if room > 0:
                self.errors.extend(row.errors[:room])
        counted = row.counted
        department = row.department
        if department is not None:
            seen = {d for d, _ in self.departments}
            if department not in seen and len(seen) >= MAX_DEPARTMENTS:
                department = OTHER_DEPARTMENTS
            self.departments[(department, counted.verdict if counted else "")] += 1
        if counted is None:
            return
        self.answered += 1
        counts = self.counts
        counts["status"][counted.status] += 1
        counts["verdict"][counted.verdict] += 1
        counts["category"][counted.category] += 1
        counts["zone"][counted.zone] += 1
        self.crossed[(counted.verdict, counted.status)] += 1
        for code, name in counted.forms:
            self.forms[code] += 1
            self.form_labels.setdefault(code, name)

    def department_names(self) -> list[str]:
        """The departments in the order first met (the list's own order)."""
        return list(dict.fromkeys(d for d, _ in self.departments))


#: Where departments past `MAX_DEPARTMENTS` are counted.
OTHER_DEPARTMENTS = "…"


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
        (words["refused"], "", "", tally.refused),
        (words["skipped"], "", "", tally.skipped),
        (words["ignored"], "", "", ignored),
    ]
    statuses = tally.counts["status"]
    for code in STATUSES:
        section = pick(RESULT_COLUMNS["status"], lang)
        rows.append((section, label("status", code, lang), code, statuses.get(code, 0)))
    for key, codes in (("verdict", VERDICTS), ("category", CATEGORIES), ("zone", ZONES)):
        counts = tally.counts[key]
        section = pick(RESULT_COLUMNS[key], lang)
        # The verdict in the short words of the sheet's own column and table (協働ではない),
        # not the sentence of a report's headline (協働ではありません).
        kind = "verdict_short" if key == "verdict" else key
        for code in codes:
            rows.append((section, label(kind, code, lang), code, counts.get(code, 0)))
        if key != "verdict":
            rows.append((section, none, "", counts.get(None, 0)))
    for verdict, status in crossed_pairs():
        item = f"{label('verdict_short', verdict, lang)}・{label('status', status, lang)}"
        rows.append(
            (words["crossed"], item, f"{verdict}/{status}", tally.crossed.get((verdict, status), 0))
        )
    for code in FORMS:
        shown = tally.form_labels.get(code) or form_label(code)
        rows.append((words["forms"], shown, code, tally.forms.get(code, 0)))
    for department in tally.department_names():
        for verdict in (*VERDICTS, ""):
            count = tally.departments.get((department, verdict), 0)
            if count:
                item = label("verdict_short", verdict, lang) if verdict else words["refused"]
                rows.append((words["departments"], f"{department}・{item}", verdict, count))
    return rows


STATUSES = ("settled", "provisional", "undetermined")


def crossed_pairs() -> list[tuple[str, str]]:
    """The (verdict, status) pairs a sheet can show: an undetermined verdict is never settled."""
    return [
        (v, s) for v in VERDICTS for s in STATUSES if (v == "undetermined") == (s == "undetermined")
    ]


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
