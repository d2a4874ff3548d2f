"""The command line as a user meets it: a real process, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

OUTSOURCING = "actors: [city, business]\nspec_author: city\ncity_supervises: true\n"


def kyodo(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kyodo_rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_classify_prints_the_vocabulary_json(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(OUTSOURCING, encoding="utf-8")
    done = kyodo("classify", str(case), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["verdict"], result["category"]) == ("not_kyodo", "outsourcing")
    assert any("事例1" in t["source"] for t in result["trace"])


def test_classify_reads_standard_input_and_prints_a_japanese_report() -> None:
    done = kyodo("classify", "-", stdin=OUTSOURCING)
    assert done.returncode == 0, done.stderr
    assert "事例1" in done.stdout
    assert done.stderr == ""


def test_classify_reads_json_files(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"equal_footing": False}), encoding="utf-8")
    done = kyodo("classify", str(case), "--json", "--no-what-if")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verdict"] == "not_kyodo"


BAD_CASE_FILES: dict[str, tuple[bytes | None, str]] = {
    "unknown_field.yaml": (b"spec_autor: city\n", "spec_autor"),
    "wrong_code.yaml": (b"spec_author: mayor\n", "mayor"),
    "wrong_type.yaml": (b"city_supervises: 'yes'\n", "city_supervises"),
    "scalar_for_list.yaml": (b"actors: city\n", "actors"),
    "not_yaml.yaml": (b"actors: [city\nspec_author: city\n", "not valid YAML"),
    "not_a_mapping.yaml": (b"- city\n- business\n", "mapping"),
    "not_json.json": (b"{'spec_author': 'city'}", "not valid JSON"),
    "empty.yaml": (b"", "empty"),
    "blank.yaml": (b"  \n\n", "empty"),
    "binary.yaml": (bytes(range(256)) * 4, "binary.yaml"),
    "latin1.yaml": ("title: café\n".encode("latin-1"), "UTF-8"),
    "alias.yaml": (b"a: &x [city]\nactors: *x\n", "aliases"),
    "custom_tag.yaml": (b"actors: !!python/object/apply:os.getcwd []\n", "constructor"),
    "directory": (None, "directory"),
}


@pytest.mark.parametrize("name", sorted(BAD_CASE_FILES))
def test_a_bad_case_file_gives_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    content, words = BAD_CASE_FILES[name]
    path = tmp_path / name
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    done = kyodo("classify", str(path))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kyodo-rules: ")
    assert words in lines[0]
    assert done.stdout == ""


def test_a_missing_case_file_gives_one_line_and_exit_2(tmp_path: Path) -> None:
    done = kyodo("classify", str(tmp_path / "nowhere.yaml"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no such file" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_profile_gives_one_line_and_exit_2() -> None:
    done = kyodo("classify", "-", "--profile", "atlantis", stdin=OUTSOURCING)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "atlantis" in done.stderr


def test_rules_lists_every_rule_with_its_source_as_json() -> None:
    done = kyodo("rules", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and all(row["id"] and row["title"] and row["source"] for row in rows)
    assert len({row["id"] for row in rows}) == len(rows)


def test_help_lists_the_commands() -> None:
    done = kyodo("--help")
    assert done.returncode == 0
    assert "classify" in done.stdout and "rules" in done.stdout
