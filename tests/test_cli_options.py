"""One CLI vocabulary: the shared options mean the same on every command, old
spellings still work, case files run as tests, and case items are named by their
path so that a node id can be pasted back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kyodo_rules.cli.main import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
CASE = (
    "cases:\n  - id: jirei1\n    title: {ja: 委託, en: Outsourcing}\n"
    "    story: {ja: 庁舎管理の委託, en: Building management}\n"
    "    source: 002_5706d2c9275a3206.txt (7) 事例1\n"
)


def _options(command: str) -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    chosen = sub.choices[command]  # type: ignore[index]
    return {o for a in chosen._actions if a.help != "==SUPPRESS==" for o in a.option_strings}


@pytest.mark.parametrize(
    ("command", "shared"),
    [
        ("classify", {"--rules-dir", "--profile", "--lang", "--json", "--report"}),
        ("explain", {"--rules-dir", "--profile", "--lang", "--json"}),
        ("rules", {"--rules-dir", "--profile", "--lang", "--json"}),
        ("check", {"--rules-dir", "--json"}),
        ("cases", {"--rules-dir", "--lang", "--json"}),
        ("demo", {"--rules-dir", "--profile", "--lang", "--report"}),
        ("wizard", {"--rules-dir", "--profile", "--lang", "--report"}),
        ("batch", {"--rules-dir", "--profile", "--lang", "--jobs"}),
        ("npo", {"--lang", "--json"}),
        ("test", {"--rules-dir"}),
    ],
)
def test_the_shared_options_have_one_name_everywhere(command: str, shared: set[str]) -> None:
    shown = _options(command)
    assert shared <= shown, shared - shown
    assert not {"--save", "--rules"} & shown  # old spellings: accepted, not advertised


def test_old_spellings_still_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--rules", str(tmp_path / "nowhere")]) == 2
    assert "--rules-dir" in capsys.readouterr().err
    answers = tmp_path / "a.yaml"
    answers.write_text("spec_author: city\ncity_supervises: true\nactors: [city, business]\n")
    report = tmp_path / "r.json"
    assert main(["wizard", "--answers", str(answers), "--save", str(report)]) == 0
    assert '"verdict": "not_kyodo"' in report.read_text("utf-8")
    again = tmp_path / "r.md"
    assert main(["wizard", "--answers", str(answers), "--report", str(again)]) == 0
    assert again.exists()


def test_rules_dir_is_the_same_option_on_classify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("spec_author: city\ncity_supervises: true\nactors: [city, business]\n")
    assert main(["classify", str(case), "--rules-dir", str(tmp_path / "none")]) == 2
    assert "--rules-dir" in capsys.readouterr().err
    shipped = ROOT / "rules"
    assert main(["classify", str(case), "--json", "--rules-dir", str(shipped)]) == 0
    assert '"verdict": "not_kyodo"' in capsys.readouterr().out


def test_kyodo_rules_test_runs_case_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = ROOT / "rules" / "cases" / "01_hayawakari.yaml"
    assert main(["test", str(good)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].endswith(" passed, 0 failed")
    assert lines[:-1] and all(line.startswith(f"ok   {good}:") for line in lines[:-1])
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        CASE + "    facts: {actors: [city, business], spec_author: city, city_supervises: true}\n"
        "    expect: {verdict: kyodo}\n",
        "utf-8",
    )
    assert main(["test", str(wrong), str(good)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {wrong}:2 jirei1\n" in out
    assert "verdict: expected 'kyodo', got 'not_kyodo'" in out
    assert out.splitlines()[-1].endswith(" passed, 1 failed")
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases: [", "utf-8")
    assert main(["test", str(good), str(broken)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing runs before every file is read
    assert len(captured.err.strip().splitlines()) == 1 and "broken.yaml" in captured.err


def test_a_case_node_id_can_be_pasted_back() -> None:
    """The id pytest prints for a library case, run again as it was printed."""
    node = "rules/cases/01_hayawakari.yaml::jirei1-building-management"
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "rules/cases/01_hayawakari.yaml"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert node in listed.stdout.splitlines()
    again = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 passed" in again.stdout


def test_the_library_collected_is_the_one_installed() -> None:
    from case_plugin import library_dir

    repo = ROOT / "rules" / "cases"
    installed = library_dir()
    names = sorted(p.name for p in repo.glob("*.yaml"))
    assert names == sorted(p.name for p in installed.glob("*.yaml"))
    for name in names:
        assert (repo / name).read_bytes() == (installed / name).read_bytes(), name
