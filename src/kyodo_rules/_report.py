"""Human-readable reports of a `Result`: plain text for the terminal, Markdown to keep.

City staff read these, so they are Japanese first, say the verdict in words
before codes, and put the source of every reason beside it, so that a report
attached to a 起案 can be checked against the guidance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kyodo_rules._models import Result

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "verdict": {
        "kyodo": ("協働です", "This is 協働 (collaboration)"),
        "not_kyodo": ("協働ではありません", "This is not 協働"),
        "undetermined": ("まだ判定できません（情報が足りません）", "Undetermined (facts missing)"),
    },
    "category": {
        "outsourcing": ("アウトソーシング（一般的な外部委託）", "outsourcing"),
        "operating_subsidy": ("運営費補助", "operating-cost subsidy"),
        "volunteer_labour": ("奉仕作業（労力のみを求めるもの）", "volunteer labour"),
        "city_led_request": ("市主導の依頼", "city-led request"),
        "designated_manager": ("指定管理者制度", "designated-manager system"),
        "subcontracting": ("下請け扱い・仕様の固定", "subcontracting / fixed specification"),
        "single_actor": ("主体が一つだけ", "a single actor"),
        "citizen_only": ("市民が単独で行う領域", "citizens' own domain"),
        "government_only": ("行政が単独で行う領域", "the administration's own domain"),
        "self_help_suffices": ("自助で足りる", "self-help suffices"),
        "not_equal": ("対等な立場にない（定義ア）", "not on equal footing (definition ア)"),
        "no_shared_purpose": ("共通の目的がない（定義イ）", "no shared purpose (definition イ)"),
        "no_role_sharing": ("役割分担がない（定義ウ）", "no division of roles (definition ウ)"),
    },
    "zone": {
        "citizen_independent": ("市民主体（市民が単独で自主的に行う活動）", "citizen-independent"),
        "citizen_led": ("市民主導（市民が主体で行政が支援する活動）", "citizen-led"),
        "equal_partnership": ("市民・行政（対等に協働して行う活動）", "equal partnership"),
        "government_led": ("行政主導（行政が市民の協力を得て行う活動）", "government-led"),
        "government_independent": ("行政主体（行政が単独で行う活動）", "government-independent"),
    },
    "subsidiarity": {
        "self_help": ("自助", "self-help"),
        "mutual_help": ("共助", "mutual help"),
        "public_help": ("公助", "public help"),
    },
    "document": {
        "pre_confirmation_sheet": ("事前確認シート", "pre-confirmation sheet"),
        "agreement_document": ("協働事業確認書", "project agreement"),
        "review_sheet": ("ふりかえりシート", "review sheet"),
    },
}

HEADINGS: dict[str, tuple[str, str]] = {
    "title": ("協働判定の結果", "Collaboration check"),
    "verdict": ("判定", "Verdict"),
    "category": ("理由の分類", "Category"),
    "zone": ("協働の領域", "Zone"),
    "subsidiarity": ("自助・共助・公助", "Subsidiarity"),
    "reasons": ("根拠（適用されたルール）", "Reasons (rules applied)"),
    "forms": ("おすすめの協働の形", "Recommended forms"),
    "cautions": ("留意点", "Cautions"),
    "flags": ("注意点", "Warnings"),
    "principles": ("守られていない原則", "Principles not respected"),
    "documents": ("まだ必要な書類", "Documents still needed"),
    "checklist": ("チェックリスト", "Checklist"),
    "missing": ("答えを変えうる未回答の事実", "Unknown facts that could change the answer"),
    "what_if": ("次の点が変われば協働になります", "It would be 協働 if"),
    "set_aside": ("例外により適用除外", "set aside by exception"),
    "other_rules": (
        "そのほかに当てはまったルール（この答えには表れていません）",
        "Other rules that held (not reflected in this answer)",
    ),
    "profile": ("自治体の表記", "Profile"),
}


def label(kind: str, code: str | None, lang: str = "ja") -> str:
    if code is None:
        return "—"
    pair = LABELS.get(kind, {}).get(code)
    if pair is None:
        return code
    return pair[1] if lang == "en" else pair[0]


def split_trace(result: Result) -> tuple[list[Any], list[Any]]:
    """The rules the answer rests on (the category's first), and the others that held.

    A report leads with what decided the answer, each rule beside the sentence
    it encodes; rules that held but gave nothing shown (set aside by an
    exception, outranked, or advice a not_kyodo answer leaves out) follow.
    """
    weight = {"category": 0, "verdict": 1}
    used = sorted(
        (t for t in result.trace if t.contributes),
        key=lambda t: min(weight.get(p, 2) for p in t.contributes),
    )
    return used, [t for t in result.trace if not t.contributes]


def aside(text: str, lang: str) -> str:
    """An aside in the parentheses of the language: （…） in Japanese, " (…)" in English."""
    return f" ({text})" if lang == "en" else f"（{text}）"


def heading(key: str, lang: str) -> str:
    ja, en = HEADINGS[key]
    return en if lang == "en" else ja


def describe_change(
    change: Any,
    lang: str,
    field_label: Callable[[str], str] | None = None,
    value_label: Callable[[str, Any], str] | None = None,
) -> str:
    """One change set in words: "prior_consultation → はい"."""
    parts = []
    for item in change:
        name = field_label(item.field) if field_label else item.field
        value = item.value
        if value_label is not None:
            shown = value_label(item.field, value)
        elif isinstance(value, bool):
            shown = ("はい" if value else "いいえ") if lang == "ja" else ("yes" if value else "no")
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value) or ("なし" if lang == "ja" else "none")
        else:
            shown = str(value)
        parts.append(f"{name} = {shown}")
    return " かつ ".join(parts) if lang == "ja" else " and ".join(parts)


def _lines(
    result: Result,
    lang: str,
    md: bool,
    field_label: Callable[[str], str] | None = None,
    value_label: Callable[[str, Any], str] | None = None,
) -> list[str]:
    def h(key: str) -> str:
        return f"## {heading(key, lang)}" if md else f"■ {heading(key, lang)}"

    bullet = "- " if md else "  ・"
    out: list[str] = []
    out.append(f"# {heading('title', lang)}" if md else f"【{heading('title', lang)}】")
    out.append("")
    verdict = label("verdict", result.verdict, lang)
    out.append(
        f"**{heading('verdict', lang)}: {verdict}**"
        if md
        else f"{heading('verdict', lang)}: {verdict}"
    )
    if result.category:
        out.append(f"{heading('category', lang)}: {label('category', result.category, lang)}")
    out.append(f"{heading('zone', lang)}: {label('zone', result.zone, lang)}")
    out.append(
        f"{heading('subsidiarity', lang)}: {label('subsidiarity', result.subsidiarity, lang)}"
    )
    if result.profile != "generic":
        out.append(f"{heading('profile', lang)}: {result.profile}")
    if md:
        out = [line + ("  " if line and not line.startswith("#") else "") for line in out]
    sections: list[tuple[str, list[str]]] = []
    reasons = []
    others = []
    used, unused = split_trace(result)
    for t in used:
        reasons.append(f"{t.title} — {t.source}")
        if t.quote:
            reasons.append(f"    「{t.quote}」" if not md else f"  > {t.quote}")
    for t in unused:
        note = (
            aside(f"{heading('set_aside', lang)}: {t.overridden_by}", lang)
            if t.overridden_by
            else ""
        )
        others.append(f"{t.title}{note} — {t.source}")
    sections.append(("reasons", reasons))
    sections.append(("other_rules", others))
    forms = []
    for n, form in enumerate(result.forms, 1):
        forms.append(f"{n}. {form.label}")
        forms.extend(f"    {heading('reasons', lang).split('（')[0]}: {r}" for r in form.reasons)
        forms.extend(f"    {heading('cautions', lang)}: {c}" for c in form.cautions)
    sections.append(("forms", forms))
    sections.append(("flags", [f"{f.message}{aside(f.source, lang)}" for f in result.flags]))
    sections.append(
        ("principles", [f"{p.label}{aside(p.source, lang)}" for p in result.principles_violated])
    )
    sections.append(("documents", [label("document", d, lang) for d in result.required_documents]))
    sections.append(("checklist", [f"□ {item}" for item in result.checklist]))
    sections.append(
        (
            "what_if",
            [describe_change(c, lang, field_label, value_label) for c in result.would_be_kyodo_if],
        )
    )
    name = field_label or (lambda f: f)
    sections.append(("missing", [name(f) for f in result.missing_facts]))
    for key, items in sections:
        if not items:
            continue
        out.append("")
        out.append(h(key))
        for item in items:
            if item.startswith("    ") or (md and item.startswith("  >")):
                out.append(item)
            elif key == "forms" and item[:1].isdigit():
                out.append(item if md else f"  {item}")
            else:
                out.append(f"{bullet}{item}")
    return out


def render_text(
    result: Result,
    lang: str = "ja",
    field_label: Callable[[str], str] | None = None,
    value_label: Callable[[str, Any], str] | None = None,
) -> str:
    """`field_label`/`value_label` let the wizard name facts in its questions' words."""
    return "\n".join(_lines(result, lang, False, field_label, value_label)) + "\n"


def render_markdown(
    result: Result,
    lang: str = "ja",
    field_label: Callable[[str], str] | None = None,
    value_label: Callable[[str, Any], str] | None = None,
) -> str:
    return "\n".join(_lines(result, lang, True, field_label, value_label)) + "\n"
