"""Limits on an inventory file, checked before a parser is trusted with it.

An xlsx file is a zip of XML: 3 MB on disk can hold 2 GB of XML or 20
million shared strings, which openpyxl would load whole. So the zip's
directory is inspected first (total and per-member uncompressed size,
compression ratio; zipfile itself stops a member at its declared size), the
shared strings are counted by a streaming scan, and rows and columns are
counted while the sheet is read. The parts counted are the parts openpyxl
reads, found the way openpyxl finds them: the shared strings through the
manifest (`[Content_Types].xml`, read by openpyxl's own `read_manifest`), the
sheet through the workbook's relationships; never by a member's name, which a
file can choose (`xl/zz.xml` declared as the shared strings in the manifest
held 5,000,000 strings past a check that looked for `sharedStrings.xml`).
Each limit has a default meant to be far above any real inventory and is
raised with `--limit NAME=VALUE`; the error names the limit and the option.

The sheet is read with openpyxl's own row parser rather than its worksheet
object, so that a stale `<dimension>` element hides no row and a cell at
column XFD costs one cell, not sixteen thousand empty ones.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from kyodo_rules.model.errors import InputError


@dataclass(frozen=True)
class Limits:
    #: data rows (the header not counted), CSV and xlsx alike
    rows: int = 100_000
    #: cells in one row
    columns: int = 1_000
    #: megabytes: a CSV file, an xlsx file, and an xlsx file's XML once uncompressed
    mb: int = 200
    #: megabytes of one member of an xlsx file, uncompressed
    member_mb: int = 100
    #: uncompressed / compressed size of a member larger than 1 MB
    ratio: int = 100
    #: entries in an xlsx file's shared-string table
    strings: int = 1_000_000

    @property
    def bytes(self) -> int:
        return self.mb * 1_000_000


LIMIT_HELP = ", ".join(f"{f.name}={f.default:_}".replace("_", ",") for f in fields(Limits))


def parse_limits(items: Sequence[str] | None) -> Limits:
    """`["rows=200000", "mb=500"]` -> Limits; an InputError names what is allowed."""
    limits = Limits()
    names = [f.name for f in fields(Limits)]
    for item in items or ():
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in names:
            raise InputError(
                f"--limit {item}: 使える名前 / allowed: {', '.join(n + '=N' for n in names)}"
            )
        try:
            number = int(value.replace(",", "").replace("_", ""))
        except ValueError:
            number = 0
        if number <= 0:
            raise InputError(
                f"--limit {item}: 正の整数を指定してください / expected a positive integer"
            )
        limits = replace(limits, **{name: number})
    return limits


def over(name: str, limits: Limits, what: str, found: str) -> InputError:
    value = getattr(limits, name)
    return InputError(
        f"{what}: 上限 {name}={value:,} を超えています（{found}）。"
        f"大きくするには --limit {name}=N / over the limit {name}={value:,} ({found}); "
        f"raise it with --limit {name}=N"
    )


#: The manifest of a real workbook is a few kilobytes; it is parsed whole.
MAX_MANIFEST = 1_000_000

_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def inspect_xlsx(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a zip whose declared sizes or shared-string count pass the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(
            f"{name}: 読み込めません / cannot read: "
            "xlsx (zip) ではありません / not an xlsx (zip) file"
        ) from None
    with archive:
        total = 0
        for info in archive.infolist():
            total += info.file_size
            if info.file_size > limits.member_mb * 1_000_000:
                raise over("member_mb", limits, name, f"{info.filename}: {info.file_size:,} bytes")
            if info.file_size > 1_000_000:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.ratio:
                    raise over("ratio", limits, name, f"{info.filename}: {ratio:,.0f}:1")
            if info.filename == "[Content_Types].xml" and info.file_size > MAX_MANIFEST:
                raise InputError(
                    f"{name}: 壊れた Excel ファイル / malformed xlsx: [Content_Types].xml of "
                    f"{info.file_size:,} bytes (a workbook's is a few thousand)"
                )
        if total > limits.bytes:
            raise over("mb", limits, name, f"{total:,} bytes of XML")


def strings_part(reader: Any) -> str | None:
    """The member openpyxl reads its shared strings from: the manifest's part of that
    content type (openpyxl's `read_strings`), whatever its name; None if it has none."""
    from openpyxl.xml.constants import SHARED_STRINGS

    part = reader.package.find(SHARED_STRINGS)
    return str(part.PartName)[1:] if part is not None else None


#: XML elements in each other part openpyxl parses whole (the workbook part and its
#: relationships, the styles): Excel allows 64,000 cell formats, a few elements each;
#: a part past this is no workbook Excel wrote (3,000,000 `<xf/>` took 49 s and 2.3 GB).
MAX_PART_ELEMENTS = 250_000
_ELEMENT = re.compile(rb"<[A-Za-z_]")


def count_parts(reader: Any, name: str) -> None:
    """Refuse a workbook whose workbook part, its relationships or its styles (the parts
    openpyxl reads whole, found as it finds them) hold more elements than any real one."""
    import importlib

    from openpyxl.xml.constants import ARC_STYLE

    # openpyxl's own lookups (untyped, one of them private): the same parts it reads.
    excel: Any = importlib.import_module("openpyxl.reader.excel")
    relationship: Any = importlib.import_module("openpyxl.packaging.relationship")
    try:
        workbook = str(excel._find_workbook_part(reader.package).PartName)[1:]
    except OSError:
        return  # openpyxl fails on it, as a malformed workbook
    for member in (workbook, str(relationship.get_rels_path(workbook)), ARC_STYLE):
        try:
            info = reader.archive.getinfo(member)
        except KeyError:
            continue
        try:
            with reader.archive.open(info) as handle:
                count = _count_tags(handle, _ELEMENT, MAX_PART_ELEMENTS)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise InputError(f"{name}: 壊れた Excel ファイル / malformed xlsx: {exc}") from None
        if count > MAX_PART_ELEMENTS:
            raise InputError(
                f"{name}: 壊れた Excel ファイル / malformed xlsx: {member} holds more than "
                f"{MAX_PART_ELEMENTS:,} XML elements (a workbook's holds a few thousand)"
            )


def count_strings(reader: Any, name: str, limits: Limits) -> None:
    """Refuse a workbook whose shared strings (the part openpyxl will read) pass the limit."""
    member = strings_part(reader)
    if member is None:
        return
    try:
        info = reader.archive.getinfo(member)
    except KeyError:
        return  # openpyxl fails on it, as a malformed workbook
    _count_strings(reader.archive, info, name, limits)


def _count_tags(handle: Any, tag: re.Pattern[bytes], most: int) -> int:
    """Occurrences of `tag` in a zip member, streamed; stops counting past `most`."""
    count = 0
    tail = b""
    while chunk := handle.read(1 << 20):
        block = tail + chunk
        count += len(tag.findall(block))
        # Keep a short tail so that a tag split across chunks is counted once.
        cut = max(block.rfind(b"<"), len(block) - 64)
        tail = block[cut:]
        count -= len(tag.findall(tail))
        if count > most:
            break
    return count


def _count_strings(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, limits: Limits
) -> None:
    try:
        with archive.open(member) as handle:
            count = _count_tags(handle, _SI, limits.strings)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(f"{name}: 壊れた Excel ファイル / malformed xlsx: {exc}") from None
    if count > limits.strings:
        raise over("strings", limits, name, f"more than {limits.strings:,} strings")


class NoCachedValue:
    """A formula cell saved without its value (written by a program, never recalculated)."""

    def __init__(self, coordinate: str) -> None:
        self.coordinate = coordinate

    def __repr__(self) -> str:
        return f"NoCachedValue({self.coordinate})"


#: Merged ranges kept per sheet: a reading aid (titles, grouped cells), so a sheet
#: with more keeps the first ones rather than costing memory without bound.
MAX_MERGES = 50_000

_MERGE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"'
)


@dataclass(frozen=True)
class Merge:
    """A merged range of cells (1-based, inclusive); its value is in its top-left cell."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


def _scan(handle: Any, most_rows: int) -> tuple[int, tuple[Merge, ...]]:
    """Rows (counting stops past `most_rows`) and merged ranges of a sheet's XML, streamed."""
    count = 0
    merges: list[Merge] = []
    tail = b""
    while chunk := handle.read(1 << 20):
        block = tail + chunk
        cut = max(block.rfind(b"<"), len(block) - 200)
        # Tags wholly before the cut are counted now; the rest with the next chunk.
        head, tail = block[:cut], block[cut:]
        count += len(_ROW.findall(head))
        if len(merges) < MAX_MERGES and b"mergeCell" in head:
            for m in _MERGE.finditer(head):
                merges.append(
                    Merge(int(m[2]), _column_number(m[1]), int(m[4]), _column_number(m[3]))
                )
        if count > most_rows:
            return count, tuple(merges[:MAX_MERGES])
    count += len(_ROW.findall(tail))
    for m in _MERGE.finditer(tail):
        merges.append(Merge(int(m[2]), _column_number(m[1]), int(m[4]), _column_number(m[3])))
    return count, tuple(merges[:MAX_MERGES])


class XlsxBook:
    """An xlsx file opened for reading: its sheets, and any sheet's rows and merged ranges.

    The zip is inspected before anything is parsed (`inspect_xlsx`); a sheet's
    rows are read with openpyxl's own row parser, one at a time, so that the
    first rows of every sheet can be looked at (which one holds the list?)
    without reading any sheet whole. Close it when done (or use `with`).
    """

    def __init__(self, data: bytes, name: str, limits: Limits) -> None:
        inspect_xlsx(data, name, limits)
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet

        self.name = name
        self.limits = limits
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation extensions…);
            # they do not change a cell's value, and a warning is not a user's message.
            warnings.simplefilter("ignore")
            # openpyxl's reader, step by step: `load_workbook` would scan every sheet
            # once just to size it (a sheet without <dimension> is read whole).
            # Without external links: they are cached copies of other workbooks, parsed
            # whole, and no answer reads them.
            reader: Any = ExcelReader(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            try:
                reader.read_manifest()
                count_strings(reader, name, limits)
                count_parts(reader, name)
                reader.read_strings()
                reader.read_workbook()
                apply_stylesheet(reader.archive, reader.wb)
                sheets = [
                    (sheet.name, rel.target)
                    for sheet, rel in reader.parser.find_sheets()
                    if "worksheet" in rel.Type
                ]
            except BaseException:
                reader.archive.close()
                raise
        if not sheets:
            reader.archive.close()
            raise InputError(f"{name}: シートがありません / the workbook has no sheet")
        self._reader = reader
        self._targets = dict(reversed(sheets))  # a repeated name: its first sheet
        self.names: tuple[str, ...] = tuple(dict.fromkeys(n for n, _ in sheets))

    def __enter__(self) -> XlsxBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._reader.archive.close()

    def scan(self, sheet: str) -> tuple[Merge, ...]:
        """Check the sheet's row count against the limit (before the first row is
        answered, not after the hundred-thousandth) and find its merged ranges."""
        limits = self.limits
        with self._reader.archive.open(self._targets[sheet]) as source:
            count, merges = _scan(source, limits.rows + 1)
        if count > limits.rows + 1:
            raise over("rows", limits, self.name, f"more than {limits.rows:,} rows")
        return merges

    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(sheet row number, cells) of every non-empty row, in order."""
        limits = self.limits
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = self._reader.wb
            with self._reader.archive.open(self._targets[sheet]) as source:
                parser = _parser_class()(
                    source,
                    self._reader.shared_strings,
                    data_only=True,
                    epoch=book.epoch,
                    date_formats=book._date_formats,
                    timedelta_formats=book._timedelta_formats,
                )
                count = 0
                for number, row in parser.parse():
                    count += 1
                    if count > limits.rows + 1:
                        raise over("rows", limits, self.name, f"more than {limits.rows:,} rows")
                    if not row:
                        continue
                    width = max(c["column"] for c in row)
                    if width > limits.columns:
                        raise over("columns", limits, self.name, f"row {number}: column {width:,}")
                    cells: list[Any] = [None] * width
                    for c in row:
                        cells[c["column"] - 1] = c["value"]
                    yield number, cells


def _parser_class() -> Any:
    """openpyxl's row parser, with plain inline strings read fast and a formula saved
    without its value marked as such (`NoCachedValue`) instead of read as empty."""
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, WorkSheetParser

    text_tag = INLINE_STRING[: -len("is")] + "t"

    class _Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            if element.get("t") == "inlineStr":
                plain = self._plain_inline(element)
                if plain is not None:
                    return plain
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = NoCachedValue(element.get("r") or "?")
            return cell

        def _plain_inline(self, element: Any) -> dict[str, Any] | None:
            """`<is><t>text</t></is>`, the inline string every writer makes, read as openpyxl
            reads it but without building its rich-text objects (most of the reading time).
            Anything else (runs, phonetics, attributes) is left to openpyxl."""
            holder = element.find(INLINE_STRING)
            if holder is None or holder.attrib or len(holder) != 1 or holder[0].tag != text_tag:
                return None
            coordinate = element.get("r")
            style_id = element.get("s", 0)
            if style_id:
                style_id = int(style_id)
            if coordinate:
                row, column = _coordinate(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            value = holder[0].text or ""
            return {
                "row": row,
                "column": column,
                "value": value,
                "data_type": "s",
                "style_id": style_id,
            }

    return _Parser


_DIGITS = "0123456789"
#: Column letters -> column number, as openpyxl's `coordinate_to_tuple` reads them.
_COLUMNS: dict[str, int] = {}


def _coordinate(coordinate: str) -> tuple[int, int]:
    """openpyxl's `coordinate_to_tuple` ("AB12" -> (12, 28)), each column's letters read
    once: a cell reference of letters then digits is split here; any other is left to
    openpyxl, which reads it (or fails on it) as it always has."""
    letters = coordinate.rstrip(_DIGITS)
    column = _COLUMNS.get(letters)
    digits = coordinate[len(letters) :]
    if column is not None and digits:
        return int(digits), column
    from openpyxl.utils.cell import coordinate_to_tuple

    row, column = coordinate_to_tuple(coordinate)
    if digits and letters.isascii() and letters.isalpha() and len(letters) <= 3:
        _COLUMNS[letters] = column
    return row, column


def xlsx_rows(
    data: bytes, name: str, wanted: frozenset[str], limits: Limits
) -> Iterator[tuple[int, list[Any]]]:
    """(sheet row number, cells) of the sheet named in `wanted`, else the first sheet."""
    with XlsxBook(data, name, limits) as book:
        sheet = next((n for n in book.names if n in wanted), book.names[0])
        book.scan(sheet)
        yield from book.rows(sheet)
