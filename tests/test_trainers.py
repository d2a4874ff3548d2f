"""The trainers' commands: `cases`, `demo` and `explain`, as a trainer would run them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kyodo_rules.cli.main import main
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.rulebase.case_library import LibraryCase, load_cases


def _jirei3() -> LibraryCase:
    """The library's 事例3 case that is 奉仕作業 and becomes 協働 with prior confirmation."""
    for case in load_cases():
        changes = [{(c.field, c.value) for c in ch} for ch in case.expect.would_be_kyodo_if]
        if (
            "事例3" in case.source
            and case.expect.category == "volunteer_labour"
            and {("prior_consultation", True)} in changes
        ):
            return case
    pytest.fail("the case library has no 事例3 volunteer_labour case flipped by prior_consultation")


def test_demo_shows_jirei3_flipping_to_kyodo(capsys: pytest.CaptureFixture[str]) -> None:
    case = _jirei3()
    assert main(["demo", case.id, "--no-pause"]) == 0
    out = capsys.readouterr().out
    assert case.story.ja.strip() in out
    # 奉仕作業 is the verdict before, 協働 after prior confirmation is set.
    verdict_at = out.index("奉仕作業")
    change = out.index("事前の協議・確認 = はい")  # the catalog's words, as in every report
    flip = out.index("奉仕作業（労力のみを求めるもの） → 協働", change)
    assert verdict_at < change < flip
    # each rule that fires is shown with the sentence it encodes
    result = default_classifier().classify(case.facts, profile=case.profile)
    for entry in result.trace:
        assert entry.rule_id in out
        if entry.quote:
            assert entry.quote in out
    assert "jirei3-prior-consultation" in out[change:]


def test_demo_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    case = _jirei3()
    assert main(["demo", case.id, "--no-pause", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert case.title.en in out
    assert "volunteer labour → 協働" in out


def test_cases_lists_every_library_case(capsys: pytest.CaptureFixture[str]) -> None:
    cases = load_cases()
    assert main(["cases"]) == 0
    out = capsys.readouterr().out
    for case in cases:
        assert case.id in out
        assert case.title.ja in out
    assert f"{len(cases)} 件" in out


def test_cases_json_agrees_with_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    cases = load_cases()
    assert main(["cases", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [c.id for c in cases]
    for row, case in zip(rows, cases, strict=True):
        assert row["verdict"] == case.expect.verdict
    jirei3 = next(r for r in rows if r["id"] == _jirei3().id)
    assert jirei3["category"] == "volunteer_labour"
    assert jirei3["verdict_label"] == "協働ではない"


def test_explain_shows_every_fired_rule_with_its_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _jirei3()
    path = tmp_path / "port.yaml"
    path.write_text(json.dumps(case.facts, ensure_ascii=False), encoding="utf-8")
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    result = default_classifier().classify(case.facts, profile=case.profile)
    assert result.trace
    for entry in result.trace:
        assert f"{entry.rule_id} — " in out
        if entry.quote:
            assert f"「{entry.quote}」" in out
        assert entry.source in out
    # the combination steps name the rule that decided and the category chosen
    combination = out[out.index("【組み合わせ】") :]
    assert "jirei3-volunteer-labour" in combination
    assert "奉仕作業（労力のみを求めるもの） (jirei3-volunteer-labour) ← 採用" in combination
    # a rule that did not fire is listed as false, one waiting on facts as undecided
    assert "— 不成立" in out


def test_explain_undecided_rules_name_the_facts_they_wait_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text("planner: city\npartner_contribution: labour_only\n", encoding="utf-8")
    assert main(["explain", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "jirei3-volunteer-labour — definitely true" in out
    assert "jirei3-prior-consultation — undecided: depends on Prior consultation" in out
    assert "[Unknown facts that could change it]" in out


def test_explain_json_and_set_aside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _jirei3()
    facts = {**case.facts, "prior_consultation": True}
    path = tmp_path / "consulted.json"
    path.write_text(json.dumps({"facts": facts}), encoding="utf-8")
    assert main(["explain", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    status = {r["id"]: r for r in data["rules"]}
    assert status["jirei3-volunteer-labour"]["status"] == "set_aside"
    assert status["jirei3-volunteer-labour"]["set_aside_by"] == "jirei3-prior-consultation"
    assert status["jirei3-prior-consultation"]["status"] == "true"
    assert data["result"]["verdict"] == "kyodo"


def test_explain_bad_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("planner: mayor\n", encoding="utf-8")
    assert main(["explain", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "planner" in err and str(path) in err


def test_demo_unknown_id_is_one_line_with_closest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "jirei3", "--no-pause"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert _jirei3().id in lines[0]


def test_demo_and_explain_without_an_argument_list_what_they_take() -> None:
    """As the README shows them (`kyodo-rules demo`, `kyodo-rules explain`), with no
    terminal to pick in: the library's cases with their titles, and an example."""
    from kyodo_rules.rulebase.case_library import load_cases

    ids = [c.id for c in load_cases()]
    for command, first in (("demo", "デモで見せられる事例"), ("explain", "説明する事例を指定")):
        proc = subprocess.run(
            [sys.executable, "-m", "kyodo_rules", command],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(first) and proc.stderr == ""
        assert all(f"  {i}  " in proc.stdout for i in ids)
        assert f"例: kyodo-rules {command} {ids[0]}" in proc.stdout


def test_explain_takes_a_library_case_by_its_id(capsys: pytest.CaptureFixture[str]) -> None:
    case = _jirei3()
    assert main(["explain", case.id]) == 0
    assert "奉仕作業" in capsys.readouterr().out
    assert main(["explain", "jirei3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kyodo-rules: explain: jirei3: そのファイルも")
    assert case.id in err[0]


def test_demo_writes_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _jirei3()
    path = tmp_path / "jirei3.md"
    assert main(["demo", case.id, "--no-pause", "--report", str(path)]) == 0
    text = path.read_text(encoding="utf-8")
    assert case.title.ja in text
    assert "奉仕作業" in text
    assert str(path) in capsys.readouterr().out


def test_explain_names_the_deciding_rule_when_only_a_not_kyodo_exception_is_open(
    tmp_path: Path,
) -> None:
    """An open exception that is itself not 協働 cannot turn the verdict, so the rule it
    would set aside still decides: the derivation reads that from the decision."""
    import shutil

    from kyodo_rules.analysis.explain import derive
    from kyodo_rules.decision.classify import Classifier
    from kyodo_rules.files.shipped import data_path
    from kyodo_rules.outputs.derivation import derivation_lines

    root = tmp_path / "rules"
    shutil.copytree(data_path("rules"), root)
    (root / "zz_local.yaml").write_text(
        """rules:
  - id: local-one-off
    title: {ja: 単発の催しは協働ではない, en: A one-off event is not 協働}
    source: 002_5706d2c9275a3206.txt (7) 事例1
    when: {period: one_off}
    then: {verdict: not_kyodo, category: single_actor}
  - id: local-city-organised
    title: {ja: 市の主催は協働ではない, en: City-organised is not 協働}
    source: 002_5706d2c9275a3206.txt (7) 事例1
    when: {organizer: city}
    overrides: [local-one-off]
    then: {verdict: not_kyodo, category: government_only}
""",
        encoding="utf-8",
    )
    d = derive(Classifier(rules_dir=root), {"period": "one_off"}, lang="en")
    assert d.result.verdict == "not_kyodo"
    assert "local-one-off" in d.deciding
    assert "local-one-off" not in d.contested
    text = "\n".join(derivation_lines(d, "en"))
    decides = text.split("one not-協働 rule in force decides:", 1)[1].splitlines()
    assert decides[1].strip() == "・local-one-off"
