"""Facts and codes in words, as a person would name them (Japanese, English).

Trainers, the case gallery and explanations read facts aloud; these are the
words they use. (The wizard words its questions in `wizard/questions.yaml`,
and inventory sheets use short column headers from `_field_labels`: each has
its own constraints, so the three are kept apart on purpose.)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.outputs.text import label

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result

#: The facts of a case as a person would name them (Japanese, English).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "title": ("件名", "title"),
    "actors": ("参加する主体", "actors taking part"),
    "planner": ("企画・立案した者", "who planned it"),
    "spec_author": ("仕様書を作った者", "who wrote the specification"),
    "city_supervises": ("市が指導・監督する", "the city directs and supervises"),
    "equal_footing": ("対等な立場で意見を出し合える（定義ア）", "equal footing (definition ア)"),
    "shared_purpose": (
        "課題解決という共通の目的がある（定義イ）",
        "a shared purpose (definition イ)",
    ),
    "roles_shared": ("力を持ち寄り役割を分担している（定義ウ）", "roles divided (definition ウ)"),
    "partner_contribution": ("相手方が持ち寄るもの", "what the partner brings"),
    "prior_consultation": (
        "作業内容・日時・役割分担を事前に確認し意見を反映した",
        "work, dates and roles confirmed beforehand, views reflected",
    ),
    "benefit": ("誰の利益になるか（公益・共益・私益）", "whose benefit (public, mutual, private)"),
    "activity": ("活動の種類", "kind of activity"),
    "organizer": ("主催者", "organiser"),
    "funding": ("お金・物品の流れ", "money or goods that flow"),
    "scheme": ("制度・契約の枠組み", "legal frame"),
    "hands_over_whole_project": (
        "市が行ってきた事業をまるごと任せる",
        "a city project handed over whole",
    ),
    "commissioning_raises_cost": (
        "委託すると費用が大きく増える",
        "commissioning would raise the cost a lot",
    ),
    "period": ("関係の期間", "how long the relation lasts"),
    "motives": ("協働したい理由", "why 協働 is wanted"),
    "partner_treated_as_free_labour": (
        "相手方を無償の労力とみなしている",
        "the partner is seen as free labour",
    ),
    "city_stays_out": ("市が任せきりで関わらない（丸投げ）", "the city hands over and stays out"),
    "responsible_department": ("市の担当課が決まっている", "a department owns it"),
    "partner_depends_on_subsidy": (
        "相手方の資金の大部分が補助金",
        "the partner depends on subsidy",
    ),
    "city_runs_partner_secretariat": (
        "市が相手方の事務局を担っている",
        "the city runs the partner's secretariat",
    ),
    "self_solvable": ("個人で解決できる（自助）", "the individual can solve it (self-help)"),
    "community_solvable": ("地域で解決できる（共助）", "the community can solve it (mutual help)"),
    "documents": ("そろっている書類（3つのアイテム）", "documents that exist (the three items)"),
    "evaluation_planned": ("ふりかえり（評価）を予定している", "a joint review is planned"),
    "disclosed": ("過程と結果を公開する", "process and results are public"),
    "stage": ("今の段階", "current stage"),
}

#: The codes a fact may take, in words. A code means the same in every field it
#: appears in (`city` is the city as planner, organiser or actor), so one table serves.
VALUE_LABELS: dict[str, tuple[str, str]] = {
    # actors
    "city": ("市", "the city"),
    "citizen": ("市民（個人）", "citizens"),
    "community_org": ("地域組織（自治会など）", "community organisation"),
    "civic_group": ("市民活動団体（NPOなど）", "civic group (NPO etc.)"),
    "business": ("事業者", "business"),
    "university": ("大学", "university"),
    "cooperative": ("協同組合", "cooperative"),
    # planner, spec_author, organizer
    "partner": ("相手方", "the partner"),
    "joint": ("双方で共同", "both, jointly"),
    "committee": ("実行委員会・協議会", "executive committee or council"),
    "none": ("なし", "none"),
    # partner_contribution
    "labour_only": ("労力のみ", "labour only"),
    "expertise": ("専門性・ノウハウ・ネットワーク", "expertise, know-how, networks"),
    # benefit
    "public": ("公益", "public benefit"),
    "mutual": ("共益", "mutual benefit"),
    "private": ("私益", "private benefit"),
    # activity
    "private_interest": ("私益な活動", "private-interest activity"),
    "fellowship": ("親睦活動", "fellowship"),
    "promoting_values": ("特定の価値観を普及する活動", "promoting particular values"),
    "community_self_governance": ("地域自治活動", "community self-governance"),
    "community_revitalisation": ("地域活性化事業", "community revitalisation"),
    "issue_discovery": ("地域課題の発掘", "finding local issues"),
    "local_event": ("地域イベント", "local event"),
    "care_support": ("生活支援・子育て支援", "care and child-rearing support"),
    "safety_disaster_environment": ("防犯・防災・環境保全", "safety, disaster, environment"),
    "festival": ("イベント・まつり", "event or festival"),
    "council_participation": ("審議会等への参画", "taking part in councils"),
    "plan_making": ("行政計画策定への参画", "taking part in plan-making"),
    "facility_management": ("公共施設の管理・運営", "managing a public facility"),
    "public_comment": ("パブリックコメント", "public comment"),
    "survey": ("アンケート調査", "survey"),
    "permits": ("許認可", "permits"),
    "administrative_disposition": ("行政処分", "administrative disposition"),
    "public_authority": ("公権力の行使", "exercise of public authority"),
    "routine_service": ("定型業務（庁舎管理・ごみ収集など）", "routine contracted work"),
    "awareness": ("啓発事業", "awareness campaign"),
    "other": ("その他", "other"),
    # funding
    "name_only": ("名義のみ", "name only"),
    "cost_share": ("負担金", "cost share"),
    "operating_subsidy": ("運営費補助", "operating subsidy"),
    "project_subsidy": ("事業費補助", "project subsidy"),
    "contract_fee": ("委託料", "contract fee"),
    "facilities_or_goods": ("施設・物品の提供", "facilities or goods"),
    # scheme
    "designated_manager": ("指定管理者制度", "designated-manager system"),
    "contract": ("委託契約", "contract"),
    "agreement": ("協定書・確認書", "agreement"),
    # period
    "one_off": ("単発", "one-off"),
    "fixed_period": ("期間を定めて", "fixed period"),
    "ongoing": ("継続的", "ongoing"),
    # motives
    "cost_reduction": ("経費削減が主な理由", "saving money is the main reason"),
    "problem_solving": ("課題解決", "problem solving"),
    "service_quality": ("サービスの質の向上", "service quality"),
    "kyodo_for_its_own_sake": ("協働そのもの", "協働 for its own sake"),
    # documents
    "pre_confirmation_sheet": ("事前確認シート", "pre-confirmation sheet"),
    "agreement_document": ("協働事業確認書", "project agreement"),
    "review_sheet": ("ふりかえりシート", "review sheet"),
    # stage
    "considering": ("協働を考えている", "considering"),
    "planning": ("計画段階", "planning"),
    "implementing": ("実施段階", "implementing"),
    "reviewing": ("ふりかえり段階", "reviewing"),
}

FORM_LABELS: dict[str, tuple[str, str]] = {
    "information_exchange": ("情報提供・交換", "information exchange"),
    "policy_participation": ("企画段階からの参画・政策提案", "policy participation"),
    "co_hosting": ("共催", "co-hosting"),
    "endorsement": ("後援", "endorsement"),
    "executive_committee": ("実行委員会・協議会", "executive committee"),
    "commission": ("委託", "commission"),
    "subsidy": ("補助", "subsidy"),
    "public_property_use": ("公共財産の活用", "use of public property"),
    "business_cooperation": ("事業協力", "business cooperation"),
}

#: Verdicts short enough for a list column.
VERDICT_SHORT: dict[str, tuple[str, str]] = {
    "kyodo": ("協働", "協働 (kyodo)"),
    "not_kyodo": ("協働ではない", "not 協働"),
    "undetermined": ("未確定（情報不足）", "undetermined"),
}


def verdict_short(verdict: str, lang: str = "ja") -> str:
    """The verdict in two or three words, for lists."""
    return _pick(VERDICT_SHORT.get(verdict), verdict, lang)


def _pick(pair: tuple[str, str] | None, fallback: str, lang: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if lang == "en" else pair[0]


def field_label(field: str, lang: str = "ja") -> str:
    return _pick(FIELD_LABELS.get(field), field, lang)


def form_label(code: str, lang: str = "ja") -> str:
    return _pick(FORM_LABELS.get(code), code, lang)


def value_text(value: Any, lang: str = "ja") -> str:
    """A fact's value as a person would say it (codes in words, booleans as yes/no)."""
    if value is None:
        return "未回答" if lang == "ja" else "unknown"
    if isinstance(value, bool):
        if lang == "en":
            return "yes" if value else "no"
        return "はい" if value else "いいえ"
    if isinstance(value, list | tuple):
        if not value:
            return "なし" if lang == "ja" else "none"
        return ("、" if lang == "ja" else ", ").join(value_text(v, lang) for v in value)
    return _pick(VALUE_LABELS.get(str(value)), str(value), lang)


def verdict_words(result: Result, lang: str = "ja") -> str:
    """The verdict as trainers say it: 協働, or the named reason it is not (奉仕作業 …)."""
    if result.verdict == "kyodo":
        return "協働" if lang == "ja" else "協働 (collaboration)"
    if result.verdict == "not_kyodo" and result.category:
        return label("category", result.category, lang)
    return label("verdict", result.verdict, lang)


def display_width(text: str) -> int:
    """Columns a text takes in a terminal (full-width Japanese counts twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


# --- facts -------------------------------------------------------------------


def fact_rows(facts: Mapping[str, Any], lang: str = "ja") -> list[tuple[str, str, str]]:
    """(field, label, value in words) for each known fact, in vocabulary order."""
    order = [f for f in FACT_FIELDS if f in facts] + [
        f for f in facts if f not in FIELD_KINDS and f != "title"
    ]
    return [
        (f, field_label(f, lang), value_text(facts[f], lang)) for f in order if facts[f] is not None
    ]
