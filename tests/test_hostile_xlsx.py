"""xlsx bombs and broken workbooks, generated here and kept small on disk.

A workbook is a zip of XML that openpyxl would load whole, so the zip is
inspected before it is parsed (sizes, ratio, shared strings) and rows and
columns are counted while reading. Each limit's error names it and the
option that raises it. Malformed files (bad XML, a missing part, not a zip)
are one line and exit 2 like any other unreadable input.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from hostile import check, fingerprint, run

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MANIFEST = "[Content_Types].xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _base() -> bytes:
    """A real workbook with a header row and one shared string, as openpyxl writes it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "planner"])
    sheet.append(["見守り", "city"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return f'<row r="1">{_inline("A1", "title")}{_inline("B1", "planner")}</row>'


def _sheet(rows: str, dimension: str = "A1:B2") -> bytes:
    return (
        HEAD + f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'.encode()
    )


Member = bytes | Callable[[], Iterator[bytes]]


def _workbook(path: Path, replace: dict[str, Member | None], level: int = 6) -> Path:
    """The base workbook with members replaced (None: removed); generators stream in chunks."""
    source = zipfile.ZipFile(io.BytesIO(_base()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        for info in source.infolist():
            if info.filename in replace:
                continue
            out.writestr(info.filename, source.read(info.filename))
        for name, content in replace.items():
            if content is None:
                continue
            if isinstance(content, bytes):
                out.writestr(name, content)
            else:
                with out.open(name, "w", force_zip64=True) as handle:
                    for chunk in content():
                        handle.write(chunk)
    return path


def _declared(part: str) -> bytes:
    """The base's manifest with `part` declared as the shared strings: what openpyxl reads
    them from, whatever the part's name."""
    manifest = zipfile.ZipFile(io.BytesIO(_base())).read(MANIFEST)
    override = f'<Override PartName="/{part}" ContentType="{STRINGS_TYPE}"/>'
    return manifest.replace(b"</Types>", override.encode() + b"</Types>")


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the zip's directory claim `size` uncompressed bytes for `member` (a lying header)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02" + b"")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]) == name:
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise AssertionError(member)
    path.write_bytes(bytes(data))


def _batch(
    tmp_path: Path, book: Path, *extra: str, code: int = 2, words: tuple[str, ...] = ()
) -> str:
    out = tmp_path / "out.xlsx"
    line = check(
        run("batch", str(book), "-o", str(out), *extra, cwd=tmp_path),
        fingerprint([book]),
        *words,
        code=code,
    )
    assert not out.exists()
    return line


def test_a_stale_dimension_hides_no_row(tmp_path: Path) -> None:
    rows = _header_row() + "".join(
        f'<row r="{n}">{_inline(f"A{n}", f"事業{n}")}{_inline(f"B{n}", "city")}</row>'
        for n in range(2, 12)
    )
    book = _workbook(tmp_path / "stale.xlsx", {SHEET: _sheet(rows, "A1:B2")})
    out = tmp_path / "out.xlsx"
    done = run("batch", str(book), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answered = load_workbook(out, read_only=True)
    results = list(answered["判定結果"].iter_rows(values_only=True))
    assert [r[0] for r in results[1:]] == [f"事業{n}" for n in range(2, 12)]
    assert "10 rows read: 10 answered" in done.stderr


def test_a_million_rows_stop_at_the_row_limit(tmp_path: Path) -> None:
    def rows() -> Iterator[bytes]:
        yield HEAD + b"<sheetData>" + _header_row().encode()
        for _ in range(1_048_575 // 5_000):
            yield b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 5_000
        yield b"</sheetData></worksheet>"

    book = _workbook(tmp_path / "rows.xlsx", {SHEET: rows}, level=6)
    assert book.stat().st_size < 1_000_000
    # The ratio limit would refuse this file first; raised, the row count is what stops it.
    line = _batch(
        tmp_path, book, "--limit", "ratio=100000", words=("rows=100,000", "--limit rows=N")
    )
    assert "rows.xlsx" in line


def test_twenty_million_shared_strings(tmp_path: Path) -> None:
    def strings() -> Iterator[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for _ in range(200):
            yield b"<si><t/></si>" * 100_000
        yield b"</sst>"

    book = _workbook(
        tmp_path / "strings.xlsx", {STRINGS: strings, MANIFEST: _declared(STRINGS)}, level=1
    )
    assert book.stat().st_size < 3_000_000
    _batch(tmp_path, book, words=("--limit",))


def test_shared_strings_over_their_own_limit(tmp_path: Path) -> None:
    def strings() -> Iterator[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b"<si><t>a</t></si>" * 1_000_001
        yield b"</sst>"

    book = _workbook(
        tmp_path / "strings.xlsx", {STRINGS: strings, MANIFEST: _declared(STRINGS)}, level=1
    )
    _batch(tmp_path, book, "--limit", "ratio=100000", words=("strings=1,000,000",))


def test_shared_strings_under_another_name_are_the_ones_counted(tmp_path: Path) -> None:
    """openpyxl finds the shared strings through the manifest, not by name: a part named
    `xl/zz.xml` declared there is what it would load (5,000,000 strings took 44 s and
    598 MB), so it is the part the guard counts."""

    def strings() -> Iterator[bytes]:
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for _ in range(50):
            yield b"<si><t/></si>" * 100_000
        yield b"</sst>"

    renamed = "xl/zz.xml"
    book = _workbook(
        tmp_path / "renamed.xlsx", {renamed: strings, MANIFEST: _declared(renamed)}, level=1
    )
    _batch(tmp_path, book, "--limit", "ratio=100000", words=("strings=1,000,000",))
    # Undeclared, the same part is never read by openpyxl: the workbook is answered.
    unused = _workbook(tmp_path / "unused.xlsx", {renamed: strings}, level=1)
    out = tmp_path / "unused-out.xlsx"
    done = run("batch", str(unused), "-o", str(out), "--limit", "ratio=100000", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_two_gigabytes_of_xml_declared(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "big.xlsx", {SHEET: _sheet(_header_row())})
    _declare_size(book, SHEET, 2_000_000_000)
    _batch(tmp_path, book, words=("member_mb=100",))


def test_a_member_that_lies_about_its_size(tmp_path: Path) -> None:
    rows = _header_row() + "".join(
        f'<row r="{n}">{_inline(f"B{n}", "city")}</row>' for n in range(2, 3000)
    )
    book = _workbook(tmp_path / "liar.xlsx", {SHEET: _sheet(rows)})
    _declare_size(book, SHEET, 100)  # zipfile stops at the declared size: a bad CRC
    _batch(tmp_path, book, words=("malformed xlsx",))


def test_a_high_compression_ratio(tmp_path: Path) -> None:
    def zeros() -> Iterator[bytes]:
        yield HEAD + b"<sheetData>" + _header_row().encode() + b"</sheetData>"
        for _ in range(30):
            yield b"<!--" + b" " * 1_000_000 + b"-->"
        yield b"</worksheet>"

    book = _workbook(tmp_path / "ratio.xlsx", {SHEET: zeros}, level=9)
    _batch(tmp_path, book, words=("ratio=100",))


def test_a_total_over_the_size_limit(tmp_path: Path) -> None:
    def padded() -> Iterator[bytes]:
        yield HEAD + b"<sheetData>" + _header_row().encode() + b"</sheetData>"
        yield b"<!--" + b" " * 1_500_000 + b"-->"
        yield b"</worksheet>"

    book = _workbook(tmp_path / "total.xlsx", {SHEET: padded})
    _batch(tmp_path, book, "--limit", "mb=1", "--limit", "ratio=100000", words=("mb=1",))
    _batch(tmp_path, book, "--limit", "mb=0", words=("--limit mb=0", "positive"))


def test_a_cell_at_the_last_column(tmp_path: Path) -> None:
    rows = _header_row() + f'<row r="2">{_inline("XFD2", "x")}</row>'
    book = _workbook(tmp_path / "wide.xlsx", {SHEET: _sheet(rows)})
    _batch(tmp_path, book, words=("columns=1,000", "16,384"))


@pytest.mark.parametrize(
    ("name", "replace"),
    [
        ("bad_xml", {SHEET: HEAD + b"<sheetData><row r='1'><c r='A1'"}),
        ("missing_sheet", {SHEET: None}),
        ("missing_workbook", {"xl/workbook.xml": None}),
        (
            "bad_shared_string_index",
            {SHEET: _sheet(_header_row() + '<row r="2"><c r="B2" t="s"><v>99</v></c></row>')},
        ),
        ("bad_row_number", {SHEET: _sheet('<row r="x">' + _inline("A1", "title") + "</row>")}),
    ],
)
def test_malformed_workbooks(tmp_path: Path, name: str, replace: dict[str, Member | None]) -> None:
    book = _workbook(tmp_path / f"{name}.xlsx", replace)
    _batch(tmp_path, book, words=(f"{name}.xlsx",))


def test_not_a_zip(tmp_path: Path) -> None:
    book = tmp_path / "fake.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a zip")
    _batch(tmp_path, book, words=("not an xlsx",))


def test_a_formula_without_a_saved_value_is_a_row_error(tmp_path: Path) -> None:
    rows = (
        _header_row()
        + f'<row r="2">{_inline("A2", "一")}<c r="B2"><f>LOWER("CITY")</f></c></row>'
        + f'<row r="3">{_inline("A3", "二")}{_inline("B3", "city")}</row>'
    )
    book = _workbook(tmp_path / "formula.xlsx", {SHEET: _sheet(rows)})
    out = tmp_path / "out.xlsx"
    done = run("batch", str(book), "-o", str(out), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "row 2: 企画立案者" in done.stderr and "B2" in done.stderr
    # The row is answered with its planner unknown; the cell is still its error.
    assert "2 rows read: 2 answered, 1 rows with errors" in done.stderr


def test_a_styles_part_of_millions_of_formats_is_refused_at_once(tmp_path: Path) -> None:
    """openpyxl parses the styles whole: 3,000,000 cell formats took 49 s and 2.3 GB to
    answer one row. Excel allows 64,000; past a bound far above that, the file is refused."""

    def styles() -> Iterator[bytes]:
        yield b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        yield b'<cellXfs count="1">'
        for _ in range(30):
            yield b'<xf numFmtId="1"/>' * 100_000
        yield b"</cellXfs></styleSheet>"

    book = _workbook(tmp_path / "styles.xlsx", {"xl/styles.xml": styles}, level=1)
    _batch(tmp_path, book, "--limit", "ratio=100000", words=("styles.xml", "250,000"))
