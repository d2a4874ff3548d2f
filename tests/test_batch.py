"""The project inventory (`kyodo-rules batch`): sheets as departments write them.

Driven through the CLI's `main()` where the behaviour is the command's (exit
codes, stderr lines), through `_batch` where it is the reading of one cell.
"""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kyodo_rules import classify
from kyodo_rules.cli.commands.batch import ProgressBar
from kyodo_rules.cli.main import main
from kyodo_rules.model.vocabulary import CATEGORIES, FIELD_KINDS, VERDICTS, ZONES
from kyodo_rules.outputs import inventory as batch
from kyodo_rules.outputs.inventory import RESULT_COLUMNS
from kyodo_rules.outputs.text import headline
from kyodo_rules.wording.field_labels import CODE_LABELS, FIELD_LABELS, fold, header_aliases
from strategies import inventory_row

FIELDS = ("title", *FIELD_KINDS)


def _write_xlsx(path: Path, headers: list[str], rows: list[list[Any]]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("一覧")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()


def _listing(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The 集計 sheet's list of every count (区分・項目・コード・件数), under its header."""
    heads = {("区分", "項目", "コード", "件数"), ("section", "item", "code", "count")}
    at = next(i for i, row in enumerate(rows) if tuple(row[:4]) in heads)
    return [tuple(row[:4]) for row in rows[at:]]


def _summary(rows: list[tuple[Any, ...]], section: str) -> dict[str, int]:
    listed = _listing(rows)[1:]
    return {str(code or item or ""): count for sec, item, code, count in listed if sec == section}


def _row_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"元の表の\d+行目 / input row ", line)]


#: Enough rows for every verdict, category and zone to occur; the throughput of
#: 100,000 rows is measured by benchmarks/bench.py.
#: Over the size a batch answers in one process, so the pool (--jobs) answers it.
ROWS = 1_300


@pytest.mark.slow
def test_over_a_thousand_rows_on_the_pool(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20250401)
    generated = [inventory_row(rng, n) for n in range(ROWS)]
    headers = [FIELD_LABELS[f] for f in FIELDS]
    source, out = tmp_path / "inventory.xlsx", tmp_path / "answers.xlsx"
    _write_xlsx(source, headers, [cells for _, cells in generated])
    # The default (durable-rules) engine. Its speed is measured by benchmarks/bench.py,
    # not asserted here.
    code = main(["batch", str(source), "-o", str(out), "--profile", "nichinan"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert not _row_lines(err)

    results = _sheet(out, "判定結果")
    assert len(results) == ROWS + 1
    header = results[0]
    # The answers right after the title, then the other input columns as they were.
    n = len(RESULT_COLUMNS)
    assert header[0] == headers[0]
    assert header[1 + n : len(headers) + n] == tuple(headers[1:])
    verdict_at = header.index("判定")
    summary = _sheet(out, "集計")
    assert _listing(summary)[0] == ("区分", "項目", "コード", "件数")
    assert _summary(summary, "判定した事業") == {"": ROWS}
    assert _summary(summary, "入力エラーのある行") == {"": 0}
    for section, codes in (("判定", VERDICTS), ("理由の分類", CATEGORIES), ("協働の領域", ZONES)):
        counts = _summary(summary, section)
        assert set(codes) <= set(counts)
        assert sum(counts.values()) == ROWS, section
    verdicts = _summary(summary, "判定")
    from kyodo_rules.outputs.text import label

    # The listing names each verdict in the words of the sheet's own column.
    items = {item for sec, item, _, _ in _listing(summary)[1:] if sec == "判定"}
    assert items == {label("verdict_short", code) for code in VERDICTS}
    # Each row opens with the headline; its verdict words come first.
    shown = [str(row[verdict_at]).split("（")[0] for row in results[1:]]
    for code in VERDICTS:
        assert shown.count(label("verdict_short", code)) == verdicts[code]
    forms = _summary(summary, "おすすめの協働の形（複数該当あり）")
    assert len(forms) == 9 and sum(forms.values()) > 0
    # Spot checks: a row's answer is classify()'s answer for the facts the row meant.
    for index in (0, 1234, ROWS - 1):
        facts = generated[index][0]
        expected = classify(facts, profile="nichinan", what_if=False)
        assert results[index + 1][verdict_at] == headline(expected)


def test_three_bad_cells_are_reported_and_every_row_answered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cell that cannot be read is named with its row; its row is answered with that
    fact unknown (the answer for what the row does say), and every other row as usual."""
    rng = random.Random(7)
    rows = [inventory_row(rng, n)[1] for n in range(20)]
    headers = [FIELD_LABELS[f] for f in FIELDS]
    planner, supervises, actors = (
        FIELDS.index(f) for f in ("planner", "city_supervises", "actors")
    )
    rows[2][planner] = "市長"  # sheet row 4
    rows[9][supervises] = "たぶん"  # sheet row 11
    rows[16][actors] = "市、宇宙人"  # sheet row 18
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    _write_xlsx(source, headers, rows)
    assert main(["batch", str(source), "-o", str(out)]) == 1
    lines = _row_lines(capsys.readouterr().err)
    assert len(lines) == 3
    assert lines[0].startswith("元の表の4行目 / input row 4: 企画立案者: 「市長」は使えません")
    assert "使える値: 市、相手方、共同" in lines[0]
    assert lines[1].startswith("元の表の11行目 / input row 11: 市による指導・監督: 「たぶん」")
    assert lines[2].startswith("元の表の18行目 / input row 18: 主体: 「宇宙人」は使えません")
    results = _sheet(out, "判定結果")
    assert len(results) == 21
    verdict_at, error_at = results[0].index("判定"), results[0].index("入力エラー")
    for sheet_row, row in enumerate(results[1:], 2):
        assert row[verdict_at]
        if sheet_row in (4, 11, 18):
            assert str(row[error_at]).startswith(
                f"元の表の{sheet_row}行目 / input row {sheet_row}: "
            )
        else:
            assert row[error_at] is None
    # Row 4 is the answer for its facts without the planner it could not read.
    facts = dict(zip(FIELDS, rows[2], strict=True))
    parsed = {
        name: batch.parse_cell(name, value)
        for name, value in facts.items()
        if name != "planner" and batch.parse_cell(name, value) is not None
    }
    expected = classify(parsed, what_if=False)
    assert results[3][verdict_at] == headline(expected)
    summary = _sheet(out, "集計")
    assert _summary(summary, "判定した事業") == {"": 20}
    assert _summary(summary, "入力エラーのある行") == {"": 3}
    assert _summary(summary, "読めずに判定しなかった行") == {"": 0}
    assert sum(_summary(summary, "判定").values()) == 20


def test_csv_in_and_out_with_japanese_headers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "一覧.csv"
    text = (
        "事業名,主体,企画立案者,仕様書の作成者,市による指導・監督,相手方が提供するもの,"
        "事前の協議・確認,メモ欄\n"
        "河川清掃,市、地域組織,市,市,いいえ,労力のみ,いいえ,メモ\n"
        "\n"
        '委託,"city,business",city,city,はい,,,\n'
    )
    source.write_bytes(text.encode("cp932"))  # what Excel on Japanese Windows saves
    out = tmp_path / "結果.csv"
    assert main(["batch", str(source), "-o", str(out), "--profile", "nichinan"]) == 0
    err = capsys.readouterr().err
    assert "列「メモ欄」" in err  # kept, but said not to be used
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    given = text.splitlines()[0].split(",")
    n = len(RESULT_COLUMNS)
    assert rows[0][:1] + rows[0][1 + n :] == given  # the answers right after the title
    assert rows[0][1 : 1 + n] == batch.result_headers("ja")
    assert [r[0] for r in rows[1:]] == ["河川清掃", "委託"]
    verdict = rows[0].index("判定")
    category = rows[0].index("理由の分類")
    assert rows[1][verdict].startswith("協働ではない（")  # the headline every output opens with
    assert rows[1][category] == "奉仕作業（労力のみを求めるもの）"
    assert rows[2][category] == "アウトソーシング（一般的な外部委託）"
    reasons = rows[1][rows[0].index("根拠")]
    # The deciding rule, by its title, with the guide a reader knows (not its file).
    assert "「奉仕作業」（日南市『市民協働の手引き』(7) 事例3）" in reasons
    assert "002_5706d2c9275a3206.txt" not in reasons
    summary_file = tmp_path / "結果.summary.csv"
    summary = list(csv.reader(io.StringIO(summary_file.read_text(encoding="utf-8-sig"))))
    assert summary[0] == ["区分", "項目", "コード", "件数"]
    counts = {r[2]: int(r[3]) for r in summary[1:] if r[0] == "判定"}
    assert counts == {"kyodo": 0, "not_kyodo": 2, "undetermined": 0}


def test_output_fed_back_in_is_answered_afresh(tmp_path: Path) -> None:
    source, first, second = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    source.write_text("title,actors,spec_author,city_supervises\nx,city business,city,true\n")
    assert main(["batch", str(source), "-o", str(first)]) == 1  # "city business": no separator
    source.write_text('title,actors,spec_author,city_supervises\nx,"city,business",city,true\n')
    assert main(["batch", str(source), "-o", str(first)]) == 0
    assert main(["batch", str(first), "-o", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_english_output_headers(tmp_path: Path) -> None:
    source, out = tmp_path / "a.csv", tmp_path / "b.xlsx"
    source.write_text("title,planner\nx,city\n")
    assert main(["batch", str(source), "-o", str(out), "--lang", "en"]) == 0
    results = _sheet(out, "results")
    assert results[0] == ("title", *batch.result_headers("en"), "planner")
    assert _listing(_sheet(out, "summary"))[0] == ("section", "item", "code", "count")


def test_template_has_dropdowns_and_reads_back(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    assert main(["batch", "--template", str(template)]) == 0
    book = load_workbook(template)
    sheet = book["事業一覧"]
    headers = [c.value for c in sheet[1]]
    assert headers == [FIELD_LABELS[f] for f in FIELDS]
    by_column: dict[str, str] = {}
    for check in sheet.data_validations.dataValidation:
        assert check.type == "list" and check.showErrorMessage
        for ref in str(check.sqref).split():
            column = re.match(r"[A-Z]+", ref)
            assert column
            by_column[column.group()] = str(check.formula1)
    letters = {f: sheet.cell(row=1, column=i).column_letter for i, f in enumerate(FIELDS, 1)}
    for name, (kind, codes) in FIELD_KINDS.items():
        letter = letters[name]
        if kind == "bool":
            assert by_column[letter] == '"はい,いいえ"'
        elif kind == "code":
            formula = by_column[letter]
            assert formula.startswith("'選択肢'!$")
            column = formula.split("!$")[1].split("$")[0]
            values = [c.value for c in book["選択肢"][column][1:] if c.value]
            assert values == [CODE_LABELS[name][str(c)] for c in codes]
        else:
            assert letter not in by_column  # several values: a note instead of a dropdown
            comment = sheet[f"{letter}1"].comment
            assert comment is not None and "「、」で区切って" in comment.text
    assert letters["title"] not in by_column
    # A department fills it in with the dropdown words and runs it.
    sheet["A2"] = "見守り活動"
    sheet[f"{letters['actors']}2"] = "市、地域組織"
    sheet[f"{letters['planner']}2"] = "市"
    sheet[f"{letters['partner_contribution']}2"] = "労力のみ"
    sheet[f"{letters['prior_consultation']}2"] = "いいえ"
    book.save(template)
    out = tmp_path / "out.xlsx"
    assert main(["batch", str(template), "-o", str(out)]) == 0
    results = _sheet(out, "判定結果")
    assert results[1][results[0].index("理由の分類")] == "奉仕作業（労力のみを求めるもの）"


def test_csv_template(tmp_path: Path) -> None:
    template = tmp_path / "t.csv"
    assert main(["batch", "--template", str(template)]) == 0
    assert template.read_text(encoding="utf-8-sig").strip().split(",") == [
        FIELD_LABELS[f] for f in FIELDS
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_failure_midway_leaves_no_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    source = tmp_path / "in.csv"
    rng = random.Random(3)
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for n in range(50):
            writer.writerow(["" if c is None else c for c in inventory_row(rng, n)[1]])
    real = batch.result_cells
    calls = {"n": 0}

    def failing(outcome: batch.RowOutcome, lang: str) -> list[str]:
        calls["n"] += 1
        if calls["n"] == 25:
            raise OSError("disk full")
        return real(outcome, lang)

    monkeypatch.setattr(batch.answers, "result_cells", failing)
    out = tmp_path / f"out{suffix}"
    # The operating system's error is one line naming the file, and exit code 2.
    assert main(["batch", str(source), "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"kyodo-rules: {out}: disk full"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    # An earlier answer file is kept whole, not replaced by half of a new one.
    out.write_bytes(b"earlier")
    calls["n"] = 0
    assert main(["batch", str(source), "-o", str(out)]) == 2
    assert out.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", out.name]


def test_unreadable_input_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert main(["batch", str(broken), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "broken.xlsx: 読み込めません / cannot read" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "o.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    text = tmp_path / "in.txt"
    text.write_text("x")
    assert main(["batch", str(text), "-o", str(tmp_path / "o.csv")]) == 2
    assert "allowed: .csv, .xlsx" in capsys.readouterr().err
    nofields = tmp_path / "nofields.csv"
    nofields.write_text("備考\nx\n")
    assert main(["batch", str(nofields), "-o", str(tmp_path / "o.csv")]) == 2
    assert "no column names a field" in capsys.readouterr().err
    # Two columns of one field are both read; a row where they disagree says so.
    twice = tmp_path / "twice.csv"
    twice.write_text("planner,企画立案者\ncity,city\ncity,partner\n")
    assert main(["batch", str(twice), "-o", str(tmp_path / "t.csv")]) == 1
    lines = _row_lines(capsys.readouterr().err)
    assert (
        len(lines) == 1
        and lines[0].startswith("元の表の3行目 / input row 3: 企画立案者")
        and "'planner'" in lines[0]
    )
    ok = tmp_path / "ok.csv"
    ok.write_text("planner\ncity\n")
    assert main(["batch", str(ok), "-o", str(tmp_path / "o.csv"), "--profile", "tokyo"]) == 2
    assert "unknown profile 'tokyo'" in capsys.readouterr().err
    assert main(["batch", str(ok)]) == 2
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        ("city_supervises", "はい", True),
        ("city_supervises", "ＴＲＵＥ", True),
        ("city_supervises", "０", False),
        ("city_supervises", 1, True),
        ("city_supervises", False, False),
        ("city_supervises", "不明", None),
        ("city_supervises", "  ", None),
        ("planner", " 共同 ", "joint"),
        ("planner", "Joint", "joint"),
        ("activity", "生活支援・子育て支援", "care_support"),
        ("actors", "市、市民活動団体", ["city", "civic_group"]),
        ("actors", "city，civic_group;大学", ["city", "civic_group", "university"]),
        ("documents", "なし", []),
        ("funding", "なし", ["none"]),
        ("title", 2025, "2025"),
    ],
)
def test_cells_as_people_write_them(field: str, cell: Any, value: Any) -> None:
    assert batch.parse_cell(field, cell) == value


@pytest.mark.parametrize(
    ("field", "cell"),
    [
        ("city_supervises", "たぶん"),
        ("city_supervises", 2),
        ("planner", "市長"),
        ("actors", "市、国"),
    ],
)
def test_cells_that_cannot_be_read(field: str, cell: Any) -> None:
    with pytest.raises(batch._CellError):
        batch.parse_cell(field, cell)


def test_labels_cover_the_vocabulary_and_split_cleanly() -> None:
    assert set(FIELD_LABELS) == set(FIELDS)
    assert len(set(FIELD_LABELS.values())) == len(FIELD_LABELS)
    for name, (kind, codes) in FIELD_KINDS.items():
        if kind == "bool":
            continue
        labels = CODE_LABELS[name]
        assert set(labels) == {str(c) for c in codes}, name
        assert len({fold(v) for v in labels.values()}) == len(labels), name
        for text in labels.values():
            assert not batch._SPLIT.search(text), text
    aliases = header_aliases()
    for name, text in FIELD_LABELS.items():
        assert aliases[fold(text)] == name and aliases[fold(name)] == name


def test_progress_bar() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, "判定中", width=10)
    for done in range(1, 101):
        bar(done, 100)
    text = stream.getvalue()
    assert text.endswith("\r判定中 [##########] 100/100\n")
    assert text.count("\r") < 10  # redrawn at most ten times a second, not per row
