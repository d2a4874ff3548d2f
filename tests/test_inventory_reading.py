"""Reading a list as a city keeps it: where the table is, what its columns and words mean,
what a project's name presumes, the `--map` file for the rest, and the paper it prints on.

Driven through the command (`main`) as a person runs it; the answered workbook is
opened with openpyxl, the library offices' files are read with.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kyodo_rules.cli.main import main
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.outputs.inventory import map_columns, open_table, parse_cell, read_row
from kyodo_rules.outputs.inventory.headers import meaning_of
from kyodo_rules.wording.office import load_office


def _book(
    path: Path, rows: list[list[Any]], *, merges: tuple[str, ...] = (), title: str = "一覧"
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    book.save(path)
    return path


def _results(path: Path, sheet: str = "判定結果") -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def _row(rows: list[tuple[Any, ...]], title: str) -> dict[str, Any]:
    header = next(r for r in rows if "判定" in r)
    line = next(r for r in rows if title in r)
    return dict(zip(header, line, strict=False))


# --------------------------------------------------------------------------- columns


@pytest.mark.parametrize(
    ("header", "meaning"),
    [
        ("事業名", "title"),
        ("事業の名称", "title"),
        ("件名", "title"),
        ("相手方", "partner"),
        ("協働の相手（団体名）", "partner"),
        ("実施方法", "method"),
        ("協働の形態", "method"),
        ("予算の種類", "funding"),  # money, not the kind of activity
        ("財源", "funding"),
        ("担当課", "department"),  # a department's name, not the yes/no field
        ("仕様書・計画の作成", "spec_author"),
        ("事前協議（○×）", "prior_consultation"),
        ("① 評価", "evaluation_planned"),
        ("公開の有無", "disclosed"),
        ("受益者", "benefit"),
        ("備考", "summary"),
        ("企画立案者", "planner"),  # the template's own names still
        ("spec_author", "spec_author"),
        ("予算額（千円）", None),
        ("No.", None),
    ],
)
def test_column_names_by_meaning(header: str, meaning: str | None) -> None:
    assert meaning_of(header) == meaning


def test_a_column_is_read_by_a_keyword_only_if_its_cells_fit() -> None:
    samples = [["事業A", "NPO法人ひまわり", "1,200", "○"], ["事業B", "株式会社あおば", "300", "×"]]
    columns = map_columns(["事業名", "協働先団体", "予算額", "協議の有無"], samples)
    assert columns.fields == ("title", "partner", None, "prior_consultation")
    assert any("「協働先団体」を「相手方」として読みました" in n for n in columns.notes)
    # 予算 is money, but these cells are amounts: not used, and no did-you-mean toward it.
    note = next(n for n in columns.notes if "「予算額」" in n)
    assert "もしかして" not in note
    assert columns.unused == ("予算額",)


def test_a_did_you_mean_never_points_to_a_field_of_another_kind() -> None:
    # 「担当者」 holds people's names: never a yes/no field, whatever its name suggests.
    columns = map_columns(["事業名", "事前協議担当者"], [["事業A", "佐藤"], ["事業B", "鈴木"]])
    assert columns.fields == ("title", None)
    note = next(n for n in columns.notes if "事前協議担当者" in n)
    assert "もしかして" not in note


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        ("actors", "株式会社あおば", ["business"]),
        ("scheme", "業務委託", "contract"),
        ("scheme", "指定管理", "designated_manager"),
        ("scheme", "協定書", "agreement"),
        ("funding", "補助金（運営費）", ["operating_subsidy"]),
        ("funding", "補助金(事業費)", ["project_subsidy"]),
        ("funding", "負担金", ["cost_share"]),
        ("funding", "委託", ["contract_fee"]),
        ("organizer", "共催", "joint"),
        ("organizer", "実行委員会", "committee"),
        ("prior_consultation", "済", True),
        ("prior_consultation", "未", False),
        ("prior_consultation", "○", True),
        ("prior_consultation", "×", False),
        ("prior_consultation", "未定", None),
        ("prior_consultation", "－", None),
        ("benefit", "市民全体", "public"),
        ("benefit", "会員", "mutual"),
    ],
)
def test_office_words_by_meaning(field: str, cell: str, value: Any) -> None:
    assert parse_cell(field, cell) == value


@pytest.mark.parametrize(
    ("cell", "actors"),
    [
        ("株式会社日南ビル管理", ["city", "business"]),
        ("日南商工会議所", ["city", "business"]),
        ("みどり商店", ["city", "business"]),
        ("油津地区自治会", ["city", "community_org"]),
        ("東区", ["city", "community_org"]),
        ("区長会", ["city", "community_org"]),
        ("あま市老人クラブ連合会", ["city", "community_org"]),
        ("子ども会", ["city", "community_org"]),
        ("NPO法人ひなたぼっこ", ["city", "civic_group"]),
        ("ボランティア団体", ["city", "civic_group"]),
        ("市民団体", ["city", "civic_group"]),
        ("名古屋みらい大学", ["city", "university"]),
        ("JAあま", ["city", "cooperative"]),
        ("NPO法人ひまわり、株式会社あおば", ["city", "civic_group", "business"]),
        ("なし", ["city"]),
    ],
)
def test_partners_by_their_names(cell: str, actors: list[str]) -> None:
    columns = map_columns(["事業名", "協働の相手"])
    assert read_row(2, ["x", cell], columns).facts["actors"] == actors


def test_an_unknown_word_names_the_nearest_known_words_and_the_row_is_still_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("事業名,予算の種類,事前協議\n地域づくり,交付金,○\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "row 2: 予算の種類: 「交付金」は使えません（近い語: 補助金交付" in err
    row = _row(_results(out), "地域づくり")
    assert row["判定"] and "交付金" in row["入力エラー"]


# --------------------------------------------------------------------------- the table


def test_title_rows_merged_cells_and_a_created_line_above_the_header(tmp_path: Path) -> None:
    source = _book(
        tmp_path / "in.xlsx",
        [
            ["令和7年度 協働事業一覧"],
            ["作成日：令和7年4月1日"],
            [],
            ["事業名", "担当課", "相手方", "実施方法"],
            ["庁舎清掃業務", "総務課", "株式会社あおば", "業務委託"],
            ["ごみ収集運搬業務", None, "株式会社みどり", "委託"],
            ["合計", None, None, "2件"],
            ["※ 記入は担当課による"],
        ],
        merges=("A1:D1", "B5:B6"),
    )
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    rows = _results(out)
    assert rows[0][0] == "令和7年度 協働事業一覧"  # the title kept, above the answers
    assert rows[1][0] == "作成日：令和7年4月1日"
    header = rows[2]
    body = [dict(zip(header, r, strict=False)) for r in rows[3:]]
    assert [b["事業名"] for b in body] == [
        "庁舎清掃業務",
        "ごみ収集運搬業務",
        "合計",
        "※ 記入は担当課による",
    ]
    assert body[1]["担当課"] == "総務課"  # the merged department fills its projects
    assert body[2]["判定"] == "（合計の行：判定しません）"
    assert body[3]["判定"] == "（注記の行：判定しません）"
    notes = [r[0] for r in _results(out, "注意")]
    assert "7行目は合計の行なので判定していません（出力には残しています）" in notes
    assert "4行目を列名の行として読みました" in notes


def test_the_sheet_that_holds_the_list_or_the_one_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "表紙"
    cover.append(["協働事業一覧"])
    example = book.create_sheet("記入例")
    example.append(["事業名", "実施方法", "担当課"])
    example.append(["例", "共催", "○○課"])
    sheet = book.create_sheet("R7")
    sheet.append(["事業名", "実施方法", "担当課"])
    sheet.append(["文化会館", "指定管理", "文化課"])
    source = tmp_path / "in.xlsx"
    book.save(source)
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    assert "シート「R7」を読みました" in capsys.readouterr().err
    assert _row(_results(out), "文化会館")["理由の分類"] == "指定管理者制度"
    assert main(["batch", str(source), "-o", str(out), "--sheet", "記入例"]) == 0
    assert _row(_results(out), "例")["事業名"] == "例"
    assert main(["batch", str(source), "-o", str(out), "--sheet", "なし"]) == 2
    err = capsys.readouterr().err
    assert "--sheet なし" in err and "表紙, 記入例, R7" in err


def test_a_list_with_no_known_column_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("一覧\nA,B\n1,2\n", encoding="utf-8")
    assert main(["batch", str(source), "-o", str(tmp_path / "o.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "最初の 30 行に列名の行が見つかりません" in err and "--map" in err
    assert "self_solvable" not in err  # not the whole vocabulary


# --------------------------------------------------------------------------- presumptions


def test_the_name_presumes_only_what_no_column_filled(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "事業名,実施方法\n文化センター指定管理,\n庁舎清掃（NPOとの共催）,共催\n",
        encoding="utf-8",
    )
    table = open_table(source)
    columns = map_columns(table.headers, table.samples)
    first, second = (read_row(r.number, r.cells, columns) for r in table.rows)
    assert first.facts["scheme"] == "designated_manager"
    assert [p.words() for p in first.presumed] == ["事業名から: 制度の枠組み = 指定管理者制度"]
    assert second.facts["organizer"] == "joint"  # the column's, not presumed again
    assert "organizer" not in {p.field for p in second.presumed}
    assert second.facts["activity"] == "routine_service"


def test_a_settled_answer_that_rests_on_a_presumption_is_shown_provisional(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("事業名,担当課\n文化センター指定管理,文化課\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    row = _row(_results(out), "文化センター指定管理")
    assert row["判定"].startswith("協働ではない（暫定）") and row["確定／暫定"] == "暫定"
    assert row["事業名・概要から推定した事実"] == "事業名から: 制度の枠組み = 指定管理者制度"
    assert "推定した事実" in row["最も大事な質問"]
    assert main(["batch", str(source), "-o", str(out), "--no-guess"]) == 0
    row = _row(_results(out), "文化センター指定管理")
    assert row["確定／暫定"] == "判定できない" and not row["事業名・概要から推定した事実"]
    notes = [r[0] for r in _results(out, "注意")]
    assert any("--no-guess" in str(n) for n in notes)


# --------------------------------------------------------------------------- --map


def test_a_map_file_written_from_the_list_then_filled_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "件名,協働先,お金の出どころ,事前協議\n"
        "花いっぱい運動,みどり会,まちづくり交付金,○\n"
        "見守り活動,ひまわりの集い,まちづくり交付金,○\n",
        encoding="utf-8",
    )
    template = tmp_path / "map.yaml"
    assert main(["batch", str(source), "--template", str(template)]) == 0
    text = template.read_text(encoding="utf-8")
    assert '"件名": title' in text and '"お金の出どころ":' in text
    assert '"みどり会":' in text and '"ひまわりの集い":' in text
    # The office fills in what no table can guess.
    filled = (
        text.replace('"お金の出どころ":  # ?', '"お金の出どころ": funding')
        .replace('"みどり会":', '"みどり会": civic_group')
        .replace('"ひまわりの集い":', '"ひまわりの集い": [community_org]')
        + "  funding:\n    まちづくり交付金: project_subsidy\n"
    )
    template.write_text(filled, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out), "--map", str(template)]) == 0, (
        capsys.readouterr().err
    )
    table = open_table(source)
    from kyodo_rules.outputs.inventory import load_map

    mapping = load_map(template)
    columns = map_columns(
        table.headers, table.samples, given=dict(mapping.columns), words=mapping.words
    )
    first = read_row(2, next(iter(table.rows)).cells, columns)
    assert first.facts["actors"] == ["city", "civic_group"]
    assert first.facts["funding"] == ["project_subsidy"]
    assert not first.errors


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("columns:\n  件名: titel\n", ("map.yaml:2", "titel", "allowed:")),
        ("words:\n  funding:\n    交付金: subsidy\n", ("map.yaml:3", "subsidy", "project_subsidy")),
        ("header_row: 0\n", ("map.yaml:1", "header_row")),
        ("colums: {}\n", ("map.yaml:1", "colums", "allowed: sheet, header_row, columns, words")),
    ],
)
def test_a_broken_map_file_is_one_line_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: tuple[str, ...]
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("件名\nx\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    code = main(
        ["batch", str(source), "-o", str(tmp_path / "o.xlsx"), "--map", str(tmp_path / "map.yaml")]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and all(w in err[0] for w in words), err
    assert not (tmp_path / "o.xlsx").exists()


def test_the_lexicon_is_checked_with_its_line(tmp_path: Path) -> None:
    from kyodo_rules.model.errors import RuleError

    path = tmp_path / "office.yaml"
    path.write_text("words:\n  - words: [委託]\n    facts: {scheme: outsourcing}\n", "utf-8")
    with pytest.raises(RuleError, match=r"office.yaml:2: facts: scheme: 'outsourcing' not allowed"):
        load_office(path)
    path.write_text("yes_words: [yes]\n", "utf-8")
    with pytest.raises(RuleError, match="quote yes"):
        load_office(path)


# --------------------------------------------------------------------------- paper


def test_the_answers_print_on_a4_landscape_with_the_header_on_every_page(tmp_path: Path) -> None:
    source = _book(
        tmp_path / "in.xlsx",
        [["協働事業一覧"], ["事業名", "担当課", "実施方法"], ["環境フェア", "環境課", "共催"]],
        merges=("A1:C1",),
    )
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    book = load_workbook(out)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    results = book["判定結果"]
    assert results.print_title_rows == "$2:$2"  # the header, below the kept title
    # The page holds the title and the answers up to 入力エラー (the rest stays on screen).
    header = [c.value for c in results[2]]
    last = header.index("入力エラー") + 1
    from openpyxl.utils import get_column_letter

    assert results.print_area == f"'判定結果'!$A$1:${get_column_letter(last)}$3"
    assert "A1:" in str(results.merged_cells)
    assert results["C3"].alignment.wrap_text
    summary = book["集計"]
    charts = summary._charts
    assert len(charts) == 2  # verdicts by status, verdicts by department
    assert {c.grouping for c in charts} == {"stacked"}


def test_the_printable_page_has_every_row_and_repeats_its_header(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    rows = [["事業名", "担当課", "実施方法"]] + [[f"事業{n}", "環境課", "共催"] for n in range(40)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    source.write_text("令和7年度 一覧\n" + buffer.getvalue(), encoding="utf-8")
    page = tmp_path / "一覧.html"
    out = tmp_path / "out.csv"
    assert main(["batch", str(source), "-o", str(out), "--report", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert "size: A4 landscape" in html and "table-header-group" in html
    assert "<h1>令和7年度 一覧</h1>" in html
    assert html.count("<tr class=") == 40
    assert "<script" not in html
    assert main(["batch", str(source), "-o", str(out), "--report", str(tmp_path / "x.pdf")]) == 2


def _soffice_calc() -> str | None:
    """LibreOffice with Calc (what opens an xlsx), or None."""
    import shutil

    found = shutil.which("soffice")
    if found is None:
        return None
    program = Path(found).resolve().parent
    return found if any(program.glob("libsclo*")) or any(program.glob("../**/libsclo*")) else None


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    import re

    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


@pytest.mark.slow
@pytest.mark.skipif(_soffice_calc() is None, reason="LibreOffice Calc not installed")
def test_libreoffice_prints_the_answered_list_on_a4_landscape(tmp_path: Path) -> None:
    import subprocess

    from offices import offices

    source = next(o for o in offices() if o.name == "nichinan_style").write(tmp_path)
    out = tmp_path / "answered.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    profile = (tmp_path / "lo").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pages = _pages((tmp_path / "answered.pdf").read_bytes())
    assert pages and all(abs(w - 842) <= 2 and abs(h - 595) <= 2 for w, h in pages), pages
    # 12 projects, the summary and the notes: a handful of pages, not one per column.
    assert len(pages) <= 6, len(pages)


@pytest.mark.slow
def test_chromium_prints_the_page_on_a4_landscape(tmp_path: Path) -> None:
    import os
    import subprocess

    from browser import CHROMIUM, flags
    from offices import offices

    if CHROMIUM is None:
        if os.environ.get("KYODO_REQUIRE_TOOLS"):
            raise RuntimeError("KYODO_REQUIRE_TOOLS is set but chromium is not installed")
        pytest.skip("chromium not installed")
    source = next(o for o in offices() if o.name == "ama_style").write(tmp_path)
    page = tmp_path / "一覧.html"
    assert main(["batch", str(source), "-o", str(tmp_path / "o.xlsx"), "--report", str(page)]) == 0
    pdf = tmp_path / "page.pdf"
    subprocess.run(
        [CHROMIUM, *flags(tmp_path / "chromium"), "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pages = _pages(pdf.read_bytes())
    assert pages and all(abs(w - 842) <= 2 and abs(h - 595) <= 2 for w, h in pages), pages


# --------------------------------------------------------------------------- properties


@st.composite
def _office_sheet(draw: st.DrawFn) -> tuple[list[list[Any]], list[str]]:
    """A list as offices type it: title rows, a header, projects, blank rows, totals, notes.

    Returns the rows and, for each non-blank row under the header, what it is.
    """
    import random

    from strategies import inventory_row

    above = draw(
        st.lists(st.sampled_from([["協働事業一覧"], ["作成日：令和7年4月1日"], []]), max_size=3)
    )
    header = ["事業名", *FIELD_KINDS]
    body: list[list[Any]] = []
    kinds: list[str] = []
    rng = random.Random(draw(st.integers(0, 10_000)))
    for n, kind in enumerate(
        draw(
            st.lists(
                st.sampled_from(["data", "data", "data", "blank", "total", "note"]), max_size=12
            )
        )
    ):
        if kind == "blank":
            body.append([])
            continue
        kinds.append(kind)
        if kind == "data":
            body.append(inventory_row(rng, n)[1])
        elif kind == "total":
            body.append(["", draw(st.sampled_from(["合計", "計 12件", "小計（3件）"]))])
        else:
            body.append([draw(st.sampled_from(["※ 予算は当初予算", "（注）記入は担当課", "以上"]))])
    return [*above, header, *body], kinds


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet=_office_sheet())
def test_no_row_is_lost_and_none_is_answered_twice(
    tmp_path: Path, sheet: tuple[list[list[Any]], list[str]]
) -> None:
    """Whatever sits above and below the projects, every row under the header comes out
    once, in order: a project answered, a total or a note said to be one."""
    from kyodo_rules.outputs.inventory import answer_file

    rows, kinds = sheet
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["" if c is None else c for c in r] for r in rows])
    out = tmp_path / "out.csv"
    report = answer_file(source, out, summary=tmp_path / "s.csv", guess=False)
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    header_at = next(i for i, line in enumerate(lines) if "判定" in line)
    verdicts = [line[lines[header_at].index("判定")] for line in lines[header_at + 1 :]]
    assert len(verdicts) == len(kinds)
    for verdict, kind in zip(verdicts, kinds, strict=True):
        if kind == "data":
            assert verdict and not verdict.startswith("（")
        else:
            assert (
                verdict
                == {"total": "（合計の行：判定しません）", "note": "（注記の行：判定しません）"}[
                    kind
                ]
            )
    assert report.read == kinds.count("data") and report.skipped == len(kinds) - report.read
    # The title rows above the header are kept above it, in order.
    header_row = next(i for i, r in enumerate(rows) if r[:1] == ["事業名"])
    assert [line[0] for line in lines[:header_at]] == [r[0] for r in rows[:header_row] if r]


@pytest.mark.parametrize(
    ("column", "word", "facts"),
    [
        ("主体", "企業", {"actors": ["business"]}),
        ("主体", "市、自治会", {"actors": ["city", "community_org"]}),
        ("主体", "市、NPO法人", {"actors": ["city", "civic_group"]}),
        ("主体", "市、商工会議所", {"actors": ["city", "business"]}),
        ("資金・物品", "委託", {"funding": ["contract_fee"], "scheme": "contract"}),
        ("資金・物品", "補助", {"funding": ["project_subsidy"]}),
        ("資金・物品", "補助金（事業費）", {"funding": ["project_subsidy"]}),
        ("資金・物品", "補助金（運営費）", {"funding": ["operating_subsidy"]}),
        ("資金・物品", "指定管理料", {"funding": ["contract_fee"], "scheme": "designated_manager"}),
        ("資金・物品", "物品提供", {"funding": ["facilities_or_goods"]}),
        ("資金・物品", "後援", {"funding": ["name_only"], "organizer": "partner"}),
        ("制度の枠組み", "指定管理", {"scheme": "designated_manager"}),
        ("制度の枠組み", "協定", {"scheme": "agreement"}),
        ("制度の枠組み", "共催", {"organizer": "joint"}),
        ("主催者", "後援", {"organizer": "partner", "funding": ["name_only"]}),
    ],
)
def test_the_templates_columns_take_the_offices_words(
    column: str, word: str, facts: dict[str, Any]
) -> None:
    """The words a department writes are read under the tool's own column names too."""
    columns = map_columns(["事業名", column])
    read = read_row(2, ["x", word], columns)
    assert not read.errors, [str(e) for e in read.errors]
    assert {k: v for k, v in read.facts.items() if k != "title"} == facts
