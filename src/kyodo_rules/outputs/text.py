"""Human-readable reports of a `Result`: plain text for the terminal, Markdown to keep.

City staff read these, so they are Japanese first, say the verdict in words
before codes, and put the source of every reason beside it, so that a report
attached to a 起案 can be checked against the guidance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kyodo_rules.model.records import Result

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
    "status": {
        "settled": ("確定", "settled"),
        "provisional": ("暫定", "provisional"),
        "undetermined": ("判定できない", "undetermined"),
    },
    "verdict_short": {
        "kyodo": ("協働", "協働"),
        "not_kyodo": ("協働ではない", "not 協働"),
        "undetermined": ("判定できない", "undetermined"),
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
    "status": ("確からしさ", "Status"),
    "top_form": ("いちばん合う協働の形", "Best-fitting form"),
    "next": ("次にすること", "What to do next"),
    "confirm": ("確認すべき点", "To confirm"),
    "prepare": ("準備する書類", "Documents to prepare"),
    "change": ("協働にするには", "To make it 協働"),
    "presumptions": (
        "暫定の前提（まだ分からないので、当てはまらないとみなしたルール）",
        "Presumptions (rules still open, presumed not to apply)",
    ),
    "open_questions": (
        "答えを変えうる未回答の質問",
        "Unanswered questions that can change the answer",
    ),
    "blocked": (
        "協働にできない理由（事業の設計では変えられない事実）",
        "Why no change makes it 協働 (facts the design cannot change)",
    ),
    "no_change": (
        "3つ以内の事実の変更では協働になりません",
        "No change of up to three facts makes it 協働",
    ),
    "answers": ("回答した事実", "Facts given"),
    "settled_note": (
        "確定：まだ答えていない質問のどの答えでも、この判定は変わりません",
        "Settled: no unanswered question can change this verdict",
    ),
    "provisional_note": (
        "暫定：まだ分からないルールは当てはまらないとみなした判定です",
        "Provisional: rules still open are presumed not to apply",
    ),
    "undetermined_note": (
        "判定できない：協働の定義を満たすかがまだ分かりません",
        "Undetermined: whether the definition is met is not known yet",
    ),
    "if_answer": ("答えによって", "depending on the answer"),
    "changes": ("答えによって変わるもの", "what the answer changes"),
}

#: Which heading names each part of the answer an open question can change.
_AFFECT_HEADINGS = {
    "verdict": "verdict",
    "category": "category",
    "zone": "zone",
    "subsidiarity": "subsidiarity",
    "forms": "forms",
    "flags": "flags",
    "required_documents": "documents",
    "checklist": "checklist",
}

#: Sections of the full report after the first screen, in the order the wizard offers them.
DETAIL_SECTIONS: tuple[str, ...] = (
    "reasons",
    "presumptions",
    "open_questions",
    "forms",
    "flags",
    "principles",
    "documents",
    "checklist",
    "what_if",
    "answers",
    "other_rules",
)


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


FieldLabel = Callable[[str], str]
ValueLabel = Callable[[str, Any], str]


def _value(field: str, value: Any, lang: str, value_label: ValueLabel | None) -> str:
    if value_label is not None:
        return value_label(field, value)
    if isinstance(value, bool):
        return ("はい" if value else "いいえ") if lang == "ja" else ("yes" if value else "no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or ("なし" if lang == "ja" else "none")
    return str(value)


def verdict_phrase(verdict: str, category: str | None, lang: str) -> str:
    """「協働ではない（アウトソーシング）」: a verdict with its category, short."""
    text = label("verdict_short", verdict, lang)
    return f"{text}{aside(label('category', category, lang), lang)}" if category else text


def brief_lines(
    result: Result,
    lang: str = "ja",
    field_label: FieldLabel | None = None,
    value_label: ValueLabel | None = None,
) -> list[str]:
    """The first screen: the verdict with its status, the category or the best form,
    and what to do next. Short enough for 80×24 with the rest one keypress away."""
    name = field_label or (lambda f: f)
    status = result.status
    shown = result.provisional if status == "provisional" and result.provisional else result
    out = [f"【{heading('title', lang)}】", ""]
    out.append(
        f"{heading('verdict', lang)}: {verdict_phrase(shown.verdict, None, lang)}"
        f"{aside(label('status', status, lang), lang)}"
    )
    out.append(f"  {heading(status + '_note', lang)}")
    if shown.category:
        out.append(f"{heading('category', lang)}: {label('category', shown.category, lang)}")
    elif result.forms:
        out.append(f"{heading('top_form', lang)}: {result.forms[0].label}")
    next_steps_ = next_steps(result, lang, name, value_label)
    if next_steps_:
        out.append("")
        out.append(f"■ {heading('next', lang)}")
        out.extend(f"  ・{item}" for item in next_steps_)
    return out


def next_steps(
    result: Result, lang: str, name: FieldLabel, value_label: ValueLabel | None
) -> list[str]:
    deciding = [q for q in result.open_questions if "verdict" in q.affects]
    if deciding:
        now = result.provisional.verdict if result.provisional else result.verdict
        confirm = heading("confirm", lang)
        return [
            f"{confirm}: {name(q.field)} — {_turning_words(q, now, lang, value_label)}"
            for q in deciding[:3]
        ]
    if result.would_be_kyodo_if:
        return [
            f"{heading('change', lang)}: {describe_change(c, lang, name, value_label)}"
            for c in result.would_be_kyodo_if[:2]
        ]
    if result.verdict == "not_kyodo" and result.what_if_blocked_by:
        return [f"{heading('blocked', lang)}: {b.title}" for b in result.what_if_blocked_by[:2]]
    if result.required_documents:
        docs = ("、" if lang == "ja" else ", ").join(
            label("document", d, lang) for d in result.required_documents
        )
        return [f"{heading('prepare', lang)}: {docs}"]
    if result.status == "settled":
        return []  # what is left only refines the advice; the details list it
    return [f"{heading('confirm', lang)}: {name(q.field)}" for q in result.open_questions[:3]]


def _turning_words(question: Any, now: str, lang: str, value_label: ValueLabel | None) -> str:
    """「すべて市が作った」なら協働ではない: the answers that would turn the verdict."""
    parts = []
    for outcome in question.outcomes:
        if outcome.verdict == now:
            continue
        value = outcome.value
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        shown = _value(question.field, value, lang, value_label)
        where = label("verdict_short", outcome.verdict, lang)
        parts.append(f"「{shown}」なら{where}" if lang == "ja" else f'"{shown}": {where}')
    if not parts:
        return heading("if_answer", lang)
    return ("、" if lang == "ja" else "; ").join(parts[:2]) + ("…" if len(parts) > 2 else "")


def _outcome_words(question: Any, lang: str, value_label: ValueLabel | None) -> str:
    """「はい → 協働ではない、いいえ → 協働」: the answers grouped by where they lead."""
    groups: dict[str, list[str]] = {}
    for outcome in question.outcomes:
        value = outcome.value
        if isinstance(value, list) and len(value) == 1:
            value = value[0] if value_label is None else value
        where = verdict_phrase(outcome.verdict, outcome.category, lang)
        groups.setdefault(where, []).append(_value(question.field, value, lang, value_label))
    sep = "・" if lang == "ja" else "/"
    return ("、" if lang == "ja" else "; ").join(
        f"{sep.join(values)} → {where}" for where, values in groups.items()
    )


def section_items(
    result: Result,
    key: str,
    lang: str = "ja",
    field_label: FieldLabel | None = None,
    value_label: ValueLabel | None = None,
    answers: Mapping[str, Any] | None = None,
    md: bool = False,
) -> list[str]:
    """The items of one section of the full report; indented lines continue an item."""
    name = field_label or (lambda f: f)

    def quote(text: str) -> str:
        return f"  > {text}" if md else f"    「{text}」"

    items: list[str] = []
    if key == "reasons":
        for t in split_trace(result)[0]:
            items.append(f"{t.title} — {t.source}")
            if t.quote:
                items.append(quote(t.quote))
    elif key == "other_rules":
        for t in split_trace(result)[1]:
            note = (
                aside(f"{heading('set_aside', lang)}: {t.overridden_by}", lang)
                if t.overridden_by
                else ""
            )
            items.append(f"{t.title}{note} — {t.source}")
    elif key == "presumptions" and result.status != "settled" and result.provisional:
        for p in result.provisional.presumptions:
            facts = ("、" if lang == "ja" else ", ").join(name(f) for f in p.facts)
            items.append(f"{p.title} — {p.source}{aside(facts, lang) if facts else ''}")
            if p.quote:
                items.append(quote(p.quote))
    elif key == "open_questions":
        for q in result.open_questions:
            if len({(o.verdict, o.category) for o in q.outcomes}) > 1:
                items.append(f"{name(q.field)}: {_outcome_words(q, lang, value_label)}")
            else:
                parts = ("、" if lang == "ja" else ", ").join(
                    heading(_AFFECT_HEADINGS[a], lang) for a in q.affects
                )
                items.append(f"{name(q.field)}: {heading('changes', lang)}{aside(parts, lang)}")
    elif key == "forms":
        for n, form in enumerate(result.forms, 1):
            items.append(f"{n}. {form.label}")
            items.extend(
                f"    {heading('reasons', lang).split('（')[0]}: {r}" for r in form.reasons
            )
            items.extend(f"    {heading('cautions', lang)}: {c}" for c in form.cautions)
    elif key == "flags":
        items = [f"{f.message}{aside(f.source, lang)}" for f in result.flags]
    elif key == "principles":
        items = [f"{p.label}{aside(p.source, lang)}" for p in result.principles_violated]
    elif key == "documents":
        items = [label("document", d, lang) for d in result.required_documents]
    elif key == "checklist":
        items = [f"□ {item}" for item in result.checklist]
    elif key == "what_if":
        items = [describe_change(c, lang, name, value_label) for c in result.would_be_kyodo_if]
        if not items and result.provisional and result.provisional.verdict == "not_kyodo":
            items = [heading("no_change", lang)]
            for b in result.what_if_blocked_by:
                facts = ("、" if lang == "ja" else ", ").join(name(f) for f in b.facts)
                why = aside(facts, lang) if facts else ""
                items.append(f"    {heading('blocked', lang)}: {b.title} — {b.source}{why}")
    elif key == "answers" and answers:
        for field, value in answers.items():
            shown = (
                _value(field, value, lang, value_label)
                if value is not None
                else (
                    value_label(field, None)
                    if value_label
                    else ("分からない" if lang == "ja" else "unknown")
                )
            )
            items.append(f"{name(field)}: {shown}")
    return items


def _lines(
    result: Result,
    lang: str,
    md: bool,
    field_label: FieldLabel | None = None,
    value_label: ValueLabel | None = None,
    answers: Mapping[str, Any] | None = None,
) -> list[str]:
    bullet = "- " if md else "  ・"
    out = brief_lines(result, lang, field_label, value_label)
    out.append("")
    out.append(f"{heading('zone', lang)}: {label('zone', result.zone, lang)}")
    out.append(
        f"{heading('subsidiarity', lang)}: {label('subsidiarity', result.subsidiarity, lang)}"
    )
    if result.profile != "generic":
        out.append(f"{heading('profile', lang)}: {result.profile}")
    if md:
        out = [_markdown_line(line) for line in out]
    for key in DETAIL_SECTIONS:
        items = section_items(result, key, lang, field_label, value_label, answers, md)
        if not items:
            continue
        out.append("")
        out.append(f"## {heading(key, lang)}" if md else f"■ {heading(key, lang)}")
        for item in items:
            if item.startswith("    ") or (md and item.startswith("  >")):
                out.append(item)
            elif key == "forms" and item[:1].isdigit():
                out.append(item if md else f"  {item}")
            else:
                out.append(f"{bullet}{item}")
    return out


def _markdown_line(line: str) -> str:
    if line.startswith("【") and line.endswith("】"):
        return f"# {line[1:-1]}"
    if line.startswith("■ "):
        return f"## {line[2:]}"
    if line.startswith("  ・"):
        return f"- {line[3:]}"
    return line + "  " if line else line


def render_text(
    result: Result,
    lang: str = "ja",
    field_label: FieldLabel | None = None,
    value_label: ValueLabel | None = None,
    answers: Mapping[str, Any] | None = None,
) -> str:
    """`field_label`/`value_label` let the wizard name facts in its questions' words;
    `answers` (field -> value, None for 分からない) lists the facts given."""
    return "\n".join(_lines(result, lang, False, field_label, value_label, answers)) + "\n"


def render_markdown(
    result: Result,
    lang: str = "ja",
    field_label: FieldLabel | None = None,
    value_label: ValueLabel | None = None,
    answers: Mapping[str, Any] | None = None,
) -> str:
    return "\n".join(_lines(result, lang, True, field_label, value_label, answers)) + "\n"
