"""NPO法人 eligibility (domain F9): the second ruleset on the same engines.

The worked answer of 日南市's 協働こらむ１ (a 自治会 run as 1世帯1票 cannot become
an NPO法人) and each requirement ア–キ are checked through the public API; a
property test holds both engines to a direct reading of the requirements.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kyodo_rules
from kyodo_rules import Group, InputError, NpoResult, RuleError, npo_eligibility
from kyodo_rules.files.shipped import data_path
from kyodo_rules.npo.eligibility import GROUP_FIELDS, REQUIREMENTS, NpoChecker
from kyodo_rules.outputs.npo import render_npo

#: A group that meets every requirement, with every fact known.
PROPER: dict[str, Any] = {
    "purpose_field": "C",
    "for_profit": False,
    "unfair_membership_conditions": False,
    "members": 10,
    "officers": 3,
    "paid_officers": 1,
    "religious_or_political_main_purpose": False,
    "supports_candidates_or_parties": False,
    "membership_unit": "individual",
    "records_open_to_inspection": True,
}


def test_jichikai_run_per_household_is_not_eligible() -> None:
    # 協働こらむ１: 1世帯1票, dues per household -> the individuals are not members.
    jichikai = {**PROPER, "members": 120, "membership_unit": "household"}
    result = npo_eligibility(jichikai)
    assert result.eligible is False
    assert result.failed == ("membership",)
    assert [t.rule_id for t in result.trace] == ["npo-u-household-membership"]
    assert "協働こらむ１" in result.trace[0].source


def test_jichikai_is_not_eligible_even_when_other_facts_are_unknown() -> None:
    result = npo_eligibility({"membership_unit": "household"})
    assert result.eligible is False
    assert result.failed == ("membership",)
    # The answer is decided, but other requirements may fail too: say what to check,
    # but not what could only fail `membership` again.
    assert "members" in result.missing_facts
    assert "unfair_membership_conditions" not in result.missing_facts


def test_proper_group_with_ten_members_is_eligible() -> None:
    result = npo_eligibility(PROPER)
    assert result == NpoResult(eligible=True)


def test_nine_members_fail_min_members() -> None:
    result = npo_eligibility({**PROPER, "members": 9})
    assert result.eligible is False
    assert result.failed == ("min_members",)
    assert result.trace[0].source.endswith("ＮＰＯ法人の要件 エ")


@pytest.mark.parametrize(
    ("officers", "paid", "fails"),
    [(3, 2, True), (3, 1, False), (6, 2, False), (6, 3, True), (0, 0, False)],
)
def test_paid_officers_at_most_a_third(officers: int, paid: int, fails: bool) -> None:
    result = npo_eligibility({**PROPER, "officers": officers, "paid_officers": paid})
    assert result.failed == (("paid_officers",) if fails else ())
    assert result.eligible is (not fails)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"purpose_field": "other"}, "purpose_field"),
        ({"for_profit": True}, "non_profit"),
        ({"unfair_membership_conditions": True}, "membership"),
        ({"religious_or_political_main_purpose": True}, "religion_politics"),
        ({"supports_candidates_or_parties": True}, "candidates"),
    ],
)
def test_each_requirement_fails_on_its_own(change: dict[str, Any], code: str) -> None:
    result = npo_eligibility({**PROPER, **change})
    assert result.eligible is False
    assert result.failed == (code,)


def test_several_failures_are_listed_in_source_order() -> None:
    result = npo_eligibility(
        {**PROPER, "supports_candidates_or_parties": True, "members": 3, "for_profit": True}
    )
    assert result.failed == ("non_profit", "min_members", "candidates")


def test_unknown_facts_leave_eligibility_open() -> None:
    result = npo_eligibility({})
    assert result.eligible is None
    assert result.failed == ()
    assert set(result.undecided) == set(REQUIREMENTS)
    assert result.missing_facts == GROUP_FIELDS


def test_one_unknown_fact_is_named() -> None:
    facts = {k: v for k, v in PROPER.items() if k != "supports_candidates_or_parties"}
    result = npo_eligibility(facts)
    assert result.eligible is None
    assert result.undecided == ("candidates",)
    assert result.missing_facts == ("supports_candidates_or_parties",)


def test_unknown_ratio_asks_for_the_unknown_count_only() -> None:
    facts = {k: v for k, v in PROPER.items() if k != "paid_officers"}
    result = npo_eligibility(facts)
    assert result.eligible is None
    assert result.missing_facts == ("paid_officers",)


def test_derived_ratio_fact() -> None:
    assert Group(officers=3, paid_officers=2).paid_officers_over_third is True
    assert Group(officers=3, paid_officers=1).paid_officers_over_third is False
    assert Group(officers=3).paid_officers_over_third is None
    assert "paid_officers_over_third" not in Group().facts()


@pytest.mark.parametrize(
    ("data", "field", "hint"),
    [
        ({"members": "ten"}, "members", "allowed: a whole number"),
        ({"members": True}, "members", "allowed: a whole number"),
        ({"officers": 2.5}, "officers", "allowed: a whole number"),
        ({"members": -1}, "members", "greater than or equal to 0"),
        ({"membership_unit": "family"}, "membership_unit", "individual, household"),
        ({"for_profit": "no"}, "for_profit", "true, false"),
        ({"purpose_field": "R"}, "purpose_field", "Q, other"),
        ({"officers": 2, "paid_officers": 3}, "paid_officers", "only 2 officers"),
        ({"member": 12}, "member", "did you mean 'members'"),
        ({"paid_officers_over_third": False}, "paid_officers_over_third", "fields:"),
    ],
)
def test_bad_input_names_the_field(data: dict[str, Any], field: str, hint: str) -> None:
    with pytest.raises(InputError) as info:
        npo_eligibility(data)
    assert field in str(info.value)
    assert hint in str(info.value)


def test_bad_input_that_is_not_a_mapping() -> None:
    with pytest.raises(InputError, match="group: expected a mapping"):
        npo_eligibility([1, 2])  # type: ignore[arg-type]


def test_bad_language() -> None:
    with pytest.raises(InputError, match="lang"):
        npo_eligibility(PROPER, lang="fr")


def test_english_titles() -> None:
    result = npo_eligibility({**PROPER, "members": 2}, lang="en")
    assert result.trace[0].title.startswith("Fewer than 10 members")


def test_public_exports() -> None:
    assert {"npo_eligibility", "Group", "NpoResult"} <= set(kyodo_rules.__all__)


def test_json_shape() -> None:
    data = npo_eligibility({"membership_unit": "household"}).model_dump(mode="json")
    assert data["eligible"] is False
    assert data["failed"] == ["membership"]
    assert {"rule_id", "title", "source"} <= set(data["trace"][0])


def test_render_ja() -> None:
    text = render_npo(npo_eligibility({**PROPER, "membership_unit": "household"}), "ja")
    assert "満たしていません" in text
    assert "ウ 社員（会員）の入会などに不当な条件を付さないこと" in text
    assert "協働こらむ１" in text
    open_text = render_npo(npo_eligibility({"members": 12}), "ja")
    assert "まだ判断できません" in open_text
    assert "officers" in open_text
    assert render_npo(npo_eligibility(PROPER), "ja").startswith(
        "判定: NPO法人の主な要件を満たしています"
    )


def test_render_en() -> None:
    assert "Does not meet" in render_npo(npo_eligibility({"members": 1}, lang="en"), "en")


# --- both engines against a direct reading of the requirements -------------

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "purpose_field": st.sampled_from(["A", "K", "Q", "other"]),
    "for_profit": st.booleans(),
    "unfair_membership_conditions": st.booleans(),
    "members": st.integers(0, 30),
    "officers": st.integers(0, 9),
    "paid_officers": st.integers(0, 9),
    "religious_or_political_main_purpose": st.booleans(),
    "supports_candidates_or_parties": st.booleans(),
    "membership_unit": st.sampled_from(["individual", "household"]),
    "records_open_to_inspection": st.booleans(),
}


@st.composite
def groups(draw: st.DrawFn) -> dict[str, Any]:
    out = {f: draw(s) for f, s in _VALUES.items() if draw(st.booleans())}
    if "officers" in out and "paid_officers" in out:
        out["paid_officers"] = min(out["paid_officers"], out["officers"])
    return out


def _expected(g: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Requirements that surely fail, and those that may, read straight from ア–キ."""

    def test(value: bool | None, code: str) -> None:
        (failed if value else maybe if value is None else set()).add(code)

    failed: set[str] = set()
    maybe: set[str] = set()

    def get(name: str) -> Any:
        return g.get(name)

    pf = get("purpose_field")
    test(None if pf is None else pf == "other", "purpose_field")
    test(get("for_profit"), "non_profit")
    unfair, unit = get("unfair_membership_conditions"), get("membership_unit")
    household = None if unit is None else unit == "household"
    if unfair or household:
        failed.add("membership")
    elif unfair is None or household is None:
        maybe.add("membership")
    members = get("members")
    test(None if members is None else members < 10, "min_members")
    officers, paid = get("officers"), get("paid_officers")
    test(None if officers is None or paid is None else paid * 3 > officers, "paid_officers")
    test(get("religious_or_political_main_purpose"), "religion_politics")
    test(get("supports_candidates_or_parties"), "candidates")
    records = get("records_open_to_inspection")
    test(None if records is None else not records, "records_open")
    return failed, maybe - failed


_CHECKER = NpoChecker()


@given(groups())
def test_engines_agree_with_the_requirements(group: dict[str, Any]) -> None:
    failed, maybe = _expected(group)
    eligible = False if failed else (None if maybe else True)
    for engine in ("durable", "python"):
        result = _CHECKER.check(group, engine=engine)
        assert set(result.failed) == failed, engine
        assert set(result.undecided) == maybe, engine
        assert result.eligible is eligible, engine


# --- broken rule files: `file:line: rule-id: problem` ------------------------


def _rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(data_path("rules"), root)
    return root


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_rules_load_from_an_explicit_directory(tmp_path: Path) -> None:
    checker = NpoChecker(_rules_copy(tmp_path))
    assert checker.check({**PROPER, "members": 4}).failed == ("min_members",)


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_unknown_field_in_a_rule(tmp_path: Path) -> None:
    root = _rules_copy(tmp_path)
    path = root / "npo" / "requirements.yaml"
    _replace(path, "when: {members: {count_at_most: 9}}", "when: {membres: {count_at_most: 9}}")
    with pytest.raises(RuleError) as info:
        NpoChecker(root)
    line = _line_of(path, "membres")
    message = str(info.value)
    assert message.startswith(f"rules/npo/requirements.yaml:{line}: npo-e-min-members: when:")
    assert "did you mean 'members'" in message


def test_unknown_requirement_code(tmp_path: Path) -> None:
    root = _rules_copy(tmp_path)
    path = root / "npo" / "requirements.yaml"
    _replace(path, "then: {fails: candidates}", "then: {fails: candidate}")
    with pytest.raises(RuleError) as info:
        NpoChecker(root)
    line = _line_of(path, "fails: candidate}")
    assert f"requirements.yaml:{line}: npo-ki-candidates: then.fails:" in str(info.value)


def test_a_requirement_without_a_rule_is_refused(tmp_path: Path) -> None:
    # Otherwise every group would silently pass that requirement.
    root = _rules_copy(tmp_path)
    path = root / "npo" / "requirements.yaml"
    _replace(
        path,
        "when: {supports_candidates_or_parties: true}\n    then: {fails: candidates}",
        "when: {supports_candidates_or_parties: true}\n    then: {fails: religion_politics}",
    )
    with pytest.raises(RuleError, match=r"no rule decides requirement.*candidates"):
        NpoChecker(root)


def test_a_source_outside_the_seeds_is_refused(tmp_path: Path) -> None:
    root = _rules_copy(tmp_path)
    path = root / "npo" / "requirements.yaml"
    _replace(
        path,
        "source: 002_5706d2c9275a3206.txt Ⅱ-1 (3) ③ ＮＰＯ法人の要件 エ",
        "source: 009_0000000000000000.txt エ",
    )
    with pytest.raises(RuleError, match="npo-e-min-members: source '009_"):
        NpoChecker(root)


def test_duplicate_rule_id(tmp_path: Path) -> None:
    root = _rules_copy(tmp_path)
    path = root / "npo" / "requirements.yaml"
    _replace(path, "id: npo-ki-candidates", "id: npo-ka-religion-politics")
    with pytest.raises(RuleError, match="duplicate rule id"):
        NpoChecker(root)


def test_papers_closed_to_inspection_fail_records_open() -> None:
    # 002 Ⅱ-1 (3) ④イ: 「常時、事業報告書や収支決算などの書類が、閲覧できる状態にあるか。」
    result = npo_eligibility({**PROPER, "records_open_to_inspection": False})
    assert result.eligible is False
    assert result.failed == ("records_open",)
    assert [t.rule_id for t in result.trace] == ["npo-records-open-to-inspection"]
    unknown = {k: v for k, v in PROPER.items() if k != "records_open_to_inspection"}
    assert npo_eligibility(unknown).eligible is None
    assert "records_open_to_inspection" in npo_eligibility(unknown).missing_facts
