"""Writing the answered inventory: row by row as answers come, atomically, inert.

The answers file is built under a temporary name and put in place only when
complete (an earlier file is kept whole if anything fails), no text becomes a
formula in any spreadsheet, and no input is ever overwritten. Rows are written
as they arrive: an xlsx through openpyxl's write-only mode, a CSV line by
line; the summary, made of counts, is written last.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kyodo_rules.files.cells import clean, inert_csv, is_formula_like
from kyodo_rules.files.sheetguard import NoCachedValue
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import CATEGORIES, FIELD_KINDS, FORMS, LANGS, VERDICTS, Lang
from kyodo_rules.outputs.inventory.answers import (
    Answered,
    Layout,
    Tally,
    label,
    summary_headers,
    summary_rows,
)
from kyodo_rules.outputs.inventory.columns import INPUT_FIELDS, RESULT_COLUMNS
from kyodo_rules.outputs.inventory.reading import SHEET_NAMES, Cell, cell_text, pick, table_format
from kyodo_rules.outputs.inventory.sheetxml import RawRows, RowText, possible, row_text
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import CODE_LABELS, FIELD_LABELS


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
    if table_format(target) == ".xlsx":
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


#: Texts already made inert, for CSV and for xlsx: most cells of an inventory repeat.
#: Only short ones are kept (codes, words, labels), a few thousand at most, so that
#: the memory of a run stays flat however many distinct titles and reasons it writes.
_INERT: dict[str, str] = {}
_CLEAN: dict[str, tuple[str, bool]] = {}
_MEMO_MAX = 4_096
_MEMO_CHARS = 64


def csv_cell(value: Cell) -> str:
    """A value as CSV text that no spreadsheet evaluates; numbers stay numbers."""
    if isinstance(value, str):
        text = _INERT.get(value)
        if text is None:
            text = inert_csv(value)
            if len(value) <= _MEMO_CHARS:
                if len(_INERT) >= _MEMO_MAX:
                    _INERT.clear()
                _INERT[value] = text
        return text
    if value is None or isinstance(value, NoCachedValue):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return cell_text(value)
    return inert_csv(cell_text(value))


def xlsx_value(sheet: Any, value: Cell, **style: Any) -> Any:
    """A value for a write-only sheet: text that looks like a formula is a string-typed cell.

    openpyxl makes any string starting with `=` a formula; the data type is
    set after the value so that the cell is written as an inline string.
    """
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, NoCachedValue):
        value = None
    formula_like = False
    if isinstance(value, str):
        value, formula_like = _cleaned(value)
    if not style and not formula_like:
        return value
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    if formula_like:
        cell.data_type = "s"
    for key, setting in style.items():
        setattr(cell, key, setting)
    return cell


def _xlsx_text(value: Cell) -> Cell:
    """`xlsx_value`'s text for a cell written as XML text (where every text is a string cell)."""
    if isinstance(value, NoCachedValue):
        return None
    if not isinstance(value, str):
        return value
    return _cleaned(value)[0]


def _cleaned(value: str) -> tuple[str, bool]:
    """The text as a cell shows it, and whether a spreadsheet would take it for a formula."""
    found = _CLEAN.get(value)
    if found is None:
        cleaned = clean(value)
        found = (cleaned, is_formula_like(cleaned))
        if len(value) <= _MEMO_CHARS:
            if len(_CLEAN) >= _MEMO_MAX:
                _CLEAN.clear()
            _CLEAN[value] = found
    return found


_VERDICT_FILLS = {"kyodo": "E6F4EC", "not_kyodo": "FBEAEA", "undetermined": "FDF3DC"}
#: Column widths (characters) of the answered sheet, so that the printed part (the
#: columns up to the answers' 入力エラー) fits A4 landscape at a readable size.
_WIDTHS = {
    "title": 22,
    "department": 11,
    "verdict": 11,
    "status": 8,
    "category": 13,
    "forms": 15,
    "question": 30,
    "reasons": 30,
    "presumed": 20,
    "errors": 18,
}
_OTHER = 12
_BEFORE_TITLE = 6
#: The last answer column a printed page holds; flags, zone and the list's other
#: columns stay on screen (one page's width cannot hold every column readably).
_PRINTED_LAST = "errors"


class Sheet:
    """What one run writes: its header, its rows as they come, and the counts for the summary.

    `above`: the rows above the list's header (its title, a 作成日 line), kept
    above the answers. `unused`: the names of the columns not used, and
    `report` a printable HTML page written beside the answers (`printout.py`).
    """

    def __init__(
        self,
        headers: Iterable[str],
        layout: Layout,
        lang: Lang,
        notes: Iterable[str],
        form_label: Callable[[str], str],
        *,
        above: Sequence[Sequence[str]] = (),
        source: str = "",
    ) -> None:
        self.layout = layout
        self.lang = lang
        self.headers = layout.headers(tuple(headers), lang)
        self.notes = tuple(notes)
        self.form_label = form_label
        self.tally = Tally()
        self.above = [line for line in (_title_line(r) for r in above) if line]
        self.source = source

    def counted(self, rows: Iterable[Answered]) -> Iterator[Answered]:
        for row in rows:
            self.tally.add(row)
            yield row

    def summary(self) -> list[tuple[str, str, str, int]]:
        return summary_rows(self.tally, self.lang, self.layout.columns.ignored, self.form_label)

    def all_notes(self) -> list[str]:
        """The 注意 sheet: how the list was read, the columns not used, the rows skipped."""
        lang = self.lang
        out = list(self.notes)
        unused = self.layout.columns.unused
        if unused:
            names = catalog.join(
                (catalog.text("inventory_words", "quoted", lang, text=n) for n in unused), lang
            )
            out.append(catalog.text("inventory_words", "unused_columns", lang, names=names))
        if not self.layout.columns.guess:
            out.append(catalog.text("inventory_words", "no_guess", lang))
        tally = self.tally
        for number, kind in tally.skipped_rows:
            what = catalog.text("inventory_words", f"{kind}_kind", lang)
            out.append(catalog.text("inventory_words", "skipped_row", lang, row=number, kind=what))
        if tally.skipped > len(tally.skipped_rows):
            more = tally.skipped - len(tally.skipped_rows)
            out.append(catalog.text("inventory_words", "more_skipped", lang, count=more))
        return out


def _title_line(cells: Sequence[str]) -> str:
    return "　".join(c for c in cells if c)


def write_answers(
    target: Path,
    side: Path | None,
    replaces: bool,
    sheet: Sheet,
    rows: Iterable[Answered],
    report: Path | None = None,
) -> list[Path]:
    """Write the answered sheet (and, for CSV, its summary beside it); returns the files.

    `target`, `side` and `replaces` are `plan_outputs`'s answer, checked before
    any work. Both files of a CSV run are put in place only once both are complete;
    so is the printable `report`, written from the same rows as they come.
    """
    from kyodo_rules.outputs.html import atomic_path, atomic_writer
    from kyodo_rules.outputs.inventory.printout import Printout

    with ExitStack() as stack:
        printout = None
        if report is not None:
            handle = stack.enter_context(atomic_writer(report, newline="\n"))
            printout = Printout(handle, sheet)
            rows = printout.rows(rows)
        if side is None:
            with atomic_path(target) as tmp:
                _write_xlsx(tmp, sheet, rows)
                if printout is not None:
                    printout.finish()
            return [target] + ([report] if report is not None else [])
        # UTF-8 with a BOM is what Excel needs to open a CSV file in Japanese without garbling it.
        with (
            atomic_writer(
                side, encoding="utf-8-sig", newline="", exclusive=not replaces
            ) as out_side,
            atomic_writer(target, encoding="utf-8-sig", newline="") as main,
        ):
            writer = csv.writer(main)
            for line in sheet.above:
                writer.writerow([csv_cell(line)])
            writer.writerow([csv_cell(h) for h in sheet.headers])
            for row in sheet.counted(rows):
                if isinstance(row.text, str):  # made by the worker that answered it
                    main.write(row.text)
                else:
                    writer.writerow([csv_cell(c) for c in row.cells])
            side_writer = csv.writer(out_side)
            side_writer.writerow([csv_cell(h) for h in summary_headers(sheet.lang)])
            side_writer.writerows([csv_cell(c) for c in line] for line in sheet.summary())
            if printout is not None:
                printout.finish()
        return [target, side] + ([report] if report is not None else [])


def _write_xlsx(filename: str, sheet: Sheet, rows: Iterable[Answered]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    try:
        _fill_xlsx(book, sheet, rows)
    except BaseException:
        # A write-only sheet streams into a temporary file of openpyxl's; left
        # open, it is finished (and fails) only when garbage-collected.
        for written in book.worksheets:
            with suppress(Exception):
                written.close()
            with suppress(Exception):
                getattr(written, "_writer").cleanup()  # noqa: B009
        raise
    book.save(filename)


def _for_paper(sheet: Any, title_rows: str | None) -> None:
    """A4 landscape, every column on one page's width, the header on every page."""
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = 9  # A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as it takes
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _fill_xlsx(book: Any, sheet: Sheet, rows: Iterable[Answered]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    lang = sheet.lang
    out = book.create_sheet(pick(SHEET_NAMES["results"], lang))
    headers = sheet.headers
    layout = sheet.layout
    first_result = layout.start
    keys = list(RESULT_COLUMNS)
    title_at = layout.position("title")
    widths = _widths(layout)
    bold = Font(bold=True)
    top = len(sheet.above) + 1  # the header's row
    last = get_column_letter(len(headers))
    printed = get_column_letter(first_result + keys.index(_PRINTED_LAST) + 1)
    for index in range(len(headers)):
        letter = get_column_letter(index + 1)
        out.column_dimensions[letter].width = widths.get(index, _OTHER)
    _for_paper(out, f"{top}:{top}")
    out.freeze_panes = f"{'B' if title_at == 0 else 'A'}{top + 1}"
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, line in enumerate(sheet.above, 1):
        size = 14 if number == 1 else 11
        out.append([xlsx_value(out, line, font=Font(bold=number == 1, size=size))])
        out.merged_cells.add(f"A{number}:{printed}{number}")
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    out.append(
        [xlsx_value(out, text, font=bold, fill=head_fill, alignment=wrap) for text in headers]
    )
    styles: dict[str, dict[str, Any]] = {
        k: {"fill": PatternFill("solid", fgColor=v), "alignment": wrap}
        for k, v in _VERDICT_FILLS.items()
    }
    styles["wrap"] = {"alignment": wrap}
    # A total or a note is not wrapped: its words run on over the empty cells beside it.
    styles["skipped"] = {"font": Font(italic=True, color="666666")}
    raw = RawRows(out, styles)
    shape = XlsxRows.of(layout)
    count = 0
    for row in sheet.counted(rows):
        count += 1
        if isinstance(row.text, RowText):  # made by the worker that answered it
            raw.append_text(row.text)
            continue
        cells = shape.cells(row)
        if raw.usable:
            raw.append(cells, shape.height(row))
        else:
            out.append([xlsx_value(out, v, **(styles[k] if k else {})) for v, k in cells])
    # Written after the rows (openpyxl puts it after the sheet's data): the count is known now.
    out.auto_filter.ref = f"A{top}:{last}{top + count}"
    out.print_area = f"A1:{printed}{top + count}"
    _summary_sheet(book, sheet)
    notes = sheet.all_notes()
    if notes:
        noted = book.create_sheet(pick(SHEET_NAMES["notes"], lang))
        noted.column_dimensions["A"].width = 120
        _for_paper(noted, None)
        for note in notes:
            noted.append([xlsx_value(noted, note, alignment=wrap)])


#: Points a line of wrapped text takes, the most a row is given, and the column width
#: units one (Japanese) character takes.
_LINE, _MOST, _CHAR = 15.0, 240.0, 1.8


_NOTHING: tuple[None, None] = (None, None)


def _widths(layout: Layout) -> dict[int, int]:
    """Each output column's width, where it is not `_OTHER`."""
    keys = list(RESULT_COLUMNS)
    first_result = layout.start
    title_at = layout.position("title")
    widths = {first_result + keys.index(k): w for k, w in _WIDTHS.items() if k in keys}
    for before in range(title_at or 0):
        widths[before] = _BEFORE_TITLE  # a No. column, usually
    for meaning in ("title", "department"):
        position = layout.position(meaning)
        if position is not None:
            widths[position] = _WIDTHS[meaning]
    return widths


@dataclass(frozen=True)
class XlsxRows:
    """How an answered row's cells are written in the xlsx: each cell's text and style, and
    the row's height; the same for every row of a run (a worker gets it once)."""

    #: Position of the first answer column (the verdict, filled by its colour).
    first_result: int
    #: The printed columns whose text may run to several lines: wrapped, and sized for.
    wrapped: frozenset[int]
    #: (column, characters a line of it holds) of those columns.
    rooms: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, layout: Layout) -> XlsxRows:
        widths = _widths(layout)
        last = layout.start + list(RESULT_COLUMNS).index(_PRINTED_LAST)
        wrapped = {
            at: widths[at]
            for at in range(last + 1)
            if at in widths and widths[at] > _WIDTHS["verdict"]
        }
        rooms = tuple((at, max(int((width - 1) / _CHAR), 1)) for at, width in wrapped.items())
        return cls(layout.start, frozenset(wrapped), rooms)

    def cells(self, row: Answered) -> list[tuple[Any, str | None]]:
        """(value, style name) of each cell (`_fill_xlsx`'s styles)."""
        verdict = row.counted.verdict if row.counted is not None else None
        data = row.kind == "data"
        first_result, wrapped = self.first_result, self.wrapped
        cells: list[tuple[Any, str | None]] = []
        for index, value in enumerate(row.cells):
            if value is None:  # most cells of a list: nothing to write
                cells.append(_NOTHING)
                continue
            style = None
            if index == first_result and verdict is not None:
                style = verdict
            elif value != "":
                style = ("wrap" if index in wrapped else None) if data else "skipped"
            cells.append((_xlsx_text(value), style))
        return cells

    def height(self, row: Answered) -> float | None:
        return _height(row.cells, self.rooms) if row.kind == "data" else None


@dataclass(frozen=True)
class Render:
    """How the process that answers a row also puts it into the output's form (a CSV
    line, an xlsx row's XML text), so that the writing process, which alone writes
    every row, only writes it: on a pool of workers the writer is then no bottleneck,
    and a row crosses between processes as one text instead of its many cells."""

    #: None for CSV.
    xlsx: XlsxRows | None = None

    def rows(self, rows: list[Answered]) -> list[Answered]:
        """Each row with its `text` (a row that needs openpyxl's own cell writer, as a
        number in a kept column may, is left to the writer: its cells are kept)."""
        out: list[Answered] = []
        shape = self.xlsx
        if shape is None:
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow([csv_cell(c) for c in row.cells])
                out.append(replace(row, cells=(), text=buffer.getvalue()))
                buffer.seek(0)
                buffer.truncate()
            return out
        for row in rows:
            text = row_text(shape.cells(row), shape.height(row))
            out.append(row if text is None else replace(row, cells=(), text=text))
        return out


def renderer(target: Path, sheet: Sheet, report: Path | None) -> Render | None:
    """How rows are put into `target`'s form where they are answered, or None when the
    writer needs their cells: for the printable report, or an xlsx that openpyxl must
    write cell by cell (`sheetxml.possible`)."""
    if report is not None:
        return None
    if table_format(target) == ".csv":
        return Render()
    return Render(XlsxRows.of(sheet.layout)) if possible() else None


def _height(cells: Sequence[Cell], widths: Sequence[tuple[int, int]]) -> float | None:
    """The height a row's wrapped text needs in the printed columns, or None for one line.

    Excel and LibreOffice do not size a row to its wrapped text when they open a
    file, so the row is given its height here. `widths`: (column, characters a
    line of it holds), a character taking `_CHAR` units of column width (the
    Japanese text these cells hold; an estimate that errs toward room to spare);
    each line break starts a line.
    """
    lines = 1
    size = len(cells)
    for at, room in widths:
        value = cells[at] if at < size else None
        if not isinstance(value, str) or len(value) <= room:
            continue
        if "\n" in value:
            needed = sum(-(-max(len(part), 1) // room) for part in value.split("\n"))
        else:
            needed = -(-len(value) // room)
        if needed > lines:
            lines = needed
    return None if lines == 1 else min(_LINE * lines + 2, _MOST)


def _bars(title: str, most: int) -> Any:
    """A horizontal stacked bar chart (a native Excel chart, drawn by whoever opens the file)."""
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = title
    chart.width = 15
    chart.y_axis.majorUnit = max(1, -(-most // 8))  # whole projects
    chart.y_axis.numFmt = "0"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    return chart


def _rows_of(height_cm: float) -> int:
    """Rows of the default height (15 pt, 0.53 cm) a chart of this height covers."""
    return int(height_cm / 0.53) + 1


def _summary_sheet(book: Any, sheet: Sheet) -> None:
    """The 集計 sheet: verdict by status, by department, the forms and the categories, each
    a small table with a bar chart beside the first two; then every count as a list."""
    from openpyxl.chart import Reference
    from openpyxl.styles import Font, PatternFill

    lang = sheet.lang
    tally = sheet.tally
    words = catalog.words("inventory_words", lang)
    out = book.create_sheet(pick(SHEET_NAMES["summary"], lang))
    for letter, width in zip("ABCDEFG", (30, 14, 14, 14, 14, 10, 10), strict=True):
        out.column_dimensions[letter].width = width
    _for_paper(out, None)
    bold, big = Font(bold=True), Font(bold=True, size=14)
    head = PatternFill("solid", fgColor="DDEBF7")
    rows_written = 0

    def line(values: Sequence[Any], font: Any = None, fill: Any = None) -> int:
        nonlocal rows_written
        style = {k: v for k, v in (("font", font), ("fill", fill)) if v is not None}
        out.append([xlsx_value(out, v, **style) if isinstance(v, str) else v for v in values])
        rows_written += 1
        return rows_written

    title = sheet.above[0] if sheet.above else sheet.source
    line([f"{words['summary_title']}　{title}".strip()], big)
    line([])
    statuses = ("settled", "provisional", "undetermined")
    first = line(
        [catalog.text("inventory_summary", "crossed", lang)]
        + [label("status", s, lang) for s in statuses]
        + [words["total"]],
        bold,
        head,
    )
    for verdict in VERDICTS:
        counts = [tally.crossed.get((verdict, s), 0) for s in statuses]
        line([label("verdict_short", verdict, lang), *counts, sum(counts)])
    line([words["total"], *(tally.counts["status"].get(s, 0) for s in statuses), tally.answered])
    chart = _bars(words["by_status_chart"], tally.answered)
    chart.add_data(
        Reference(out, min_col=2, max_col=4, min_row=first, max_row=first + 3),
        titles_from_data=True,
    )
    chart.set_categories(Reference(out, min_col=1, min_row=first + 1, max_row=first + 3))
    chart.height = 6.5
    out.add_chart(chart, "H3")
    below = 3 + _rows_of(chart.height) + 1  # the next chart starts under this one
    line([])
    departments = tally.department_names()
    if departments:
        refused = words["not_answered"]
        first = line(
            [words["department"], *(label("verdict_short", v, lang) for v in VERDICTS), refused,
             words["total"]],
            bold,
            head,
        )  # fmt: skip
        for name in departments:
            counts = [tally.departments.get((name, v), 0) for v in (*VERDICTS, "")]
            line([name, *counts, sum(counts)])
        most = max(
            sum(tally.departments.get((d, v), 0) for v in (*VERDICTS, "")) for d in departments
        )
        chart = _bars(words["by_department_chart"], most)
        chart.add_data(
            Reference(out, min_col=2, max_col=4, min_row=first, max_row=first + len(departments)),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(out, min_col=1, min_row=first + 1, max_row=first + len(departments))
        )
        chart.height = max(6.5, 1.5 + 0.55 * len(departments))
        out.add_chart(chart, f"H{max(first, below)}")
        line([])
    line([words["forms_table"], label_count(lang)], bold, head)
    for code in FORMS:
        shown = tally.form_labels.get(code) or sheet.form_label(code)
        line([shown, tally.forms.get(code, 0)])
    line([])
    line([words["categories_table"], label_count(lang)], bold, head)
    for code in CATEGORIES:
        line([label("category", code, lang), tally.counts["category"].get(code, 0)])
    line([])
    line([words["listing"]], bold)
    line(summary_headers(lang), bold, head)
    for section, item, code, number in sheet.summary():
        line([section, item, code, number])


def label_count(lang: Lang) -> str:
    return catalog.text("inventory_summary", "count", lang)


def write_template(path: str | os.PathLike[str]) -> Path:
    """An empty inventory with Japanese headers and a dropdown for every coded column.

    The choices live on a visible sheet (選択肢) rather than inline in the
    validation, because Excel caps an inline list at 255 characters and the
    activity list is longer; the sheet doubles as the reference for list
    columns, which a dropdown cannot fill (they take several values).
    """
    from kyodo_rules.outputs.html import atomic_path, atomic_writer

    target = Path(path)
    if table_format(target) == ".csv":
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
