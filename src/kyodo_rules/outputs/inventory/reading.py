"""Reading an inventory: a CSV or the first sheet of an xlsx, one row at a time.

Rows are handed on as they are read, never collected, so that a sheet of
100,000 projects costs the memory of one. A row that cannot be read at all
(a CSV quote left open, a cell over `MAX_CELL_CHARS`) is handed on too, with
its errors, so that it is counted and reported, never silently lost.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kyodo_rules.files.cells import clean
from kyodo_rules.files.sheetguard import Limits, NoCachedValue
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import LANGS, Lang
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import FIELD_LABELS

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
#: Characters of one CSV record (its lines together): room for 64 cells of Excel's
#: largest. A longer record is a row error, read no further than this: a 190 MB
#: line held 1.2 GB before the csv module had split it into cells.
MAX_RECORD_CHARS = 64 * MAX_CELL_CHARS


class _LongRecord(Exception):
    """A record passed MAX_RECORD_CHARS; `cut`: inside a line, whose rest was skipped."""

    def __init__(self, cut: bool) -> None:
        super().__init__(cut)
        self.cut = cut


SUFFIXES = (".csv", ".xlsx")

SHEET_NAMES: dict[str, tuple[str, ...]] = {
    key: tuple(entry.get(lang) for lang in LANGS)
    for key, entry in catalog.section("inventory_sheet").items()
}


def pick(pair: tuple[str, ...], lang: Lang) -> str:
    """A header of RESULT_COLUMNS or SHEET_NAMES, which hold one per language."""
    return pair[LANGS.index(lang)]


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


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its number as Excel shows it, its cells, and why it is unreadable."""

    number: int
    cells: tuple[Cell, ...]
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class Table:
    """A sheet being read: its header row, and its rows to come (read once, in order).

    `expected` is how many rows the file seems to hold (for a progress bar;
    never trusted for anything else), or None when that is not known.
    """

    headers: tuple[str, ...]
    rows: Iterator[SheetRow]
    expected: int | None = None


def table_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{os.fspath(path)}: 拡張子 {suffix or '(なし)'} は読み書きできません / "
            f"unsupported file type; allowed: {', '.join(SUFFIXES)}"
        )
    return suffix


def open_table(path: str | os.PathLike[str], limits: Limits | None = None) -> Table:
    """The first sheet of an .xlsx, or a .csv (UTF-8, with or without BOM, or Shift_JIS).

    The header is read here (a file without one fails before any row is
    answered); the rows are read as the caller takes them. Excel on Japanese
    Windows saves "CSV" as Shift_JIS (cp932) unless told otherwise, so that is
    tried when the file is not UTF-8 (and not UTF-8 with a stray byte, which
    would turn into mojibake).
    """
    from kyodo_rules.files.safeio import read_bounded, stream_utf8_file

    limits = limits or Limits()
    name = os.fspath(path)
    suffix = table_format(path)
    streamed = stream_utf8_file(path, limits.bytes, limits.rows + 1) if suffix == ".csv" else None
    if streamed is not None:
        # The common case: a UTF-8 file, read twice from disk rather than held.
        source, size, expected = streamed
        records = _csv_records(source, size, name, limits)
    else:
        data = read_bounded(path, limits.bytes, f"--limit mb={limits.mb}")
        if suffix == ".csv":
            records = _read_csv(data, name, limits)
            expected = data.count(b"\n")
        else:
            records = _read_xlsx(data, name, limits)
            expected = None
        del data  # each reader keeps what it needs (the CSV's bytes, decoded as read)
    first = next(records, None)
    header_row = first.cells if first is not None else None
    if header_row is not None and any(
        isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in header_row
    ):
        raise InputError(f"{name}: 1行目の列名が長すぎます / a column name is too long")
    if first is None or first.errors or header_row is None or all(_blank(c) for c in header_row):
        raise InputError(
            f"{name}: 1行目に列名（事業名、主体 …）がありません / row 1 must hold the column names"
        )
    headers = tuple(
        "" if c is None or isinstance(c, NoCachedValue) else clean(cell_text(c)).strip()
        for c in header_row
    )
    return Table(headers, _data_rows(records, name, limits), expected)


def _data_rows(records: Iterator[SheetRow], name: str, limits: Limits) -> Iterator[SheetRow]:
    """The non-blank rows after the header, each cell within Excel's length."""
    count = 0
    for row in records:
        cells, errors = row.cells, row.errors
        long = next(
            (i for i, c in enumerate(cells) if isinstance(c, str) and len(c) > MAX_CELL_CHARS),
            None,
        )
        if long is not None:
            errors = (
                *errors,
                RowError(
                    row.number,
                    f"column {long + 1}",
                    f"セルが {MAX_CELL_CHARS:,} 文字を超えています / "
                    f"cell over {MAX_CELL_CHARS:,} characters",
                ),
            )
            cells = tuple(c[:MAX_CELL_CHARS] if isinstance(c, str) else c for c in cells)
        if errors or any(not _blank(c) for c in cells):
            count += 1
            if count > limits.rows:
                from kyodo_rules.files.sheetguard import over

                raise over("rows", limits, name, f"more than {limits.rows:,} rows")
            yield SheetRow(row.number, cells, errors)


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


def cell_text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    return str(value)


def _read_csv(data: bytes, name: str, limits: Limits) -> Iterator[SheetRow]:
    """Records with their numbers; a record the csv module cannot parse is a row error.

    Parsed strictly, so that a quote opened and never closed is an error for
    its row instead of swallowing every row after it into one title; reading
    resumes on the next line, so the other rows are still answered.
    """
    from kyodo_rules.files.safeio import table_text_stream

    source = table_text_stream(data, name)  # decoded as read: never the whole text at once
    # A line break is one byte in UTF-8 and in Shift_JIS, never part of another character.
    if data.count(b"\n") > limits.rows + 1:
        # Rows are answered as they are read: a file over the row limit is refused
        # before the first one (the count while reading stays the exact check).
        from kyodo_rules.files.sheetguard import over

        try:
            records = sum(1 for _ in csv.reader(table_text_stream(data, name)))
        except csv.Error:  # a broken or huge record: found and reported while reading
            records = 0
        if records > limits.rows + 1:
            raise over("rows", limits, name, f"more than {limits.rows:,} rows")
    return _csv_records(source, len(data), name, limits)


def _csv_records(source: io.TextIOBase, size: int, name: str, limits: Limits) -> Iterator[SheetRow]:
    from kyodo_rules.files.sheetguard import over

    number = 0
    base = 0  # lines consumed before the current reader started
    pending: deque[str] = deque()  # lines to read again, before the source's next
    taken: list[str] = []  # lines consumed since the current record began

    held = 0  # characters of the lines in `taken`

    def take(line: str) -> str:
        nonlocal held
        if not taken:
            held = 0
        taken.append(line)
        held += len(line)
        if held > MAX_RECORD_CHARS:
            raise _LongRecord(cut=False)
        return line

    def feed() -> Iterator[str]:
        while pending:
            yield take(pending.popleft())
        while line := source.readline(MAX_RECORD_CHARS + 1):
            if len(line) > MAX_RECORD_CHARS and not line.endswith("\n"):
                while (rest := source.readline(1 << 20)) and not rest.endswith("\n"):
                    pass  # the rest of a line too long to be a row: skipped, never held
                raise _LongRecord(cut=True)
            yield take(line)

    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, size + 1))  # cell length is checked per row
    try:
        while True:
            reader = csv.reader(feed(), strict=True)
            while True:
                before = reader.line_num
                taken.clear()
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except _LongRecord as exc:
                    number += 1
                    start = base + before + 1
                    problem = (
                        f"{start}行目からの行が {MAX_RECORD_CHARS:,} 文字を超えています / "
                        f"the row from line {start} is over {MAX_RECORD_CHARS:,} characters"
                    )
                    yield SheetRow(number, (), (RowError(number, "(row)", problem),))
                    if exc.cut:  # resume after the long line
                        base = start + len(taken)
                    else:  # resume on the line after the one the record began on
                        pending.extendleft(reversed(taken[1:]))
                        base = start
                    break
                except csv.Error as exc:
                    number += 1
                    start = base + before + 1
                    problem = _csv_problem(str(exc), start)
                    yield SheetRow(number, (), (RowError(number, "(row)", problem),))
                    # Resume on the line after the one the broken record began on.
                    pending.extendleft(reversed(taken[1:]))
                    base = start
                    break
                number += 1
                if len(record) > limits.columns:
                    raise over("columns", limits, name, f"row {number}: {len(record):,} cells")
                if number > limits.rows + 1:
                    raise over("rows", limits, name, f"more than {limits.rows:,} rows")
                yield SheetRow(number, tuple(record))
    finally:
        csv.field_size_limit(old_limit)
        source.close()


def _csv_problem(message: str, line: int) -> str:
    if "unexpected end of data" in message or "EOF" in message:
        return (
            f'{line}行目で始まる引用符 " が閉じていません / a quote opened on line {line} '
            "is never closed"
        )
    return f"{line}行目を CSV として読めません / line {line} is not valid CSV: {message}"


def _read_xlsx(data: bytes, name: str, limits: Limits) -> Iterator[SheetRow]:
    from kyodo_rules.files.sheetguard import xlsx_rows

    wanted = frozenset(SHEET_NAMES["input"])
    try:
        for number, cells in xlsx_rows(data, name, wanted, limits):
            yield SheetRow(number, tuple(map(_to_cell, cells)))
    except InputError:
        raise
    except Exception as exc:  # openpyxl's errors for a malformed file are of every kind
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(
            f"{name}: 読み込めません（壊れた Excel ファイル） / cannot read: malformed xlsx: "
            f"{type(exc).__name__}: {reason}"
        ) from None
