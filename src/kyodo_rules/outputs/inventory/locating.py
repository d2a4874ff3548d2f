"""Where the list is in a sheet: its header row among the first rows, and what each row is.

A city's list rarely starts on row 1: a title row (often merged across the
sheet), a 作成日 line, a blank row, then the header, sometimes in two rows (a
merged 「協働の相手方」 over 「団体名」 and 「種別」). Below the projects, a 合計 row
and notes (※…). The header is the row, among the first `PEEK`, whose cells
name the most columns the inventory knows (`headers.py`); the rows above it
are the list's title, kept in the output. Below it, a row is a project, a
total (its first filled cell is a word of the lexicon's `totals`, with a
count at most) or a note (it starts with one of `notes` and has at most two
filled cells); totals and notes are not answered but written out, with a
word saying what they are, and counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kyodo_rules.files.cells import clean
from kyodo_rules.files.sheetguard import Merge, NoCachedValue
from kyodo_rules.outputs.inventory.headers import hinted, meaning_of
from kyodo_rules.outputs.inventory.reading import Cell, _blank, cell_text
from kyodo_rules.wording.field_labels import fold
from kyodo_rules.wording.office import office_words

#: Rows looked at for the header (title rows, a 作成日 line, blank rows come first).
PEEK = 30

_COUNT = re.compile(r"^[\s:：=]*(?:[\d,]+(?:件|事業|行)?)?\s*(?:[(][^)]*[)])?$")


@dataclass(frozen=True)
class Header:
    """The header found: where it is and the name of each column."""

    #: Index in the peeked rows of the header's first row, and how many rows it spans.
    at: int
    depth: int
    names: tuple[str, ...]
    #: How many columns it names that the inventory knows.
    score: int


def text(cell: Cell) -> str:
    if cell is None or isinstance(cell, NoCachedValue):
        return ""
    return clean(cell_text(cell)).strip()


def score(names: Sequence[str]) -> int:
    """How many different meanings a row's cells name outright (a 備考 column alone
    names none: remarks are in every kind of table)."""
    found = {meaning_of(n) for n in names if n}
    found.discard(None)
    found.discard("summary")
    return len(found)


def find_header(
    rows: Sequence[tuple[int, Sequence[Cell]]],
    merges: Sequence[Merge] = (),
    at_row: int | None = None,
) -> Header | None:
    """The header among `rows` ((sheet row number, cells), blank rows left out).

    `at_row`: the sheet row the map file names. Otherwise the row naming the
    most known columns (at least one), the first of equals.
    """
    best: Header | None = None
    for index, (number, cells) in enumerate(rows):
        if at_row is not None and number != at_row:
            continue
        names = tuple(text(c) for c in cells)
        found = score(names)
        if at_row is None and (found == 0 or (best is not None and found <= best.score)):
            continue
        best = Header(index, 1, names, found)
        if at_row is not None:
            break
    if best is None:
        return None
    return _two_rows(best, rows, merges)


def _two_rows(
    header: Header, rows: Sequence[tuple[int, Sequence[Cell]]], merges: Sequence[Merge]
) -> Header:
    """The header and the row under it, when that row names the parts of a merged
    (or, in a CSV, a blank-continued) header cell: 「協働の相手方」 over 「団体名」「種別」."""
    if header.at + 1 >= len(rows):
        return header
    number, _ = rows[header.at]
    below_number, below_cells = rows[header.at + 1]
    if below_number != number + 1:
        return header
    top = list(header.names)
    below = [text(c) for c in below_cells]
    width = max(len(top), len(below))
    top += [""] * (width - len(top))
    below += [""] * (width - len(below))
    parent = [""] * width  # the group name over each column
    grouped = [False] * width
    spans = [m for m in merges if m.min_row == number and m.max_col > m.min_col]
    for m in spans:
        for col in range(m.min_col, min(m.max_col, width) + 1):
            parent[col - 1] = top[m.min_col - 1]
            grouped[col - 1] = True
    if not spans:
        # No merges (a CSV): a name followed by blank header cells spans them.
        current = ""
        for col in range(width):
            if top[col]:
                current = top[col]
            elif current and below[col]:
                parent[col] = current
                grouped[col] = True
                if col > 0 and top[col - 1] == current:
                    grouped[col - 1] = True
                    parent[col - 1] = current
    vertical = {m.min_col - 1 for m in merges if m.min_row == number and m.max_row > m.min_row}
    filled = [col for col in range(width) if below[col]]
    if not filled or not any(grouped[col] for col in filled):
        return header
    if any(not grouped[col] and col not in vertical and top[col] for col in filled):
        return header  # the row under the header has values under plain columns: data
    if not any(meaning_of(below[c]) or hinted(below[c]) for c in filled):
        return header
    names = []
    for col in range(width):
        if not below[col] or not grouped[col]:
            names.append(top[col] or parent[col])
        elif meaning_of(below[col]):
            names.append(below[col])
        else:
            names.append(f"{parent[col]}（{below[col]}）")
    return Header(header.at, 2, tuple(names), score(names))


def row_kind(cells: Sequence[Cell]) -> str:
    """`data`, `total` (合計 12件) or `note` (※…): only projects are answered.

    Only the first filled cells are looked at (every row of a long list passes here).
    """
    first: list[str] = []
    count = 0
    for cell in cells:
        if cell is None or cell == "" or (isinstance(cell, str) and cell.isspace()):
            continue
        count += 1
        if len(first) < 2:
            first.append(fold(cell) if isinstance(cell, str) else "")
        elif count > 2:
            break
    if not first:
        return "data"
    office = office_words()
    for key in first:
        if key.startswith(office.totals):
            for word in office.totals:
                if key.startswith(word) and _COUNT.match(key[len(word) :]):
                    return "total"
    if count <= 2 and first[0].startswith(office.notes):
        return "note"
    return "data"


class MergeFill:
    """Fills the cells a vertical merge covers with its top-left value, row by row.

    In a sheet a merged 担当課 cell over five projects holds its name only in
    its first row; every project under it belongs to that department. Only
    the rows under the merge's first row are filled (a merge across one row
    is one cell), and only its first column.
    """

    def __init__(self, merges: Sequence[Merge], after: int) -> None:
        self._pending = sorted(
            (m for m in merges if m.max_row > m.min_row and m.max_row > after),
            key=lambda m: m.min_row,
        )
        self._active: list[tuple[Merge, Cell]] = []
        self._next = 0

    def __bool__(self) -> bool:
        return bool(self._pending)

    def fill(self, number: int, cells: Sequence[Cell]) -> tuple[Cell, ...]:
        self._active = [(m, v) for m, v in self._active if m.max_row >= number]
        while self._next < len(self._pending) and self._pending[self._next].min_row <= number:
            merge = self._pending[self._next]
            self._next += 1
            if merge.min_row == number:
                at = merge.min_col - 1
                self._active.append((merge, cells[at] if at < len(cells) else None))
            elif merge.max_row >= number:
                self._active.append((merge, None))  # began above what was read
        if not self._active:
            return tuple(cells)
        out = list(cells)
        for merge, value in self._active:
            if merge.min_row == number or value is None:
                continue
            at = merge.min_col - 1
            if at >= len(out):
                out.extend([None] * (at + 1 - len(out)))
            if _blank(out[at]):
                out[at] = value
        return tuple(out)
