"""`kyodo-rules check` catches each kind of defect, with a witness that shows it.

Each test copies the shipped rules into a temporary directory and breaks them
in exactly one way, so that a failure names the defect kind that slipped by.
Only the generic profile is kept in the copies: the other profiles repeat the
same exploration and would only make the suite slower.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from kyodo_rules.analysis.check import Defect, Report, check
from kyodo_rules.cli.main import main
from kyodo_rules.decision.classify import Classifier
from kyodo_rules.files.shipped import data_path
from kyodo_rules.model.errors import RuleError
from kyodo_rules.rulebase.questions import load as load_questions
from kyodo_rules.rulebase.readings import flatten

SOURCE = "002_5706d2c9275a3206.txt (7) 事例1"
#: The condition coverage is left out where a planted rule (which no case pins) is
#: not what the test is about; tests/test_coverage.py tests it.
FAST = {"sample": 500, "coverage": False}


@pytest.fixture()
def wizard(tmp_path: Path) -> Path:
    """The shipped wizard, which the wizard itself loads (so it is not a defect)."""
    target = tmp_path / "wizard"
    shutil.copytree(
        data_path("wizard"), target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    return target


def edit_questions(wizard: Path, change: Any) -> None:
    path = wizard / "questions.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc["questions"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def add_rules(rules: Path, *specs: dict[str, Any]) -> None:
    base = {"title": {"ja": "検査用", "en": "for the check"}, "source": SOURCE, "quote": "q"}
    # Fresh objects per rule: shared ones would be dumped as aliases, which the loader refuses.
    full = [copy.deepcopy({k: v for k, v in {**base, **s}.items() if v is not None}) for s in specs]
    (rules / "zz_test.yaml").write_text(
        yaml.safe_dump({"rules": full}, allow_unicode=True), encoding="utf-8"
    )


def drop_rule(rules: Path, rule_id: str) -> None:
    for path in rules.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and any(r.get("id") == rule_id for r in doc.get("rules", [])):
            doc["rules"] = [r for r in doc["rules"] if r.get("id") != rule_id]
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
            return
    raise AssertionError(f"no rule {rule_id}")


def set_profile(rules: Path, **changes: Any) -> None:
    path = rules / "profiles" / "generic.yaml"
    text = path.read_text(encoding="utf-8")
    extra = yaml.safe_dump(changes, allow_unicode=True)
    path.write_text(text + "\n" + extra, encoding="utf-8")


def found(report: Report, kind: str) -> list[Defect]:
    return [d for d in report.defects if d.kind == kind]


def classify(rules: Path, facts: dict[str, Any]) -> tuple[str, set[str]]:
    """The verdict and the ids of the rules in force, computed independently of the checker."""
    bound = Classifier(rules_dir=rules).bound("generic")
    decision, definite, _ = bound.assess(facts, "python")
    ids = {bound.ruleset.rules[i].id for i in definite if i not in decision.overridden}
    return decision.verdict, ids


def test_unsatisfiable_rule_is_reported_with_its_contradiction(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {
            "id": "test-unsat",
            "when": {"spec_author": "city", "all": [{"spec_author": "partner"}]},
            "then": {"flags": ["marunage"]},
        },
    )
    report = check(rules, wizard, **FAST)
    [defect] = found(report, "never_fires")
    assert defect.rules == ("test-unsat",)
    assert defect.where.endswith("zz_test.yaml:2")
    assert {"spec_author": "city"} in defect.core
    assert not report.clean


def test_rule_always_set_aside_is_never_in_force(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {
            "id": "test-narrow",
            "when": {"scheme": "contract", "period": "ongoing"},
            "then": {"flags": ["marunage"]},
        },
        {
            "id": "test-wide",
            "when": {"scheme": "contract"},
            "then": {"flags": ["kyodo_as_goal"]},
            "overrides": ["test-narrow"],
        },
    )
    report = check(rules, wizard, **FAST)
    [defect] = found(report, "never_in_force")
    assert defect.rules == ("test-narrow",)
    assert defect.witness == {"scheme": "contract", "period": "ongoing"}


@pytest.mark.slow
def test_two_zones_without_override_conflict(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {"id": "test-zone", "when": {"organizer": "committee"}, "then": {"zone": "government_led"}},
    )
    report = check(rules, wizard, **FAST)
    conflicts = [d for d in found(report, "conflict") if "test-zone" in d.rules]
    assert conflicts
    for defect in conflicts:
        assert defect.witness is not None
        _, in_force = classify(rules, defect.witness)
        assert set(defect.rules) <= in_force, defect


@pytest.mark.slow
def test_declared_override_resolves_the_conflict(rules: Path, wizard: Path) -> None:
    zone_rules = [
        "zone-citizen-independent",
        "zone-citizen-led",
        "zone-equal-partnership",
        "zone-government-independent",
    ]
    # Public benefit, and not for the individual alone: the two verdict rules that also
    # give a zone (私益, 自助) cannot hold beside it, so only the zone rules need setting
    # aside (overriding verdict rules too would make the gap search explore far more).
    add_rules(
        rules,
        {
            "id": "test-zone",
            "when": {"organizer": "committee", "benefit": "public", "self_solvable": False},
            "then": {"zone": "government_led"},
            "overrides": zone_rules,
        },
    )
    report = check(rules, wizard, **FAST)
    assert not [d for d in found(report, "conflict") if "test-zone" in d.rules]


def test_disabling_the_definition_leaves_a_gap(rules: Path, wizard: Path) -> None:
    # Both rules that conclude 協働 from the definition (イ stated, or shown by a
    # public benefit): without them a fully-known case in no form of 協働 has no answer.
    set_profile(rules, disable=["definition-met", "definition-met-public-benefit"])
    report = check(rules, wizard, **FAST)
    gaps = found(report, "gap")
    assert gaps
    read = Classifier(rules_dir=rules).bound("generic").ruleset.fields_read
    for defect in gaps:
        assert defect.witness is not None
        assert read <= set(defect.witness), "a gap witness must be fully known"
        assert classify(rules, defect.witness)[0] == "undetermined"


def test_exception_without_overrides_is_outvoted(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {
            "id": "test-exception",
            "when": {"scheme": "designated_manager", "prior_consultation": True},
            "then": {"verdict": "kyodo"},
        },
    )
    report = check(rules, wizard, **FAST)
    [defect] = found(report, "kyodo_outvoted")
    assert defect.rules == ("test-exception",)
    assert defect.witness == {"scheme": "designated_manager", "prior_consultation": True}
    verdict, in_force = classify(rules, defect.witness)
    assert verdict == "not_kyodo"
    assert "test-exception" in in_force
    assert "jirei5-designated-manager" in in_force


@pytest.mark.slow
def test_wizard_asking_a_field_no_rule_reads(rules: Path, wizard: Path) -> None:
    # Nothing else reads evaluation_planned.
    drop_rule(rules, "no-evaluation")
    drop_rule(rules, "commission-without-joint-steps")
    report = check(rules, wizard, **FAST)
    messages = " | ".join(d.en for d in found(report, "wizard"))
    assert "a question asks about evaluation_planned, which no rule reads" in messages


def test_a_wizard_file_the_wizard_refuses_is_a_defect_in_the_loaders_words(
    rules: Path, wizard: Path
) -> None:
    """The checker reads the file through the wizard's own loader (issue 10, item 5):
    a question missing, an unknown field, a question without its help text."""

    def break_it(questions: list[dict[str, Any]]) -> None:
        questions[:] = [q for q in questions if q["field"] != "stage"]
        questions.append({"field": "nonsense_field", "short": {"ja": "x", "en": "x"},
                          "text": {"ja": "x", "en": "x"}})  # fmt: skip

    edit_questions(wizard, break_it)
    report = check(rules, wizard, **FAST)
    messages = [d.en for d in found(report, "invalid_file")]
    assert messages, report.defects
    assert all(m.startswith("the wizard cannot load it: wizard/questions.yaml:") for m in messages)
    assert any("unknown field 'nonsense_field'" in m for m in messages)
    # What the checker says is what the wizard says when it starts.
    with pytest.raises(RuleError) as refused:
        load_questions(wizard)
    assert str(refused.value).splitlines()[0] in messages[0]


def test_a_minimal_questions_file_that_the_wizard_refuses_is_not_passed(
    rules: Path, tmp_path: Path
) -> None:
    """The old checker read `field:` keys tolerantly and passed this file."""
    from kyodo_rules.rulebase.loading import load_rulebase

    read = load_rulebase(rules).ruleset("generic").fields_read
    target = tmp_path / "wizard"
    target.mkdir()
    questions = [{"id": f"q-{f}", "field": f} for f in sorted(read)]
    (target / "questions.yaml").write_text(yaml.safe_dump({"questions": questions}), "utf-8")
    assert not check(rules, target, **FAST).clean


def test_missing_wizard_file_is_a_defect(rules: Path, tmp_path: Path) -> None:
    report = check(rules, tmp_path, **FAST)
    assert any(d.en == "no wizard questions file" for d in found(report, "wizard"))


def test_flag_nobody_raises(rules: Path, wizard: Path) -> None:
    drop_rule(rules, "not-disclosed")
    drop_rule(rules, "subsidy-not-disclosed")
    report = check(rules, wizard, **FAST)
    assert [d.en for d in found(report, "unused_flag")] == [
        "flag not_disclosed is in the catalogue but no rule raises it"
    ]


def test_profile_disabling_an_unknown_rule_is_an_invalid_file(rules: Path, wizard: Path) -> None:
    set_profile(rules, disable=["no-such-rule"])
    report = check(rules, wizard, **FAST)
    [defect] = found(report, "invalid_file")
    assert "no-such-rule" in defect.en
    assert not report.clean


def test_source_outside_the_seed_list(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {
            "id": "test-source",
            "source": "999_0000000000000000.txt 第1章",
            "when": {"scheme": "contract"},
            "then": {"flags": ["marunage"]},
        },
    )
    report = check(rules, wizard, **FAST)
    assert any("999_0000000000000000.txt" in d.en for d in found(report, "invalid_file"))


def test_missing_quote_is_only_a_warning(rules: Path, wizard: Path) -> None:
    add_rules(
        rules,
        {
            "id": "test-noquote",
            "quote": None,
            "when": {"scheme": "contract"},
            "then": {"flags": ["marunage"]},
        },
    )
    report = check(rules, wizard, **FAST)
    [defect] = found(report, "no_quote")
    assert defect.severity == "warning"
    assert report.clean, [d.en for d in report.defects if d.severity == "defect"]


@pytest.mark.slow
def test_witness_facts_are_valid_cases(rules: Path, wizard: Path) -> None:
    set_profile(rules, disable=["definition-met", "definition-met-public-benefit"])
    witnesses = [d.witness for d in check(rules, wizard, **FAST).defects if d.witness is not None]
    assert witnesses, "the broken rulebase must produce at least one witness"
    for witness in witnesses:
        flatten(witness)
        Classifier(rules_dir=rules).classify(witness, what_if=False)


@pytest.mark.slow
def test_cli_exit_codes(rules: Path, wizard: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_rules(
        rules,
        {
            "id": "test-unsat",
            "when": {"scheme": "contract", "not": {"scheme": "contract"}},
            "then": {"flags": ["marunage"]},
        },
    )
    assert main(["check", "--rules", str(rules), "--wizard", str(wizard)]) == 1
    out = capsys.readouterr().out
    assert "test-unsat" in out
    assert "inputs explored in" in out
    assert main(["check", "--rules", str(rules / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["check", "--bogus"])
    assert exc.value.code == 2


@pytest.mark.slow
def test_shipped_rulebase_is_clean() -> None:
    report = check()
    defects = [f"{d.where} {d.en} {d.witness}" for d in report.defects if d.severity == "defect"]
    assert not defects, "\n".join(defects)
    assert report.complete
    # Every explored input also went through durable-rules (no "backends_disagree").
    assert "second backend" in " ".join(report.methods.values())


def test_a_backend_that_disagrees_is_caught_with_a_witness() -> None:
    """Every explored input also goes through the second backend (durable-rules by
    default); here a deliberately wrong one must be caught on the first input."""
    from kyodo_rules.analysis.check import Report, explore
    from kyodo_rules.engines.python import PythonEngine
    from kyodo_rules.rulebase.loading import load_rulebase

    class OffByOne:
        def __init__(self, rules: Any) -> None:
            self.inner = PythonEngine(rules)

        def evaluate(self, flat: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
            definite, undecided = self.inner.evaluate(flat)
            return definite[1:], undecided

    rulebase = load_rulebase()
    report = explore(
        rulebase.ruleset("generic"),
        rulebase.policy,
        budget=2_000,
        sample=100,
        report=Report(),
        differential=OffByOne,
    )
    found = [d for d in report.defects if d.kind == "backends_disagree"]
    assert len(found) == 1 and found[0].witness is not None


@pytest.mark.slow
def test_the_npo_rules_are_checked_too(
    rules: Path, wizard: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kyodo_rules.analysis.npo_checks import check_npo

    shipped = check_npo(None, Report())
    assert shipped.clean and shipped.inputs > 0
    assert "second backend" in shipped.methods["npo"]
    path = rules / "npo" / "requirements.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["rules"].append(
        {
            **copy.deepcopy({k: doc["rules"][0][k] for k in ("title", "source", "quote")}),
            "id": "npo-test-never",
            "when": {"for_profit": True, "not": {"for_profit": True}},
            "then": {"fails": "non_profit"},
        }
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert main(["check", "--rules", str(rules), "--wizard", str(wizard)]) == 1
    out = capsys.readouterr().out
    assert "npo-test-never: its condition holds on no facts at all" in out
    assert "rules/npo/requirements.yaml:" in out
    (rules / "npo" / "requirements.yaml").write_text("rules: [{id: broken}]\n", encoding="utf-8")
    report = check_npo(rules, Report())
    assert [d.kind for d in report.defects][:1] == ["invalid_file"]
