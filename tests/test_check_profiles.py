"""`kyodo-rules check` explores a rule set once, however many profiles share it, and puts
every distinct input it explores to the second backend once.

Exploration is a function of the rules and the policy alone, so a profile with
the same rules as one already explored has the same findings under its own
name; a profile with rules of its own is explored on its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from kyodo_rules.analysis import explorer
from kyodo_rules.analysis.check import Report, check, explore
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.files.shipped import data_path
from kyodo_rules.rulebase.loading import load_rulebase
from kyodo_rules.rulebase.readings import flatten

FAST: dict[str, Any] = {"sample": 500, "differential": False, "coverage": False}


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    """The shipped rules with two profiles: generic and ogi (the same rules, today)."""
    target = tmp_path / "rules"
    shutil.copytree(data_path("rules"), target)
    for profile in (target / "profiles").glob("*.yaml"):
        if profile.stem not in ("generic", "ogi"):
            profile.unlink()
    return target


def disable(rules: Path, profile: str, *rule: str) -> None:
    path = rules / "profiles" / f"{profile}.yaml"
    extra = yaml.safe_dump({"disable": list(rule)})
    path.write_text(path.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")


def gaps(report: Report, profile: str) -> list[Any]:
    return [d.witness for d in report.defects if d.kind == "gap" and d.profile == profile]


def test_profiles_with_the_same_rules_share_one_exploration(rules: Path) -> None:
    for profile in ("generic", "ogi"):
        disable(rules, profile, "definition-met", "definition-met-public-benefit")
    report = check(rules, None, **FAST)
    assert gaps(report, "generic") and gaps(report, "ogi") == gaps(report, "generic")
    assert report.methods["ogi"].startswith("the same ")
    # The same findings as exploring ogi on its own.
    rulebase = load_rulebase(rules)
    alone = explore(
        rulebase.ruleset("ogi"), rulebase.policy, sample=500, report=Report(), differential=False
    )
    assert gaps(alone, "ogi") == gaps(report, "ogi")
    assert alone.inputs > 0 and "rules" in alone.methods["ogi"]


def test_a_profile_with_rules_of_its_own_is_explored_on_its_own(rules: Path) -> None:
    disable(rules, "generic", "definition-met", "definition-met-public-benefit")
    report = check(rules, None, **FAST)
    assert gaps(report, "generic") and not gaps(report, "ogi")
    assert not report.methods["ogi"].startswith("the same ")


def test_every_distinct_explored_input_goes_to_the_second_backend_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessed: list[tuple[Any, ...]] = []
    compared: list[tuple[Any, ...]] = []
    original = explorer.Explorer.assess

    def assess(self: explorer.Explorer, facts: Any) -> Any:
        assessed.append(tuple(flatten(facts).values()))
        return original(self, facts)

    class Recording:
        def __init__(self, rules: Any) -> None:
            self.inner = PythonEngine(rules)

        def evaluate(self, flat: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
            compared.append(tuple(flat.values()))
            return self.inner.evaluate(flat)

    monkeypatch.setattr(explorer.Explorer, "assess", assess)
    rulebase = load_rulebase()
    report = explore(
        rulebase.ruleset("generic"),
        rulebase.policy,
        budget=2_000,
        sample=300,
        report=Report(),
        differential=Recording,
    )
    assert report.clean
    assert len(assessed) > len(set(assessed)), "the checks meet some inputs again"
    assert set(compared) == set(assessed)
    assert len(compared) == len(set(compared))
