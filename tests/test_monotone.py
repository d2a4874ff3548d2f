"""Monotone answers: a design that is more collaborative never reads worse.

The orders are `toward_collaboration` in policy.yaml. `kyodo-rules check`
proves them over the whole input space (analysis/monotone.py); these tests
check that the proof holds on the shipped rules, that it finds a planted
defect with a witness that really reads worse, and, independently of the
proof, that random cases moved toward collaboration never read worse through
`classify()` itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules import Result, classify
from kyodo_rules.analysis.check import check
from kyodo_rules.decision.classify import Classifier, default_classifier
from kyodo_rules.model.errors import RuleError
from kyodo_rules.rulebase.directions import Directions
from kyodo_rules.rulebase.loading import load_rulebase
from strategies import cases

POLICY = default_classifier().rulebase.policy
DIRECTIONS = Directions(POLICY.toward_collaboration)
RANK = {"not_kyodo": 0, "undetermined": 1, "kyodo": 2}


def shown(result: Result) -> int:
    """The answer shown, ranked: the strict verdict if settled, else the provisional one."""
    if result.verdict != "undetermined":
        return RANK[result.verdict]
    assert result.provisional is not None
    return RANK[result.provisional.verdict]


def test_the_shipped_rulebase_is_proved_monotone() -> None:
    report = check(sample=200, differential=False, coverage=False)
    assert report.complete
    assert not [d for d in report.defects if d.kind == "not_monotone"]


def test_a_planted_disqualifier_of_joint_planning_is_found_with_a_witness(rules: Path) -> None:
    """A not-協働 rule that fires when the city plans *together* with the partner: moving
    the planner from the city to both sides then makes some answer worse."""
    (rules / "zz_test.yaml").write_text(
        yaml.safe_dump(
            {
                "rules": [
                    {
                        "id": "test-joint-is-bad",
                        "title": {"ja": "検査用", "en": "for the check"},
                        "source": "002_5706d2c9275a3206.txt (7) 事例3",
                        "quote": "q",
                        "when": {"planner": "joint", "activity": "festival"},
                        "then": {"verdict": "not_kyodo", "category": "not_equal"},
                    }
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    report = check(rules, sample=200, differential=False, coverage=False)
    found = [d for d in report.defects if d.kind == "not_monotone"]
    assert found and not report.clean
    moves = {d.en.split(" from ")[0] for d in found}
    assert "moving planner" in moves
    # The witness really reads worse, through classify() on the broken rulebase.
    classifier = Classifier(rules_dir=rules)
    for defect in found:
        if not defect.en.startswith("moving planner"):
            continue
        assert defect.witness is not None
        assert "test-joint-is-bad" in defect.rules
        before = classifier.classify(defect.witness, what_if=False)
        after = classifier.classify({**defect.witness, "planner": "joint"}, what_if=False)
        assert shown(after) < shown(before), defect.witness


def test_a_direction_that_goes_round_in_a_circle_is_refused(rules: Path) -> None:
    path = rules / "policy.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["toward_collaboration"]["planner"] = {"steps": [["city", "joint"], ["joint", "city"]]}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleError, match="circle"):
        load_rulebase(rules)


def test_a_direction_with_an_unknown_code_is_refused(rules: Path) -> None:
    path = rules / "policy.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["toward_collaboration"]["planner"] = {"steps": [["city", "together"]]}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleError, match="together"):
        load_rulebase(rules)


@st.composite
def moved(draw: st.DrawFn) -> tuple[dict[str, Any], str, Any]:
    """A case, a field with a direction, and a value more collaborative than its own."""
    facts = draw(cases())
    movable = [f for f in DIRECTIONS.fields if DIRECTIONS.above(f, facts.get(f))]
    field = draw(st.sampled_from(movable))
    return facts, field, draw(st.sampled_from(DIRECTIONS.above(field, facts.get(field))))


@settings(max_examples=400, deadline=None)
@given(moved())
def test_a_move_toward_collaboration_never_reads_worse(
    drawn: tuple[dict[str, Any], str, Any],
) -> None:
    facts, field, value = drawn
    before = classify(facts, what_if=False)
    after = classify({**facts, field: value}, what_if=False)
    assert shown(after) >= shown(before), (field, facts.get(field), value, facts)


def test_the_issue_cleanup_reads_no_worse_planned_jointly_or_with_expertise() -> None:
    """事例3's cleanup, the city planning and asking labour only, with prior consultation,
    is 協働 (provisionally); planned together, or with the partner's know-how, it
    cannot read worse."""
    base = {
        "actors": ["city", "community_org", "business"],
        "activity": "safety_disaster_environment",
        "planner": "city",
        "partner_contribution": "labour_only",
        "prior_consultation": True,
    }
    first = classify(base, what_if=False)
    assert shown(first) == RANK["kyodo"]
    for change in ({"planner": "joint"}, {"partner_contribution": "expertise"}):
        assert shown(classify({**base, **change}, what_if=False)) == RANK["kyodo"], change
