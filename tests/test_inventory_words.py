"""Reading an office's own words: compound column names, phrases in cells, dates, and
the columns the answer can do without.

A list written by a department says 「実施方法／手法」 and 「庁舎清掃の委託」, not our column
names and codes. These tests build such a list with openpyxl, run `batch` as a person
does, and read the answered workbook back; the single-cell tests pin what a phrase
reads as, and what it must not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kyodo_rules.cli.main import main
from kyodo_rules.outputs.inventory import map_columns
from kyodo_rules.outputs.inventory.cells import CellError, CellReader, UnknownWords
from kyodo_rules.outputs.inventory.headers import meaning_of

# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("header", "meaning"),
    [
        ("実施方法／手法", "method"),
        ("実施方法・手法", "method"),
        ("実施方法/手法", "method"),
        ("手法", "method"),
        ("財源・支出の種類", "funding"),
        ("相手方（団体名）", "partner"),
        ("相手方の種類", "partner"),
        ("事前協議・確認", "prior_consultation"),
        ("事業名・担当課", None),  # parts that name two meanings: none
        ("予算（千円）", None),
        ("No.", None),
    ],
)
def test_a_compound_column_name_is_read_by_its_parts(header: str, meaning: str | None) -> None:
    assert meaning_of(header) == meaning


def test_a_column_not_used_is_said_plainly_in_japanese() -> None:
    columns = map_columns(["事業名", "No.", "予算（千円）"], [["事業A", 1, 1200]])
    assert columns.fields == ("title", None, None)
    for header in ("No.", "予算（千円）"):
        note = next(n for n in columns.notes if f"「{header}」" in n)
        assert "判定には使っていません" in note
        assert not re.search(r"[A-Za-z]", note.replace(header, ""))


# --------------------------------------------------------------------------- cells

#: 委託 and 補助（運営費）: two fields, both kept (funding has both codes).
_BOTH = {"scheme": "contract", "funding": ["contract_fee", "operating_subsidy"]}


@pytest.mark.parametrize(
    ("meaning", "cell", "facts"),
    [
        ("method", "庁舎清掃の委託", {"scheme": "contract", "funding": ["contract_fee"]}),
        ("method", "NPO法人に委託", {"scheme": "contract", "actors": ["civic_group"]}),
        ("method", "自治会へ補助（運営費）", {"funding": ["operating_subsidy"]}),
        ("method", "市民団体と共催", {"organizer": "joint", "actors": ["civic_group"]}),
        ("method", "名義後援のみ", {"funding": ["name_only"], "organizer": "partner"}),
        ("method", "実行委員会形式", {"organizer": "committee"}),
        ("method", "審議会の委員公募", {"activity": "council_participation"}),
        ("method", "パブコメ", {"activity": "public_comment"}),
        ("funding", "一般財源／委託料", {"funding": ["contract_fee"]}),
        ("funding", "共催負担金", {"funding": ["cost_share"], "organizer": "joint"}),
        ("funding", "一般財源", {}),
        ("funding", "消耗品支給", {"funding": ["facilities_or_goods"]}),
        ("planner", "団体と市", {"planner": "joint"}),
        ("planner", "市とNPOで協議して企画", {"planner": "joint"}),
        ("planner", "NPO", {"planner": "partner"}),
        ("planner", "老人クラブ", {"planner": "partner"}),
        ("planner", "実行委員会", {"planner": "joint"}),  # the city and citizens together
        ("method", "実行委員会", {"organizer": "committee"}),  # a 実施方法 cell: still the host
        ("spec_author", "双方で協議して作成", {"spec_author": "joint"}),
        ("partner", "なし（市単独）", {"actors": ["city"]}),
        ("benefit", "一般市民", {"benefit": "public"}),
        ("benefit", "どなたでも", {"benefit": "public"}),
        ("benefit", "組合員", {"benefit": "mutual"}),
        ("benefit", "自治会員", {"benefit": "mutual"}),
        # Two words of different fields, separated or run together: both facts.
        ("method", "委託、補助（運営費）", _BOTH),
        ("method", "委託・補助（運営費）", _BOTH),
    ],
)
def test_a_phrase_is_read_by_the_words_it_contains(
    meaning: str, cell: str, facts: dict[str, Any]
) -> None:
    found = dict(CellReader().read(meaning, cell))
    for name, value in facts.items():
        assert found.get(name) == value, (cell, found)
    if not facts:
        assert found == {}


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("通年", "ongoing"),
        ("R8.4～R9.3", "fixed_period"),
        ("Ｒ８．４～Ｒ９．３", "fixed_period"),
        ("4月～3月", "fixed_period"),
        ("令和8年4月から令和9年3月まで", "fixed_period"),
        ("R6～R10", "fixed_period"),
        ("3年", "fixed_period"),
        ("8月", "one_off"),
        ("11月", "one_off"),
        ("R9.1", "one_off"),
        ("6月第1日曜", "one_off"),
        ("10月1日", "one_off"),
        ("継続", "ongoing"),
    ],
)
def test_a_period_cell_is_read_by_its_dates(cell: str, period: str) -> None:
    assert CellReader().read("period", cell) == {"period": period}


def test_words_that_give_one_field_two_values_are_an_error() -> None:
    with pytest.raises(CellError) as caught:
        CellReader().read("method", "委託と指定管理")
    assert not isinstance(caught.value, UnknownWords)
    assert "制度の枠組み" in str(caught.value) and "二つの違う答え" in str(caught.value)


@pytest.mark.parametrize(
    ("meaning", "cell"),
    [
        ("planner", "市長"),  # 市 is one character: never read inside a longer word
        ("planner", "市議会で決定"),
        ("actors", "citybusiness"),  # an English code inside a longer word
        ("period", "12"),  # a number is not a date
        ("period", "R8年度"),  # a year alone says neither one day nor a range
        ("benefit", "小学生"),
        ("funding", "交付金"),
    ],
)
def test_a_short_or_partial_word_is_not_read_inside_another(meaning: str, cell: str) -> None:
    with pytest.raises(UnknownWords):
        CellReader().read(meaning, cell)


def test_the_city_is_not_read_out_of_a_longer_word() -> None:
    found = CellReader().read("method", "市民団体と共催")
    assert found["actors"] == ["civic_group"]  # not 市 (city), not 団体 twice
    assert CellReader().read("partner", "都市計画コンサルタント株式会社") == {
        "actors": ["city", "business"]  # the city's own list: the city, and the company
    }


# --------------------------------------------------------------------------- a list


_HEADER = [
    "No.",
    "事業名",
    "担当課",
    "相手方（団体名）",
    "相手方の種類",
    "実施方法／手法",
    "財源・支出の種類",
    "企画は誰が",
    "対象者",
    "期間",
]


def _list(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "協働事業"
    sheet.append(["令和8年度 協働事業一覧"])
    sheet.append([])
    sheet.append(_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _answers(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    book = load_workbook(path, read_only=True)
    try:
        rows = [tuple(r) for r in book["判定結果"].iter_rows(values_only=True)]
    finally:
        book.close()
    at = next(i for i, r in enumerate(rows) if "判定" in r)
    return [str(c) for c in rows[at]], rows[at + 1 :]


#: One project a line, its cells as the office typed them, 、-free so split at commas.
_ROWS: list[list[Any]] = [
    line.split(",")
    for line in (
        "1,庁舎清掃業務,総務課,（株）クリーン南,民間事業者,庁舎清掃の委託,一般財源／委託料,市,"
        "来庁者・職員,R8.4～R9.3",
        "2,男女共同参画フォーラム,人権推進課,女性ネットワークあおば,市民団体,市民団体と共催,"
        "共催負担金,団体と市,市民,11月",
        "3,放課後子ども教室,生涯学習課,NPO法人まなびや,NPO法人,NPO法人に委託,委託料,市,小学生,通年",
        "4,郷土史講演会,生涯学習課,みなと郷土史研究,,名義後援のみ,なし,団体,一般市民,10月",
    )
]


def test_an_offices_list_is_read_without_spurious_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Compound names, phrases, dates, target groups and partner names: every row is
    answered and none is an input error; what could not be read is a note in 注意点."""
    source, out = _list(tmp_path / "一覧.xlsx", _ROWS), tmp_path / "結果.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "「実施方法／手法」" not in err and "「財源・支出の種類」" not in err  # both read
    assert "「No.」は、列名からどの項目の列か分からなかったため" in err
    header, rows = _answers(out)
    by_title = {row[header.index("事業名")]: dict(zip(header, row, strict=False)) for row in rows}
    assert all(not row["入力エラー"] for row in by_title.values())
    assert all(row["判定"] for row in by_title.values())
    # 「小学生」 is a target group, not a benefit: unknown, and said so in the row.
    notes = str(by_title["放課後子ども教室"]["注意点"])
    assert "列「対象者」の「小学生」からは受益が分からない" in notes
    # A group's name beside its kind is passed over quietly ...
    assert "女性ネットワークあおば" not in str(by_title["男女共同参画フォーラム"]["注意点"] or "")
    # ... and noted when no column says what kind of partner it is.
    assert "「みなと郷土史研究」からは" in str(by_title["郷土史講演会"]["注意点"])
    # The contract is read from the phrase: the routine contract of 事例1.
    assert "協働ではない" in str(by_title["庁舎清掃業務"]["判定"])


def test_an_error_names_the_offices_column_and_the_inputs_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = "3,文化会館,文化課,文化振興財団,財団法人,委託と指定管理,委託料,市,市民,R6～R10"
    rows = [*_ROWS[:2], bad.split(",")]
    source, out = _list(tmp_path / "一覧.xlsx", rows), tmp_path / "結果.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 1  # a row with an input error
    lines = [line for line in capsys.readouterr().err.splitlines() if "元の表の" in line]
    # The list starts on row 4 of the input (two title lines and the header above it).
    assert len(lines) == 1
    assert lines[0].startswith("元の表の6行目 / input row 6: 実施方法／手法: ")
    assert "制度の枠組み" in lines[0] and "資金・物品" not in lines[0]
    header, answered = _answers(out)
    row = next(r for r in answered if r[header.index("事業名")] == "文化会館")
    assert str(row[header.index("入力エラー")]).startswith("元の表の6行目")
    assert row[header.index("判定")]  # still answered with what the other cells say
