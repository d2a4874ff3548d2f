"""Condition coverage (`analysis/coverage.py`): every condition of every rule is pinned by a
library case, and `kyodo-rules check` names the ones that are not, with rule, file and line.

Each test that breaks something works on a copy of the shipped rules; the coverage is
measured on its own (`check_coverage`), not through the whole exploration.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from kyodo_rules.analysis.coverage import (
    EQUIVALENT_FILE,
    Coverage,
    check_coverage,
    find_witness,
    items_of,
    measure,
)
from kyodo_rules.analysis.findings import Report
from kyodo_rules.cli.main import main
from kyodo_rules.decision.classify import Classifier
from kyodo_rules.rulebase.case_library import load_cases, mismatches
from kyodo_rules.rulebase.loading import load_rulebase

SOURCE = "002_5706d2c9275a3206.txt (7) 事例1"


def coverage_of(
    rules: Path | None = None, only: set[str] | None = None
) -> tuple[Report, list[Coverage]]:
    """The coverage of a copy of the rules (of `only` these rules: quicker)."""
    report = Report()
    found = check_coverage(load_rulebase(rules), report, only)
    return report, found


def unpinned(report: Report) -> list[str]:
    return [d.en for d in report.defects if d.kind == "coverage" and d.severity == "defect"]


def drop_cases(rules: Path, *ids: str) -> None:
    """Remove library cases by id, wherever they are."""
    for path in (rules / "cases").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = [c for c in doc["cases"] if c["id"] not in ids]
        if len(kept) != len(doc["cases"]):
            doc["cases"] = kept
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def test_the_shipped_rulebase_has_every_condition_pinned() -> None:
    report, found = coverage_of()
    assert not unpinned(report), "\n".join(unpinned(report))
    [coverage] = found  # the four profiles share one rule set
    assert set(coverage.profiles) == {"generic", "ama", "nichinan", "ogi"}
    assert coverage.pinned + coverage.equivalent == coverage.total > 300
    assert not coverage.failing
    detected, every = coverage.mutants
    assert every > 500 and every - detected == sum(len(o.surviving) for o in coverage.outcomes)
    assert "(100.0 %)" in coverage.summary()
    assert report.coverage == [coverage.summary(), coverage.summary_ja()]
    assert "未網羅 0 件、100.0 %" in coverage.summary_ja()


def test_each_pin_is_a_case_that_fails_on_the_edited_rules() -> None:
    """The first case said to detect an edit really fails, through classify(), on a
    rulebase with that one edit made (here: missing-documents' count one lower)."""
    rulebase = load_rulebase()
    coverage = measure(rulebase, ["generic"], load_cases())
    outcome = next(
        o
        for o in coverage.outcomes
        if o.item.rule == "missing-documents" and o.item.text.startswith("documents:")
    )
    case_id = outcome.caught["count-1"]
    case = next(c for c in load_cases() if c.id == case_id)
    assert not mismatches(case, Classifier(rulebase).classify(case.facts))
    [mutant] = [m for m in outcome.item.mutants if m.kind == "count-1"]
    assert mutant.condition is not None
    rules = tuple(
        replace(r, condition=mutant.condition) if r.id == "missing-documents" else r
        for r in rulebase.rules
    )
    edited = replace(rulebase, rules=rules)
    assert mismatches(case, Classifier(edited).classify(case.facts))


def test_a_new_rule_without_cases_is_listed_with_file_line_and_condition(rules: Path) -> None:
    # A checklist no case states: nothing the library asserts can see this rule.
    (rules / "zz_test.yaml").write_text(
        "rules:\n"
        "  - id: test-new\n"
        "    title: {ja: 検査用, en: for the check}\n"
        f"    source: {SOURCE}\n"
        "    quote: q\n"
        "    when:\n"
        "      activity: festival\n"
        "      organizer: joint\n"
        "    then:\n"
        "      checklist: reviewing\n",
        encoding="utf-8",
    )
    report, _ = coverage_of(rules, {"test-new"})
    mine = [d for d in report.defects if d.rules == ("test-new",)]
    where = {d.where for d in mine}
    assert where == {"rules/zz_test.yaml:7", "rules/zz_test.yaml:8"}
    texts = " ".join(d.en for d in mine)
    assert "`activity: festival`" in texts and "`organizer: joint`" in texts
    assert "(undetected: drop, flip)" in texts
    assert "not pinned" in report.coverage[0] and "100.0 %" not in report.coverage[0]


def test_removing_the_case_that_pins_a_count_leaves_it_unpinned(rules: Path) -> None:
    """The issue's mutant: missing-documents with `count_at_most: 2 → 1` (two of the
    three documents: the flag disappears) is caught only by a case with two documents."""
    drop_cases(rules, "documents-two-of-three")
    report, _ = coverage_of(rules, {"missing-documents"})
    assert any(
        "missing-documents when `documents: {count_at_most: 2}` (undetected: count-1)" in line
        for line in unpinned(report)
    ), unpinned(report)


def test_removing_the_cases_that_order_two_forms_leaves_a_weight_unpinned(rules: Path) -> None:
    drop_cases(rules, "forms-course-cost-shared-hall-lent")
    report, _ = coverage_of(rules, {"form-subsidy-cost-sharing"})
    assert any(
        "form-subsidy-cost-sharing forms `subsidy: 2` (undetected: weight+1)" in line
        for line in unpinned(report)
    ), unpinned(report)


def test_an_equivalence_is_counted_apart_and_must_name_a_real_surviving_condition(
    rules: Path,
) -> None:
    drop_cases(rules, "documents-two-of-three")
    (rules / EQUIVALENT_FILE).parent.mkdir()
    (rules / EQUIVALENT_FILE).write_text(
        yaml.safe_dump(
            {
                "equivalent": [
                    {
                        "rule": "missing-documents",
                        "condition": "documents: {count_at_most: 2}",
                        "mutants": ["count-1"],
                        "reason": "only for this test: pretend no input has two documents",
                    },
                    {
                        "rule": "jirei2-operating-subsidy",
                        "condition": "funding: operating_subsidy",
                        "reason": "only for this test: a condition the library does pin",
                    },
                    {
                        "rule": "no-such-rule",
                        "condition": "planner: city",
                        "reason": "only for this test: a rule that does not exist",
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    report, [coverage] = coverage_of(
        rules, {"missing-documents", "jirei2-operating-subsidy", "no-such-rule"}
    )
    assert coverage.equivalent == 1 and not coverage.unpinned
    assert "1 equivalent" in coverage.summary()
    problems = unpinned(report)
    assert len(problems) == 2, problems
    assert any("declared equivalent, but a case tells it apart" in p for p in problems)
    assert any("declared equivalence names no condition: no-such-rule" in p for p in problems)


def test_a_broken_equivalence_file_is_an_invalid_file(rules: Path) -> None:
    (rules / EQUIVALENT_FILE).parent.mkdir()
    (rules / EQUIVALENT_FILE).write_text(
        "equivalent:\n  - {rule: x, condition: y, reason: short}\n", encoding="utf-8"
    )
    report, _ = coverage_of(rules, set())
    [bad] = [d for d in report.defects if d.kind == "invalid_file"]
    assert "coverage/equivalent.yaml:2" in bad.where and "reason" in bad.en


def test_a_failing_case_pins_nothing_and_is_reported(rules: Path) -> None:
    path = rules / "cases" / "13_named_answers_and_process.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("category: government_only", "category: citizen_only", 1), encoding="utf-8"
    )
    report, [coverage] = coverage_of(rules, set())
    assert coverage.failing == ("zone-administrative-disposition",)
    assert any("does not pass" in d.en for d in report.defects)


def test_without_a_case_library_coverage_is_a_warning(rules: Path) -> None:
    shutil.rmtree(rules / "cases")
    report, found = coverage_of(rules)
    assert found == [] and report.clean
    [warning] = report.defects
    assert warning.severity == "warning" and "not measured" in warning.en


def _items(when: dict[str, Any], then: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """The edits `items_of` makes of a rule with this `when`: condition text -> mutant kinds."""
    from kyodo_rules.files.yaml import loads

    raw = {
        "id": "t",
        "title": {"ja": "t", "en": "t"},
        "source": SOURCE,
        "when": when,
        "then": then or {"flags": ["marunage"]},
    }
    text = yaml.safe_dump({"rules": [raw]}, allow_unicode=True)
    located = loads(text, "t.yaml")["rules"][0]
    from kyodo_rules.rulebase.loading import _parse_rule

    errors: list[str] = []
    rule = _parse_rule(located, "t.yaml", errors)
    assert rule is not None, errors
    out: dict[str, list[str]] = {}
    for item in items_of(rule, located):
        out.setdefault(f"{item.part} {item.text}", []).extend(m.kind for m in item.mutants)
    return out


def test_the_edits_of_each_kind_of_condition() -> None:
    got = _items(
        {
            "planner": "city",
            "activity": ["festival", "local_event"],
            "any": [{"actors": {"count_at_least": 2}}, {"several_of_one_kind": True}],
            "not": {"funding": ["cost_share", "contract_fee"]},
            "unknown": "documents",
        },
        {"forms": {"co_hosting": 1}},
    )
    assert got["when planner: city"] == ["drop", "flip"]
    assert got["when activity: [festival, local_event]"] == ["drop", "flip"]
    assert got["when activity: festival"] == ["drop"]
    assert got["when activity: local_event"] == ["drop"]
    assert got["when actors: {count_at_least: 2}"] == ["drop", "flip", "count-1", "count+1"]
    assert got["when several_of_one_kind: true"] == ["drop", "flip"]
    assert got["when funding: cost_share"] == ["drop"]
    assert got["when unknown: documents"] == ["drop", "flip"]
    assert got["forms co_hosting: 1"] == ["weight-1", "weight+1"]


def test_an_edit_that_changes_nothing_is_not_a_mutant() -> None:
    # Flipping `a` inside `not: {a}` and dropping a duplicate code give the same
    # condition as another edit or as the rule itself: each condition is counted once.
    got = _items({"funding": {"in": ["cost_share", "cost_share", "contract_fee"]}})
    kinds = [k for ks in got.values() for k in ks]
    assert kinds.count("drop") >= 1 and len(got) == len(set(got))


def test_a_witness_is_found_for_an_edit_no_case_detects(rules: Path) -> None:
    drop_cases(rules, "documents-two-of-three")
    rulebase = load_rulebase(rules)
    rule = next(r for r in rulebase.rules if r.id == "missing-documents")
    [item] = [i for i in items_of(rule, _raw(rules, rule)) if i.text.startswith("documents")]
    mutant = next(m for m in item.mutants if m.kind == "count-1")
    found = find_witness(rulebase, "generic", rule, mutant, tries=1000)
    assert found is not None
    facts, before, after = found
    assert len(facts["documents"]) == 2
    assert before != after


def _raw(rules: Path, rule: Any) -> Any:
    from kyodo_rules.files.yaml import load_file

    doc = load_file(rules.parent / rule.file)
    return next(r for r in doc["rules"] if r["id"] == rule.id)


def test_check_prints_the_summary_line(
    rules: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the coverage is under test: the exploration of the rules is stubbed out.
    import kyodo_rules.analysis.check as check_module

    monkeypatch.setattr(check_module, "explore", lambda *a, **k: k["report"])
    monkeypatch.setattr(check_module, "check_npo", lambda *a, **k: None)
    drop_cases(rules, "documents-two-of-three")
    assert main(["check", "--rules-dir", str(rules), "--no-differential"]) == 1
    out = capsys.readouterr().out
    assert "condition coverage [generic]:" in out
    assert "rules/process.yaml:" in out and "missing-documents" in out
