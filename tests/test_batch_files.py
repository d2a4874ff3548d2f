"""The batch's own readers and writers give what openpyxl and the plain decoder give.

The inventory's xlsx rows are written as XML text and its inline strings read
without openpyxl's objects, and a CSV is decoded as it is read (all for speed
and flat memory); each is checked here against the slow path it replaces.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, PatternFill

from kyodo_rules.decision import policy
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.files.safeio import decode_table_text, stream_utf8_file, table_text_stream
from kyodo_rules.files.sheetguard import Limits, xlsx_rows
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.outputs import inventory
from kyodo_rules.outputs.inventory import running
from kyodo_rules.outputs.inventory.answers import Answered
from kyodo_rules.outputs.inventory.sheetxml import RawRows
from kyodo_rules.outputs.inventory.writing import Render, xlsx_value
from kyodo_rules.wording.field_labels import FIELD_LABELS
from strategies import inventory_row

VALUES: list[Any] = [
    "plain",
    "",
    "  leading",
    "trailing ",
    "   ",
    "a & b < c > d",
    "=SUM(A1)",
    "#N/A",
    "line\nbreak",
    "長い" * 20_000,  # over Excel's 32,767: cut where openpyxl cuts it
    12,
    3.5,
    True,
    None,
    dt.datetime(2026, 4, 1, 9, 30),
    dt.date(2026, 4, 1),
]
STYLES: dict[str, dict[str, Any]] = {
    "kyodo": {"fill": PatternFill("solid", fgColor="E6F4EC")},
    "wrap": {"alignment": Alignment(wrap_text=True, vertical="top")},
}


def _cells(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    sheet = book.worksheets[0]
    return [
        (c.coordinate, c.value, c.data_type, c.fill.fill_type, c.fill.fgColor.rgb,
         c.alignment.wrap_text, c.alignment.vertical)
        for row in sheet.iter_rows()
        for c in row
    ]  # fmt: skip


def _written(path: Path, raw: bool) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(["header"])
    rows = RawRows(sheet, STYLES) if raw else None
    for style in (None, "kyodo", "wrap"):
        for shift in range(2):  # the same values one column further: other letters
            cells = [(None, None)] * shift + [(v, style) for v in VALUES]
            if rows is not None:
                assert rows.usable
                rows.append(cells)
            else:
                sheet.append([xlsx_value(sheet, v, **(STYLES[s] if s else {})) for v, s in cells])
    book.save(path)
    return path


def test_rows_written_as_text_read_back_as_openpyxl_cells(tmp_path: Path) -> None:
    fast = _cells(_written(tmp_path / "fast.xlsx", raw=True))
    slow = _cells(_written(tmp_path / "slow.xlsx", raw=False))
    assert fast == slow
    assert ("A2", "=SUM(A1)") not in [c[:2] for c in fast]  # a formula stays text
    assert any(c[1] == "=SUM(A1)" and c[2] == "s" for c in fast)


def _inline_book(path: Path, cells: list[str]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr">{c}</c></row>'
                   for n, c in enumerate(cells, 2))  # fmt: skip
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c></row>{rows}'
        "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, source.read(info.filename))
        out.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


def test_inline_strings_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    cells = [
        "<is><t>見守り</t></is>",
        "<is><t/></is>",
        '<is><t xml:space="preserve"> x </t></is>',
        "<is><t>a &amp; b</t></is>",
        "<is><r><t>太字</t></r><r><rPr><b/></rPr><t>と普通</t></r></is>",
        '<is><t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh></is>',
        "<is></is>",
    ]
    path = _inline_book(tmp_path / "inline.xlsx", cells)
    ours = [row for _, row in xlsx_rows(path.read_bytes(), "inline.xlsx", frozenset(), Limits())]
    book = load_workbook(path, read_only=True)
    theirs = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert ours == theirs
    assert ours[5] == ["太字と普通"]


@pytest.mark.parametrize(
    "data",
    [
        '事業,主体\r\n見守り,市\n"二行の\r\nセル",市\r'.encode(),
        "\ufeff事業\n見守り\n".encode(),
        "事業\n見守り\n".encode("cp932"),
        b"title\nok\n\xff bad\n" + "見守り".encode() * 5,  # UTF-8 gone bad: refused
        b"\xff\xfet\x00i\x00",  # UTF-16
        b"title\x00\n",
        b"",
    ],
)
def test_csv_text_streamed_is_the_text_decoded_whole(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    from_disk = stream_utf8_file(path, 1_000_000, 100)
    try:
        whole = decode_table_text(data, "f.csv")
    except InputError as exc:
        with pytest.raises(InputError) as streamed:
            table_text_stream(data, "f.csv")
        assert str(streamed.value) == str(exc)
        assert from_disk is None  # read whole by the caller, for the message
        return
    assert table_text_stream(data, "f.csv").read() == whole
    utf8 = not data.startswith("事業".encode("cp932"))
    assert (from_disk is not None) == utf8
    if from_disk is not None:
        text, size, lines = from_disk
        with text:
            assert text.read() == whole
        assert (size, lines) == (len(data), data.count(b"\n"))


def test_a_csv_over_a_limit_is_left_to_the_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"title\n" + b"x\n" * 10)
    assert stream_utf8_file(path, 1_000, 10) is None  # 11 line breaks
    assert stream_utf8_file(path, 20, 100) is None  # 26 bytes
    assert stream_utf8_file(tmp_path, 1_000, 100) is None  # a directory


def test_a_long_sheet_answered_here_keeps_small_memos_and_puts_the_bound_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "事業名,主体,企画立案者\n" + "".join(f"事業{n},市,{'相手方' if n % 2 else '市'}\n"
                                             for n in range(12)),
        encoding="utf-8",
    )  # fmt: skip
    monkeypatch.setattr(running, "SMALL", 5)
    monkeypatch.setattr(running, "BATCH_MEMO", 3)
    before = policy.MEMO_SIZE
    seen: list[int] = []
    combiner = default_classifier().bound("generic").combiner
    combiner._provisional.clear()  # what earlier tests left there

    def progress(done: int, total: int | None) -> None:
        seen.append(policy.MEMO_SIZE)
        assert len(combiner._provisional) <= 3

    report = inventory.answer_file(source, tmp_path / "out.csv", jobs=1, progress=progress)
    assert report.answered == 12
    assert set(seen[:-1]) == {3}
    assert before == policy.MEMO_SIZE


def _mixed_inventory(path: Path) -> Path:
    """Projects as people type them, with what a writer treats apart: numbers and dates in
    a column kept as it was, text that looks like a formula or an error code, text
    with markup characters or several lines, a totals row and a cell that cannot be read."""
    rng = random.Random(7)
    headers = [FIELD_LABELS[f] for f in ("title", *FIELD_KINDS)] + ["予算", "備考"]
    extras: list[list[Any]] = [
        [120_000, "=1+1"],
        [3.5, "#N/A"],
        [None, "a & b <c> d"],
        [dt.date(2026, 4, 1), "一行目\n" + "長い説明" * 30],
        ["  前後に空白 ", ""],
    ]
    rows = [inventory_row(rng, n)[1] + extras[n % len(extras)] for n in range(40)]
    for row in rows[::2]:  # every other row all text, as most lists are
        row[:] = [c if c is None or isinstance(c, str) else str(c) for c in row]
    rows[5][1 + list(FIELD_KINDS).index("actors")] = "読めない主体"
    rows.append(["合計", *([None] * len(FIELD_KINDS)), 999_000, None])
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(["" if c is None else c for c in row] for row in rows)
        return path
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("一覧")
    sheet.append(headers)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # typed as text, as a person's cell is
                value = cell
            cells.append(value)
        sheet.append(cells)
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_put_in_the_output_form_where_answered_make_the_same_file(
    suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker makes each row's CSV line or xlsx XML (`writing.Render`); the file is the
    one the writer makes from the rows' cells, byte for byte (an xlsx's sheet and styles:
    its other parts hold the time it was written)."""
    source = _mixed_inventory(tmp_path / f"in{suffix}")
    made = tmp_path / f"made{suffix}"
    rendered: list[bool] = []
    render_rows = Render.rows

    def rows(self: Render, answered: list[Answered]) -> list[Answered]:
        out = render_rows(self, answered)
        rendered.extend(row.text is not None for row in out)
        return out

    monkeypatch.setattr(Render, "rows", rows)
    report = inventory.answer_file(source, made, jobs=1)
    assert report.bad == 1 and report.skipped == 1
    # Both kinds were made: rows put in form where answered, rows left to the writer.
    assert sum(rendered) >= 10 and (suffix == ".csv" or not all(rendered))
    monkeypatch.setattr(running, "renderer", lambda *_: None)
    written = tmp_path / f"written{suffix}"
    inventory.answer_file(source, written, jobs=1)
    if suffix == ".csv":
        assert made.read_bytes() == written.read_bytes()
        summary = inventory.summary_path
        assert summary(made).read_bytes() == summary(written).read_bytes()
        return
    with zipfile.ZipFile(made) as one, zipfile.ZipFile(written) as other:
        assert one.namelist() == other.namelist()
        for member in one.namelist():
            if not member.startswith("docProps/"):
                assert one.read(member) == other.read(member), member
    cells = _cells(made)
    assert any(c[1] == "=1+1" and c[2] == "s" for c in cells)  # text, never a formula
    assert any(c[1] == 120_000 and c[2] == "n" for c in cells)
    assert any(isinstance(c[1], dt.datetime) for c in cells)
    assert any(c[1] == "#N/A" and c[2] == "e" for c in cells)


def test_rows_made_as_text_without_openpyxl_read_its_rules_alike() -> None:
    """A worker makes xlsx rows as text without importing openpyxl (its memory, in
    every worker): the error codes, the characters refused and the column letters
    are openpyxl's own."""
    from openpyxl.cell import cell
    from openpyxl.utils import get_column_letter

    from kyodo_rules.outputs.inventory import sheetxml

    assert sheetxml.ERROR_CODES == cell.ERROR_CODES
    assert sheetxml.ILLEGAL_CHARACTERS_RE.pattern == cell.ILLEGAL_CHARACTERS_RE.pattern
    assert all(sheetxml.column_letter(n) == get_column_letter(n) for n in range(1, 16_385))
    probe = (
        "import sys; from kyodo_rules.outputs.inventory.sheetxml import row_text; "
        "row_text([('見守り', 'wrap'), (None, None), ('#N/A', None)], 30.0); "
        "row_text([('a & b', None)]); print('openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize(
    "coordinate",
    ["A1", "B12", "Z9", "AA10", "XFD1048576", "ab3", "A01", "A", "1", "A1B2", "AAAA1", "Ａ1",
     "A１", "A1 ", "", "$A$1"],
)  # fmt: skip
def test_cell_references_read_as_openpyxl_reads_them(coordinate: str) -> None:
    from openpyxl.utils.cell import coordinate_to_tuple

    from kyodo_rules.files import sheetguard

    def read(how: Any) -> Any:
        try:
            return how(coordinate)
        except Exception as exc:
            return type(exc)

    expected = read(coordinate_to_tuple)
    assert read(sheetguard._coordinate) == expected
    assert read(sheetguard._coordinate) == expected  # again, its column's letters known
