"""What trainers and the generated docs show: facts, conditions and derivations in words.

A verdict is only convincing in a training room if every step can be read
aloud: the facts as a person would state them, each rule with the sentence of
the guidance it encodes, and how the combination policy turned the rules that
fired into one answer. This module builds those texts and structures; it never
prints, so the commands (`cases`, `demo`, `explain`), the docs generator and
the tests all read the same words.

The derivation re-reads the decision that `_policy.Combiner` made (which rules
were set aside, which decided the verdict, how the forms were weighed) instead
of deciding again, so an explanation can never disagree with the answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import yaml

from kyodo_rules import _conditions as cond
from kyodo_rules._report import label
from kyodo_rules._vocabulary import FACT_FIELDS, FIELD_KINDS

if TYPE_CHECKING:
    from kyodo_rules._cases import LibraryCase
    from kyodo_rules._classify import Bound, Classifier
    from kyodo_rules._models import Result
    from kyodo_rules._rulebase import Rule
    from kyodo_rules._schema import Conclusion

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
    "cost_reduction": ("経費削減", "cost reduction"),
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

Status = Literal["true", "set_aside", "undecided", "false"]


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


# --- conditions ----------------------------------------------------------------


def _same_field_eqs(items: Sequence[cond.Condition]) -> str | None:
    fields = {i.field for i in items if isinstance(i, cond.Eq)}
    if len(fields) == 1 and all(isinstance(i, cond.Eq) for i in items):
        return fields.pop()
    return None


def condition_data(c: cond.Condition) -> Any:
    """The condition back in the rule language's YAML form (canonical, not the file's text)."""
    if isinstance(c, cond.Eq):
        return {c.field: c.value}
    if isinstance(c, cond.Unknown):
        return {"unknown": c.field}
    if isinstance(c, cond.Count):
        return {c.field: {f"count_{c.op}": c.n}}
    if isinstance(c, cond.Not):
        inner = c.item
        if isinstance(inner, cond.Eq):
            return {inner.field: {"is_not": inner.value}}
        if isinstance(inner, cond.Unknown):
            return {"known": inner.field}
        if isinstance(inner, cond.AnyOf) and (f := _same_field_eqs(inner.items)):
            return {f: {"not_in": [i.value for i in inner.items if isinstance(i, cond.Eq)]}}
        return {"not": condition_data(inner)}
    if isinstance(c, cond.AnyOf):
        if f := _same_field_eqs(c.items):
            return {f: [i.value for i in c.items if isinstance(i, cond.Eq)]}
        return {"any": [condition_data(i) for i in c.items]}
    parts = [condition_data(i) for i in c.items]
    keys = [k for p in parts for k in p]
    if len(keys) == len(set(keys)) and "all" not in keys:
        merged: dict[str, Any] = {}
        for p in parts:
            merged.update(p)
        return merged
    return {"all": parts}


class _Dumper(yaml.SafeDumper):
    """Mappings as blocks, short code lists inline: how rule authors write conditions."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    scalars = all(not isinstance(v, dict | list) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=scalars)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def condition_yaml(c: cond.Condition) -> str:
    text = yaml.dump(
        condition_data(c), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88
    )
    return str(text).rstrip("\n")


def _atom_words(c: cond.Eq | cond.Unknown | cond.Count, negated: bool, lang: str) -> str:
    name = field_label(c.field, lang)
    ja = lang == "ja"
    if isinstance(c, cond.Unknown):
        if ja:
            return f"「{name}」が{'わかっている' if negated else '未回答'}"
        return f"'{name}' is {'known' if negated else 'unknown'}"
    if isinstance(c, cond.Count):
        most = c.op == "at_most"
        if ja:
            bound = "以下" if most else "以上"
            text = f"「{name}」が{c.n}つ{bound}"
            return f"{text}ではない" if negated else text
        rel = "at most" if most else "at least"
        return f"{'not ' if negated else ''}{rel} {c.n} in '{name}'"
    shown = value_text(c.value, lang)
    if FIELD_KINDS.get(c.field, ("code", ()))[0] == "codes":
        if ja:
            return f"「{name}」に{shown}を{'含まない' if negated else '含む'}"
        return f"'{name}' {'does not include' if negated else 'includes'} {shown}"
    if isinstance(c.value, bool) and ja:
        return f"「{name}」: {value_text(c.value != negated, lang)}"
    if isinstance(c.value, bool):
        return f"'{name}': {value_text(c.value != negated, lang)}"
    if ja:
        return f"「{name}」が{shown}{'ではない' if negated else ''}"
    return f"'{name}' is {'not ' if negated else ''}{shown}"


def condition_words(c: cond.Condition, lang: str = "ja", indent: str = "") -> list[str]:
    """The condition as an indented list a trainer can read aloud."""
    ja = lang == "ja"
    if isinstance(c, cond.Eq | cond.Unknown | cond.Count):
        return [indent + _atom_words(c, False, lang)]
    if isinstance(c, cond.Not):
        inner = c.item
        if isinstance(inner, cond.Eq | cond.Unknown | cond.Count):
            return [indent + _atom_words(inner, True, lang)]
        if isinstance(inner, cond.AnyOf) and (f := _same_field_eqs(inner.items)):
            values = value_text([i.value for i in inner.items if isinstance(i, cond.Eq)], lang)
            name = field_label(f, lang)
            text = f"「{name}」が{values}のどれでもない" if ja else f"'{name}' is none of {values}"
            return [indent + text]
        head = "次に当たらない:" if ja else "not:"
        return [indent + head, *condition_words(inner, lang, indent + "  ")]
    if isinstance(c, cond.AnyOf):
        if f := _same_field_eqs(c.items):
            values = value_text([i.value for i in c.items if isinstance(i, cond.Eq)], lang)
            name = field_label(f, lang)
            if FIELD_KINDS.get(f, ("code", ()))[0] == "codes":
                text = (
                    f"「{name}」に{values}のいずれかを含む"
                    if ja
                    else f"'{name}' includes one of {values}"
                )
            else:
                text = f"「{name}」が{values}のいずれか" if ja else f"'{name}' is one of {values}"
            return [indent + text]
        out = [indent + ("次のいずれか:" if ja else "any of:")]
        for item in c.items:
            sub = condition_words(item, lang, indent + "    ")
            out.append(indent + "  ・" + sub[0].lstrip())
            out.extend(sub[1:])
        return out
    out = []
    for item in c.items:
        sub = condition_words(item, lang, indent + "    ")
        out.append(indent + "  ・" + sub[0].lstrip())
        out.extend(sub[1:])
    return [indent + ("次のすべて:" if ja else "all of:"), *out]


def conclusion_words(then: Conclusion, lang: str = "ja") -> list[str]:
    """What a rule concludes, one item a line, in words."""
    ja = lang == "ja"
    out: list[str] = []
    if then.verdict:
        text = label("verdict", then.verdict, lang)
        if then.category:
            text += f" — {label('category', then.category, lang)}"
        out.append(text)
    if then.zone:
        out.append(f"{'協働の領域' if ja else 'zone'}: {label('zone', then.zone, lang)}")
    if then.subsidiarity:
        name = "自助・共助・公助" if ja else "subsidiarity"
        out.append(f"{name}: {label('subsidiarity', then.subsidiarity, lang)}")
    if then.forms:
        parts = [f"{form_label(code, lang)} ({weight:+d})" for code, weight in then.forms.items()]
        out.append(f"{'協働の形（重み）' if ja else 'forms (weight)'}: {', '.join(parts)}")
    if then.flags:
        out.append(f"{'注意' if ja else 'flags'}: {', '.join(then.flags)}")
    if then.documents_required:
        docs = ", ".join(label("document", d, lang) for d in then.documents_required)
        out.append(f"{'必要な書類' if ja else 'documents'}: {docs}")
    if then.checklist:
        out.append(f"{'チェックリスト' if ja else 'checklist'}: {value_text(then.checklist, lang)}")
    if then.violates:
        out.append(f"{'守られていない原則' if ja else 'violates'}: {', '.join(then.violates)}")
    return out


# --- derivation ----------------------------------------------------------------


@dataclass(frozen=True)
class RuleStatus:
    rule: Rule
    status: Status
    #: for "set_aside": the id of the rule that set it aside
    set_aside_by: str | None = None
    #: for "undecided": the unknown facts its outcome waits on
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormRank:
    code: str
    label: str
    weight: int
    #: (rule id, weight it adds), in rule order
    contributions: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Derivation:
    """Every rule's status and each step of the combination policy for one case."""

    facts: Mapping[str, Any]
    profile: str
    result: Result
    rules: tuple[RuleStatus, ...]
    #: not_kyodo rules in force that no undecided rule can set aside: they decide
    deciding: tuple[str, ...]
    #: not_kyodo rules in force that an undecided rule might still set aside
    contested: tuple[str, ...]
    #: kyodo rules in force
    in_favour: tuple[str, ...]
    #: undecided not_kyodo rules that nothing in force sets aside
    pending: tuple[str, ...]
    #: (category, its place in the precedence list (1-based), rule id), best first
    categories: tuple[tuple[str, int, str], ...]
    zone_from: str | None
    subsidiarity_from: str | None
    forms: tuple[FormRank, ...]


def derive(
    classifier: Classifier, facts: Mapping[str, Any], profile: str = "generic", lang: str = "ja"
) -> Derivation:
    """Classify `facts` and keep everything needed to show how the answer came about."""
    from kyodo_rules._validation import validate_case

    known = validate_case(facts).facts()
    result = classifier.classify(known, profile=profile, lang=lang)
    bound: Bound = classifier.bound(profile)
    decision, definite, undecided = bound.assess(known)
    rules = bound.ruleset.rules
    statuses: list[RuleStatus] = []
    for i, rule in enumerate(rules):
        if i in definite and i in decision.overridden:
            statuses.append(RuleStatus(rule, "set_aside", rules[decision.overridden[i]].id))
        elif i in definite:
            statuses.append(RuleStatus(rule, "true"))
        elif i in undecided:
            waits = tuple(f for f in FACT_FIELDS if f in rule.fields and known.get(f) is None)
            statuses.append(RuleStatus(rule, "undecided", depends_on=waits))
        else:
            statuses.append(RuleStatus(rule, "false"))
    force = [i for i in sorted(definite) if i not in decision.overridden]
    overriders: dict[str, list[int]] = {}
    for j, rule in enumerate(rules):
        for target in rule.overrides:
            overriders.setdefault(target, []).append(j)
    against = [i for i in force if rules[i].then.verdict == "not_kyodo"]
    contested = [i for i in against if any(j in undecided for j in overriders.get(rules[i].id, []))]
    deciding = [i for i in against if i not in contested]
    pending = [
        i
        for i in sorted(undecided)
        if rules[i].then.verdict == "not_kyodo"
        and not any(j in force for j in overriders.get(rules[i].id, []))
    ]
    precedence = classifier.rulebase.policy.category_precedence
    categories = sorted(
        (
            (str(rules[i].then.category), precedence.index(rules[i].then.category) + 1, rules[i].id)
            for i in against
            if rules[i].then.category
        ),
        key=lambda item: item[1],
    )
    forms = tuple(
        FormRank(
            code=code,
            label=next((f.label for f in result.forms if f.code == code), form_label(code, lang)),
            weight=weight,
            contributions=tuple((rules[i].id, rules[i].then.forms[code]) for i in why),  # type: ignore[index]
        )
        for code, weight, why in decision.forms
    )
    return Derivation(
        facts=known,
        profile=profile,
        result=result,
        rules=tuple(statuses),
        deciding=tuple(rules[i].id for i in deciding),
        contested=tuple(rules[i].id for i in contested),
        in_favour=tuple(rules[i].id for i in force if rules[i].then.verdict == "kyodo"),
        pending=tuple(rules[i].id for i in pending),
        categories=tuple(categories),
        zone_from=next((rules[i].id for i in force if rules[i].then.zone), None),
        subsidiarity_from=next((rules[i].id for i in force if rules[i].then.subsidiarity), None),
        forms=forms if decision.verdict != "not_kyodo" else (),
    )


def status_words(status: RuleStatus, lang: str = "ja") -> str:
    ja = lang == "ja"
    if status.status == "true":
        return "成立（確定）" if ja else "definitely true"
    if status.status == "set_aside":
        return (
            f"成立したが {status.set_aside_by} により適用除外"
            if ja
            else f"true but set aside by {status.set_aside_by}"
        )
    if status.status == "undecided":
        waits = (
            "、".join(field_label(f, lang) for f in status.depends_on)
            if ja
            else ", ".join(status.depends_on)
        )
        return f"未確定: {waits} しだい" if ja else f"undecided: depends on {waits}"
    return "不成立" if ja else "false"


def _quote_lines(rule: Rule, indent: str) -> list[str]:
    return [f"{indent}「{rule.quote}」"] if rule.quote else []


def derivation_lines(d: Derivation, lang: str = "ja", as_yaml: bool = False) -> list[str]:
    """The full derivation as text: facts, every rule, then the combination steps."""
    ja = lang == "ja"
    r = d.result
    out: list[str] = []
    out.append("【事実】" if ja else "[Facts]")
    rows = fact_rows(d.facts, lang)
    out.extend(f"  ・{name}: {value}" for _f, name, value in rows)
    if not rows:
        out.append("  （事実が一つもありません）" if ja else "  (no facts given)")
    out.append("")
    out.append(
        f"【ルール】（{len(d.rules)} 件、プロファイル: {d.profile}）"
        if ja
        else f"[Rules] ({len(d.rules)}, profile: {d.profile})"
    )
    order: dict[Status, int] = {"true": 0, "set_aside": 1, "undecided": 2, "false": 3}
    for st in sorted(d.rules, key=lambda s: order[s.status]):
        rule = st.rule
        mark = {"true": "✔", "set_aside": "↷", "undecided": "?", "false": "✘"}[st.status]
        out.append("")
        out.append(f"{mark} {rule.id} — {status_words(st, lang)}")
        out.append(f"    {rule.title.get(lang)}")
        out.append(f"    {'条件' if ja else 'condition'}:")
        if as_yaml:
            out.extend("      " + line for line in condition_yaml(rule.condition).splitlines())
        else:
            out.extend(condition_words(rule.condition, lang, "      "))
        out.append(f"    {'結論' if ja else 'conclusion'}:")
        out.extend(f"      {line}" for line in conclusion_words(rule.then, lang))
        if rule.overrides:
            label_ = "例外として退けるルール" if ja else "sets aside"
            out.append(f"    {label_}: {', '.join(rule.overrides)}")
        out.extend(_quote_lines(rule, "    "))
        out.append(f"    {'出典' if ja else 'source'}: {rule.source}")
    out.append("")
    out.append("【組み合わせ】" if ja else "[Combination]")
    out.extend(combination_lines(d, lang))
    out.append("")
    out.append("【答えを変えうる未回答の事実】" if ja else "[Unknown facts that could change it]")
    if r.missing_facts:
        out.extend(f"  ・{field_label(f, lang)} ({f})" for f in r.missing_facts)
    else:
        out.append("  なし" if ja else "  none")
    return out


def combination_lines(d: Derivation, lang: str = "ja") -> list[str]:
    """How the policy (see `_policy`) turned the rules in force into the answer."""
    ja = lang == "ja"
    r = d.result
    out: list[str] = []
    aside = [s for s in d.rules if s.status == "set_aside"]
    out.append("1. 例外の宣言" if ja else "1. Declared exceptions")
    if aside:
        for s in aside:
            out.append(
                f"   ・{s.rule.id} は {s.set_aside_by} により適用除外"
                if ja
                else f"   ・{s.rule.id} is set aside by {s.set_aside_by}"
            )
    else:
        out.append("   ・なし" if ja else "   ・none")
    out.append(
        f"2. 判定: {label('verdict', r.verdict, lang)}"
        if ja
        else f"2. Verdict: {label('verdict', r.verdict, lang)}"
    )
    if r.verdict == "not_kyodo":
        out.append(
            "   定義はすべてを満たす必要があり、協働ではないとするルールが一つ確定すれば決まります:"
            if ja
            else "   The definition needs all its parts, so one not-協働 rule in force decides:"
        )
        out.extend(f"   ・{rid}" for rid in d.deciding)
    elif r.verdict == "kyodo":
        out.append(
            "   協働とするルールが成立し、協働ではないとしうるルールは残っていません:"
            if ja
            else "   A 協働 rule is in force and no not-協働 rule remains possible:"
        )
        out.extend(f"   ・{rid}" for rid in d.in_favour)
    else:
        if d.contested:
            out.append(
                "   協働ではないとするルールが、未確定の例外で退けられるかもしれません:"
                if ja
                else "   Not-協働 rules in force may still be set aside by an undecided exception:"
            )
            out.extend(f"   ・{rid}" for rid in d.contested)
        if d.pending:
            out.append(
                "   協働ではないとしうる未確定のルール:"
                if ja
                else "   Undecided rules that could make it not 協働:"
            )
            out.extend(f"   ・{rid}" for rid in d.pending)
        if not d.in_favour:
            out.append(
                "   協働とするルールがまだ成立していません。"
                if ja
                else "   No 協働 rule is in force yet."
            )
    out.append(
        "3. 理由の分類（優先順位の表による）" if ja else "3. Category (by the precedence list)"
    )
    if r.verdict == "not_kyodo" and d.categories:
        for n, (code, rank, rid) in enumerate(d.categories):
            chosen = (" ← 採用" if ja else " ← chosen") if n == 0 else ""
            out.append(f"   ・{rank}. {label('category', code, lang)} ({rid}){chosen}")
    else:
        out.append("   ・協働ではない場合のみ" if ja else "   ・only when the case is not 協働")
    out.append("4. 領域・自助共助公助" if ja else "4. Zone and subsidiarity")
    zone_name = "協働の領域" if ja else "zone"
    level_name = "自助・共助・公助" if ja else "subsidiarity"
    zone_from = f" ({d.zone_from})" if d.zone_from else ""
    level_from = f" ({d.subsidiarity_from})" if d.subsidiarity_from else ""
    out.append(f"   ・{zone_name}: {label('zone', r.zone, lang)}{zone_from}")
    out.append(f"   ・{level_name}: {label('subsidiarity', r.subsidiarity, lang)}{level_from}")
    out.append(
        "5. 協働の形（成立したルールの重みの合計順、同点は形の一覧の順）"
        if ja
        else "5. Forms (by the summed weights of the rules in force; ties in vocabulary order)"
    )
    if d.forms:
        for n, f in enumerate(d.forms, 1):
            parts = " + ".join(f"{rid}({w:+d})" for rid, w in f.contributions)
            out.append(f"   {n}. {f.label} — {'重み' if ja else 'weight'} {f.weight} = {parts}")
    elif r.verdict == "not_kyodo":
        out.append(
            "   ・協働ではないので、形は勧めません"
            if ja
            else "   ・not 協働: no form is recommended"
        )
    else:
        out.append("   ・なし" if ja else "   ・none")
    return out


def derivation_data(d: Derivation, lang: str = "ja") -> dict[str, Any]:
    """The derivation for programs (`explain --json`)."""
    return {
        "profile": d.profile,
        "facts": dict(d.facts),
        "rules": [
            {
                "id": s.rule.id,
                "title": s.rule.title.get(lang),
                "status": s.status,
                "set_aside_by": s.set_aside_by,
                "depends_on": list(s.depends_on),
                "condition": condition_data(s.rule.condition),
                "conclusion": s.rule.then.model_dump(mode="json", exclude_defaults=True),
                "overrides": list(s.rule.overrides),
                "quote": s.rule.quote,
                "source": s.rule.source,
            }
            for s in d.rules
        ],
        "combination": {
            "deciding": list(d.deciding),
            "contested": list(d.contested),
            "in_favour": list(d.in_favour),
            "pending": list(d.pending),
            "categories": [
                {"category": c, "precedence": n, "rule": rid} for c, n, rid in d.categories
            ],
            "zone_from": d.zone_from,
            "subsidiarity_from": d.subsidiarity_from,
            "forms": [
                {
                    "code": f.code,
                    "label": f.label,
                    "weight": f.weight,
                    "contributions": [{"rule": rid, "weight": w} for rid, w in f.contributions],
                }
                for f in d.forms
            ],
        },
        "result": d.result.model_dump(mode="json"),
    }


# --- the trainers ----------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    id: str
    title: str
    verdict: str
    verdict_label: str
    category: str | None
    category_label: str
    expected_verdict: str
    agrees: bool


def case_rows(
    cases: Iterable[LibraryCase], classifier: Classifier, lang: str = "ja"
) -> list[CaseRow]:
    """Classify every library case (without the what-if search, which a list does not show)."""
    from kyodo_rules._cases import mismatches

    rows = []
    for case in cases:
        result = classifier.classify(case.facts, profile=case.profile, lang=lang, what_if=False)
        expect = case.expect.model_copy(update={"would_be_kyodo_if": ()})
        agrees = not mismatches(case.model_copy(update={"expect": expect}), result)
        rows.append(
            CaseRow(
                id=case.id,
                title=case.title.get(lang),
                verdict=result.verdict,
                verdict_label=_pick(VERDICT_SHORT.get(result.verdict), result.verdict, lang),
                category=result.category,
                category_label=label("category", result.category, lang) if result.category else "",
                expected_verdict=case.expect.verdict,
                agrees=agrees,
            )
        )
    return rows


@dataclass(frozen=True)
class Step:
    """One screen of a demo: a heading and the lines under it."""

    heading: str
    lines: tuple[str, ...]


def _fired_step(entry: Any, rules: Mapping[str, Rule], lang: str, n: int, total: int) -> Step:
    ja = lang == "ja"
    rule = rules.get(entry.rule_id)
    lines = [entry.title]
    if rule is not None:
        lines.append(f"  → {' / '.join(conclusion_words(rule.then, lang)) or '—'}")
    if entry.overridden_by:
        lines.append(
            f"  （{entry.overridden_by} により適用除外）"
            if ja
            else f"  (set aside by {entry.overridden_by})"
        )
    if entry.quote:
        lines.append(f"  「{entry.quote}」")
    lines.append(f"  {'出典' if ja else 'source'}: {entry.source}")
    head = f"ルール {n}/{total}: {entry.rule_id}" if ja else f"Rule {n}/{total}: {entry.rule_id}"
    return Step(head, tuple(lines))


def demo_steps(
    case: LibraryCase, classifier: Classifier, lang: str = "ja", profile: str | None = None
) -> list[Step]:
    """A case told as a trainer would: story, facts, each rule, verdict, then each what-if."""
    ja = lang == "ja"
    prof = profile or case.profile
    result = classifier.classify(case.facts, profile=prof, lang=lang)
    rules = classifier.bound(prof).ruleset.by_id
    steps = [
        Step(
            f"{case.title.get(lang)}  [{case.id}]",
            (case.story.get(lang).strip(), "", f"{'出典' if ja else 'source'}: {case.source}"),
        ),
        Step(
            "事実" if ja else "Facts",
            tuple(f"・{name}: {value}" for _f, name, value in fact_rows(case.facts, lang)),
        ),
    ]
    total = len(result.trace)
    for n, entry in enumerate(result.trace, 1):
        steps.append(_fired_step(entry, rules, lang, n, total))
    verdict_lines = [f"{label('verdict', result.verdict, lang)}"]
    if result.category:
        verdict_lines.append(
            f"{'理由の分類' if ja else 'category'}: {label('category', result.category, lang)}"
        )
    if result.zone:
        verdict_lines.append(
            f"{'協働の領域' if ja else 'zone'}: {label('zone', result.zone, lang)}"
        )
    if result.forms:
        names = (
            "、".join(f.label for f in result.forms)
            if ja
            else ", ".join(f.label for f in result.forms)
        )
        verdict_lines.append(f"{'おすすめの形' if ja else 'forms'}: {names}")
    if result.missing_facts:
        missing = ("、" if ja else ", ").join(field_label(f, lang) for f in result.missing_facts)
        verdict_lines.append(
            f"{'未回答で答えを変えうる事実' if ja else 'missing facts'}: {missing}"
        )
    steps.append(Step("判定" if ja else "Verdict", tuple(verdict_lines)))
    before = verdict_words(result, lang)
    # The changes the case itself teaches (e.g. 事例3's prior confirmation) come first.
    taught = [{(c.field, repr(c.value)) for c in ch} for ch in case.expect.would_be_kyodo_if]
    changes = sorted(
        result.would_be_kyodo_if,
        key=lambda ch: {(c.field, repr(c.value)) for c in ch} not in taught,
    )
    for n, change in enumerate(changes, 1):
        trial = dict(case.facts)
        trial.update({c.field: c.value for c in change})
        after = classifier.classify(trial, profile=prof, lang=lang, what_if=False)
        fired_before = {t.rule_id for t in result.trace if not t.overridden_by}
        new = [t for t in after.trace if not t.overridden_by and t.rule_id not in fired_before]
        lines = [
            f"{'変更' if ja else 'Change'}: {change_words(change, lang)}",
            f"{before} → {verdict_words(after, lang)}",
        ]
        after_force = {t.rule_id: t for t in after.trace}
        for t in result.trace:
            if t.overridden_by or not rules[t.rule_id].then.verdict:
                continue
            gone = after_force.get(t.rule_id)
            if gone is None:
                why = "成立しなくなる" if ja else "no longer holds"
            elif gone.overridden_by:
                why = (
                    f"{gone.overridden_by} により適用除外"
                    if ja
                    else f"set aside by {gone.overridden_by}"
                )
            else:
                continue
            lines.append(f"  － {t.rule_id}: {why}")
        for t in new:
            lines.append(f"  ＋ {t.rule_id}: {t.title}")
            if t.quote:
                lines.append(f"    「{t.quote}」")
            lines.append(f"    {'出典' if ja else 'source'}: {t.source}")
        head = (
            f"もしも {n}/{len(changes)}: こう変われば協働"
            if ja
            else f"What if {n}/{len(changes)}: this would make it 協働"
        )
        steps.append(Step(head, tuple(lines)))
    return steps


def change_words(change: Iterable[Any], lang: str = "ja") -> str:
    """One change set in words: 「事前に確認し意見を反映した」をはいにする."""
    parts = [f"{field_label(c.field, lang)} = {value_text(c.value, lang)}" for c in change]
    return (" かつ " if lang == "ja" else " and ").join(parts)


def closest_ids(wanted: str, ids: Sequence[str], n: int = 3) -> list[str]:
    """Case ids that look like what was typed (prefix matches first, then similar ones)."""
    import difflib

    prefix = [i for i in ids if i.startswith(wanted) or wanted in i]
    similar = difflib.get_close_matches(wanted, list(ids), n=n, cutoff=0.4)
    return list(dict.fromkeys([*prefix, *similar]))[:n]
