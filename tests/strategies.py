"""Hypothesis strategies shared by the property tests.

`cases()` draws the facts of a project as a plain mapping in the vocabulary's
field names: every field of `FIELD_KINDS` is either absent (unknown) or holds a
valid value; code lists come in any order. Everything is derived from the
vocabulary, so a field or code added there is explored without touching this file.
"""

from __future__ import annotations

import os
import random
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from kyodo_rules import Case
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.wording.field_labels import CODE_LABELS


def differential(**kwargs: Any) -> settings:
    """The settings of a backend differential test (durable-rules against the Python
    backend): derandomized, the same examples on every run, unless the run explores
    with fresh seeds (`HYPOTHESIS_PROFILE=explore`; the policy is in conftest.py)."""
    return settings(derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "explore", **kwargs)


def values(field: str) -> st.SearchStrategy[Any]:
    """Every valid value of one field (lists in any order, without repeats)."""
    kind, codes = FIELD_KINDS[field]
    if kind == "bool":
        return st.booleans()
    if kind == "code":
        return st.sampled_from(codes)
    return st.lists(st.sampled_from(codes), unique=True, max_size=len(codes))


def containing(field: str, code: str) -> st.SearchStrategy[list[Any]]:
    """A code list of `field` that holds `code`, among others, in any position."""
    return st.tuples(values(field), st.integers(min_value=0)).map(
        lambda drawn: _insert([c for c in drawn[0] if c != code], code, drawn[1])
    )


def _insert(items: list[Any], code: str, at: int) -> list[Any]:
    items.insert(at % (len(items) + 1), code)
    return items


def cases(**fixed: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Facts of a case; keyword arguments pin fields to a value or to a strategy."""
    pinned = {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in fixed.items()}
    optional = {f: values(f) for f in FIELD_KINDS if f not in pinned}
    return st.fixed_dictionaries(pinned, optional=optional)


def case_models(**fixed: Any) -> st.SearchStrategy[Case]:
    return cases(**fixed).map(Case.model_validate)


@st.composite
def shuffled(draw: st.DrawFn, facts: dict[str, Any]) -> dict[str, Any]:
    """The same facts with keys and list items in another order."""
    keys = draw(st.permutations(list(facts)))
    out: dict[str, Any] = {}
    for key in keys:
        value = facts[key]
        out[key] = draw(st.permutations(value)) if isinstance(value, list) else value
    return out


def full_cases(**fixed: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Facts with every field known: the cases that must never end `undetermined`
    for want of a fact, and where `not_kyodo` (and so `would_be_kyodo_if`) is common."""
    fields = {f: values(f) for f in FIELD_KINDS}
    fields.update(
        {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in fixed.items()}
    )
    return st.fixed_dictionaries(fields)


#: A project that is 協働 by every source, every fact known: the library's
#: reference case (rules/cases/07_process.yaml).
KYODO_BASE: dict[str, Any] = dict(
    next(c for c in load_cases() if c.id == "reference-kyodo-every-fact").facts
)


@st.composite
def near_kyodo(draw: st.DrawFn, /, **fixed: Any) -> dict[str, Any]:
    """`KYODO_BASE` with up to four facts changed or forgotten: where the verdict
    turns, and so where `kyodo`, `would_be_kyodo_if` and overrides are exercised."""
    facts = dict(KYODO_BASE)
    changed = draw(st.lists(st.sampled_from(list(FIELD_KINDS)), unique=True, max_size=4))
    for field in changed:
        if draw(st.booleans()):
            del facts[field]
        else:
            facts[field] = draw(values(field))
    for key, value in fixed.items():
        facts[key] = draw(value) if isinstance(value, st.SearchStrategy) else value
    return facts


def any_cases(**fixed: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Partly known, fully known, or nearly-協働 facts, a third each."""
    return st.one_of(cases(**fixed), full_cases(**fixed), near_kyodo(**fixed))


def random_facts(rng: random.Random) -> dict[str, Any]:
    """Facts drawn like `any_cases()`, but from a seeded `random` (load tests, benchmark)."""
    style = rng.randrange(3)
    facts: dict[str, Any] = dict(KYODO_BASE) if style == 2 else {}
    fields = list(FIELD_KINDS)
    if style == 2:
        chosen = rng.sample(fields, rng.randint(0, 4))
    else:
        chosen = fields if style == 1 else [f for f in fields if rng.random() < 0.5]
    for field in chosen:
        kind, codes = FIELD_KINDS[field]
        if style == 2 and rng.random() < 0.5:
            facts.pop(field, None)
        elif kind == "codes":
            facts[field] = rng.sample(list(codes), rng.randint(0, len(codes)))
        else:
            facts[field] = rng.choice(codes)
    return facts


#: The 事例1 facts of the issues' own example (庁舎管理 contracted to a firm).
JIREI1: dict[str, Any] = {
    "actors": ["city", "business"],
    "spec_author": "city",
    "city_supervises": True,
}
#: 事例2's festival with every fact the interview asks: a settled 協働.
FESTIVAL: dict[str, Any] = {
    "actors": ["city", "business"],
    "activity": "festival",
    "planner": "partner",
    "spec_author": "partner",
    "city_supervises": False,
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "partner_contribution": "expertise",
    "prior_consultation": True,
    "benefit": "public",
    "organizer": "partner",
    "funding": ["project_subsidy"],
    "scheme": "none",
    "period": "one_off",
    "self_solvable": False,
}


def inventory_row(rng: random.Random, n: int) -> tuple[dict[str, Any], list[Any]]:
    """Valid facts, and the same facts as a row of an inventory a person typed: labels or
    codes, はい/1/TRUE, lists joined by 、 or commas, blanks for the unknown (test_batch
    and benchmarks/batch_scale.py)."""
    facts: dict[str, Any] = {"title": f"事業{n}"}
    cells: list[Any] = [f"事業{n}"]
    for name, (kind, codes) in FIELD_KINDS.items():
        if rng.random() < 0.35:
            cells.append(None)
            continue
        labels = CODE_LABELS.get(name, {})
        if kind == "bool":
            value = rng.choice(codes)
            facts[name] = value
            cells.append(
                rng.choice([value, "はい" if value else "いいえ", int(bool(value)), str(value)])
            )
        elif kind == "code":
            code = str(rng.choice(codes))
            facts[name] = code
            cells.append(rng.choice([code, labels[code]]))
        else:
            chosen = rng.sample([str(c) for c in codes], rng.randint(1, min(3, len(codes))))
            facts[name] = chosen
            cells.append(
                rng.choice(["、", ",", ", "]).join(rng.choice([c, labels[c]]) for c in chosen)
            )
    return facts, cells


#: Issue 26's input: durable-rules once dropped a change of the what-if that the Python
#: backend listed ([prior_consultation = true, partner_contribution = labour_only]).
#: Kept as an example by the tests that compare the engines.
ISSUE_26_CASE: dict[str, Any] = {
    "benefit": "public",
    "partner_contribution": "none",
    "planner": "city",
    "prior_consultation": False,
    "roles_shared": True,
    "spec_author": "city",
}
