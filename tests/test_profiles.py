"""Municipal profiles (domain F6, F8 and "Municipalities differ").

A profile is data: the same case answered under 日南市, 小城市 or あま市 must name
the forms, principles and checklists in that city's own words; and a profile
must be able to switch a shipped rule off, or stand in for it, with its own
citation, without a line of code.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from kyodo_rules import Classifier, RuleError, classify
from kyodo_rules.files.shipped import data_path
from kyodo_rules.model.vocabulary import FORMS, STAGES
from kyodo_rules.rulebase.loading import load_rulebase

#: Citizens and the city form an 実行委員会 for a festival: both
#: executive_committee and co_hosting are recommended.
COMMITTEE = {
    "actors": ["city", "civic_group"],
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "organizer": "committee",
    "activity": "festival",
    "benefit": "public",
    "stage": "planning",
}

#: 事例5's contrast case (a facility run with the partner's know-how, the
#: specification written together), here under the designated-manager scheme.
DESIGNATED_JOINT = {
    "actors": ["city", "civic_group"],
    "activity": "facility_management",
    "planner": "city",
    "spec_author": "joint",
    "city_supervises": False,
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "partner_contribution": "expertise",
    "prior_consultation": True,
    "benefit": "public",
    "funding": ["contract_fee"],
    "scheme": "designated_manager",
    "period": "fixed_period",
    "self_solvable": False,
}


def _labels(profile: str, lang: str = "ja") -> dict[str, str]:
    result = classify(COMMITTEE, profile=profile, lang=lang, what_if=False)
    return {form.code: form.label for form in result.forms}


@pytest.mark.parametrize(
    ("profile", "executive_committee", "co_hosting"),
    [
        ("generic", "実行委員会・協議会", "共催"),
        ("nichinan", "⑤実行委員会、協議会", "③共催"),
        ("ogi", "実行委員会・協議会（小城市では②共催に含まれます）", "②共催"),
        ("ama", "(3) 事業共催（実行委員会方式で行うイベント等も", "(3) 事業共催"),
    ],
)
def test_each_city_names_the_forms_its_own_way(
    profile: str, executive_committee: str, co_hosting: str
) -> None:
    labels = _labels(profile)
    assert labels["executive_committee"].startswith(executive_committee)
    assert labels["co_hosting"] == co_hosting


def test_ogi_names_the_executive_committee_as_part_of_co_hosting_without_repeating_it() -> None:
    result = classify(COMMITTEE, profile="ogi", what_if=False)
    form = next(f for f in result.forms if f.code == "executive_committee")
    assert "小城市では②共催に含まれます" in form.label
    # ②共催 itself is listed once: the committee does not borrow its label.
    assert [f.label for f in result.forms].count("②共催") == 1
    assert not any(f.label.startswith("②共催") for f in result.forms if f.code != "co_hosting")
    english = classify(COMMITTEE, profile="ogi", lang="en", what_if=False)
    assert "② co-hosting" in next(f.label for f in english.forms if f.code == "executive_committee")


def test_ogi_calls_only_a_commission_planned_together_collaborative() -> None:
    """小城市 defines ①協働型委託 as planning together from the planning stage."""
    result = classify(DESIGNATED_JOINT | {"scheme": "contract"}, profile="ogi", what_if=False)
    commission = next(f for f in result.forms if f.code == "commission")
    assert not commission.label.startswith("①協働型委託")
    assert "企画段階から一緒に" in commission.label


def test_cautions_follow_the_profile() -> None:
    def sources(profile: str, code: str) -> list[str]:
        result = classify(COMMITTEE, profile=profile, what_if=False)
        form = next(f for f in result.forms if f.code == code)
        return form.cautions

    # 日南市: its ポイント only; あま市: its 留意しなくてはならないポイント, one per side and item.
    assert [c for c in sources("nichinan", "co_hosting") if "004_" in c] == []
    assert any("③ 共催 ポイント" in c for c in sources("nichinan", "co_hosting"))
    ama = sources("ama", "co_hosting")
    assert ama[0].startswith("【市民活動団体】")
    assert all("004_988cdea14834beb0.txt" in c for c in ama)
    # あま市 counts 実行委員会方式 as 事業共催: the same cautions.
    assert sources("ama", "executive_committee") == ama
    # Generic: the union, 日南市 first.
    generic = sources("generic", "co_hosting")
    assert "002_" in generic[0]
    assert set(ama) <= set(generic)


def test_principles_in_each_citys_words() -> None:
    case = {"scheme": "designated_manager"}
    labels = {
        profile: {
            p.code: p.label
            for p in classify(case, profile=profile, what_if=False).principles_violated
        }
        for profile in ("generic", "nichinan", "ogi", "ama")
    }
    assert labels["generic"]["equality"] == "対等な関係"
    assert labels["nichinan"]["equality"].startswith("ア 市民と市が互いを尊重し")
    assert labels["ogi"]["equality"] == "1.対等な関係"
    assert labels["ama"]["equality"] == "(4) 対等性の原則"
    # A principle a city does not word falls back to the generic wording.
    assert labels["ama"]["autonomy"] == labels["generic"]["autonomy"]


def test_checklists_per_stage() -> None:
    def checklist(profile: str, stage: str) -> tuple[str, ...]:
        return classify({**COMMITTEE, "stage": stage}, profile=profile, what_if=False).checklist

    assert checklist("ama", "considering")[0] == "目的を共有できる"
    # あま市's six items, then 日南市 ステップ5 (4) and 西東京市's hand-over promise.
    implementing = checklist("generic", "implementing")
    assert len(implementing) == 8
    assert implementing[-1].startswith("協働担当者が変わっても")
    assert checklist("nichinan", "planning")[0].startswith("【ステップ４】")
    # あま市 has no review checklist: it inherits the generic one (日南市 ステップ６).
    assert checklist("ama", "reviewing") == checklist("generic", "reviewing")
    assert checklist("ama", "reviewing")[0].startswith("ふりかえりシート")
    assert checklist("ogi", "planning") == checklist("generic", "planning")


def test_profile_data_is_complete() -> None:
    base = load_rulebase()
    generic = base.profiles["generic"].spec
    sources = base.source_files()
    used = {code for rule in base.rules for code in rule.then.violates}
    assert used <= set(generic.principles), "every principle a rule names needs a label"
    for profile in base.profiles.values():
        spec = profile.spec
        assert set(spec.forms) == set(FORMS)
        assert set(spec.checklists) == set(STAGES)
        assert all(spec.checklists[s] for s in STAGES), profile.id
        for code, info in spec.forms.items():
            assert info.label or info.shown_as, (profile.id, code)
            if info.shown_as:
                assert spec.forms[info.shown_as].label, (profile.id, code)
                assert info.note, (profile.id, code)
            for caution in info.cautions:
                assert caution.source.split(" ", 1)[0] in sources
        for principle in spec.principles.values():
            assert principle.source.split(" ", 1)[0] in sources


# --- municipalities differ: switching a rule off or standing in for it ------

_OWN_RULE = """\
    - id: designated-manager-joint-spec{replaces}
      title:
        ja: 相手のノウハウを生かし仕様を双方で作るなら、指定管理者制度による施設運営も協働
        en: A designated manager with a jointly written specification is 協働
      source: 004_988cdea14834beb0.txt 第2章 4. 協働領域の一覧 行政主導 公共施設管理、運営
      quote: 行政が市民の協力を得て行う活動 … 公共施設管理、運営
      when:
        scheme: designated_manager
        spec_author: [joint, partner]
      then:
        verdict: kyodo
        forms: {{commission: 2}}
"""


def _rules_with_profile(tmp_path: Path, header: str, replaces: str | None = None) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(data_path("rules"), root)
    profile = (
        textwrap.dedent(header)
        + "rules:\n"
        + textwrap.indent(
            textwrap.dedent(_OWN_RULE).format(
                replaces=f"\n  replaces: {replaces}" if replaces else ""
            ),
            "  ",
        )
    )
    (root / "profiles" / "designated_kyodo.yaml").write_text(profile, encoding="utf-8")
    return root


def test_shipped_answer_for_jirei5() -> None:
    result = classify(DESIGNATED_JOINT, what_if=False)
    assert result.verdict == "not_kyodo"
    assert result.category == "designated_manager"


def test_a_profile_can_disable_a_rule_and_add_its_own(tmp_path: Path) -> None:
    root = _rules_with_profile(
        tmp_path,
        """\
        id: designated_kyodo
        name: {ja: 指定管理者も協働とする市（試験用）, en: Test city}
        disable: [jirei5-designated-manager]
        """,
    )
    classifier = Classifier(rules_dir=root)
    before = classifier.classify(DESIGNATED_JOINT, what_if=False)
    after = classifier.classify(DESIGNATED_JOINT, profile="designated_kyodo", what_if=False)
    assert (before.verdict, before.category) == ("not_kyodo", "designated_manager")
    assert after.verdict == "kyodo"
    assert after.category is None
    assert "jirei5-designated-manager" not in [t.rule_id for t in after.trace]
    own = next(t for t in after.trace if t.rule_id == "designated-manager-joint-spec")
    assert own.profile == "designated_kyodo"
    assert own.source.startswith("004_988cdea14834beb0.txt 第2章 4.")
    # The other profiles are untouched.
    assert classifier.classify(DESIGNATED_JOINT, profile="ama", what_if=False).verdict == (
        "not_kyodo"
    )


def test_a_profile_rule_can_replace_a_shipped_one(tmp_path: Path) -> None:
    root = _rules_with_profile(
        tmp_path,
        """\
        id: designated_kyodo
        name: {ja: 指定管理者も協働とする市（試験用）, en: Test city}
        """,
        replaces="jirei5-designated-manager",
    )
    after = Classifier(rules_dir=root).classify(
        DESIGNATED_JOINT, profile="designated_kyodo", what_if=False
    )
    assert after.verdict == "kyodo"
    assert [t.profile for t in after.trace if t.rule_id == "designated-manager-joint-spec"] == [
        "designated_kyodo"
    ]


def test_disabling_an_unknown_rule_is_a_rule_error(tmp_path: Path) -> None:
    root = _rules_with_profile(
        tmp_path,
        """\
        id: designated_kyodo
        name: {ja: 試験用, en: Test}
        disable: [jirei5-designated-managr]
        """,
    )
    with pytest.raises(RuleError, match=r"profiles/designated_kyodo\.yaml:3: disable: unknown"):
        Classifier(rules_dir=root)
