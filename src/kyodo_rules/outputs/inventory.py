"""The project inventory: a sheet of projects in, the same sheet with answers out.

日南市's ステップ1 asks every department to look at all its projects again from
a 協働 viewpoint. Departments keep those lists in Excel, typed by hand, so this
module reads what people actually write: Japanese column names or the
vocabulary's, codes or their Japanese words, はい/いいえ as well as true/false,
full-width digits, several codes in one cell separated by 、. A cell it cannot
read spoils only its own row: that row is reported by its spreadsheet row
number (as Excel shows it, the header being row 1) and every other row is still
answered, because one typo must not cost a department its whole inventory.

No printing and no exit codes here; `commands/batch.py` is the thin shell.
"""

from __future__ import annotations

import csv
import datetime as _dt
import difflib
import io
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kyodo_rules.files.cells import clean, inert_csv, is_formula_like
from kyodo_rules.files.sheetguard import Limits, NoCachedValue
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import (
    CATEGORIES,
    FIELD_KINDS,
    FORMS,
    LANGS,
    VERDICTS,
    ZONES,
    Lang,
)
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import (
    CODE_LABELS,
    FALSE_WORDS,
    FIELD_LABELS,
    TRUE_WORDS,
    field_label,
    fold,
    header_aliases,
    value_aliases,
)

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


Cell = (
    str
    | int
    | float
    | bool
    | _dt.datetime
    | _dt.date
    | _dt.time
    | _dt.timedelta
    | NoCachedValue
    | None
)

#: Characters in one cell; Excel's own limit, so every cell read can be written back.
MAX_CELL_CHARS = 32_767

SUFFIXES = (".csv", ".xlsx")
INPUT_FIELDS: tuple[str, ...] = ("title", *FIELD_KINDS)

#: Words meaning "not known" (the cell might as well be empty).
UNKNOWN_WORDS = frozenset(fold(w) for w in ("不明", "分からない", "わからない", "unknown", "?"))
#: Words meaning "none of them" in a list cell whose field has no `none` code.
NONE_WORDS = frozenset(fold(w) for w in ("なし", "無し", "none"))
_SPLIT = re.compile(r"[,、，;；\n]")

#: The columns the inventory adds, in order: key -> its header in each of `LANGS`.
#: What a department filters on first comes first, right after the project's title.
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    key: tuple(entry.get(lang) for lang in LANGS)
    for key, entry in catalog.section("inventory_column").items()
}
_RESULT_HEADERS = frozenset(fold(h) for pair in RESULT_COLUMNS.values() for h in pair)
_RESULT_SETS = tuple(
    frozenset(fold(pair[i]) for pair in RESULT_COLUMNS.values()) for i in range(len(LANGS))
)

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    key: tuple(entry.get(lang) for lang in LANGS)
    for key, entry in catalog.section("inventory_sheet").items()
}
#: Result columns whose cells hold several lines of text.
_LONG = frozenset({"forms", "confirm", "flags", "reasons", "missing_facts", "errors"})


def _pick(pair: tuple[str, ...], lang: Lang) -> str:
    """A header of RESULT_COLUMNS or SHEET_NAMES, which hold one per language."""
    return pair[LANGS.index(lang)]


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Table:
    """A sheet as read: its header row and its non-blank rows with their row numbers.

    `read_errors` holds the rows that could not be read at all (a CSV quote left
    open, a cell over `MAX_CELL_CHARS`); they are in `rows` too, so that they are
    counted and reported, never silently lost.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    read_errors: dict[int, tuple[RowError, ...]] = field(default_factory=dict)


def _table_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{os.fspath(path)}: 拡張子 {suffix or '(なし)'} は読み書きできません / "
            f"unsupported file type; allowed: {', '.join(SUFFIXES)}"
        )
    return suffix


def read_table(path: str | os.PathLike[str], limits: Limits | None = None) -> Table:
    """The first sheet of an .xlsx, or a .csv (UTF-8, with or without BOM, or Shift_JIS).

    Excel on Japanese Windows saves "CSV" as Shift_JIS (cp932) unless told
    otherwise, so that is tried when the file is not UTF-8 (and not UTF-8 with
    a stray byte, which would turn into mojibake).
    """
    from kyodo_rules.files.safeio import read_bounded

    limits = limits or Limits()
    name = os.fspath(path)
    suffix = _table_format(path)
    data = read_bounded(path, limits.bytes, f"--limit mb={limits.mb}")
    read_errors: dict[int, list[RowError]] = {}
    if suffix == ".csv":
        records = _read_csv(data, name, limits, read_errors)
    else:
        records = _read_xlsx(data, name, limits)
    header_row: tuple[Cell, ...] | None = None
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in records:
        long = next(
            (i for i, c in enumerate(cells) if isinstance(c, str) and len(c) > MAX_CELL_CHARS),
            None,
        )
        if header_row is None:
            if long is not None:
                raise InputError(f"{name}: 1行目の列名が長すぎます / a column name is too long")
            header_row = tuple(cells)
            continue
        if long is not None:
            read_errors.setdefault(number, []).append(
                RowError(
                    number,
                    f"column {long + 1}",
                    f"セルが {MAX_CELL_CHARS:,} 文字を超えています / "
                    f"cell over {MAX_CELL_CHARS:,} characters",
                )
            )
            cells = tuple(c[:MAX_CELL_CHARS] if isinstance(c, str) else c for c in cells)
        if number in read_errors or any(not _blank(c) for c in cells):
            rows.append((number, tuple(cells)))
        if len(rows) > limits.rows:
            from kyodo_rules.files.sheetguard import over

            raise over("rows", limits, name, f"more than {limits.rows:,} rows")
    if header_row is None or all(_blank(c) for c in header_row):
        raise InputError(
            f"{name}: 1行目に列名（事業名、主体 …）がありません / row 1 must hold the column names"
        )
    headers = tuple(
        "" if c is None or isinstance(c, NoCachedValue) else clean(_cell_text(c)).strip()
        for c in header_row
    )
    return Table(headers, tuple(rows), {k: tuple(v) for k, v in read_errors.items()})


def _to_cell(value: object) -> Cell:
    # openpyxl may also hand back Decimals, rich text and formula objects.
    if value is None or isinstance(
        value,
        str
        | bool
        | int
        | float
        | _dt.datetime
        | _dt.date
        | _dt.time
        | _dt.timedelta
        | NoCachedValue,
    ):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _read_csv(
    data: bytes, name: str, limits: Limits, read_errors: dict[int, list[RowError]]
) -> list[tuple[int, tuple[Cell, ...]]]:
    """Records with their numbers; a record the csv module cannot parse is a row error.

    Parsed strictly, so that a quote opened and never closed is an error for
    its row instead of swallowing every row after it into one title; reading
    resumes on the next line, so the other rows are still answered.
    """
    import itertools

    from kyodo_rules.files.safeio import decode_table_text
    from kyodo_rules.files.sheetguard import over

    text = decode_table_text(data, name)
    lines = list(io.StringIO(text, newline=""))
    records: list[tuple[int, tuple[Cell, ...]]] = []
    number = 0
    position = 0
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, len(text) + 1))  # cell length is checked per row
    try:
        while position < len(lines):
            reader = csv.reader(itertools.islice(lines, position, None), strict=True)
            while True:
                before = reader.line_num
                try:
                    record = next(reader)
                except StopIteration:
                    position = len(lines)
                    break
                except csv.Error as exc:
                    number += 1
                    line = position + before + 1
                    read_errors.setdefault(number, []).append(
                        RowError(number, "(row)", _csv_problem(str(exc), line))
                    )
                    records.append((number, ()))
                    position = line
                    break
                number += 1
                if len(record) > limits.columns:
                    raise over("columns", limits, name, f"row {number}: {len(record):,} cells")
                records.append((number, tuple(record)))
                if number > limits.rows + 1:
                    raise over("rows", limits, name, f"more than {limits.rows:,} rows")
    finally:
        csv.field_size_limit(old_limit)
    return records


def _csv_problem(message: str, line: int) -> str:
    if "unexpected end of data" in message or "EOF" in message:
        return (
            f'{line}行目で始まる引用符 " が閉じていません / a quote opened on line {line} '
            "is never closed"
        )
    return f"{line}行目を CSV として読めません / line {line} is not valid CSV: {message}"


def _read_xlsx(data: bytes, name: str, limits: Limits) -> list[tuple[int, tuple[Cell, ...]]]:
    from kyodo_rules.files.sheetguard import xlsx_rows

    wanted = frozenset(SHEET_NAMES["input"])
    try:
        return [
            (number, tuple(map(_to_cell, cells)))
            for number, cells in xlsx_rows(data, name, wanted, limits)
        ]
    except InputError:
        raise
    except Exception as exc:  # openpyxl's errors for a malformed file are of every kind
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(
            f"{name}: 読み込めません（壊れた Excel ファイル） / cannot read: malformed xlsx: "
            f"{type(exc).__name__}: {reason}"
        ) from None


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Columns:
    """Which field each column holds (None: not a field), and notes about ignored columns."""

    fields: tuple[str | None, ...]
    notes: tuple[str, ...]
    #: Columns carried over to the output (earlier answers are dropped, not duplicated).
    kept: tuple[int, ...]
    #: The output header of each kept column (a user's 判定 column becomes 判定（入力）).
    names: tuple[str, ...] = ()
    #: Named columns that hold no field (kept in the output, not used).
    ignored: int = 0


def map_columns(headers: Sequence[str]) -> Columns:
    aliases = header_aliases()
    fields: list[str | None] = []
    notes: list[str] = []
    kept: list[int] = []
    names: list[str] = []
    seen: dict[str, str] = {}
    folded = {fold(h) for h in headers}
    # Every answer column of one language: an answered sheet fed back in.
    earlier_run = any(columns <= folded for columns in _RESULT_SETS)
    for index, header in enumerate(headers):
        key = fold(header)
        if key in _RESULT_HEADERS:
            if earlier_run:
                fields.append(None)  # an answer column of an earlier run; answered afresh
                continue
            renamed = f"{header}（入力）"
            notes.append(
                f"列「{header}」は結果の列と同じ名前なので「{renamed}」として残します / "
                f"column {header!r} has the name of a result column; kept as {renamed!r}"
            )
            kept.append(index)
            names.append(renamed)
            fields.append(None)
            continue
        kept.append(index)
        names.append(header)
        name = aliases.get(key)
        if name is None:
            fields.append(None)
            if header:
                near = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.6)
                hint = ""
                if near:
                    guess = FIELD_LABELS.get(aliases[near[0]], aliases[near[0]])
                    hint = f"（もしかして「{guess}」？ / did you mean {guess!r}?）"
                notes.append(
                    f"列「{header}」は項目名ではないので判定には使いません{hint} / "
                    f"column {header!r} is not a field; kept but not used"
                )
            continue
        if name in seen:
            raise InputError(
                f"列「{seen[name]}」と「{header}」が同じ項目 {name} です / "
                f"two columns for field {name}"
            )
        seen[name] = header
        fields.append(name)
    if not seen:
        raise InputError(
            "項目名の列が一つもありません（例: 事業名、主体、企画立案者）/ "
            "no column names a field; "
            f"allowed: {', '.join(FIELD_LABELS.values())} or {', '.join(INPUT_FIELDS)}"
        )
    ignored = sum(1 for i in kept if fields[i] is None and headers[i])
    return Columns(tuple(fields), tuple(notes), tuple(kept), tuple(names), ignored)


# --------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class RowError:
    """One unreadable cell (or one rejected row), located as a person finds it in Excel."""

    row: int
    field: str
    problem: str

    def __str__(self) -> str:
        where = (
            f"{self.field}（{FIELD_LABELS[self.field]}）"
            if self.field in FIELD_LABELS
            else self.field
        )
        return f"row {self.row}: {where}: {self.problem}"


class _CellError(Exception):
    pass


def _allowed(field: str) -> str:
    labels = CODE_LABELS.get(field, {})
    codes = FIELD_KINDS[field][1]
    return "、".join(f"{labels.get(str(c), c)} ({c})" for c in codes)


def _cell_text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


_TRUE = frozenset(fold(w) for w in TRUE_WORDS)
_FALSE = frozenset(fold(w) for w in FALSE_WORDS)


def parse_cell(field: str, value: Cell) -> Any:
    """A cell as a fact value; None if unknown; `_CellError` with the problem otherwise."""
    if isinstance(value, NoCachedValue):
        raise _CellError(
            f"セル {value.coordinate} の数式に計算結果が保存されていません"
            f"（Excel で開いて保存し直してください） / "
            f"formula in cell {value.coordinate} has no saved value; open and save "
            "the file in Excel"
        )
    if _blank(value):
        return None
    if field == "title":
        return _cell_text(value).strip()
    if isinstance(value, str) and fold(value) in UNKNOWN_WORDS:
        return None
    kind = FIELD_KINDS[field][0]
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = fold(_cell_text(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise _CellError(
            f"「{_cell_text(value)}」は はい／いいえ で答えてください / "
            "expected yes or no (はい, いいえ, true, false, 1, 0)"
        )
    aliases = value_aliases(field)
    if kind == "code":
        code = aliases.get(fold(_cell_text(value)))
        if code is None:
            raise _CellError(
                f"「{_cell_text(value)}」は使えません / not allowed; 使える値 / allowed: "
                f"{_allowed(field)}"
            )
        return code
    codes: list[str] = []
    for token in _SPLIT.split(_cell_text(value)):
        key = fold(token)
        if not key:
            continue
        code = aliases.get(key)
        if code is None and key in NONE_WORDS:
            continue  # 「なし」: known to be none of them
        if code is None:
            raise _CellError(
                f"「{token.strip()}」は使えません / not allowed; 使える値（、区切りで複数可）/ "
                f"allowed, several separated by 、: {_allowed(field)}"
            )
        codes.append(code)
    return codes


def parse_row(
    number: int, cells: Sequence[Cell], columns: Columns
) -> tuple[dict[str, Any], list[RowError]]:
    facts: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, name in enumerate(columns.fields):
        if name is None or index >= len(cells):
            continue
        try:
            value = parse_cell(name, cells[index])
        except _CellError as exc:
            errors.append(RowError(number, name, str(exc)))
            continue
        if value is not None:
            facts[name] = value
    return facts, errors


# --------------------------------------------------------------------------- answering


@dataclass(frozen=True)
class RowOutcome:
    row: int
    cells: tuple[Cell, ...]
    result: Result | None
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Inventory:
    """Every row's answer (or its errors), ready to be written and summarised."""

    headers: tuple[str, ...]
    columns: Columns
    outcomes: tuple[RowOutcome, ...]
    lang: Lang = "ja"
    profile: str = "generic"
    notes: tuple[str, ...] = field(default=())

    @property
    def errors(self) -> list[RowError]:
        return [e for o in self.outcomes for e in o.errors]

    @property
    def bad_rows(self) -> int:
        return sum(1 for o in self.outcomes if o.errors)


def classify_table(
    table: Table,
    *,
    classifier: Classifier | None = None,
    profile: str = "generic",
    lang: Lang = "ja",
    engine: EngineName = "durable",
    progress: Callable[[int, int], None] | None = None,
) -> Inventory:
    """Answer every row; `what_if` is skipped (a sheet has no room for it, and it costs most)."""
    from kyodo_rules.decision.classify import default_classifier

    classifier = classifier or default_classifier()
    classifier.bound(profile)  # an unknown profile fails once, before any row
    columns = map_columns(table.headers)
    outcomes: list[RowOutcome] = []
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, 1):
        read_errors = table.read_errors.get(number)
        if read_errors:
            facts: dict[str, Any] = {}
            errors = list(read_errors)
        else:
            facts, errors = parse_row(number, cells, columns)
        result = None
        if not errors:
            try:
                result = classifier.classify(
                    facts, profile=profile, lang=lang, what_if=False, engine=engine
                )
            except InputError as exc:
                errors = [_row_error(number, str(exc))]
        outcomes.append(RowOutcome(number, cells, result, tuple(errors)))
        if progress is not None:
            progress(done, total)
    return Inventory(table.headers, columns, tuple(outcomes), lang, profile, columns.notes)


def _row_error(number: int, message: str) -> RowError:
    # validate_case's messages start with the field they are about.
    head, sep, rest = message.partition(": ")
    name = head.split("[")[0]
    if sep and name in INPUT_FIELDS:
        return RowError(number, name, rest)
    return RowError(number, "(row)", message)


# --------------------------------------------------------------------------- writing


def result_headers(lang: Lang) -> list[str]:
    return [_pick(pair, lang) for pair in RESULT_COLUMNS.values()]


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


def summary_rows(inventory: Inventory) -> list[tuple[str, str, str, int]]:
    """(section, label, code, count) rows: each section's counts add up to the answered rows."""
    lang = inventory.lang
    answered = [o.result for o in inventory.outcomes if o.result is not None]
    words = catalog.words("inventory_summary", lang)
    none = words["none"]
    rows: list[tuple[str, str, str, int]] = []
    rows.append((words["read"], "", "", len(inventory.outcomes)))
    rows.append((words["total"], "", "", len(answered)))
    rows.append((words["bad"], "", "", inventory.bad_rows))
    rows.append((words["ignored"], "", "", inventory.columns.ignored))
    statuses = Counter(r.status for r in answered)
    for code in ("settled", "provisional", "undetermined"):
        rows.append(
            (_pick(RESULT_COLUMNS["status"], lang), label("status", code, lang), code,
             statuses.get(code, 0))
        )  # fmt: skip
    # The verdict and category as the sheet shows them: the provisional ones where
    # the answer is 暫定 (counted apart just above).
    displayed = [
        r.provisional if r.status == "provisional" and r.provisional else r for r in answered
    ]
    for key, codes in (("verdict", VERDICTS), ("category", CATEGORIES), ("zone", ZONES)):
        counts = Counter(getattr(d, key) for d in (displayed if key != "zone" else answered))
        section = _pick(RESULT_COLUMNS[key], lang)
        for code in codes:
            rows.append((section, label(key, code, lang), code, counts.get(code, 0)))
        if key != "verdict":
            rows.append((section, none, "", counts.get(None, 0)))
    form_counts: Counter[str] = Counter()
    form_labels: dict[str, str] = {}
    for r in answered:
        for f in r.forms:
            form_counts[f.code] += 1
            form_labels.setdefault(f.code, f.label)
    for code in FORMS:
        shown = form_labels.get(code) or _form_label(inventory.profile, code, lang)
        rows.append((words["forms"], shown, code, form_counts.get(code, 0)))
    return rows


def _form_label(profile: str, code: str, lang: Lang) -> str:
    """A form no row was given, named as the profile names it."""
    from kyodo_rules.decision.classify import default_classifier

    profiles = default_classifier().rulebase.profiles
    for name in (profile, "generic"):
        spec = profiles[name].spec if name in profiles else None
        info = spec.forms.get(code) if spec else None
        if info is not None and info.label is not None:
            return info.label.get(lang)
    return code


def summary_headers(lang: Lang) -> list[str]:
    words = catalog.words("inventory_summary", lang)
    return [words[key] for key in ("section", "item", "code", "count")]


def summary_path(out: str | os.PathLike[str]) -> Path:
    """inventory.csv -> inventory.summary.csv (a CSV file has room for one table only)."""
    path = Path(out)
    return path.with_name(f"{path.stem}.summary{path.suffix}")


def plan_outputs(
    out: str | os.PathLike[str], summary: str | os.PathLike[str] | None = None
) -> tuple[Path, Path | None, bool]:
    """(answers file, summary file or None, whether the summary's name was given).

    Checked before any work. An xlsx keeps its summary in its own 集計 sheet. A
    CSV's summary goes to the name given with `--summary`, else beside it as
    NAME.summary.csv, but only if no such file exists or it is the summary of an
    earlier run: a file of the user's, whose name they never typed, is never
    replaced. The third value says whether the summary may replace a file.
    """
    target = Path(out)
    if _table_format(target) == ".xlsx":
        if summary is not None:
            raise InputError(
                f"--summary {os.fspath(summary)}: "
                "xlsx の集計は同じファイルの「集計」シートに入ります / "
                "an xlsx output keeps its summary in its own summary sheet"
            )
        return target, None, False
    if summary is not None:
        if Path(summary).suffix.lower() != ".csv":
            raise InputError(
                f"--summary {os.fspath(summary)}: 拡張子は .csv にしてください / "
                "the summary file must end in .csv"
            )
        return target, Path(summary), True
    side = summary_path(target)
    if os.path.lexists(side) and not _is_our_summary(side):
        raise InputError(
            f"{side}: 集計ファイルが既にあります。"
            f"置き換えるなら --summary {side} と指定してください / "
            f"the summary file already exists; to replace it, name it: --summary {side}"
        )
    return target, side, os.path.lexists(side)


def _is_our_summary(path: Path) -> bool:
    """Is this the summary an earlier run wrote (its exact header, four columns, counts)?

    Replacing it loses nothing a person made; anything else is the user's file.
    """
    from kyodo_rules.files.safeio import read_bounded

    try:
        if not path.is_file() or path.is_symlink():
            return False
        text = read_bounded(path, 1_000_000).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (InputError, OSError, UnicodeDecodeError, csv.Error):
        return False
    heads = [summary_headers(lang) for lang in LANGS]
    return (
        len(rows) > 1 and rows[0] in heads and all(len(r) == 4 and r[3].isdigit() for r in rows[1:])
    )


def result_start(inventory: Inventory) -> int:
    """Where the answer columns go: right after the title column (or first, without one)."""
    columns = inventory.columns
    for position, index in enumerate(columns.kept):
        if columns.fields[index] == "title":
            return position + 1
    return 0


def output_rows(inventory: Inventory) -> Iterable[list[Cell]]:
    at = result_start(inventory)
    for outcome in inventory.outcomes:
        cells = outcome.cells
        kept = [cells[i] if i < len(cells) else None for i in inventory.columns.kept]
        yield [*kept[:at], *result_cells(outcome, inventory.lang), *kept[at:]]


def output_headers(inventory: Inventory) -> list[str]:
    names = inventory.columns.names or tuple(inventory.headers[i] for i in inventory.columns.kept)
    at = result_start(inventory)
    return [*names[:at], *result_headers(inventory.lang), *names[at:]]


def write_inventory(
    path: str | os.PathLike[str],
    inventory: Inventory,
    summary: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write the answered sheet (and, for CSV, its summary); atomic. Returns the files."""
    from kyodo_rules.outputs.html import atomic_path, atomic_writer

    target, side, replaces = plan_outputs(path, summary)
    if side is None:
        with atomic_path(target) as tmp:
            _write_xlsx(tmp, inventory)
        return [target]
    # Both files are replaced only once both are complete. UTF-8 with a BOM is what
    # Excel needs to open a CSV file in Japanese without garbling it.
    with (
        atomic_writer(side, encoding="utf-8-sig", newline="", exclusive=not replaces) as out_side,
        atomic_writer(target, encoding="utf-8-sig", newline="") as main,
    ):
        writer = csv.writer(main)
        writer.writerow([csv_cell(h) for h in output_headers(inventory)])
        for row in output_rows(inventory):
            writer.writerow([csv_cell(c) for c in row])
        side_writer = csv.writer(out_side)
        side_writer.writerow([csv_cell(h) for h in summary_headers(inventory.lang)])
        side_writer.writerows([csv_cell(c) for c in row] for row in summary_rows(inventory))
    return [target, side]


def csv_cell(value: Cell) -> str:
    """A value as CSV text that no spreadsheet evaluates; numbers stay numbers."""
    if value is None or isinstance(value, NoCachedValue):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _cell_text(value)
    return inert_csv(_cell_text(value))


def xlsx_value(sheet: Any, value: Cell, **style: Any) -> Any:
    """A value for a write-only sheet: text that looks like a formula is a string-typed cell.

    openpyxl makes any string starting with `=` a formula; the data type is
    set after the value so that the cell is written as an inline string.
    """
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, NoCachedValue):
        value = None
    if isinstance(value, str):
        value = clean(value)
    formula_like = isinstance(value, str) and is_formula_like(value)
    if not style and not formula_like:
        return value
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    if formula_like:
        cell.data_type = "s"
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell


_VERDICT_FILLS = {"kyodo": "E6F4EC", "not_kyodo": "FBEAEA", "undetermined": "FDF3DC"}


def _write_xlsx(filename: str, inventory: Inventory) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    try:
        _fill_xlsx(book, inventory)
    except BaseException:
        # A write-only sheet streams into a temporary file of openpyxl's; left
        # open, it is finished (and fails) only when garbage-collected.
        for sheet in book.worksheets:
            with suppress(Exception):
                sheet.close()
            with suppress(Exception):
                getattr(sheet, "_writer").cleanup()  # noqa: B009
        raise
    book.save(filename)


def _fill_xlsx(book: Any, inventory: Inventory) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = inventory.lang
    sheet = book.create_sheet(_pick(SHEET_NAMES["results"], lang))
    headers = output_headers(inventory)
    first_result = result_start(inventory)
    keys = list(RESULT_COLUMNS)
    long_text = {first_result + keys.index(k) for k in _LONG}
    bold = Font(bold=True)
    for index in range(len(headers)):
        wide = index in long_text
        sheet.column_dimensions[get_column_letter(index + 1)].width = 40 if wide else 16
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(inventory.outcomes) + 1}"
    sheet.append([xlsx_value(sheet, text, font=bold) for text in headers])
    fills = {k: PatternFill("solid", fgColor=v) for k, v in _VERDICT_FILLS.items()}
    wrap = Alignment(wrap_text=True, vertical="top")
    verdict_column = first_result
    for outcome, row in zip(inventory.outcomes, output_rows(inventory), strict=True):
        cells: list[Any] = []
        for index, value in enumerate(row):
            if index == verdict_column and outcome.result is not None:
                shown = (
                    outcome.result.provisional if outcome.result.status == "provisional" else None
                )
                verdict = shown.verdict if shown else outcome.result.verdict
                cells.append(xlsx_value(sheet, value, fill=fills[verdict]))
            elif index in long_text and value:
                cells.append(xlsx_value(sheet, value, alignment=wrap))
            else:
                cells.append(xlsx_value(sheet, value))
        sheet.append(cells)
    summary = book.create_sheet(_pick(SHEET_NAMES["summary"], lang))
    for index, width in enumerate((34, 40, 26, 10), 1):
        summary.column_dimensions[get_column_letter(index)].width = width
    summary.append([xlsx_value(summary, text, font=bold) for text in summary_headers(lang)])
    for section, item, code, count in summary_rows(inventory):
        summary.append([*(xlsx_value(summary, t) for t in (section, item, code)), count])
    if inventory.notes:
        notes = book.create_sheet(_pick(SHEET_NAMES["notes"], lang))
        notes.column_dimensions["A"].width = 100
        for note in inventory.notes:
            notes.append([xlsx_value(notes, note)])


# --------------------------------------------------------------------------- template


def write_template(path: str | os.PathLike[str]) -> Path:
    """An empty inventory with Japanese headers and a dropdown for every coded column.

    The choices live on a visible sheet (選択肢) rather than inline in the
    validation, because Excel caps an inline list at 255 characters and the
    activity list is longer; the sheet doubles as the reference for list
    columns, which a dropdown cannot fill (they take several values).
    """
    from kyodo_rules.outputs.html import atomic_path, atomic_writer

    target = Path(path)
    if _table_format(target) == ".csv":
        with atomic_writer(target, encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerow([csv_cell(FIELD_LABELS[f]) for f in INPUT_FIELDS])
        return target
    with atomic_path(target) as tmp:
        _template_book().save(tmp)
    return target


def _template_book() -> Any:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_NAMES["input"][0]
    choices = book.create_sheet(SHEET_NAMES["choices"][0])
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    last_row = 1048576
    choice_column = 0
    for index, name in enumerate(INPUT_FIELDS, 1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=FIELD_LABELS[name])
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = 30 if name == "title" else 18
        target = f"{letter}2:{letter}{last_row}"
        kind = "text" if name == "title" else FIELD_KINDS[name][0]
        if kind == "bool":
            check = DataValidation(type="list", formula1='"はい,いいえ"', allow_blank=True)
            note = f"{name}: はい／いいえ（空欄 = 不明）"
        elif kind in ("code", "codes"):
            choice_column += 1
            cletter = get_column_letter(choice_column)
            labels = [CODE_LABELS[name][str(c)] for c in FIELD_KINDS[name][1]]
            choices.cell(row=1, column=choice_column, value=FIELD_LABELS[name]).font = bold
            choices.column_dimensions[cletter].width = 24
            for offset, text in enumerate(labels, 2):
                choices.cell(row=offset, column=choice_column, value=text)
            if kind == "code":
                source = (
                    f"{quote_sheetname(choices.title)}!${cletter}$2:${cletter}${len(labels) + 1}"
                )
                check = DataValidation(type="list", formula1=source, allow_blank=True)
                note = f"{name}: 一覧から選択（空欄 = 不明）"
            else:
                check = None
                note = (
                    f"{name}: 複数可。「、」で区切って入力（例: {labels[0]}、{labels[1]}）。"
                    f"選択肢は「{choices.title}」シートの{FIELD_LABELS[name]}の列。空欄 = 不明"
                )
        else:
            check = None
            note = f"{name}: 自由記述"
        if check is not None:
            check.error = "一覧から選んでください / choose from the list"
            check.errorTitle = "入力できない値"
            check.showErrorMessage = True
            check.add(target)
            sheet.add_data_validation(check)
        cell.comment = Comment(note, "kyodo-rules", width=260, height=110)
    sheet.freeze_panes = "B2"
    sheet.row_dimensions[1].height = 36
    return book
