"""Rulebases several times the shipped one, for the scale tests and the benchmark.

`repeated` copies every rule (shipped and profile rules) `n` times under new
ids, each copy overriding the copies of what the original overrides: the
answers' verdicts stay those of the shipped rulebase, with `n` times the rules.
`distinct_conditions` does the same to one rule set's conditions, each copy
made distinct by a condition that always holds, so no two copies share an
engine rule (the durable-rules backend shares rules of identical conditions).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.conditions import NNF, Literal_, NAll, NAny, Unknown
from kyodo_rules.rulebase.loading import Profile, Rule, Rulebase


def _copy(rule: Rule, k: int, n: int) -> Rule:
    def name(rid: str, j: int) -> str:
        return rid if j == 0 else f"{rid}-x{j}"

    return dataclasses.replace(
        rule,
        id=name(rule.id, k),
        overrides=tuple(name(t, j) for t in rule.overrides for j in range(n)),
        replaces=name(rule.replaces, k) if rule.replaces else None,
    )


def repeated(base: Rulebase, n: int) -> Rulebase:
    """`base` with every rule repeated `n` times."""

    def times(rules: Sequence[Rule]) -> tuple[Rule, ...]:
        return tuple(_copy(r, k, n) for k in range(n) for r in rules)

    profiles = {key: Profile(p.spec, times(p.rules), p.file) for key, p in base.profiles.items()}
    return dataclasses.replace(base, rules=times(base.rules), profiles=profiles)


@dataclasses.dataclass(frozen=True)
class Padded:
    """A rule's condition joined to a condition that always holds (an engine's view only)."""

    id: str
    nnf: NNF


def distinct_conditions(rules: Sequence[Rule], n: int) -> list[Padded]:
    out = []
    for k in range(n):
        f = FACT_FIELDS[k % len(FACT_FIELDS)]
        always = NAny((Literal_(Unknown(f), False), Literal_(Unknown(f), True)))
        for rule in rules:
            nnf = rule.nnf if k == 0 else NAll((rule.nnf, always))
            out.append(Padded(f"{rule.id}-x{k}", nnf))
    return out
