"""Hostile input never gets past validation: one-line message and exit 2, never a crash.

A case file comes from anyone (a saved answer, another program, a mistyped
path), so whatever its shape the tool must say what is wrong in one line; a
traceback, a hang or a memory blow-up would each be a bug. Subprocesses run
under a timeout and their peak memory is read from `/usr/bin/time` when
present, else from the children's rusage.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kyodo_rules import classify
from kyodo_rules.files.case_files import read_mapping
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import FIELD_KINDS

TIMEOUT = 30
MAX_RSS_KB = 400_000
CLI = [sys.executable, "-m", "kyodo_rules"]

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from(["\u202e", "\u200f", "\ufeff", "ｃ", "😀", "\x07", "\r", "\n", "\x00"]),
    max_size=40,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)
codes = st.sampled_from(
    sorted({str(c) for _, values in FIELD_KINDS.values() for c in values}, key=str)
)
field_value = json_values | codes | st.lists(codes | json_values, max_size=4)
cases = st.dictionaries(st.sampled_from([*FIELD_KINDS, "title"]) | odd_text, field_value)


def _outcome(case: Any) -> Result | InputError:
    try:
        return classify(case, what_if=False)
    except InputError as exc:
        return exc


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases)
def test_classify_answers_or_refuses_any_json(case: dict[str, Any]) -> None:
    outcome = _outcome(case)
    if isinstance(outcome, InputError):
        assert str(outcome).strip()
        assert "Traceback" not in str(outcome)


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_classify_refuses_anything_but_a_mapping(value: Any) -> None:
    if isinstance(value, dict):
        return
    assert isinstance(_outcome(value), InputError)


@pytest.mark.parametrize(
    "value",
    [
        10**5000,
        -(10**5000),
        [10**5000],
        math.inf,
        math.nan,
        1e308,
        {"nested": {"deeper": [1, {"x": None}]}},
        "x" * 1_000_000,
        b"bytes",
        object(),
    ],
    ids=[
        "huge-int",
        "huge-negative-int",
        "list-of-huge-int",
        "inf",
        "nan",
        "big-float",
        "nested-dict",
        "1MB-string",
        "bytes",
        "object",
    ],
)
@pytest.mark.parametrize("field", ["actors", "planner", "city_supervises", "title"])
def test_odd_values_in_every_kind_of_field(field: str, value: Any) -> None:
    outcome = _outcome({field: value})
    # Every kind refused, bytes too: a title is text (bytes once reached the web's
    # JSON store through a session file's `!!binary`).
    assert isinstance(outcome, InputError)
    assert "\n" not in str(outcome)
    assert len(str(outcome)) < 2_000


def test_deeply_nested_value_is_refused() -> None:
    deep: list[Any] = []
    for _ in range(10_000):
        deep = [deep]
    for field in ("actors", "planner", "title"):
        assert isinstance(_outcome({field: deep}), InputError)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200) | odd_text.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_read_mapping_of_any_bytes(tmp_path: Path, data: bytes) -> None:
    for suffix in (".yaml", ".json"):
        path = tmp_path / f"case{suffix}"
        path.write_bytes(data)
        try:
            read_mapping(str(path))
        except InputError as exc:
            assert str(exc).startswith(str(path))


def _files(tmp: Path) -> dict[str, tuple[bytes, int]]:
    """name -> (content, expected exit code)."""
    nested = 10_000
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        laughs.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [{', '.join(['*' + prev] * 9)}]")
    return {
        "empty.yaml": (b"", 2),
        "blank.yaml": (b"  \n\n\t\n", 2),
        "binary.yaml": (bytes(range(256)) * 40, 2),
        "nul.yaml": (b"planner: city\x00\n", 2),
        "ten_mb.yaml": (b"title: " + b"x" * 10_000_000 + b"\n", 2),
        "ten_mb.json": (b'{"title": "' + b"x" * 10_000_000 + b'"}', 2),
        "title_1mb.json": (json.dumps({"title": "x" * 999_900}).encode(), 2),
        "deep.json": (b"[" * nested + b"]" * nested, 2),
        "deep_dict.json": (b'{"a":' * nested + b"1" + b"}" * nested, 2),
        "deep.yaml": (b"[" * nested + b"]" * nested, 2),
        "deep_value.yaml": (b"actors: " + b"[" * nested + b"]" * nested + b"\n", 2),
        "laughs.yaml": ("\n".join(laughs).encode() + b"\n", 2),
        "python_tag.yaml": (b'title: !!python/object/apply:os.system ["echo owned"]\n', 2),
        "custom_tag.yaml": (b"planner: !city partner\n", 2),
        "merge_key.yaml": (b"<<: {planner: city}\n", 2),
        "duplicate.yaml": (b"planner: city\nplanner: partner\n", 2),
        "duplicate.json": (b'{"planner": "city", "planner": "partner"}', 2),
        "huge_int.json": (b'{"actors": ' + b"9" * 5000 + b"}", 2),
        "huge_int.yaml": (b"actors: " + b"9" * 5000 + b"\n", 2),
        "nan.json": (b'{"equal_footing": NaN, "actors": [1e999]}', 2),
        "list.yaml": (b"- planner: city\n", 2),
        "scalar.json": (b"42", 2),
        "latin1.yaml": ("title: café\n".encode("latin-1"), 2),
        "bom_crlf.yaml": (b"\xef\xbb\xbfplanner: city\r\nactors: [city, citizen]\r\n", 0),
        "bom_bad.yaml": (b"\xef\xbb\xbfplanner: mayor\r\n", 2),
        "odd_text.json": (
            json.dumps({"title": "\u202e\x07😀ｃｉｔｙ", "planner": "ｃｉｔｙ"}).encode(),
            2,
        ),
        "rtl_ok.json": (json.dumps({"title": "\u202e\u200f協働😀", "planner": "city"}).encode(), 0),
        "control_key.yaml": (b'"plan\\x1bner": city\n', 2),
        "timestamp.yaml": (b"planner: 2001-12-14\n", 2),
    }


def _run(args: list[str], tmp: Path) -> tuple[int, str, str, int]:
    """Exit code, stdout, stderr and the peak RSS (kB) of one CLI run."""
    time_bin = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    report = tmp / "rss.txt"
    prefix = [time_bin, "-f", "%M", "-o", str(report)] if time_bin else []
    proc = subprocess.run(
        [*prefix, *CLI, *args], capture_output=True, timeout=TIMEOUT, text=True, cwd=tmp
    )
    if time_bin:
        rss = int(report.read_text().split()[-1])
    else:
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.returncode, proc.stdout, proc.stderr, rss


@pytest.mark.parametrize("name", sorted(_files(Path())))
def test_cli_on_hostile_files(tmp_path: Path, name: str) -> None:
    content, expected = _files(tmp_path)[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, _out, err, rss = _run(["classify", "--no-what-if", str(path)], tmp_path)
    assert code == expected, err
    assert "Traceback" not in err
    assert rss < MAX_RSS_KB
    if expected == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("kyodo-rules: ")
        assert len(lines[0]) < 2_000
    assert not (tmp_path / "owned").exists()


def test_cli_on_hostile_stdin(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "classify", "-"],
        input=b"\xff\xfe\x00junk",
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
