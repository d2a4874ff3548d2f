"""The answered rows of an xlsx written as XML text, the way openpyxl writes them.

openpyxl's write-only sheet builds a cell object, then an element, then
serialises it, for every cell: about 1 ms a row of 30 cells, more than the
rest of the parent process's work together. A text cell (nearly every cell
of an answered inventory) is written here as the same `<c t="inlineStr">`
text; any other value, and any text openpyxl would treat otherwise (an error
code such as `#N/A`, a character it refuses), is still handed to openpyxl's
own cell writer, so the file holds what it held before.

A row's text is made without the sheet (`row_text`), its number and style ids
marked and filled in when it is written: a batch worker makes the text of the
rows it answers, and the process that writes the file only writes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

#: A row to write: each cell's value, and its style (None, or the keyword
#: arguments `xlsx_value` takes: fill, alignment…), by name.
RawRow = Sequence[tuple[Any, str | None]]

_MAX_TEXT = 32_767  # openpyxl cuts a text there


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def possible() -> bool:
    """Can rows be written as text here? Not when openpyxl writes through lxml (whose
    writer takes no text), nor with an openpyxl whose write-only sheet lacks the
    private hooks used (the pin in pyproject.toml, openpyxl <3.2, keeps them)."""
    from openpyxl import LXML
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    return not LXML and all(
        hasattr(WriteOnlyWorksheet, name) for name in ("_get_writer", "_values_to_row")
    )


#: Marks in a `RowText` for what only the sheet being written knows: the row's
#: number and each style's id. Characters no cell text written as text holds
#: (openpyxl refuses them; a text that has one goes through openpyxl's writer).
_ROW_MARK = "\x01"


def _style_mark(name: str) -> str:
    return f"\x02{name}\x03"


class RowText(NamedTuple):
    """A row as XML text (`row_text`), its number and style ids marked, and the names
    of the styles it uses in the order first met (a tuple: what a write-only sheet
    takes as a row)."""

    xml: str
    styles: tuple[str, ...]


#: openpyxl's `cell.cell.ERROR_CODES` and `ILLEGAL_CHARACTERS_RE`, here so that a worker
#: making rows as text need not import openpyxl (a test holds them to openpyxl's own).
ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_LETTERS: list[str] = []


def column_letter(number: int) -> str:
    """A, B, … Z, AA, … for column 1, 2, … (openpyxl's `get_column_letter`)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _letters(count: int) -> list[str]:
    """Column letters A, B, … for at least `count` columns (made once)."""
    if len(_LETTERS) < count:
        _LETTERS.extend(column_letter(n + 1) for n in range(len(_LETTERS), count))
    return _LETTERS


def _text_cell(where: str, styled: str, text: str) -> str:
    if not text:
        return f'<c r="{where}"{styled} t="inlineStr" />'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{where}"{styled} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


def row_text(row: RawRow, height: float | None = None) -> RowText | None:
    """The row as the XML text `RawRows` writes, where every cell is text (or empty),
    without the sheet: its number and style ids are marked, to be filled in when
    written. None if a cell needs openpyxl's own writer (a number, a date, an error
    code, a character openpyxl refuses). Pure: a worker process makes it."""
    letters = _letters(len(row))
    if height is not None:
        parts = [f'<row r="{_ROW_MARK}" ht="{height:g}" customHeight="1">']
    else:
        parts = [f'<row r="{_ROW_MARK}">']
    styles: dict[str, None] = {}
    for column, (value, style) in enumerate(row):
        if value is None and style is None:
            continue
        if not isinstance(value, str):
            return None
        text = value[:_MAX_TEXT]
        if text in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(text):
            return None
        if style:
            styles[style] = None
            styled = f' s="{_style_mark(style)}"'
        else:
            styled = ""
        parts.append(_text_cell(f"{letters[column]}{_ROW_MARK}", styled, text))
    parts.append("</row>")
    return RowText("".join(parts), tuple(styles))


class RawRows:
    """Rows appended to a write-only sheet (its header already written) as XML text.

    `styles` names each style a cell may have (the keyword arguments of
    `xlsx_value`). `usable` is False when openpyxl writes through lxml, whose
    writer takes no text; then the caller appends openpyxl cells as before.
    """

    def __init__(self, sheet: Any, styles: dict[str, dict[str, Any]]) -> None:
        self.sheet = sheet
        self.styles = styles
        self.usable = possible() and all(
            hasattr(sheet, name) for name in ("_get_writer", "_values_to_row")
        )
        self._ids: dict[str, int] = {}
        self._height: float | None = None
        if self.usable:
            sheet._get_writer()
            # The sheet's row loop hands each appended row to these two, unchanged.
            sheet._values_to_row = lambda values, _index: values
            sheet._writer.write_row = self._write_row

    def append(self, row: RawRow, height: float | None = None) -> None:
        """One row; `height` in points, for wrapped text (a reader computes none itself)."""
        self._height = height
        self.sheet.append(row)

    def _style_id(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(self.sheet, value="")
            for key, setting in self.styles[name].items():
                setattr(cell, key, setting)
            found = self._ids[name] = int(cell.style_id)
        return found

    def append_text(self, text: RowText) -> None:
        """One row made by `row_text` (in a worker, say): only its number and styles are
        filled in here."""
        assert self.usable, "a row made as text needs a sheet written as text"
        self.sheet.append(text)

    def _write_row(self, xf: Any, row: RawRow | RowText, index: int) -> None:
        if isinstance(row, RowText):
            self._write_text(xf, row, index)
            return
        text = row_text(row, self._height)
        if text is None:
            self._write_mixed(xf, row, index)
        else:
            self._write_text(xf, text, index)

    def _write_text(self, xf: Any, text: RowText, index: int) -> None:
        xml = text.xml.replace(_ROW_MARK, str(index))
        for name in text.styles:  # in the order first met: the ids openpyxl would give
            xml = xml.replace(_style_mark(name), str(self._style_id(name)))
        xf._file(xml)

    def _write_mixed(self, xf: Any, row: RawRow, index: int) -> None:
        """A row with a cell that is no plain text: that cell is written by openpyxl."""
        letters = _letters(len(row))
        write = xf._file
        height = self._height
        if height is not None:
            parts = [f'<row r="{index}" ht="{height:g}" customHeight="1">']
        else:
            parts = [f'<row r="{index}">']
        for column, (value, style) in enumerate(row):
            if value is None and style is None:
                continue
            if isinstance(value, str):
                text = value[:_MAX_TEXT]
                if text not in ERROR_CODES and not ILLEGAL_CHARACTERS_RE.search(text):
                    where = f"{letters[column]}{index}"
                    styled = f' s="{self._style_id(style)}"' if style else ""
                    parts.append(_text_cell(where, styled, text))
                    continue
            write("".join(parts))
            parts.clear()
            self._openpyxl_cell(xf, value, style, column, index)
        parts.append("</row>")
        write("".join(parts))

    def _openpyxl_cell(self, xf: Any, value: Any, style: str | None, column: int, row: int) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell._writer import write_cell

        cell = WriteOnlyCell(self.sheet, value=value)
        for key, setting in (self.styles[style] if style else {}).items():
            setattr(cell, key, setting)
        cell.column = column + 1
        cell.row = row
        if cell.value is None and not cell.has_style:
            return
        write_cell(xf, self.sheet, cell, cell.has_style)
