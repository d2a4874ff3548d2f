"""Open questions: each unknown fact that can change the answer, and where each answer leads.

Found by evaluating, not estimated: every value a field could take is put to
the same rules and the same policy, and the answer it gives (in both readings:
strict and provisional) is compared with the answer now. A field whose every
value leaves the answer as it is, is not a question worth asking.

Only the rules that read the changed field are evaluated again (the others
keep their status), and the policy is applied once per distinct set of rule
statuses, because most values of a field (most of the 22 activities, say)
leave the rules exactly where another value left them.

Ranked by what they decide: first the questions whose answers change the
answer shown (its verdict, category or status: 確定/暫定/判定できない), by the
share of their answers that do, every answer counted alike; then those that
change only other parts (the forms, then the rest). The declared question
order (`FACT_FIELDS`: 自助 → 共助 → 公助, then the guide's steps) breaks ties.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kyodo_rules.decision.decisions import bits
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.model.memo import Memo
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
    #: every value the field could take, in `answers` order
    values: tuple[Any, ...]
    #: for each value, the index of its outcome in `hits`
    of: tuple[int, ...]
    #: (provisional verdict, its category, strict verdict settled?) for each
    #: distinct set of rule statuses the values give
    hits: tuple[tuple[str, str | None, bool], ...]
    #: how many of its answers change the answer shown (verdict, category, status)
    deciding: int = 0

    @property
    def key(self) -> tuple[Any, ...]:
        """What the question is made of, hashable: the same key, the same question
        (so that its parts are built once for every case that asks it alike)."""
        return (self.field, self.affects, self.of, self.hits)

    @cached_property
    def outcomes(self) -> tuple[tuple[Any, str, str | None, bool], ...]:
        """(value, provisional verdict, its category, strict verdict settled?) for
        every value the field could take (made when first read: a question's
        parts are mostly built already, by its key)."""
        hits = self.hits
        return tuple((value, *hits[at]) for value, at in zip(self.values, self.of, strict=True))

    @property
    def share(self) -> float:
        """The share of its answers that change the answer shown: what ranks it."""
        return self.deciding / len(self.values) if self.values else 0.0


def _status(verdict: str, settled: bool) -> str:
    if settled:
        return "settled"
    return "provisional" if verdict != "undetermined" else "undetermined"


def rank_key(q: Question) -> tuple[int, float, int, int]:
    """Where a question ranks, smallest first (see the module docstring): the one
    owner of the ranking policy, for `rank` and for `Asked.first` alike. The
    declared order is last, so no two questions of a case tie."""
    return (
        0 if q.deciding else 1,
        -q.share,
        min(_RANK.get(a, 3) for a in q.affects),
        _ORDER[q.field],
    )


def rank(questions: Sequence[Question]) -> list[Question]:
    """Most deciding first (see the module docstring); the declared order breaks ties."""
    return sorted(questions, key=rank_key)


def _best_possible(field: str) -> Question:
    """The best question `field` could ask: every answer changes the verdict shown.

    No question of the field ranks before it (a share is at most 1, the verdict
    ranks first among the parts), so `Asked.first` stops at a field whose best
    cannot rank before the best question found so far (nor can a later field's:
    the declared order breaks ties)."""
    return Question(field, ("verdict",), (None,), (0,), (), deciding=1)


#: field -> the rank key of the best question it could ask (`_best_possible`)
_BEST_KEYS = {field: rank_key(_best_possible(field)) for field in FACT_FIELDS}


def answers(field: str) -> list[Any]:
    """The answers an unknown field could get: each code, or each code on its own in a list.

    Who takes part is rarely one kind alone: its answers are each kind on its
    own and each kind with the city (the pairs people actually give), so that a
    question about the actors is not ranked by single-actor answers alone.
    """
    kind, codes = FIELD_KINDS[field]
    if kind == "codes":
        if field == "actors":
            alone: list[Any] = [[code] for code in codes]
            return alone + [["city", code] for code in codes if code != "city"]
        return [[code] for code in codes]
    return list(codes)


_SCHEMAS = {name: {name: FIELD_KINDS[name]} for name in FIELD_KINDS}
#: field -> the flat keys of each of its answers, in `answers` order (computed once).
_FLAT_ANSWERS: Memo[str, tuple[tuple[Any, FlatFacts], ...]] = Memo(unbounded=True)


def flat_answers(field: str) -> tuple[tuple[Any, FlatFacts], ...]:
    """Each answer of a field with the flat keys it sets: the same for every case."""
    found = _FLAT_ANSWERS.get(field)
    if found is None:
        found = tuple((v, flatten({field: v}, _SCHEMAS[field])) for v in answers(field))
        _FLAT_ANSWERS.put(field, found)
    return found


@dataclass(frozen=True)
class Moves:
    """For one field, the new statuses of the rules that read it, for each answer.

    Statuses are bit sets (bit i: rule i), restricted to the readers when
    `open_questions` gets `readers`. Most answers leave the rules where another
    answer left them (most of the 21 activities), so each distinct pair of
    statuses is kept once, in `groups`, and `of` gives each answer's.
    """

    values: tuple[Any, ...]
    #: (definite, undecided) bit sets
    groups: tuple[tuple[int, int], ...]
    #: for each value, its index in `groups`
    of: tuple[int, ...]
    #: for each group, how many values give it
    counts: tuple[int, ...] = ()

    @classmethod
    def of_answers(cls, answers: Sequence[tuple[Any, int, int]]) -> Moves:
        groups: dict[tuple[int, int], int] = {}
        of = tuple(groups.setdefault((d, u), len(groups)) for _, d, u in answers)
        counts = [0] * len(groups)
        for at in of:
            counts[at] += 1
        return cls(tuple(v for v, _, _ in answers), tuple(groups), of, tuple(counts))


MovesOf = Callable[[str, FlatFacts], Moves]


def evaluated_moves(evaluator: Callable[[str], Evaluate]) -> MovesOf:
    """Moves found by evaluating every answer afresh (what the differential tests compare)."""

    def moves(field: str, flat: FlatFacts) -> Moves:
        evaluate = evaluator(field)
        out = []
        # One trial for every answer: each answer sets the same keys (the field's).
        trial = dict(flat)
        for value, keys in flat_answers(field):
            trial.update(keys)
            d_new, u_new = evaluate(trial)
            out.append((value, bits(d_new), bits(u_new)))
        return Moves.of_answers(out)

    return moves


class Asked:
    """One case's answer now, as every answer of each unknown field is compared with it.

    Worked out once for the case; each field's question is then found on its own
    (`question`).

    (Ranking alone costs as much as the questions themselves: whether a field
    is a question at all depends on every part of every answer's signature.
    An inventory, which shows the first question alone, asks `first`, which
    finds the questions the same way but stops when no field left could rank
    first, and builds the one it shows; measured in docs/performance.md.)

    With `readers` (field -> bit set of the rules that read it) `moves` gives
    only those rules' new statuses and the others keep theirs; without, it
    gives every rule's (the differential tests do that on durable-rules).
    Statuses are bit sets here: an answer's statuses are the case's with a
    few bits swapped, and they key the policy's memos, hundreds of times a call.
    """

    def __init__(
        self,
        combiner: Combiner,
        given: Given,
        statuses: Statuses,
        moves: MovesOf,
        fields: frozenset[str],
        *,
        readers: Mapping[str, int] | None = None,
    ) -> None:
        self.combiner = combiner
        self.given = given
        self.moves = moves
        self.fields = fields
        self.readers = readers
        definite, undecided = statuses
        self.definite_bits = definite_bits = bits(definite)
        self.undecided_bits = undecided_bits = bits(undecided)
        self.now_p = now_p = combiner.signature_bits(definite_bits)
        self.now_force = now_force = combiner.force_bits(definite_bits)
        unknown = given.unknown
        self.now_s = now_s = combiner.verdict_bits(definite_bits, undecided_bits, unknown)
        # The answer shown: its verdict and category (the provisional reading's,
        # which is the strict one's when that is settled) and its status.
        self.shown_now = (now_p[0], now_p[1], _status(now_p[0], now_s[0] != "undetermined"))
        # Parts a field's answer can change together with other unknown facts: a
        # rule still open that, established, would change the provisional answer
        # (the policy decided with that rule in). Evaluating one field at a time
        # misses a rule that needs two unknown facts at once (事例3's planner and
        # consultation). A field counts for such a rule only if one of its answers
        # moves the rule (a field whose every answer leaves the rule where it is,
        # because another part of the condition already decides it, is no part of
        # what it waits for).
        self.jointly: dict[str, dict[int, int]] = {}
        for i in sorted(undecided):
            fields_open = combiner.rules[i].fields & unknown
            if len(fields_open) < 2:
                continue
            sig = combiner.signature_near(definite_bits | 1 << i, definite_bits, now_force, now_p)
            parts = 0
            for k, part in enumerate(sig):
                if part != now_p[k]:
                    parts |= 1 << k
            if parts:
                for f in fields_open:
                    self.jointly.setdefault(f, {})[i] = parts

    def questions(self) -> tuple[Question, ...]:
        """Every open question, most decisive first."""
        found = (self.question(field) for field in FACT_FIELDS)
        return tuple(rank([q for q in found if q is not None]))

    def first(self) -> Question | None:
        """`questions()[0]` (None if there are none), without finding every question:
        the fields are asked in the declared order until no field left could rank
        first (`_best_possible`), by the same key as `questions`.

        An inventory shows only the first question; a field asking a question
        every answer of which changes the verdict ends the search."""
        best: Question | None = None
        best_key: tuple[int, float, int, int] | None = None
        for field in FACT_FIELDS:
            if best_key is not None and best_key <= _BEST_KEYS[field]:
                break
            q = self.question(field)
            if q is None:
                continue
            key = rank_key(q)
            if best_key is None or key < best_key:
                best, best_key = q, key
        return best

    def question(self, field: str) -> Question | None:
        """The question `field` asks, or None if it is known or no answer changes anything."""
        if field not in self.fields or field not in self.given.unknown:
            return None
        combiner = self.combiner
        definite_bits, undecided_bits = self.definite_bits, self.undecided_bits
        now_p, now_force, now_s, shown_now = self.now_p, self.now_force, self.now_s, self.shown_now
        if self.readers is not None:
            base_d = definite_bits & ~self.readers[field]
            base_u = undecided_bits & ~self.readers[field]
        else:
            base_d = base_u = 0
        rest: frozenset[str] | None = None
        # The policy is applied once per distinct set of rule statuses.
        found_moves = self.moves(field, self.given.flat)
        changed = 0  # bit k: part k of the signature (AFFECTS' order)
        hits: list[tuple[str, str | None, bool]] = []
        deciding = 0
        signature_near = combiner.signature_near
        for (d_new, u_new), count in zip(found_moves.groups, found_moves.counts, strict=True):
            d = base_d | d_new
            u = base_u | u_new
            sig = signature_near(d, definite_bits, now_force, now_p)
            verdict, category = sig[0], sig[1]
            if sig != now_p:
                for k, part in enumerate(sig):
                    if part != now_p[k]:
                        changed |= 1 << k
            if combiner.same_strict_verdict(d, u, definite_bits, undecided_bits, field):
                s = now_s
            else:
                if rest is None:
                    rest = self.given.unknown - {field}
                s = combiner.verdict_bits(d, u, rest)
            if s[0] != now_s[0]:
                changed |= 1
            if s[1] != now_s[1]:
                changed |= 2
            settled = s[0] != "undetermined"
            hits.append((verdict, category, settled))
            if (verdict, category, _status(verdict, settled)) != shown_now:
                deciding += count  # every value that gives this group
        for i, parts in self.jointly.get(field, {}).items():
            # Open now (undecided): the rule moves if some answer decides it.
            if any(
                (d_new | u_new) >> i & 1 == 0 or d_new >> i & 1
                for d_new, u_new in found_moves.groups
            ):
                changed |= parts
        if not changed:
            return None
        affects = tuple(part for k, part in enumerate(AFFECTS) if changed >> k & 1)
        return Question(field, affects, found_moves.values, found_moves.of, tuple(hits), deciding)


def open_questions(
    combiner: Combiner,
    given: Given,
    statuses: Statuses,
    moves: MovesOf,
    fields: frozenset[str],
    *,
    readers: Mapping[str, int] | None = None,
) -> tuple[Question, ...]:
    """The open questions for the case `given`, most decisive first (see `Asked`)."""
    return Asked(combiner, given, statuses, moves, fields, readers=readers).questions()
