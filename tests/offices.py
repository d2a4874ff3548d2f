"""Office lists as city departments keep them, built from `tests/data/offices/*.yaml`.

Each YAML file describes one list in one office's style (sheets, title rows,
merged cells, a two-row header, totals and notes, a Shift_JIS CSV…) and, for
every project row, the facts the inventory must read and the answer the
guidance gives (`expert`). The files are written here with openpyxl (and, for
a CSV, in the encoding Excel on Japanese Windows saves), so the fixtures stay
readable and reviewable as text; `test_office_lists.py` reads them back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "offices"


@dataclass(frozen=True)
class Project:
    """One project row: where it lands in the sheet and what it should be read as."""

    office: str
    number: int
    title: str
    facts: dict[str, Any]
    presumed: tuple[str, ...]
    expert: dict[str, Any]
    awaits: int | None


@dataclass(frozen=True)
class Office:
    name: str
    spec: dict[str, Any]

    @property
    def file(self) -> str:
        return str(self.spec["file"])

    def list_sheet(self) -> dict[str, Any]:
        return next(s for s in self.spec["sheets"] if s.get("list"))

    def projects(self) -> list[Project]:
        sheet = self.list_sheet()
        first = len(sheet.get("above", [])) + len(_headers(sheet)) + 1
        out = []
        for offset, row in enumerate(sheet["rows"]):
            out.append(
                Project(
                    self.name,
                    first + offset,
                    str(row["facts"].get("title", "")),
                    dict(row["facts"]),
                    tuple(row.get("presumed", ())),
                    dict(row["expert"]),
                    row.get("awaits"),
                )
            )
        return out

    def below(self) -> list[tuple[int, str]]:
        """(sheet row, kind) of the rows under the list: totals and notes."""
        sheet = self.list_sheet()
        first = len(sheet.get("above", [])) + len(_headers(sheet)) + 1
        start = first + len(sheet["rows"])
        return [(start + i, str(r["kind"])) for i, r in enumerate(sheet.get("below", []))]

    def write(self, directory: Path) -> Path:
        path = directory / self.file
        if path.suffix == ".csv":
            _write_csv(path, self.list_sheet(), str(self.spec.get("encoding", "utf-8")))
        else:
            _write_xlsx(path, self.spec["sheets"])
        return path


def offices() -> list[Office]:
    return [
        Office(p.stem, yaml.safe_load(p.read_text("utf-8"))) for p in sorted(DATA.glob("*.yaml"))
    ]


def _headers(sheet: dict[str, Any]) -> list[list[Any]]:
    """The header's rows: `headers` (two rows) or `header` (one)."""
    return list(sheet["headers"]) if "headers" in sheet else [sheet["header"]]


def _lines(sheet: dict[str, Any]) -> list[list[Any]]:
    headers = _headers(sheet)
    rows = [list(r) for r in sheet.get("above", [])]
    rows += [list(h) for h in headers]
    rows += [list(r["cells"]) for r in sheet["rows"]]
    rows += [list(r["cells"]) for r in sheet.get("below", [])]
    return rows


def _write_csv(path: Path, sheet: dict[str, Any], encoding: str) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in _lines(sheet):
        writer.writerow(["" if c is None else c for c in row])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _write_xlsx(path: Path, sheets: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    first = True
    for spec in sheets:
        if first:
            sheet = book.active
            assert sheet is not None
            sheet.title = spec["name"]
            first = False
        else:
            sheet = book.create_sheet(spec["name"])
        if not spec.get("list"):
            for row in spec["rows"]:
                sheet.append(list(row))
            continue
        for row in _lines(spec):
            sheet.append([None if c == "" else c for c in row])
        for ref in spec.get("merges", []):
            sheet.merge_cells(ref)
        title = sheet.cell(row=1, column=1)
        title.font = Font(bold=True, size=14)
        top = len(spec.get("above", [])) + len(_headers(spec)) + 1
        for offset, row in enumerate(spec["rows"]):
            merge = row.get("merge_below")
            if merge:
                column, count = merge["column"], merge["rows"]
                sheet.merge_cells(
                    start_row=top + offset,
                    start_column=column,
                    end_row=top + offset + count - 1,
                    end_column=column,
                )
                sheet.cell(row=top + offset, column=column).alignment = Alignment(vertical="center")
        start = top + len(spec["rows"])
        for offset, row in enumerate(spec.get("below", [])):
            if "merge" in row:
                sheet.merge_cells(str(row["merge"]).format(row=start + offset))
    book.save(path)
