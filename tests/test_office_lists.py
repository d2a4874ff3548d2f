"""Project lists as city offices keep them (`tests/data/offices/*.yaml`, built by `offices.py`).

Three offices' styles: a workbook with a cover and an example sheet, a merged
title, a 作成日 line and departments merged over their projects (日南市風); a
survey sheet with a two-row merged header, organisation names and a free-text
summary (あま市風); a Shift_JIS CSV with two title lines and the office's own
words (小城市風). Each is read with no option at all, as
`kyodo-rules batch LIST -o OUT.xlsx`.

Asserted for every project row: the facts it is read into (the columns, then
what its name or summary presumes) and, where the tool already gives it, the
answer the guidance gives (`expert`), for every row: 32 of 32. (A row may be
marked `awaits: N` while a change of the reasoning it needs is under way: it is
then a strict expected failure, so the day it passes the mark must come off.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kyodo_rules.cli.main import main
from kyodo_rules.outputs.inventory import map_columns, open_table, read_row
from kyodo_rules.outputs.text import label
from offices import Office, Project, offices

OFFICES = offices()
PROJECTS = [p for o in OFFICES for p in o.projects()]


def _id(project: Project) -> str:
    return f"{project.office}-{project.number}-{project.title}"


def _marked(project: Project) -> Any:
    if project.awaits is None:
        return project
    return pytest.param(
        project,
        marks=pytest.mark.xfail(
            strict=True, reason=f"awaits issue {project.awaits}: the forms of 協働 as evidence"
        ),
    )


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("offices")
    return {o.name: o.write(directory) for o in OFFICES}


@pytest.fixture(scope="module")
def answered(
    lists: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[int, dict[str, Any]]]:
    """Each list answered by the command, as a person runs it: row number -> its cells."""
    out: dict[str, dict[int, dict[str, Any]]] = {}
    directory = tmp_path_factory.mktemp("answered")
    for name, path in lists.items():
        target = directory / f"{name}.xlsx"
        code = main(["batch", str(path), "-o", str(target)])
        assert code in (0, 1)
        book = load_workbook(target, read_only=True)
        rows = list(book["判定結果"].iter_rows(values_only=True))
        book.close()
        office = next(o for o in OFFICES if o.name == name)
        top = len([line for line in office.list_sheet().get("above", []) if any(line)])
        header = rows[top]
        width = len(office.projects()) + len(office.below())
        data = rows[top + 1 : top + 1 + width]
        numbers = [p.number for p in office.projects()] + [n for n, _ in office.below()]
        assert len(data) == len(numbers)  # every row written, in order
        out[name] = {
            n: dict(zip(header, (*row, *[None] * len(header)), strict=False))
            for n, row in zip(numbers, data, strict=True)
        }
    return out


def _read(path: Path) -> tuple[Any, dict[int, Any], dict[int, str]]:
    table = open_table(path)
    columns = map_columns(table.headers, table.samples)
    facts: dict[int, Any] = {}
    kinds: dict[int, str] = {}
    for row in table.rows:
        kinds[row.number] = row.kind
        if row.kind == "data":
            facts[row.number] = read_row(row.number, row.cells, columns)
    return table, facts, kinds


@pytest.mark.parametrize("office", OFFICES, ids=lambda o: o.name)
def test_the_list_is_found_where_the_office_put_it(office: Office, lists: dict[str, Path]) -> None:
    table, facts, kinds = _read(lists[office.name])
    sheet = office.list_sheet()
    if lists[office.name].suffix == ".xlsx":
        assert table.sheet == sheet["name"]  # not the cover, not the example
    above = [line for line in sheet.get("above", []) if any(line)]
    assert [next(c for c in line if c) for line in table.above if any(line)] == [
        line[0] for line in above
    ]
    assert sorted(facts) == [p.number for p in office.projects()]
    assert {n: kinds[n] for n, _ in office.below()} == dict(office.below())


@pytest.mark.parametrize("project", PROJECTS, ids=_id)
def test_each_row_is_read_into_its_facts(project: Project, lists: dict[str, Path]) -> None:
    _table, facts, _kinds = _read(lists[project.office])
    read = facts[project.number]
    assert read.facts == project.facts
    assert not read.errors, [str(e) for e in read.errors]
    assert tuple(p.field for p in read.presumed) == project.presumed


@pytest.mark.parametrize("project", [_marked(p) for p in PROJECTS], ids=_id)
def test_the_answer_is_the_guidance_answer(
    project: Project, answered: dict[str, dict[int, dict[str, Any]]]
) -> None:
    row = answered[project.office][project.number]
    # The headline opens with the verdict shown (「協働（暫定）」, 「協働ではない（確定）：…」).
    expected = label("verdict_short", project.expert["verdict"])
    assert row["判定"].split("（")[0] == expected, row
    category = project.expert.get("category")
    if category:
        assert row["理由の分類"] == label("category", category), row
    assert row["確定／暫定"] in ("確定", "暫定")
    if project.expert["verdict"] != "undetermined":
        assert row["根拠"], row  # the deciding rule and its guide


@pytest.mark.parametrize("office", OFFICES, ids=lambda o: o.name)
def test_totals_and_notes_are_kept_and_said(
    office: Office, answered: dict[str, dict[int, dict[str, Any]]]
) -> None:
    for number, kind in office.below():
        row = answered[office.name][number]
        assert (
            row["判定"]
            == {"total": "（合計の行：判定しません）", "note": "（注記の行：判定しません）"}[kind]
        )
        assert not row["確定／暫定"]
