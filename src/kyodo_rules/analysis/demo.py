"""The trainers' material: the case list and a case stepped through on screen.

`kyodo-rules cases` and `demo` show these; like `_explain`, this module never
prints, so commands and tests read the same steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kyodo_rules.outputs.derivation import conclusion_words
from kyodo_rules.outputs.text import label
from kyodo_rules.wording.labels import (
    fact_rows,
    field_label,
    value_text,
    verdict_short,
    verdict_words,
)

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier
    from kyodo_rules.rulebase.case_library import LibraryCase
    from kyodo_rules.rulebase.loading import Rule

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
    from kyodo_rules.rulebase.case_library import mismatches

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
                verdict_label=verdict_short(result.verdict, lang),
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
