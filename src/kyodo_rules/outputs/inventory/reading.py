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
import itertools
import os
from collections import deque
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from kyodo_rules.files.cells import clean
from kyodo_rules.files.sheetguard import Limits, Merge, NoCachedValue
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
    #: The office's own name of the column the cell is in (「財源・支出の種類」), if one.
    column: str | None = None

    def __str__(self) -> str:
        # The column as the office named it, else the field's label, never the field's
        # code; the row as the input numbers it (the output may start its list higher).
        # (A column named by a field's code, the English template's, shows its label.)
        named = self.column or self.field
        where = FIELD_LABELS.get(named, named)
        return f"元の表の{self.row}行目 / input row {self.row}: {where}: {self.problem}"


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its number as Excel shows it, its cells, and why it is unreadable.

    `kind`: `data` (a project), `total` (a 合計 row) or `note` (※…): only
    projects are answered; the others are written out with a word saying so.
    """

    number: int
    cells: tuple[Cell, ...]
    errors: tuple[RowError, ...] = ()
    kind: str = "data"


@dataclass(frozen=True)
class Table:
    """A sheet being read: its header, and its rows to come (read once, in order).

    `expected` is how many rows the file seems to hold (for a progress bar;
    never trusted for anything else), or None when that is not known.
    """

    headers: tuple[str, ...]
    rows: Iterator[SheetRow]
    expected: int | None = None
    #: The sheet read, and every sheet of the workbook (an xlsx).
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    #: The rows above the header (the list's title, a 作成日 line), as text.
    above: tuple[tuple[str, ...], ...] = ()
    #: The sheet row of the header's (last) row.
    header_row: int = 1
    #: The first rows under the header: what the columns hold (they are also in `rows`).
    samples: tuple[tuple[Cell, ...], ...] = ()
    #: What was found while looking for the list (the sheet chosen…), in words.
    notes: tuple[str, ...] = ()


def table_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"{os.fspath(path)}: 拡張子 {suffix or '(なし)'} は読み書きできません / "
            f"unsupported file type; allowed: {', '.join(SUFFIXES)}"
        )
    return suffix


#: Rows under the header kept to see what each column holds.
SAMPLES = 20


def open_table(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> Table:
    """The list in an .xlsx (the sheet that holds it, or `sheet`) or a .csv (UTF-8,
    with or without BOM, or Shift_JIS).

    The header is found here among the first rows (a file without one fails
    before any row is answered); the rows are read as the caller takes them.
    Excel on Japanese Windows saves "CSV" as Shift_JIS (cp932) unless told
    otherwise, so that is tried when the file is not UTF-8 (and not UTF-8 with
    a stray byte, which would turn into mojibake).
    """
    from kyodo_rules.files.safeio import read_bounded, stream_utf8_file

    limits = limits or Limits()
    name = os.fspath(path)
    suffix = table_format(path)
    if suffix == ".xlsx":
        if header_row is not None and header_row < 1:
            raise InputError(f"header_row: {header_row}: expected a row number from 1")
        data = read_bounded(path, limits.bytes, f"--limit mb={limits.mb}")
        return _xlsx_table(data, name, limits, sheet, header_row)
    if sheet is not None:
        raise InputError(
            f"--sheet {sheet}: {name} は CSV なのでシートがありません / a CSV has no sheets"
        )
    streamed = stream_utf8_file(path, limits.bytes, limits.rows + 1)
    if streamed is not None:
        # The common case: a UTF-8 file, read twice from disk rather than held.
        source, size, expected = streamed
        records = _csv_records(source, size, name, limits)
    else:
        data = read_bounded(path, limits.bytes, f"--limit mb={limits.mb}")
        records = _read_csv(data, name, limits)
        expected = data.count(b"\n")
        del data  # the reader keeps what it needs (the CSV's bytes, decoded as read)
    return _located(records, name, limits, expected, (), header_row, None, ())


def _located(
    records: Iterator[SheetRow],
    name: str,
    limits: Limits,
    expected: int | None,
    merges: tuple[Merge, ...],
    header_row: int | None,
    sheet: str | None,
    sheets: tuple[str, ...],
    notes: tuple[str, ...] = (),
) -> Table:
    """The table of a sheet's records: its header found among the first rows."""
    from kyodo_rules.outputs.inventory.columns import no_fields_message
    from kyodo_rules.outputs.inventory.locating import PEEK, MergeFill, find_header

    head: list[SheetRow] = []
    for row in records:
        if row.errors or any(not _blank(c) for c in row.cells):
            head.append(row)
        if len(head) >= PEEK or (header_row is not None and row.number > header_row):
            break
    readable = [r for r in head if not r.errors]
    found = find_header([(r.number, r.cells) for r in readable], merges, header_row)
    if found is None:
        if head and head[0].errors and header_row is None and not readable[:1]:
            raise InputError(f"{name}: {head[0].errors[0].problem}")
        if header_row is not None:
            raise InputError(
                f"{name}: {header_row}行目に列名がありません / row {header_row} holds no "
                "column names"
            )
        where = f"シート「{sheet}」の" if sheet else ""
        raise InputError(
            f"{name}: {where}最初の {PEEK} 行に列名の行が見つかりません。{no_fields_message()}"
        )
    first = readable[found.at]
    last = readable[found.at + found.depth - 1]
    if any(len(n) > MAX_CELL_CHARS for n in found.names):
        raise InputError(f"{name}: 列名が長すぎます / a column name is too long")
    above = tuple(tuple(_text(c) for c in r.cells) for r in readable if r.number < first.number)
    # A row that could not be read is never dropped, even above the header.
    rest = [r for r in head if r.number > last.number or (r.errors and r.number < first.number)]
    fill = MergeFill(merges, last.number)
    rows = _data_rows(itertools.chain(rest, records), name, limits, fill)
    # The first rows under the header are held to see what the columns hold.
    held = list(itertools.islice(rows, SAMPLES))
    samples = tuple(r.cells for r in held if not r.errors and r.kind == "data")
    return Table(
        tuple(clean(n) for n in found.names),
        itertools.chain(held, rows),
        expected,
        sheet,
        sheets,
        above,
        last.number,
        samples,
        notes,
    )


def _text(cell: Cell) -> str:
    if cell is None or isinstance(cell, NoCachedValue):
        return ""
    return clean(cell_text(cell)).strip()


def _data_rows(
    records: Iterator[SheetRow], name: str, limits: Limits, fill: Any = None
) -> Iterator[SheetRow]:
    """The non-blank rows after the header, each cell within Excel's length, each with
    its kind (a project, a total, a note) and the cells a vertical merge covers filled."""
    from kyodo_rules.outputs.inventory.locating import row_kind

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
            kind = "data" if errors else row_kind(cells)
            if fill and kind == "data":
                cells = fill.fill(row.number, cells)
            yield SheetRow(row.number, cells, errors, kind)


def _to_cell(value: object) -> Cell:
    # Most cells: nothing to check further.
    if value is None or type(value) is str:
        return value
    # openpyxl may also hand back Decimals, rich text and formula objects.
    if isinstance(
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


def _xlsx_table(
    data: bytes, name: str, limits: Limits, sheet: str | None, header_row: int | None
) -> Table:
    """The sheet that holds the list: `sheet` if given, else the one whose first rows
    name the most known columns (the input sheet's name breaks a tie)."""
    from kyodo_rules.files.sheetguard import XlsxBook
    from kyodo_rules.outputs.inventory.locating import PEEK, find_header

    try:
        book = XlsxBook(data, name, limits)
    except InputError:
        raise
    except Exception as exc:  # openpyxl's errors for a malformed file are of every kind
        raise _malformed(name, exc) from None
    del data
    try:
        names = book.names
        notes: tuple[str, ...] = ()
        if sheet is not None:
            if sheet not in names:
                raise InputError(
                    f"--sheet {sheet}: {name} にそのシートはありません / no such sheet; "
                    f"シート / sheets: {', '.join(names)}"
                )
            chosen = sheet
        else:
            chosen = names[0]
            if len(names) > 1:
                wanted = frozenset(SHEET_NAMES["input"])
                best = -1
                lists = 0
                for candidate in names:
                    with closing(book.rows(candidate)) as rows:  # type: ignore[type-var]
                        head = [
                            (n, tuple(map(_to_cell, c))) for n, c in itertools.islice(rows, PEEK)
                        ]
                    found = find_header(head, (), header_row)
                    points = 0 if found is None else found.score * 4 + (candidate in wanted) * 2
                    if found is not None and not _example(candidate):
                        points += 100  # an example sheet is read only if no other has a list
                    lists += found is not None
                    if points > best:
                        best, chosen = points, candidate
                others = "、".join(f"「{n}」" for n in names if n != chosen)
                if chosen != names[0] or lists > 1:
                    notes = (
                        f"シート「{chosen}」を読みました（ほかのシート: {others}。別のシートは "
                        f"--sheet で指定できます） / read sheet {chosen!r}; another: --sheet NAME",
                    )
        merges = book.scan(chosen)
        records = _xlsx_records(book, chosen, name)
        return _located(records, name, limits, None, merges, header_row, chosen, names, notes)
    except InputError:
        book.close()
        raise
    except Exception as exc:  # a member missing or corrupt (bad CRC, bad XML): malformed
        book.close()
        raise _malformed(name, exc) from None
    except BaseException:
        book.close()
        raise


def _example(sheet: str) -> bool:
    """Is this sheet named as an example (記入例, 見本…), not the list itself?"""
    from kyodo_rules.wording.field_labels import fold
    from kyodo_rules.wording.office import office_words

    key = fold(sheet)
    return any(
        key == w or (len(w) > 1 and (key.startswith(w) or key.endswith(w)))
        for w in office_words().example_sheets
    )


def _xlsx_records(book: Any, sheet: str, name: str) -> Iterator[SheetRow]:
    try:
        for number, cells in book.rows(sheet):
            yield SheetRow(number, tuple(map(_to_cell, cells)))
    except InputError:
        raise
    except Exception as exc:  # openpyxl's errors for a malformed file are of every kind
        raise _malformed(name, exc) from None
    finally:
        book.close()


def _malformed(name: str, exc: Exception) -> InputError:
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return InputError(
        f"{name}: 読み込めません（壊れた Excel ファイル） / cannot read: malformed xlsx: "
        f"{type(exc).__name__}: {reason}"
    )
