"""The answered rows of an xlsx written as XML text, the way openpyxl writes them.

openpyxl's write-only sheet builds a cell object, then an element, then
serialises it, for every cell: about 1 ms a row of 30 cells, more than the
rest of the parent process's work together. A text cell (nearly every cell
of an answered inventory) is written here as the same `<c t="inlineStr">`
text; any other value, and any text openpyxl would treat otherwise (an error
code such as `#N/A`, a character it refuses), is still handed to openpyxl's
own cell writer, so the file holds what it held before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


class RawRows:
    """Rows appended to a write-only sheet (its header already written) as XML text.

    `styles` names each style a cell may have (the keyword arguments of
    `xlsx_value`). `usable` is False when openpyxl writes through lxml, whose
    writer takes no text; then the caller appends openpyxl cells as before.
    """

    def __init__(self, sheet: Any, styles: dict[str, dict[str, Any]]) -> None:
        from openpyxl import LXML

        self.sheet = sheet
        self.styles = styles
        # openpyxl's write-only sheet hooks are private: the pin in pyproject.toml
        # (openpyxl <3.2) keeps them, and a version without them is used as is.
        self.usable = not LXML and all(
            hasattr(sheet, name) for name in ("_get_writer", "_values_to_row")
        )
        self._ids: dict[str, int] = {}
        self._letters: list[str] = []
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

    def _write_row(self, xf: Any, row: RawRow, index: int) -> None:
        from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
        from openpyxl.utils import get_column_letter

        letters = self._letters
        while len(letters) < len(row):
            letters.append(get_column_letter(len(letters) + 1))
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
                    if not text:
                        parts.append(f'<c r="{where}"{styled} t="inlineStr" />')
                        continue
                    stripped = text.strip()
                    space = ' xml:space="preserve"' if stripped and stripped != text else ""
                    parts.append(
                        f'<c r="{where}"{styled} t="inlineStr"><is><t{space}>'
                        f"{_escape(text)}</t></is></c>"
                    )
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
