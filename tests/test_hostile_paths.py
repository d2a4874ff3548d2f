"""Paths a user may name: the input itself, links to it, directories, names too long.

An output that is an input would destroy it (the other sheets of a workbook
are gone), so it is refused before any work; every operating-system error on
a named path is one line with the path and the reason, exit 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hostile import check, fingerprint, run

CASE = b'{"planner": "city", "spec_author": "city"}\n'
INVENTORY = "title,planner\n見守り,city\n"


def _case(tmp_path: Path) -> Path:
    case = tmp_path / "case.json"
    case.write_bytes(CASE)
    return case


def _inventory(tmp_path: Path, name: str = "inv.csv") -> Path:
    inv = tmp_path / name
    inv.write_text(INVENTORY, encoding="utf-8")
    return inv


def test_classify_report_onto_its_own_case(tmp_path: Path) -> None:
    case = _case(tmp_path)
    check(
        run("classify", str(case), "--report", str(case), cwd=tmp_path),
        {case: None} | fingerprint([case]),
        "--report",
        "input",
    )


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_a_report_that_is_a_link_to_the_case(tmp_path: Path, kind: str) -> None:
    case = _case(tmp_path)
    link = tmp_path / "report.json"
    if kind == "symlink":
        link.symlink_to(case)
    else:
        os.link(case, link)
    check(run("classify", str(case), "--report", str(link), cwd=tmp_path), fingerprint([case]))


def test_a_report_that_is_an_existing_directory(tmp_path: Path) -> None:
    case = _case(tmp_path)
    (tmp_path / "an-existing-directory.html").mkdir()
    line = check(
        run("classify", str(case), "--report", "an-existing-directory.html", cwd=tmp_path),
        fingerprint([case]),
        "directory",
    )
    assert "an-existing-directory.html" in line


def test_a_report_in_a_missing_folder(tmp_path: Path) -> None:
    case = _case(tmp_path)
    check(
        run("classify", str(case), "--report", "nowhere/r.md", cwd=tmp_path),
        fingerprint([case]),
        "nowhere",
    )


def test_a_report_where_nothing_can_be_written(tmp_path: Path) -> None:
    case = _case(tmp_path)
    # /proc takes no new files, even for root (who ignores permission bits).
    check(
        run("classify", str(case), "--report", "/proc/r.html", cwd=tmp_path),
        fingerprint([case]),
        "/proc/r.html",
    )


def test_a_path_through_a_file(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text("planner: city\n")
    check(
        run("classify", "base.yaml/x", cwd=tmp_path),
        fingerprint([base]),
        "base.yaml/x",
        "not a directory",
    )


def test_a_name_too_long(tmp_path: Path) -> None:
    check(run("classify", "a" * 5_000 + ".yaml", cwd=tmp_path), {}, "too long")
    case = _case(tmp_path)
    check(
        run("classify", str(case), "--report", "b" * 5_000 + ".md", cwd=tmp_path),
        fingerprint([case]),
        "too long",
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_batch_onto_its_own_input(tmp_path: Path, suffix: str) -> None:
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["title", "planner"])
        sheet.append(["見守り", "city"])
        book.create_sheet("メモ")["A1"] = "the other sheet, which an overwrite would lose"
        inv = tmp_path / "inv.xlsx"
        book.save(inv)
    else:
        inv = _inventory(tmp_path)
    check(run("batch", str(inv), "-o", str(inv), cwd=tmp_path), fingerprint([inv]), "-o", "input")
    link = tmp_path / f"link{suffix}"
    link.symlink_to(inv)
    check(run("batch", str(link), "-o", str(inv), cwd=tmp_path), fingerprint([inv]), "input")


def test_batch_summary_onto_its_input(tmp_path: Path) -> None:
    inv = _inventory(tmp_path, "out.summary.csv")
    check(
        run("batch", str(inv), "-o", "out.csv", "--summary", str(inv), cwd=tmp_path),
        fingerprint([inv]),
        "--summary",
    )
    assert not (tmp_path / "out.csv").exists()


def test_batch_output_that_is_a_directory(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    (tmp_path / "dir.csv").mkdir()
    check(run("batch", str(inv), "-o", "dir.csv", cwd=tmp_path), fingerprint([inv]), "directory")


def test_a_summary_of_the_users_is_never_replaced(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    mine = tmp_path / "mine.summary.csv"
    mine.write_text("my own notes,1\n", encoding="utf-8")
    before = fingerprint([inv, mine])
    check(run("batch", str(inv), "-o", "mine.csv", cwd=tmp_path), before, "--summary")
    assert not (tmp_path / "mine.csv").exists()
    # Named, it is the user's choice; an earlier run's own summary is replaced too.
    done = run("batch", str(inv), "-o", "mine.csv", "--summary", "mine.summary.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert mine.read_text(encoding="utf-8-sig").startswith("区分,項目,コード,件数")
    again = run("batch", str(inv), "-o", "mine.csv", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_wizard_answers_saved_onto_themselves(tmp_path: Path) -> None:
    answers = tmp_path / "a.json"
    answers.write_bytes(CASE)
    check(
        run("wizard", "--answers", str(answers), "--save", str(answers), cwd=tmp_path),
        fingerprint([answers]),
        "--save",
    )


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_signal_while_writing_leaves_the_old_output_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signame: str, suffix: str
) -> None:
    import signal

    from kyodo_rules.cli.main import main
    from kyodo_rules.outputs import inventory as _batch

    inv = _inventory(tmp_path)
    out = tmp_path / f"out{suffix}"
    out.write_bytes(b"the previous answers")
    real = _batch.result_cells

    def killed(outcome: _batch.RowOutcome, lang: str) -> list[str]:
        os.kill(os.getpid(), getattr(signal, signame))
        return real(outcome, lang)

    monkeypatch.setattr(_batch.answers, "result_cells", killed)
    code = main(["batch", str(inv), "-o", str(out), "--engine", "python"])
    assert code == 128 + getattr(signal, signame)
    assert out.read_bytes() == b"the previous answers"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inv.csv", out.name]


def test_a_file_name_with_a_newline_stays_on_its_one_line(tmp_path: Path) -> None:
    """The error quoting `a<newline>b.yaml` came out as two lines, the second looking
    like an error of its own."""
    line = check(run("classify", "a\nb.yaml", cwd=tmp_path), {}, "no such file")
    assert "a\\nb.yaml" in line


def test_a_report_name_with_an_escape_sequence_is_shown_escaped(tmp_path: Path) -> None:
    """`--report $'q\\x1b[2J.html'` printed the escape raw: the terminal cleared."""
    case = _case(tmp_path)
    name = "q\x1b[2J.html"
    done = run("classify", str(case), "--report", name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / name).is_file()
    assert "\x1b" not in done.stderr and "\x1b" not in done.stdout
    assert "q\\x1b[2J.html" in done.stderr
