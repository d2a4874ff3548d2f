"""How an answer came about: every rule's status and how the policy combined them.

A verdict is only convincing in a training room if every step can be shown:
the facts, each rule with the sentence of the guidance it encodes, and how the
rules that fired became one answer. This module keeps that structure, with no
words (`outputs.derivation` reads it aloud), so `explain`, `demo`, the docs
and the web pages show one derivation.

It reads the record the policy kept in its `Decision` (which rules decided the
verdict, which are contested or pending, which were set aside and by which,
where the category, zone and subsidiarity came from) instead of deciding again,
so an explanation can never disagree with the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import yaml

from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase import conditions as cond

Status = Literal["true", "set_aside", "undecided", "false"]

if TYPE_CHECKING:
    from kyodo_rules.decision.bound import Bound
    from kyodo_rules.decision.classify import Classifier
    from kyodo_rules.model.records import Result
    from kyodo_rules.rulebase.loading import Rule

# --- conditions ----------------------------------------------------------------


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
    text = yaml.dump(cond.to_data(c), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88)
    return str(text).rstrip("\n")


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
    #: the profile's names of its principles, in the language asked for
    principles: Mapping[str, str]
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
    from kyodo_rules.model.validation import validate_case

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
    precedence = classifier.rulebase.policy.category_precedence
    categories = tuple(
        (str(rules[i].then.category), precedence.index(rules[i].then.category) + 1, rules[i].id)
        for i in decision.category_from
        if rules[i].then.category
    )
    forms = tuple(
        FormRank(
            code=form.code,
            weight=form.weight,
            contributions=tuple((rules[i].id, rules[i].then.forms[form.code]) for i in form.rules),
        )
        for form in decision.forms
    )

    def ids(indices: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(rules[i].id for i in indices)

    named = {**bound.generic.spec.principles, **bound.profile.spec.principles}
    return Derivation(
        facts=known,
        profile=profile,
        result=result,
        rules=tuple(statuses),
        principles={code: info.label.get(lang) for code, info in named.items()},
        deciding=ids(decision.decided_by if decision.verdict == "not_kyodo" else ()),
        contested=ids(decision.contested),
        in_favour=ids(decision.in_favour),
        pending=ids(decision.pending),
        categories=categories,
        zone_from=None if decision.zone_from is None else rules[decision.zone_from].id,
        subsidiarity_from=(
            None if decision.subsidiarity_from is None else rules[decision.subsidiarity_from].id
        ),
        forms=forms if decision.verdict != "not_kyodo" else (),
    )


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
                "condition": cond.to_data(s.rule.condition),
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
                    "label": next((r.label for r in d.result.forms if r.code == f.code), f.code),
                    "weight": f.weight,
                    "contributions": [{"rule": rid, "weight": w} for rid, w in f.contributions],
                }
                for f in d.forms
            ],
        },
        "result": d.result.model_dump(mode="json"),
    }
