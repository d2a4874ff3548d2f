"""The derivation in words: conditions, conclusions and the combination steps.

A verdict is only convincing in a training room if every step can be read
aloud. `analysis.explain` keeps the structure (every rule's status and the
decision's own record of how the policy combined them); this module only puts
it into words, so `explain`, `demo`, the generated docs and the web pages all
read the same sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kyodo_rules.analysis.explain import Derivation, RuleStatus, Status, condition_yaml
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.outputs.text import label
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.wording.labels import fact_rows, field_label, form_label, value_text

if TYPE_CHECKING:
    from kyodo_rules.rulebase.loading import Rule
    from kyodo_rules.rulebase.schema import Conclusion


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
        if isinstance(inner, cond.AnyOf) and (f := cond.same_field_eqs(inner.items)):
            values = value_text([i.value for i in inner.items if isinstance(i, cond.Eq)], lang)
            name = field_label(f, lang)
            text = f"「{name}」が{values}のどれでもない" if ja else f"'{name}' is none of {values}"
            return [indent + text]
        head = "次に当たらない:" if ja else "not:"
        return [indent + head, *condition_words(inner, lang, indent + "  ")]
    if isinstance(c, cond.AnyOf):
        if f := cond.same_field_eqs(c.items):
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
            shown = next((x.label for x in r.forms if x.code == f.code), form_label(f.code, lang))
            out.append(f"   {n}. {shown} — {'重み' if ja else 'weight'} {f.weight} = {parts}")
    elif r.verdict == "not_kyodo":
        out.append(
            "   ・協働ではないので、形は勧めません"
            if ja
            else "   ・not 協働: no form is recommended"
        )
    else:
        out.append("   ・なし" if ja else "   ・none")
    return out
