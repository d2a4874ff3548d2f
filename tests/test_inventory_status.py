"""An inventory as a city office fills it in (tests/data/inventory_30.csv: 30 projects,
5–8 facts a row, many blanks): most rows get a settled or provisional answer, each
provisional one with the question that matters most beside it, and the summary counts
them apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import load_workbook

from kyodo_rules.cli.main import main
from kyodo_rules.decision.classify import default_classifier

DATA = Path(__file__).parent / "data" / "inventory_30.csv"


def test_most_rows_are_answered_with_the_point_to_confirm(tmp_path: Path) -> None:
    out = tmp_path / "answers.xlsx"
    assert main(["batch", str(DATA), "-o", str(out)]) == 0
    book = load_workbook(out, read_only=True)
    rows = list(book["判定結果"].iter_rows(values_only=True))
    header = rows[0]
    first = ("事業名", "判定", "確定／暫定", "理由の分類", "推奨する形", "最も大事な質問", "根拠")
    assert header[:7] == first
    statuses = Counter(r[2] for r in rows[1:])
    assert statuses["確定"] + statuses["暫定"] > len(rows[1:]) / 2, statuses
    rules = default_classifier().rulebase.ruleset("generic").rules
    documents = [r.title.get("ja") for r in rules if r.id.startswith("document-")]
    assert documents
    for row in rows[1:]:
        if row[2] == "暫定":
            # The question as the interview asks it, then where each answer leads.
            question, _, answers = str(row[5]).partition("\n")
            assert question.endswith("？") and " → " in answers, row
        if row[2] in ("確定", "暫定"):
            assert row[6], row  # the deciding rule and its guide
        # Titles and guides, never rule ids, seed files or document rules.
        assert "jirei" not in str(row[6] or "") and ".txt" not in str(row[6] or "")
        assert not any(title in str(row[6] or "") for title in documents)
    summary = {(r[0], r[2]): r[3] for r in book["集計"].iter_rows(values_only=True) if r[3:4]}
    assert summary[("確定／暫定", "settled")] == statuses["確定"]
    assert summary[("確定／暫定", "provisional")] == statuses["暫定"]


def test_an_unknown_header_gets_a_did_you_mean(tmp_path: Path, capsys: object) -> None:
    """A misspelt name whose cells fit the field is read as it (and said so); with no cells
    to look at, it is left out with a did-you-mean; named on the 注意 sheet either way."""
    source = tmp_path / "in.csv"
    source.write_text("事業名,主体,仕様書の作成社\n委託,市、事業者,市\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "列「仕様書の作成社」を「仕様書の作成者」として読みました" in err
    source.write_text("事業名,主体,仕様書の作成社\n委託,市、事業者,\n", encoding="utf-8")
    assert main(["batch", str(source), "-o", str(out)]) == 0
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert "もしかして「仕様書の作成者」" in err
    book = load_workbook(out, read_only=True)
    assert "注意" in book.sheetnames
    notes = [r[0] for r in book["注意"].iter_rows(values_only=True)]
    assert "判定に使わなかった列: 「仕様書の作成社」" in notes
    summary = {r[0]: r[3] for r in book["集計"].iter_rows(values_only=True) if r[3:4]}
    assert summary["判定に使わなかった列"] == 1
