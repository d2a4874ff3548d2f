"""An inventory as a city office fills it in (tests/data/inventory_30.csv: 30 projects,
5–8 facts a row, many blanks): most rows get a settled or provisional answer, each
with the point to confirm beside it, and the summary counts them apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import load_workbook

from kyodo_rules.cli.main import main

DATA = Path(__file__).parent / "data" / "inventory_30.csv"


def test_most_rows_are_answered_with_the_point_to_confirm(tmp_path: Path) -> None:
    out = tmp_path / "answers.xlsx"
    assert main(["batch", str(DATA), "-o", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    rows = list(book["判定結果"].iter_rows(values_only=True))
    header = rows[0]
    first = ("事業名", "判定", "確定／暫定", "理由の分類", "推奨する形", "確認すべき点")
    assert header[:6] == first
    statuses = Counter(r[2] for r in rows[1:])
    assert statuses["確定"] + statuses["暫定"] > len(rows[1:]) / 2, statuses
    for row in rows[1:]:
        if row[2] == "暫定":
            assert row[5] and str(row[5]).startswith("確認すべき点"), row
    reasons = header.index("根拠（ルールと出典）")
    assert all("jirei" not in str(r[reasons] or "") for r in rows[1:])  # titles, not ids
    summary = {(r[0], r[2]): r[3] for r in book["集計"].iter_rows(values_only=True)}
    assert summary[("確定／暫定", "settled")] == statuses["確定"]
    assert summary[("確定／暫定", "provisional")] == statuses["暫定"]


def test_an_unknown_header_gets_a_did_you_mean(tmp_path: Path, capsys: object) -> None:
    source = tmp_path / "in.csv"
    source.write_text("事業名,主体,仕様書の作成社\n委託,市、事業者,市\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "もしかして「仕様書の作成者」" in err
    book = load_workbook(out, read_only=True)
    assert "注意" in book.sheetnames
    summary = {r[0]: r[3] for r in book["集計"].iter_rows(values_only=True)}
    assert summary["判定に使わなかった列"] == 1
