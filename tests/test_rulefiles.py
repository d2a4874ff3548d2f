"""Broken rule files are reported with `file:line: rule-id: problem`, never a traceback;
and the shipped rulebase is exercised by its own case library.

Each directory under `tests/rulefiles/` is a copy of `valid/` with exactly one
defect (its `rules.yaml` says which on its first line), in the manner of
OpenFisca's `parameter_validation` fixtures.
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from kyodo_rules import RuleError
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.model.vocabulary import CATEGORIES, DOCUMENTS, FLAGS, FORMS, ZONES
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.loading import load_rulebase

RULEFILES = Path(__file__).parent / "rulefiles"

#: fixture dir -> (file:line, rule id or None when the YAML cannot be read, words of the message)
BROKEN = {
    "unknown_field": ("rules.yaml:17", "outsourcing", "unknown field 'city_supervise'"),
    "bad_code": ("rules.yaml:16", "outsourcing", "unknown code 'mayor'"),
    "bad_category": ("rules.yaml:20", "outsourcing", "then.category"),
    "yaml_syntax": ("rules.yaml:22", None, "not valid YAML"),
    "duplicate_key": ("rules.yaml:21", None, "duplicate key 'category'"),
    "duplicate_rule_id": ("rules.yaml:22", "outsourcing", "duplicate rule id"),
    "overrides_unknown": ("rules.yaml:22", "outsourcing-confirmed", "unknown rule 'outsorcing'"),
    "override_cycle": ("rules.yaml:23", "outsourcing-confirmed", "overrides form a cycle"),
    "missing_source": ("rules.yaml:12", "outsourcing", "source: required"),
    "source_not_seed": ("rules.yaml:12", "outsourcing", "not one of the source documents"),
    "source_malformed": ("rules.yaml:14", "outsourcing", "must be '<seed file> <section>'"),
    "alias": ("rules.yaml:23", None, "aliases (*name) are not allowed"),
    "custom_tag": ("rules.yaml:27", None, "could not determine a constructor"),
}


def test_every_fixture_directory_is_listed() -> None:
    present = {p.name for p in RULEFILES.iterdir() if p.is_dir()} - {"valid"}
    assert present == set(BROKEN)


def test_the_valid_fixture_loads() -> None:
    rulebase = load_rulebase(RULEFILES / "valid")
    assert [r.id for r in rulebase.rules] == [
        "definition-met",
        "outsourcing",
        "outsourcing-confirmed",
    ]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_rule_file_is_reported_at_its_line(name: str) -> None:
    where, rule_id, words = BROKEN[name]
    with pytest.raises(RuleError) as caught:
        load_rulebase(RULEFILES / name)
    message = str(caught.value)
    lines = message.splitlines()
    assert len(lines) == 1, f"one defect, one message; got:\n{message}"
    prefix = f"{name}/{where}: " + (f"{rule_id}: " if rule_id else "")
    assert message.startswith(prefix), message
    assert words in message


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_rules_command_reports_a_broken_file_without_traceback(name: str) -> None:
    where, rule_id, words = BROKEN[name]
    done = subprocess.run(
        [sys.executable, "-m", "kyodo_rules", "rules", "--rules-dir", str(RULEFILES / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert f"{name}/{where}: " in done.stderr
    assert words in done.stderr
    if rule_id:
        assert f": {rule_id}: " in done.stderr


def test_the_rules_command_lists_a_valid_directory() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kyodo_rules", "rules", "--rules-dir", str(RULEFILES / "valid")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "outsourcing-confirmed" in done.stdout


# The shipped rulebase and its case library. These fail while rules or cases
# are missing: each names what no library case exercises yet.


@cache
def library_outcomes() -> dict[str, set[str]]:
    classifier = default_classifier()
    seen: dict[str, set[str]] = {
        k: set() for k in ("rule", "form", "flag", "zone", "category", "document")
    }
    for case in load_cases():
        result = classifier.classify(case.facts, profile=case.profile)
        seen["rule"] |= {t.rule_id for t in result.trace}
        seen["form"] |= {f.code for f in result.forms}
        seen["flag"] |= {f.code for f in result.flags}
        seen["zone"] |= {result.zone} if result.zone else set()
        seen["category"] |= {result.category} if result.category else set()
        seen["document"] |= set(result.required_documents)
    return seen


def test_the_case_library_loads_with_unique_ids() -> None:
    assert len(load_cases()) >= 45


def test_every_rule_fires_in_some_library_case() -> None:
    rulebase = default_classifier().rulebase
    every = {r.id for r in rulebase.rules}
    for profile in rulebase.profiles.values():
        every |= {r.id for r in profile.rules}
    never = sorted(every - library_outcomes()["rule"])
    assert not never, f"no case of rules/cases/ fires: {never}"


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("form", FORMS),
        ("flag", FLAGS),
        ("zone", ZONES),
        ("category", CATEGORIES),
        ("document", DOCUMENTS),
    ],
)
def test_every_code_is_produced_by_some_library_case(kind: str, codes: tuple[str, ...]) -> None:
    never = sorted(set(codes) - library_outcomes()[kind])
    assert not never, f"no case of rules/cases/ produces the {kind} codes {never}"


def test_every_shipped_condition_reads_back_the_same() -> None:
    """`to_data` is how reports, docs and check witnesses show a condition: it must
    parse back to a condition that reads the same fields and shows the same data."""
    from kyodo_rules.rulebase import conditions as cond
    from kyodo_rules.rulebase.loading import load_rulebase

    for rule in load_rulebase().rules:
        data = cond.to_data(rule.condition)
        again = cond.parse(data)
        assert cond.to_data(again) == data, rule.id
        assert cond.fields_read(again) == rule.fields, rule.id
