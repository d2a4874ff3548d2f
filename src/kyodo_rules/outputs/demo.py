"""The trainers' material: the case list and a case stepped through on screen.

`kyodo-rules cases` and `demo` show these; like `_explain`, this module never
prints, so commands and tests read the same steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.outputs.citation import cite
from kyodo_rules.outputs.derivation import conclusion_words
from kyodo_rules.outputs.text import headline
from kyodo_rules.wording import catalog
from kyodo_rules.wording.labels import fact_rows, verdict_words

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
    cases: Iterable[LibraryCase], classifier: Classifier, lang: Lang = "ja"
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
                verdict_label=catalog.label("verdict_short", result.verdict, lang),
                category=result.category,
                category_label=(
                    catalog.label("category", result.category, lang) if result.category else ""
                ),
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


def _fired_step(
    entry: Any,
    rules: Mapping[str, Rule],
    principles: Mapping[str, str],
    lang: Lang,
    n: int,
    total: int,
) -> Step:
    rule = rules.get(entry.rule_id)
    lines = [entry.title]
    if rule is not None:
        said = conclusion_words(rule.then, lang, principles)
        lines.append(f"  → {' / '.join(said) or '—'}")
    if entry.overridden_by:
        aside = catalog.text("phrase", "set_aside_by", lang, rule=entry.overridden_by)
        lines.append(f"  {catalog.aside(aside, lang).strip()}")
    if entry.quote:
        lines.append(f"  「{entry.quote}」")
    lines.append(f"  {catalog.text('demo', 'source', lang)}: {cite(entry.source, lang)}")
    head = catalog.text("demo", "rule", lang, n=n, total=total, rule=entry.rule_id)
    return Step(head, tuple(lines))


def demo_steps(
    case: LibraryCase, classifier: Classifier, lang: Lang = "ja", profile: str | None = None
) -> list[Step]:
    """A case told as a trainer would: story, facts, each rule, verdict, then each what-if."""
    w = catalog.words("demo", lang)
    prof = profile or case.profile
    result = classifier.classify(case.facts, profile=prof, lang=lang)
    bound = classifier.bound(prof)
    rules = bound.ruleset.by_id
    # The profile's own names of its principles (they are its words, not the catalog's).
    named = {**bound.generic.spec.principles, **bound.profile.spec.principles}
    principles = {code: info.label.get(lang) for code, info in named.items()}
    steps = [
        Step(
            f"{case.title.get(lang)}  [{case.id}]",
            (case.story.get(lang).strip(), "", f"{w['source']}: {cite(case.source, lang)}"),
        ),
        Step(
            w["facts"],
            tuple(f"・{name}: {value}" for _f, name, value in fact_rows(case.facts, lang)),
        ),
    ]
    total = len(result.trace)
    for n, entry in enumerate(result.trace, 1):
        steps.append(_fired_step(entry, rules, principles, lang, n, total))
    # The headline every output opens with (its reason included).
    verdict_lines = [headline(result, lang)]
    if result.zone:
        verdict_lines.append(f"{w['zone']}: {catalog.label('zone', result.zone, lang)}")
    if result.forms:
        verdict_lines.append(f"{w['forms']}: {catalog.join((f.label for f in result.forms), lang)}")
    if result.missing_facts:
        missing = catalog.join((catalog.field_label(f, lang) for f in result.missing_facts), lang)
        verdict_lines.append(f"{w['missing']}: {missing}")
    steps.append(Step(w["verdict"], tuple(verdict_lines)))
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
            f"{w['change']}: {change_words(change, lang)}",
            f"{before} → {verdict_words(after, lang)}",
        ]
        after_force = {t.rule_id: t for t in after.trace}
        for t in result.trace:
            if t.overridden_by or not rules[t.rule_id].then.verdict:
                continue
            gone = after_force.get(t.rule_id)
            if gone is None:
                why = w["no_longer_holds"]
            elif gone.overridden_by:
                why = catalog.text("phrase", "set_aside_by", lang, rule=gone.overridden_by)
            else:
                continue
            lines.append(f"  － {t.rule_id}: {why}")
        for t in new:
            lines.append(f"  ＋ {t.rule_id}: {t.title}")
            if t.quote:
                lines.append(f"    「{t.quote}」")
            lines.append(f"    {w['source']}: {cite(t.source, lang)}")
        head = catalog.text("demo", "what_if", lang, n=n, total=len(changes))
        steps.append(Step(head, tuple(lines)))
    return steps


def change_words(change: Iterable[Any], lang: Lang = "ja") -> str:
    """One change set in words, as every report says it: 「事前の協議・確認 = はい」."""
    return catalog.describe_change(change, lang)


def closest_ids(wanted: str, ids: Sequence[str], n: int = 3) -> list[str]:
    """Case ids that look like what was typed (prefix matches first, then similar ones)."""
    import difflib

    prefix = [i for i in ids if i.startswith(wanted) or wanted in i]
    similar = difflib.get_close_matches(wanted, list(ids), n=n, cutoff=0.4)
    return list(dict.fromkeys([*prefix, *similar]))[:n]
