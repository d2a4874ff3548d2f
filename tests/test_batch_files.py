"""The batch's own readers and writers give what openpyxl and the plain decoder give.

The inventory's xlsx rows are written as XML text and its inline strings read
without openpyxl's objects, and a CSV is decoded as it is read (all for speed
and flat memory); each is checked here against the slow path it replaces.
"""

from __future__ import annotations

import datetime as dt
import io
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
from kyodo_rules.outputs import inventory
from kyodo_rules.outputs.inventory import running
from kyodo_rules.outputs.inventory.sheetxml import RawRows
from kyodo_rules.outputs.inventory.writing import xlsx_value

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
