"""Human-readable reports of a `Result`: plain text for the terminal, Markdown to keep.

City staff read these, so they are Japanese first, say the verdict in words
before codes, and put the source of every reason beside it, so that a report
attached to a 起案 can be checked against the guidance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.outputs.citation import cite, cite_in
from kyodo_rules.wording import catalog

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


#: Kinds of code a report names, and the catalog section that words each.
_SECTIONS = {"document": "value"}


def label(kind: str, code: str | None, lang: Lang = "ja") -> str:
    """A result code in words (`verdict`, `category`, `zone`, `status`, `document`…)."""
    return catalog.label(_SECTIONS.get(kind, kind), code, lang)


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


def profile_name(profile: str, lang: Lang) -> str:
    """A profile as people know it (「日南市」), never its code."""
    try:
        from kyodo_rules.decision.classify import default_classifier

        return default_classifier().rulebase.profiles[profile].spec.name.get(lang)
    except KeyError:  # a custom rulebase's profile: its own name is all there is
        return profile


def heading(key: str, lang: Lang) -> str:
    return catalog.text("heading", key, lang)


describe_change = catalog.describe_change


def headline_words(verdict: str, status: str, category: str | None, lang: Lang) -> str:
    """The headline every output opens with, said one way: 「協働（暫定）」,
    「協働ではない（確定）：アウトソーシング（一般的な外部委託）」, 「判定できない」.

    `verdict` is the verdict shown (the strict one when settled, the provisional
    one otherwise), `status` settled / provisional / undetermined.
    """
    shown = catalog.label("verdict_short", verdict, lang)
    if status == "undetermined":
        return shown
    words = catalog.text(
        "phrase",
        "headline_status",
        lang,
        verdict=shown,
        status=catalog.label("status", status, lang),
    )
    if category:
        reason = catalog.label("category", category, lang)
        words = catalog.text("phrase", "headline_reason", lang, headline=words, reason=reason)
    return words


def headline(result: Result, lang: Lang = "ja") -> str:
    """`headline_words` of a result: its `answer` (the verdict shown, status, reason)."""
    answer = result.answer
    return headline_words(answer.verdict, answer.status, answer.category, lang)


def verdict_phrase(verdict: str, category: str | None, lang: Lang) -> str:
    """「協働ではない（アウトソーシング）」: a verdict with its category, short."""
    text = catalog.label("verdict_short", verdict, lang)
    if not category:
        return text
    return text + catalog.aside(catalog.label("category", category, lang), lang)


def brief_lines(result: Result, lang: Lang = "ja") -> list[str]:
    """The first screen: the verdict with its status, the category or the best form,
    and what to do next. Short enough for 80×24 with the rest one keypress away."""
    status = result.status
    out = [f"【{heading('title', lang)}】", ""]
    out.append(f"{heading('verdict', lang)}: {headline(result, lang)}")
    out.append(f"  {heading(status + '_note', lang)}")
    if result.answer.verdict != "not_kyodo" and result.forms:
        out.append(f"{heading('top_form', lang)}: {result.forms[0].label}")
    steps = next_steps(result, lang)
    if steps:
        out.append("")
        out.append(f"■ {heading('next', lang)}")
        out.extend(f"  ・{item}" for item in steps)
    return out


def next_steps(result: Result, lang: Lang) -> list[str]:
    """At most three things to do next: confirm what decides, change the design, prepare."""
    name = catalog.field_label
    # Until the answer is settled: the questions that can change it, in the order
    # they decide (a settled answer's reason is refined in the details).
    deciding = [q for q in result.open_questions if {"verdict", "category"} & set(q.affects)]
    if deciding and result.status != "settled":
        now = (result.answer.verdict, result.answer.category)
        confirm = heading("confirm", lang)
        return [
            f"{confirm}: {name(q.field, lang)} — {_turning_words(q, now, lang)}"
            for q in deciding[:3]
        ]
    if result.would_be_kyodo_if:
        return [
            f"{heading('change', lang)}: {describe_change(c, lang)}"
            for c in result.would_be_kyodo_if[:2]
        ]
    if result.verdict == "not_kyodo" and result.what_if_blocked_by:
        return [f"{heading('blocked', lang)}: {b.title}" for b in result.what_if_blocked_by[:2]]
    if result.required_documents:
        docs = catalog.value_label("documents", result.required_documents, lang)
        return [f"{heading('prepare', lang)}: {docs}"]
    if result.status == "settled":
        return []  # what is left only refines the advice; the details list it
    return [f"{heading('confirm', lang)}: {name(q.field, lang)}" for q in result.open_questions[:3]]


def _single(value: Any) -> Any:
    """An outcome of a list field holds one code; it is said as that code."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _turning_words(question: Any, now: tuple[str, str | None], lang: Lang) -> str:
    """「すべて市が作った」なら協働ではない: the answers that would turn the answer shown
    (its verdict, or its reason: then the reason is said too)."""
    parts = []
    for outcome in question.outcomes:
        if (outcome.verdict, outcome.category) == now:
            continue
        shown = catalog.value_label(question.field, _single(outcome.value), lang)
        where = (
            catalog.label("verdict_short", outcome.verdict, lang)
            if outcome.verdict != now[0]
            else verdict_phrase(outcome.verdict, outcome.category, lang)
        )
        parts.append(catalog.text("phrase", "answer_leads", lang, value=shown, where=where))
    if not parts:
        return heading("if_answer", lang)
    more = catalog.text("phrase", "more", lang) if len(parts) > 2 else ""
    return catalog.join(parts[:2], lang, "clauses") + more


def _outcome_words(question: Any, lang: Lang) -> str:
    """「はい → 協働ではない、いいえ → 協働」: the answers grouped by where they lead."""
    groups: dict[str, list[str]] = {}
    for outcome in question.outcomes:
        where = verdict_phrase(outcome.verdict, outcome.category, lang)
        shown = catalog.value_label(question.field, _single(outcome.value), lang)
        groups.setdefault(where, []).append(shown)
    return catalog.join(
        (
            f"{catalog.join(values, lang, 'alternatives')} → {where}"
            for where, values in groups.items()
        ),
        lang,
        "clauses",
    )


def _facts_aside(fields: Iterable[str], lang: Lang) -> str:
    names = catalog.join((catalog.field_label(f, lang) for f in fields), lang)
    return catalog.aside(names, lang) if names else ""


def section_items(
    result: Result,
    key: str,
    lang: Lang = "ja",
    answers: Mapping[str, Any] | None = None,
    md: bool = False,
) -> list[str]:
    """The items of one section of the full report; indented lines continue an item."""
    name = catalog.field_label

    def quote(text: str) -> str:
        return f"  > {text}" if md else f"    「{text}」"

    items: list[str] = []
    titles = {t.rule_id: t.title for t in result.trace}
    if key == "reasons":
        for t in split_trace(result)[0]:
            items.append(f"{t.title} — {cite(t.source, lang)}")
            if t.quote:
                items.append(quote(t.quote))
    elif key == "other_rules":
        for t in split_trace(result)[1]:
            by = titles.get(t.overridden_by or "", t.overridden_by)
            note = catalog.aside(f"{heading('set_aside', lang)}: {by}", lang) if by else ""
            items.append(f"{t.title}{note} — {cite(t.source, lang)}")
    elif key == "presumptions" and result.status != "settled" and result.provisional:
        for p in result.provisional.presumptions:
            held = catalog.aside(heading("holds", lang), lang) if p.holds else ""
            items.append(f"{p.title}{held} — {cite(p.source, lang)}{_facts_aside(p.facts, lang)}")
            if p.quote:
                items.append(quote(p.quote))
    elif key == "open_questions":
        for q in result.open_questions:
            if len({(o.verdict, o.category) for o in q.outcomes}) > 1:
                items.append(f"{name(q.field, lang)}: {_outcome_words(q, lang)}")
            else:
                parts = catalog.join((catalog.label("affect", a, lang) for a in q.affects), lang)
                items.append(
                    f"{name(q.field, lang)}: {heading('changes', lang)}{catalog.aside(parts, lang)}"
                )
    elif key == "forms":
        for n, form in enumerate(result.forms, 1):
            items.append(f"{n}. {form.label}")
            items.extend(
                f"    {heading('form_reasons', lang)}: {cite_in(r, lang)}" for r in form.reasons
            )
            items.extend(
                f"    {heading('cautions', lang)}: {cite_in(c, lang)}" for c in form.cautions
            )
    elif key == "flags":
        items = [f"{f.message}{catalog.aside(cite(f.source, lang), lang)}" for f in result.flags]
    elif key == "principles":
        items = [
            f"{p.label}{catalog.aside(cite(p.source, lang), lang)}"
            for p in result.principles_violated
        ]
    elif key == "documents":
        items = [catalog.label("value", d, lang) for d in result.required_documents]
    elif key == "checklist":
        items = [f"□ {item}" for item in result.checklist]
    elif key == "what_if":
        items = [describe_change(c, lang) for c in result.would_be_kyodo_if]
        if not items and result.provisional and result.provisional.verdict == "not_kyodo":
            items = [heading("no_change", lang)]
            for b in result.what_if_blocked_by:
                why = _facts_aside(b.facts, lang)
                items.append(
                    f"    {heading('blocked', lang)}: {b.title} — {cite(b.source, lang)}{why}"
                )
    elif key == "answers" and answers:
        items = [catalog.fact_is(field, value, lang) for field, value in answers.items()]
    return items


def _lines(
    result: Result, lang: Lang, md: bool, answers: Mapping[str, Any] | None = None
) -> list[str]:
    bullet = "- " if md else "  ・"
    out = brief_lines(result, lang)
    out.append("")
    out.append(f"{heading('zone', lang)}: {catalog.label('zone', result.zone, lang)}")
    out.append(
        f"{heading('subsidiarity', lang)}: "
        f"{catalog.label('subsidiarity', result.subsidiarity, lang)}"
    )
    if result.profile != "generic":
        out.append(f"{heading('profile', lang)}: {profile_name(result.profile, lang)}")
    if md:
        out = [_markdown_line(line) for line in out]
    for key in DETAIL_SECTIONS:
        items = section_items(result, key, lang, answers, md)
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


def render_text(result: Result, lang: Lang = "ja", answers: Mapping[str, Any] | None = None) -> str:
    """`answers` (field -> value, None for 分からない) lists the facts given."""
    return "\n".join(_lines(result, lang, False, answers)) + "\n"


def render_markdown(
    result: Result, lang: Lang = "ja", answers: Mapping[str, Any] | None = None
) -> str:
    return "\n".join(_lines(result, lang, True, answers)) + "\n"
