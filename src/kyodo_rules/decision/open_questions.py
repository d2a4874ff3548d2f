"""Open questions: each unknown fact that can change the answer, and where each answer leads.

Found by evaluating, not estimated: every value a field could take is put to
the same rules and the same policy, and the answer it gives (in both readings:
strict and provisional) is compared with the answer now. A field whose every
value leaves the answer as it is, is not a question worth asking.

Only the rules that read the changed field are evaluated again (the others
keep their status), and the policy is applied once per distinct set of rule
statuses, because most values of a field (most of the 22 activities, say)
leave the rules exactly where another value left them.

Ranked as a person should answer them: what can change the verdict first,
then the category, then the forms, then the rest; the declared question order
(`FACT_FIELDS`) breaks ties.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kyodo_rules.decision.policy import Combiner, Decision
from kyodo_rules.model.records import AFFECTS
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.readings import FlatFacts, flatten

#: (definite, undecided) rule indices for some facts.
Statuses = tuple[frozenset[int], frozenset[int]]
Evaluate = Callable[[FlatFacts], tuple[Sequence[int], Sequence[int]]]

_RANK = {"verdict": 0, "category": 1, "forms": 2}
_ORDER = {name: n for n, name in enumerate(FACT_FIELDS)}


@dataclass(frozen=True)
class Question:
    field: str
    affects: tuple[str, ...]
    #: (value, provisional decision, settled?) for every value the field could take
    outcomes: tuple[tuple[Any, Decision, bool], ...]


def answers(field: str) -> list[Any]:
    """The answers an unknown field could get: each code, or each code on its own in a list."""
    kind, codes = FIELD_KINDS[field]
    if kind == "codes":
        return [[code] for code in codes]
    return list(codes)


_SCHEMAS = {name: {name: FIELD_KINDS[name]} for name in FIELD_KINDS}
#: field -> the flat keys of each of its answers, in `answers` order (computed once).
_FLAT_ANSWERS: dict[str, tuple[tuple[Any, FlatFacts], ...]] = {}


def flat_answers(field: str) -> tuple[tuple[Any, FlatFacts], ...]:
    """Each answer of a field with the flat keys it sets: the same for every case."""
    found = _FLAT_ANSWERS.get(field)
    if found is None:
        found = tuple((v, flatten({field: v}, _SCHEMAS[field])) for v in answers(field))
        _FLAT_ANSWERS[field] = found
    return found


#: For one field, the new statuses of the rules that read it, for each answer:
#: (value, definite, undecided), restricted to those rules when `readers` is given.
Moves = Callable[[str, FlatFacts], Sequence[tuple[Any, frozenset[int], frozenset[int]]]]


def evaluated_moves(evaluator: Callable[[str], Evaluate]) -> Moves:
    """Moves found by evaluating every answer afresh (what the differential tests compare)."""

    def moves(field: str, flat: FlatFacts) -> list[tuple[Any, frozenset[int], frozenset[int]]]:
        evaluate = evaluator(field)
        out = []
        for value, keys in flat_answers(field):
            trial = dict(flat)
            trial.update(keys)
            d_new, u_new = evaluate(trial)
            out.append((value, frozenset(d_new), frozenset(u_new)))
        return out

    return moves


def open_questions(
    combiner: Combiner,
    facts: Mapping[str, Any],
    statuses: Statuses,
    moves: Moves,
    fields: frozenset[str],
    *,
    readers: Mapping[str, frozenset[int]] | None = None,
) -> tuple[Question, ...]:
    """The open questions for `facts`, most decisive first.

    With `readers` (field -> indices of the rules that read it) `moves` gives
    only those rules' new statuses and the others keep theirs; without, it
    gives every rule's (the differential tests do that on durable-rules).
    """
    definite, undecided = statuses
    now_p = combiner.provisional(definite).signature()
    unknown = frozenset(f for f in FACT_FIELDS if facts.get(f) is None)
    now_s = combiner.verdict(*combiner.strict(definite, undecided, unknown))
    flat = flatten(facts)
    # Parts a field's answer can change together with other unknown facts: a rule
    # still open that, established, would change the provisional answer (the
    # policy decided with that rule in). Evaluating one field at a time misses a
    # rule that needs two unknown facts at once (事例3's planner and consultation).
    jointly: dict[str, set[int]] = {}
    for i in sorted(undecided):
        fields_open = {f for f in combiner.rules[i].fields if facts.get(f) is None}
        if len(fields_open) < 2:
            continue
        sig = combiner.provisional(definite | {i}).signature()
        parts = {k for k, part in enumerate(sig) if part != now_p[k]}
        for f in fields_open:
            jointly.setdefault(f, set()).update(parts)
    found: list[Question] = []
    for field in FACT_FIELDS:
        if field not in fields or facts.get(field) is not None:
            continue
        changed: set[int] = set()
        outcomes = []
        mine = readers[field] if readers is not None else None
        rest = unknown - {field}
        # Most answers leave the rules where another answer left them: the policy
        # is applied once per distinct set of rule statuses.
        seen: dict[tuple[frozenset[int], frozenset[int]], tuple[Decision, bool]] = {}
        for value, d_new, u_new in moves(field, flat):
            hit = seen.get((d_new, u_new))
            if hit is None:
                if mine is not None:
                    d = (definite - mine) | d_new
                    u = (undecided - mine) | u_new
                else:
                    d, u = d_new, u_new
                p = combiner.provisional(d)
                s = combiner.verdict(*combiner.strict(d, u, rest))
                sig = p.signature()
                if sig != now_p:
                    changed.update(k for k, part in enumerate(sig) if part != now_p[k])
                if s[0] != now_s[0]:
                    changed.add(0)
                if s[1] != now_s[1]:
                    changed.add(1)
                hit = seen[(d_new, u_new)] = (p, s[0] != "undetermined")
            outcomes.append((value, *hit))
        changed |= jointly.get(field, set())
        if changed:
            found.append(
                Question(field, tuple(AFFECTS[k] for k in sorted(changed)), tuple(outcomes))
            )
    found.sort(key=lambda q: (min(_RANK.get(a, 3) for a in q.affects), _ORDER[q.field]))
    return tuple(found)
