"""The derivation in words: conditions, conclusions and the combination steps.

A verdict is only convincing in a training room if every step can be read
aloud. `analysis.explain` keeps the structure (every rule's status and the
decision's own record of how the policy combined them); this module only puts
it into words, so `explain`, `demo`, the generated docs and the web pages all
read the same sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kyodo_rules.analysis.explain import Derivation, RuleStatus, Status, condition_yaml
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS, Lang
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.wording.catalog import field_label, join, label, text, value_label

if TYPE_CHECKING:
    from kyodo_rules.rulebase.schema import Conclusion


def _many(field: str, values: list[Any], lang: Lang) -> str:
    return join((value_label(field, v, lang) for v in values), lang)


def _atom_words(c: cond.Eq | cond.Unknown | cond.Count, negated: bool, lang: Lang) -> str:
    name = field_label(c.field, lang)
    if isinstance(c, cond.Unknown):
        return text("condition", "known" if negated else "unknown", lang, name=name)
    if isinstance(c, cond.Count):
        key = f"{'not_' if negated else ''}{c.op}"
        return text("condition", key, lang, name=name, n=c.n)
    if FIELD_KINDS.get(c.field, ("code", ()))[0] == "codes":
        shown = value_label(c.field, c.value, lang)
        key = "excludes" if negated else "includes"
        return text("condition", key, lang, name=name, value=shown)
    if isinstance(c.value, bool):
        shown = value_label(c.field, c.value != negated, lang)
        return text("condition", "flag", lang, name=name, value=shown)
    shown = value_label(c.field, c.value, lang)
    return text("condition", "is_not" if negated else "is", lang, name=name, value=shown)


def _items(items: tuple[cond.Condition, ...], lang: Lang, indent: str) -> list[str]:
    out: list[str] = []
    for item in items:
        sub = condition_words(item, lang, indent + "    ")
        out.append(indent + "  ・" + sub[0].lstrip())
        out.extend(sub[1:])
    return out


def condition_words(c: cond.Condition, lang: Lang = "ja", indent: str = "") -> list[str]:
    """The condition as an indented list a trainer can read aloud."""
    if isinstance(c, cond.Eq | cond.Unknown | cond.Count):
        return [indent + _atom_words(c, False, lang)]
    if isinstance(c, cond.Not):
        inner = c.item
        if isinstance(inner, cond.Eq | cond.Unknown | cond.Count):
            return [indent + _atom_words(inner, True, lang)]
        if isinstance(inner, cond.AnyOf) and (f := cond.same_field_eqs(inner.items)):
            values = _many(f, [i.value for i in inner.items if isinstance(i, cond.Eq)], lang)
            name = field_label(f, lang)
            return [indent + text("condition", "none_of", lang, name=name, value=values)]
        head = indent + text("condition", "not", lang)
        return [head, *condition_words(inner, lang, indent + "  ")]
    if isinstance(c, cond.AnyOf):
        if f := cond.same_field_eqs(c.items):
            values = _many(f, [i.value for i in c.items if isinstance(i, cond.Eq)], lang)
            key = "includes_one_of" if FIELD_KINDS.get(f, ("code", ()))[0] == "codes" else "one_of"
            return [indent + text("condition", key, lang, name=field_label(f, lang), value=values)]
        return [indent + text("condition", "any", lang), *_items(c.items, lang, indent)]
    return [indent + text("condition", "all", lang), *_items(c.items, lang, indent)]


def _generic_principles(lang: Lang) -> dict[str, str]:
    """The generic profile's names of the principles (a rule page shows no city's)."""
    from kyodo_rules.decision.classify import default_classifier

    spec = default_classifier().rulebase.profiles["generic"].spec
    return {code: p.label.get(lang) for code, p in spec.principles.items()}


def conclusion_words(
    then: Conclusion, lang: Lang = "ja", principles: Mapping[str, str] | None = None
) -> list[str]:
    """What a rule concludes, one item a line, in words.

    `principles`: the profile's names for its principles (they are the profile's
    own words, not the catalog's); by default the generic profile's.
    """
    named = principles if principles is not None else _generic_principles(lang)

    def line(key: str, shown: str) -> str:
        return f"{text('conclusion', key, lang)}: {shown}"

    out: list[str] = []
    if then.verdict:
        shown = label("verdict", then.verdict, lang)
        if then.category:
            shown += f" — {label('category', then.category, lang)}"
        out.append(shown)
    if then.zone:
        out.append(line("zone", label("zone", then.zone, lang)))
    if then.subsidiarity:
        out.append(line("subsidiarity", label("subsidiarity", then.subsidiarity, lang)))
    if then.forms:
        parts = [f"{label('form', code, lang)} ({n:+d})" for code, n in then.forms.items()]
        out.append(line("forms", join(parts, lang)))
    if then.flags:
        out.append(line("flags", join((label("flag", f, lang) for f in then.flags), lang)))
    if then.documents_required:
        docs = join((label("value", d, lang) for d in then.documents_required), lang)
        out.append(line("documents", docs))
    if then.checklist:
        out.append(line("checklist", label("value", then.checklist, lang)))
    if then.violates:
        out.append(line("violates", join((named.get(p, p) for p in then.violates), lang)))
    return out


def status_words(status: RuleStatus, lang: Lang = "ja") -> str:
    if status.status == "set_aside":
        return text("rule_status", "set_aside", lang, rule=status.set_aside_by)
    if status.status == "undecided":
        waits = join((field_label(f, lang) for f in status.depends_on), lang)
        return text("rule_status", "undecided", lang, facts=waits)
    return text("rule_status", status.status, lang)


def _fact_lines(facts: Mapping[str, Any], lang: Lang) -> list[str]:
    order = [f for f in FACT_FIELDS if f in facts]
    order += [f for f in facts if f not in FIELD_KINDS and f != "title"]
    return [f"  ・{field_label(f, lang)}: {value_label(f, facts[f], lang)}" for f in order]


def derivation_lines(d: Derivation, lang: Lang = "ja", as_yaml: bool = False) -> list[str]:
    """The full derivation as text: facts, every rule, then the combination steps."""

    def w(key: str, **values: object) -> str:
        return text("derivation", key, lang, **values)

    r = d.result
    out = [w("facts")]
    rows = _fact_lines(d.facts, lang)
    out.extend(rows or ["  " + w("no_facts")])
    out += ["", w("rules", n=len(d.rules), profile=d.profile)]
    order: dict[Status, int] = {"true": 0, "set_aside": 1, "undecided": 2, "false": 3}
    for st in sorted(d.rules, key=lambda s: order[s.status]):
        rule = st.rule
        mark = {"true": "✔", "set_aside": "↷", "undecided": "?", "false": "✘"}[st.status]
        out += ["", f"{mark} {rule.id} — {status_words(st, lang)}", f"    {rule.title.get(lang)}"]
        out.append(f"    {w('condition')}:")
        if as_yaml:
            out.extend("      " + line for line in condition_yaml(rule.condition).splitlines())
        else:
            out.extend(condition_words(rule.condition, lang, "      "))
        out.append(f"    {w('conclusion')}:")
        out.extend(f"      {line}" for line in conclusion_words(rule.then, lang, d.principles))
        if rule.overrides:
            out.append(f"    {w('sets_aside')}: {join(rule.overrides, lang)}")
        if rule.quote:
            out.append("    " + text("phrase", "quoted", lang, text=rule.quote))
        out.append(f"    {w('source')}: {rule.source}")
    out += ["", w("combination"), *combination_lines(d, lang), "", w("unknown_facts")]
    if r.missing_facts:
        out.extend(f"  ・{field_label(f, lang)} ({f})" for f in r.missing_facts)
    else:
        out.append("  " + w("none"))
    return out


def combination_lines(d: Derivation, lang: Lang = "ja") -> list[str]:
    """How the policy turned the rules in force into the answer, as the decision recorded it."""

    def w(key: str, **values: object) -> str:
        return text("derivation", key, lang, **values)

    def items(ids: tuple[str, ...]) -> list[str]:
        return [f"   ・{rid}" for rid in ids]

    r = d.result
    out = [w("step_exceptions")]
    aside = [s for s in d.rules if s.status == "set_aside"]
    out += [f"   ・{w('is_set_aside', rule=s.rule.id, by=s.set_aside_by)}" for s in aside]
    out += [] if aside else [f"   ・{w('none')}"]
    out.append(w("step_verdict", verdict=label("verdict", r.verdict, lang)))
    if r.verdict == "not_kyodo":
        out += [f"   {w('decides_not_kyodo')}", *items(d.deciding)]
    elif r.verdict == "kyodo":
        out += [f"   {w('decides_kyodo')}", *items(d.in_favour)]
    else:
        if d.contested:
            out += [f"   {w('contested')}", *items(d.contested)]
        if d.pending:
            out += [f"   {w('pending')}", *items(d.pending)]
        if not d.in_favour:
            out.append(f"   {w('no_kyodo_rule')}")
    out.append(w("step_category"))
    if r.verdict == "not_kyodo" and d.categories:
        for n, (code, rank, rid) in enumerate(d.categories):
            chosen = w("chosen") if n == 0 else ""
            out.append(f"   ・{rank}. {label('category', code, lang)} ({rid}){chosen}")
    else:
        out.append(f"   ・{w('only_not_kyodo')}")
    out.append(w("step_zone"))
    zone_from = f" ({d.zone_from})" if d.zone_from else ""
    level_from = f" ({d.subsidiarity_from})" if d.subsidiarity_from else ""
    zone, level = text("conclusion", "zone", lang), text("conclusion", "subsidiarity", lang)
    out.append(f"   ・{zone}: {label('zone', r.zone, lang)}{zone_from}")
    out.append(f"   ・{level}: {label('subsidiarity', r.subsidiarity, lang)}{level_from}")
    out.append(w("step_forms"))
    if d.forms:
        for n, f in enumerate(d.forms, 1):
            parts = " + ".join(f"{rid}({weight:+d})" for rid, weight in f.contributions)
            own = (x.label for x in r.forms if x.code == f.code)
            shown = next(own, label("form", f.code, lang))
            out.append(f"   {n}. {shown} — {w('weight')} {f.weight} = {parts}")
    elif r.verdict == "not_kyodo":
        out.append(f"   ・{w('no_form')}")
    else:
        out.append(f"   ・{w('none')}")
    return out
