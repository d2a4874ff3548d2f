"""Bytes that are not the UTF-8 the tool expects, and messages that must stay one short line.

Excel on Japanese Windows saves CSV as Shift_JIS, so a file that is cp932
through and through is read as such; a UTF-8 file with one stray byte is not
(it would decode as cp932 into mojibake): its error names the line and the
byte. Case files are UTF-8 only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hostile import check, fingerprint, run

HEADER = "事業名,主体,企画立案者\n"


def test_a_whole_shift_jis_csv_is_read(tmp_path: Path) -> None:
    source = tmp_path / "sjis.csv"
    source.write_bytes((HEADER + "河川清掃,市、地域組織,市\n").encode("cp932"))
    done = run("batch", str(source), "-o", "out.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "河川清掃" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_utf8_with_one_stray_byte_names_the_line_and_byte(tmp_path: Path) -> None:
    source = tmp_path / "stray.csv"
    body = (HEADER + "河川清掃,市,市\n見守り,市,市\n").encode()
    source.write_bytes(body.replace("見守り".encode(), b"\x81" + "見守り".encode()))
    line = check(
        run("batch", str(source), "-o", "out.csv", cwd=tmp_path),
        fingerprint([source]),
        "line 3, byte 1",
        "0x81",
    )
    assert "stray.csv" in line
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("utf16.csv", (HEADER + "x,市,市\n").encode("utf-16"), ("UTF-16",)),
        ("nul.csv", (HEADER + "x,市,\x00市\n").encode(), ("NUL", "line 2")),
        ("latin1.csv", "title,planner\ncafé,city\n".encode("latin-1"), ("Shift_JIS",)),
    ],
)
def test_inventories_that_are_not_text(
    tmp_path: Path, name: str, content: bytes, words: tuple[str, ...]
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    check(run("batch", str(source), "-o", "out.xlsx", cwd=tmp_path), fingerprint([source]), *words)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("latin1.yaml", "title: café\n".encode("latin-1"), ("line 1, byte 11",)),
        ("cp932.yaml", "title: 協働\n".encode("cp932"), ("not UTF-8",)),
        (
            "dup.json",
            b'{"planner": "city",\n "planner": "partner"}',
            ("dup.json:2", "duplicate key"),
        ),
        ("nan.json", b'{"planner": NaN}', ("NaN",)),
    ],
)
def test_case_files_that_are_not_strict_utf8_json_or_yaml(
    tmp_path: Path, name: str, content: bytes, words: tuple[str, ...]
) -> None:
    case = tmp_path / name
    case.write_bytes(content)
    check(run("classify", str(case), cwd=tmp_path), fingerprint([case]), *words)


def test_many_problems_are_listed_twenty_at_most(tmp_path: Path) -> None:
    case = tmp_path / "many.json"
    case.write_text(json.dumps({f"field_{n}": 1 for n in range(30)}))
    line = check(run("classify", str(case), cwd=tmp_path), fingerprint([case]), "…and 10 more")
    assert line.count("'field_") == 20


def test_a_huge_key_gives_a_short_line(tmp_path: Path) -> None:
    case = tmp_path / "huge.json"
    case.write_text(json.dumps({"x" * 900_000: 1, "planner": "mayor"}))
    line = check(run("classify", str(case), cwd=tmp_path), fingerprint([case]), "unknown field")
    assert len(line) < 2_000


def test_a_csv_quote_left_open_spoils_only_its_row(tmp_path: Path) -> None:
    source = tmp_path / "quote.csv"
    source.write_text(
        'title,planner\n一,city\n"二,city\n三,city\n四,"city"x\n五,city\n', encoding="utf-8"
    )
    done = run("batch", str(source), "-o", "out.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "row 3: (row):" in done.stderr and "line 3" in done.stderr
    assert "row 5: (row):" in done.stderr
    titles = [
        line.split(",")[0] for line in (tmp_path / "out.csv").read_text("utf-8-sig").splitlines()
    ]
    assert {"一", "三", "五"} <= set(titles)
    summary = {
        row.split(",")[0]: row.split(",")[-1]
        for row in (tmp_path / "out.summary.csv").read_text("utf-8-sig").splitlines()[1:4]
    }
    read, answered, bad = (int(v) for v in summary.values())
    assert (read, answered, bad) == (5, 3, 2)
    assert read == answered + bad


def test_a_cell_over_the_limit_spoils_only_its_row(tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text("title,planner\n" + "x" * 200_000 + ",city\n短い,city\n", encoding="utf-8")
    done = run("batch", str(source), "-o", "out.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "row 2: column 1: " in done.stderr and "32,767" in done.stderr
    assert "2 rows read: 1 answered, 1 rows with errors" in done.stderr


def test_a_one_line_csv_of_190_mb_is_a_row_error_in_little_memory(tmp_path: Path) -> None:
    """One line of 190 MB peaked at 1.2 GB before the csv module had split it; now it
    is read no further than a row may be, within the corpus's address-space limit."""
    source = tmp_path / "one-line.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write("title,planner\n")
        for _ in range(190):
            out.write("," * 1_000_000)
        out.write("\n短い,city\n")
    try:
        done = run("batch", str(source), "-o", "out.csv", cwd=tmp_path, timeout=60)
    finally:
        source.unlink()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert "row 2: (row): " in done.stderr and "2,097,088" in done.stderr
    assert "2 rows read: 1 answered, 1 rows with errors" in done.stderr


def test_sixty_thousand_unknown_keys_are_refused_naming_twenty(tmp_path: Path) -> None:
    case = tmp_path / "keys.yaml"
    case.write_text("".join(f"key_{n}: 1\n" for n in range(60_000)), encoding="utf-8")
    line = check(run("classify", str(case), cwd=tmp_path), fingerprint([case]), "…and 59980 more")
    assert line.count("'key_") == 20


def test_a_file_that_is_not_a_case_is_never_echoed(tmp_path: Path) -> None:
    """`classify /etc/shadow` listed the file's lines as unknown fields: every key that
    is not a word (a field name typed wrong is one) is counted, never shown."""
    shadow = tmp_path / "shadow"
    secret = "root:$6$saltsalt$0123456789abcdefghij:19000:0:99999:7:::"
    shadow.write_text(secret + "\n" + "".join(f"user{n}:!:19000:0:99999:7:::\n" for n in range(5)))
    line = check(run("classify", str(shadow), cwd=tmp_path), fingerprint([shadow]), "not shown")
    assert "saltsalt" not in line and "19000" not in line and "user1" not in line


def test_a_binary_title_in_a_case_file_is_refused(tmp_path: Path) -> None:
    """`title: !!binary aGVsbG8=` was read as bytes and printed as b'hello'."""
    case = tmp_path / "bin.yaml"
    case.write_text("title: !!binary aGVsbG8=\nplanner: city\n", encoding="utf-8")
    check(run("classify", str(case), cwd=tmp_path), fingerprint([case]), "bin.yaml:1", "!!binary")
    dated = tmp_path / "dated.yaml"
    dated.write_text("title: 2024-04-01\nplanner: city\n", encoding="utf-8")
    done = run("classify", str(dated), cwd=tmp_path)
    assert done.returncode == 0, done.stderr  # a date is a title like any other text
