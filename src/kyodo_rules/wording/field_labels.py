"""Japanese names for the vocabulary's fields and codes, as staff write them in a sheet.

A city's project inventory is typed by people who do not know `spec_author` or
`labour_only`; the batch command reads their words (仕様書の作成者, 労力のみ) as
well as the codes. The labels are short and contain no list separator (`,` `、`)
so that a cell holding several of them can be split unambiguously, and they are
a constant rather than data: an inventory template handed out to every
department must keep reading the same headers next year.

The wizard's own wording (`wizard/questions.yaml`) is accepted as well when it
can be loaded, so that words copied from the wizard's screens also work; these
constants stay the canonical spelling used in templates and reports.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Final

from kyodo_rules.model.errors import KyodoError
from kyodo_rules.model.vocabulary import FIELD_KINDS

#: Column header (Japanese) for `title` and every fact field, in vocabulary order.
FIELD_LABELS: Final[dict[str, str]] = {
    "title": "事業名",
    "actors": "主体",
    "planner": "企画立案者",
    "spec_author": "仕様書の作成者",
    "city_supervises": "市による指導・監督",
    "equal_footing": "対等な立場",
    "shared_purpose": "共通の目的",
    "roles_shared": "役割分担",
    "partner_contribution": "相手方が提供するもの",
    "prior_consultation": "事前の協議・確認",
    "benefit": "受益",
    "activity": "活動の種類",
    "organizer": "主催者",
    "funding": "資金・物品",
    "scheme": "制度の枠組み",
    "hands_over_whole_project": "事業をまるごと移管",
    "commissioning_raises_cost": "委託すると経費が大きく増える",
    "period": "期間",
    "motives": "協働の動機",
    "partner_treated_as_free_labour": "相手方を無償の労働力とみている",
    "city_stays_out": "市が関与しない（丸投げ）",
    "responsible_department": "担当課がある",
    "partner_depends_on_subsidy": "相手方が補助金に依存",
    "city_runs_partner_secretariat": "市が相手方の事務局を担う",
    "self_solvable": "自助で解決できる",
    "community_solvable": "共助で解決できる",
    "documents": "作成済みの書類",
    "evaluation_planned": "ふりかえりを予定",
    "disclosed": "過程と結果を公開",
    "stage": "現在の段階",
}

_PARTY = {"city": "市", "partner": "相手方", "joint": "共同"}

#: Japanese label of every code of every coded field ("code" and "codes" kinds).
CODE_LABELS: Final[dict[str, dict[str, str]]] = {
    "actors": {
        "city": "市",
        "citizen": "市民",
        "community_org": "地域組織",
        "civic_group": "市民活動団体",
        "business": "事業者",
        "university": "大学",
        "cooperative": "協同組合",
    },
    "planner": dict(_PARTY),
    "spec_author": {**_PARTY, "none": "なし"},
    "partner_contribution": {
        "labour_only": "労力のみ",
        "expertise": "専門性・ノウハウ",
        "none": "なし",
    },
    "benefit": {"public": "公益", "mutual": "共益", "private": "私益"},
    "activity": {
        "private_interest": "趣味・私的な活動",
        "fellowship": "親睦",
        "promoting_values": "主義・主張の普及",
        "community_self_governance": "地域の自治活動",
        "community_revitalisation": "地域の活性化",
        "issue_discovery": "地域課題の発見",
        "local_event": "地域のイベント",
        "care_support": "生活支援・子育て支援",
        "safety_disaster_environment": "防犯・防災・環境保全",
        "festival": "イベント・まつり",
        "council_participation": "審議会等への参加",
        "plan_making": "計画づくり",
        "facility_management": "施設の管理運営",
        "public_comment": "パブリックコメント",
        "survey": "調査・アンケート",
        "permits": "許認可",
        "administrative_disposition": "行政処分",
        "public_authority": "公権力の行使",
        "routine_service": "定型業務（庁舎管理・ごみ収集など）",
        "awareness": "啓発事業",
        "other": "その他",
    },
    "organizer": {**_PARTY, "committee": "実行委員会・協議会"},
    "funding": {
        "none": "なし",
        "name_only": "名義のみ",
        "cost_share": "負担金",
        "operating_subsidy": "運営費補助",
        "project_subsidy": "事業費補助",
        "contract_fee": "委託料",
        "facilities_or_goods": "施設・物品の提供",
    },
    "scheme": {
        "designated_manager": "指定管理者制度",
        "contract": "委託契約",
        "agreement": "協定書・確認書",
        "none": "なし",
    },
    "period": {"one_off": "単発", "fixed_period": "期間限定", "ongoing": "継続"},
    "motives": {
        "cost_reduction": "経費削減",
        "problem_solving": "課題解決",
        "service_quality": "サービスの質の向上",
        "kyodo_for_its_own_sake": "協働そのものが目的",
    },
    "documents": {
        "pre_confirmation_sheet": "事前確認シート",
        "agreement_document": "協働事業確認書",
        "review_sheet": "ふりかえりシート",
    },
    "stage": {
        "considering": "検討段階",
        "planning": "計画段階",
        "implementing": "実施段階",
        "reviewing": "評価段階",
    },
}

#: How a yes/no cell is written; the first of each is what templates offer.
TRUE_WORDS: Final[tuple[str, ...]] = ("はい", "true", "yes", "1", "○", "有", "あり")
FALSE_WORDS: Final[tuple[str, ...]] = ("いいえ", "false", "no", "0", "×", "無")


def field_label(field: str, lang: str = "ja") -> str:
    """The header a person reads; English readers get the vocabulary's own name."""
    if lang == "en":
        return field
    return FIELD_LABELS.get(field, field)


def code_label(field: str, code: object, lang: str = "ja") -> str:
    if isinstance(code, bool):
        return ("はい" if code else "いいえ") if lang == "ja" else ("yes" if code else "no")
    if lang == "en":
        return str(code)
    return CODE_LABELS.get(field, {}).get(str(code), str(code))


def fold(text: str) -> str:
    """The form two spellings of one word share: full-width digits and letters, case,
    and stray spaces are what differ between sheets typed on different machines."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@cache
def header_aliases() -> dict[str, str]:
    """Every accepted header spelling (folded) -> field name."""
    out: dict[str, str] = {}
    for name, label in FIELD_LABELS.items():
        out.setdefault(fold(name), name)
        out.setdefault(fold(label), name)
    for name, short in _wizard_words()[0].items():
        out.setdefault(fold(short), name)
    return out


@cache
def value_aliases(field: str) -> dict[str, str]:
    """Every accepted spelling (folded) of a code of `field` -> the code."""
    codes = FIELD_KINDS[field][1]
    out: dict[str, str] = {}
    for code in codes:
        out.setdefault(fold(str(code)), str(code))
    for code, text in CODE_LABELS.get(field, {}).items():
        out.setdefault(fold(text), code)
    for code, text in _wizard_words()[1].get(field, {}).items():
        out.setdefault(fold(text), code)
    return out


@cache
def _wizard_words() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The wizard's short field names and choice labels, or nothing if it cannot load.

    The inventory must work even when the wizard's files are being edited or are
    broken: those problems are the wizard's to report, not the batch's."""
    try:
        from kyodo_rules.rulebase.questions import default_data

        data = default_data()
    except (ImportError, KyodoError, OSError):
        return {}, {}
    shorts: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for q in data.questions:
        shorts[q.field] = q.spec.short.get("ja")
        if FIELD_KINDS.get(q.field, ("bool",))[0] == "bool":
            continue
        choices[q.field] = {str(c.value): c.label.get("ja") for c in q.spec.choices}
    return shorts, choices
