"""`would_be_kyodo_if`: the smallest changes to a project's design that make it 協働.

What a trainer shows, and what staff need to hear when the answer is "not
協働": 事例3 becomes 協働 if the work was confirmed with the residents
beforehand. A change counts when the provisional answer becomes 協働 (the
rules still open are presumed not to apply), so partial cases get changes
too. Only facts a project's design can change are touched (`design_fields`
in policy.yaml: who plans, who writes the specification, supervision, money,
scheme, documents…; not the activity or who the actors are).

The search is goal-directed rather than blind. A case becomes provisionally
協働 when one `kyodo` rule is established and no `not_kyodo` rule stays in
force, so for each `kyodo` rule the changes that meet its unmet conditions are
tried first, then, for each obstacle still in force, the changes that lift
it; at most three facts in all. Every change set found is evaluated with the
same rules and policy as `classify()`, and confirmed with the engine the
caller used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING, Any

from kyodo_rules.decision.decisions import bits, indices
from kyodo_rules.decision.given import Given
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.model.memo import Memo
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.conditions import NAll, fields_read
from kyodo_rules.rulebase.readings import FlatFacts, Test, flatten, holds, reading

if TYPE_CHECKING:
    from kyodo_rules.decision.bound import Bound, EngineName
    from kyodo_rules.rulebase.loading import Rule

Change = tuple[tuple[str, Any], ...]

#: At most this many change sets are reported: enough to teach, short enough to read.
MAX_CHANGES = 12
#: A change set touches at most this many facts: more is a different project.
MAX_FACTS = 3
_ORDER = {name: n for n, name in enumerate(FACT_FIELDS)}


@dataclass(frozen=True)
class WhatIf:
    changes: tuple[Change, ...]
    #: When there is no change: the rules in force in the way whose facts
    #: are none of the project's design to change.
    blocked_by: tuple[int, ...] = ()


def candidate_values(bound: Bound, field: str, current: Any) -> Iterator[Any]:
    """Values a field could be changed to: only moves toward collaboration
    (`toward_collaboration` in policy.yaml), so the what-if never advises a
    design that reads less collaborative, nor relabelling the money.

    Lists come as tuples, so that change sets can be compared and deduplicated.
    """
    for value in bound.directions.above(field, current):
        yield tuple(value) if isinstance(value, list) else value


#: field -> its part of the schema (kept, so that `flatten` plans it once).
_SCHEMAS = {name: {name: kind} for name, kind in FIELD_KINDS.items()}
#: (field, value) -> the flat entries of that one fact: candidate values repeat.
_ENTRIES: Memo[tuple[str, Any], FlatFacts] = Memo()


def _entries(field: str, value: Any) -> FlatFacts:
    found = _ENTRIES.get((field, value))
    if found is None:
        found = _ENTRIES.put((field, value), flatten({field: value}, _SCHEMAS[field]))
    return found


class _Search:
    """The search for one case. A change touches at most three facts, so each trial
    is the case's flat facts with those facts re-flattened, and only the rules that
    read a changed fact are tested again (the others keep their status)."""

    def __init__(
        self, bound: Bound, given: Given, statuses: tuple[Iterable[int], Iterable[int]] | None
    ) -> None:
        self.bound = bound
        self.facts = dict(given.facts)
        self.rules: Sequence[Rule] = bound.ruleset.rules
        # Only facts of the design that can still move toward collaboration.
        self.design = frozenset(
            f
            for f in bound.design_fields & frozenset(bound.directions.fields)
            if bound.directions.above(f, self.facts.get(f))
        )
        self.flat = given.flat
        self.unknown = given.unknown
        python = bound.engine("python")
        assert isinstance(python, PythonEngine)
        self.python = python
        combiner = self.combiner = bound.combiner
        # The case's own rule statuses: the engine's that answered it, when given
        # (both engines give the same; tests/test_properties.py holds them to it).
        d, u = python.evaluate(self.flat) if statuses is None else statuses
        self.d, self.u = bits(d), bits(u)
        # The not-協働 rules in force now, each with the fields that can lift it: a
        # change that touches none of one blocker's fields leaves it in force, so
        # the change cannot make the case 協働 (no evaluation needed).
        in_force = self.d & ~combiner.set_aside_bits(self.d) & combiner.not_kyodo_bits
        self.blockers = tuple(bound.reach[i] for i in sorted(indices(in_force)))
        # Within one search the same change sets come back from several 協働 rules,
        # and the round with the higher limit goes again through the lower one's:
        # what a change set gives is worked out once per search.
        # (Memos without a bound: they live as long as this search.)
        self._kyodo: Memo[Change, bool] = Memo(unbounded=True)
        self._statuses: Memo[Change, tuple[int, int]] = Memo(unbounded=True)
        #: change -> (a change one fact smaller, that fact): where its statuses come from
        self._parents: dict[Change, tuple[Change, Change]] = {}
        self._obstacles: Memo[Change, list[int]] = Memo(unbounded=True)
        self._lifts: Memo[tuple[int, Change], list[Change]] = Memo(unbounded=True)
        self._meets: Memo[int, list[Change] | None] = Memo(unbounded=True)
        #: the most facts a change may touch in this round of the search
        self.limit = MAX_FACTS
        self._visited: set[Change] = set()
        #: the changes found in this round, and the (field, value) pairs of each (a
        #: superset of one is not minimal)
        self.found: list[Change] = []
        self._found: list[frozenset[tuple[str, Any]]] = []

    def liftable(self) -> bool:
        """Whether some change of at most MAX_FACTS design facts could lift every blocker.

        Every change the search tries touches design facts only, and must touch
        one of each blocker's: a blocker no design fact reaches, or more
        blockers with pairwise disjoint design facts than a change may touch,
        means no change exists. Most not-協働 cases end here, before any trial
        (a city writing the specification alone, a subsidy for running costs).
        """
        return _can_lift([reach & self.design for reach in self.blockers], MAX_FACTS)

    def blocked(self) -> tuple[int, ...]:
        """The obstacles in force that no move toward collaboration can lift: none of
        the facts that decide them has a more collaborative value (自助で足りる,
        routine contracted work, an operating subsidy, a single actor…)."""
        return tuple(i for i in self.obstacles(()) if not self.bound.reach[i] & self.design)

    def flat_with(self, change: Mapping[str, Any]) -> FlatFacts:
        flat = dict(self.flat)
        for field, value in change.items():
            flat.update(_entries(field, value))
        return flat

    def statuses(self, change: Change) -> tuple[int, int]:
        """Definite and undecided rules (bit sets) with `change` applied to the case."""
        if not change:
            return self.d, self.u
        found = self._statuses.get(change)
        if found is None:
            parent = self._parents.get(change)
            if parent is None:
                found = self._evaluated(change, (self.d, self.u), change)
            else:
                found = self._evaluated(change, self.statuses(parent[0]), parent[1])
            self._statuses.put(change, found)
        return found

    def extended(self, base: Change, lift: Change) -> Change | None:
        """`base` with `lift` (one more fact) added. Its statuses, when first asked
        for, are worked out from base's: only the rules that read the added fact
        are tested again, on the whole changed case (so a rule that reads both
        facts sees both); most extensions are turned away before that."""
        merged = _merge((base, lift))
        if merged is not None and len(merged) > len(base):
            self._parents.setdefault(merged, (base, lift))
        return merged

    def _evaluated(self, change: Change, start: tuple[int, int], moved: Change) -> tuple[int, int]:
        """`start` with the readers of `moved`'s fields tested again on `change` applied."""
        flat = self.flat_with(dict(change))
        readers = self.bound.reader_bits
        d, u = start
        for field, _ in moved:
            mine = readers[field]
            d_new, u_new = self.bound.reading(field)(flat)
            d = d & ~mine | bits(d_new)
            u = u & ~mine | bits(u_new)
        return d, u

    def kyodo(self, change: Change) -> bool:
        """Whether the case is provisionally 協働 with `change` (the Python backend)."""
        found = self._kyodo.get(change)
        if found is None:
            touched = {field for field, _ in change}
            if any(reach.isdisjoint(touched) for reach in self.blockers):
                found = False
            else:
                definite, _ = self.statuses(change)
                found = self.combiner.provisional_verdict_bits(definite) == "kyodo"
            self._kyodo.put(change, found)
        return found

    def confirmed(
        self, changes: Sequence[Change], engine: EngineName, definite: frozenset[int] | None
    ) -> list[Change]:
        """The changes that make the case provisionally 協働 on `engine` too, in order.

        On durable-rules, given the rules `definite` for the case (as durable-rules
        matched them), the verdict rules that read a changed fact are matched
        again on the whole changed case; without it, every verdict rule is.
        """
        verdict = self.combiner.provisional_verdict_bits
        flats = [self.flat_with(dict(c)) for c in changes]
        if engine == "durable" and definite is not None:
            touched = [frozenset(f for f, _ in c) for c in changes]
            found = self.bound.verdicts_changed(definite, list(zip(flats, touched, strict=True)))
        else:
            found = [bits(d) for d in self.bound.verdicts_many(flats, engine)]
        return [c for c, d in zip(changes, found, strict=True) if verdict(d) == "kyodo"]

    def obstacles(self, change: Change) -> list[int]:
        """The not_kyodo rules in force with `change` applied: each must be lifted.

        In force as the provisional answer reads them, which is what a change must
        make 協働 (`kyodo`): a rule set aside by a reading the strict answer keeps
        open (two organisations of one kind, a contested reading) is no obstacle.
        """
        found = self._obstacles.get(change)
        if found is None:
            d, _ = self.statuses(change)
            combiner = self.combiner
            # The obstacles as the provisional reading has them, the reading a change
            # is judged by (a rule set aside only by a contested reading is no obstacle).
            found = sorted(indices(d & combiner.not_kyodo_bits & ~combiner.set_aside_bits(d)))
            self._obstacles.put(change, found)
        return found

    def lifts(self, index: int, base: Change) -> list[Change]:
        """Single design changes of the facts `rule` reads and `base` leaves alone:
        those that lift it first.

        A rule with two reasons in force (`any:` with both true) needs two
        changes; the others are kept so that the search can go one deeper.
        """
        found = self._lifts.get((index, base))
        if found is None:
            found = self._lifts.put((index, base), self._lifting(index, base))
        return found

    def _lifting(self, index: int, base: Change) -> list[Change]:
        lifting: list[Change] = []
        others: list[Change] = []
        change = dict(base)
        taken = set(change)
        facts = {**self.facts, **change}
        rule = self.rules[index]
        definitely = self.python.subset((index,))
        # One trial, each value written over the field's keys in turn (a field's
        # values all set the same keys), then the case's own put back.
        trial = self.flat_with(change)
        for field in sorted(rule.fields & self.design - taken, key=_ORDER.__getitem__):
            kept = {key: trial[key] for key in _entries(field, None)}
            for value in candidate_values(self.bound, field, facts.get(field)):
                trial.update(_entries(field, value))
                lifted = not definitely(trial)[0]
                (lifting if lifted else others).append(((field, value),))
            trial.update(kept)
        return lifting + others

    def meets(self, index: int) -> list[Change] | None:
        """Change sets that establish rule `index` (a `kyodo` rule) within the round's
        limit, or None if design cannot."""
        if index not in self._meets:
            self._meets.put(index, self._meeting(self.rules[index]))
        found = self._meets.get(index)
        return None if found is None else [c for c in found if len(c) <= self.limit]

    def _meeting(self, rule: Rule) -> list[Change] | None:
        parts = rule.nnf.items if isinstance(rule.nnf, NAll) else (rule.nnf,)
        needs: list[list[Change]] = []
        for part in parts:
            test = _definite(part)
            if holds(test, self.flat):
                continue
            options: list[Change] = []
            for field in sorted(fields_read(part) & self.design, key=_ORDER.__getitem__):
                for value in candidate_values(self.bound, field, self.facts.get(field)):
                    if holds(test, self.flat_with({field: value})):
                        options.append(((field, value),))
            if not options:
                return None
            needs.append(options)
        out: list[Change] = []
        for combo in product(*needs):
            merged = _merge(combo)
            if merged is not None and len(merged) <= MAX_FACTS:
                out.append(merged)
        return out

    def round(self, limit: int) -> None:
        """Search afresh for the changes of at most `limit` facts."""
        self.limit = limit
        self._visited = set()
        self._found = []
        self.found = []
        for index, rule in enumerate(self.rules):
            if rule.then.verdict == "kyodo":
                for base in self.meets(index) or ():
                    self.complete(base)

    def minimal(self) -> list[Change]:
        """The changes found that contain no other, shortest first, in the fields' order."""
        ordered = sorted(
            set(self.found), key=lambda c: (len(c), [_ORDER[f] for f, _ in c], repr(c))
        )
        kept: list[Change] = []
        for change in ordered:
            if not any(set(k) <= set(change) for k in kept):
                kept.append(change)
        return kept

    def complete(self, base: Change) -> None:
        """Extend `base` with changes that lift each obstacle left, within `limit` facts."""
        if base in self._visited:
            return  # explored already: found only grows, so nothing new comes of it
        self._visited.add(base)
        pairs = frozenset(base)
        if any(f <= pairs for f in self._found):
            return
        if self.kyodo(base):
            self._found.append(pairs)
            self.found.append(base)
            return
        if len(base) >= self.limit:
            return
        left = self.obstacles(base)
        if not left:
            return
        taken = {field for field, _ in base}
        if not _can_lift(
            [self.bound.reach[i] & self.design - taken for i in left], self.limit - len(base)
        ):
            return
        for lift in self.lifts(left[0], base):
            merged = self.extended(base, lift)
            if merged is not None:
                self.complete(merged)


#: id of a condition -> (the condition, its "definitely true" test), read once.
_DEFINITE: Memo[int, tuple[Any, Test]] = Memo()


def _definite(nnf: Any) -> Test:
    found = _DEFINITE.get(id(nnf))
    if found is None or found[0] is not nnf:
        found = _DEFINITE.put(id(nnf), (nnf, reading(nnf, True)))
    return found[1]


def _can_lift(obstacles: Sequence[frozenset[str]], facts: int) -> bool:
    """Whether `facts` more changed facts could touch every obstacle's fields.

    A necessary condition only (it proves that no change exists, never that
    one does): an obstacle with no field left, or more obstacles with pairwise
    disjoint fields than facts, cannot all be lifted.
    """
    apart: list[frozenset[str]] = []
    for fields in sorted(obstacles, key=len):
        if not fields:
            return False
        if all(fields.isdisjoint(other) for other in apart):
            apart.append(fields)
    return len(apart) <= facts


def _confirmed(
    search: _Search, kept: list[Change], engine: EngineName, definite: frozenset[int] | None
) -> list[Change]:
    """The changes `engine` confirms, in order, until a report is full."""
    if engine == "python":
        return kept
    # Confirmed a report's worth at a time: the first changes that the engine
    # confirms are the answer, and the rest need no session.
    confirmed: list[Change] = []
    for start in range(0, len(kept), MAX_CHANGES):
        confirmed += search.confirmed(kept[start : start + MAX_CHANGES], engine, definite)
        if len(confirmed) >= MAX_CHANGES:
            break
    return confirmed


def _merge(changes: Sequence[Change]) -> Change | None:
    """One change set from several; None if they set one fact to two values."""
    merged: dict[str, Any] = {}
    for change in changes:
        for field, value in change:
            if field in merged and merged[field] != value:
                return None
            merged[field] = value
    return tuple(sorted(merged.items(), key=lambda item: _ORDER[item[0]]))


def would_be_kyodo_if(
    bound: Bound,
    facts: Mapping[str, Any] | Given,
    confirm_with: EngineName = "durable",
    definite: frozenset[int] | None = None,
    undecided: frozenset[int] | None = None,
) -> WhatIf:
    """The changes that make the case 協働, each confirmed on `confirm_with`;
    `definite` (and `undecided`) is what that engine matched for the case itself,
    if known."""
    given = facts if isinstance(facts, Given) else Given.of(facts)
    statuses = None if definite is None or undecided is None else (definite, undecided)
    search = _Search(bound, given, statuses)
    confirmed: list[Change] = []
    if search.liftable():
        # Shorter changes are reported first; when the changes of at most two
        # facts already fill the report, the three-fact ones need no search
        # (they would sort after them). The search with a lower limit finds
        # exactly the minimal changes of that size that the full one finds.
        for limit in (2, MAX_FACTS) if MAX_FACTS > 2 else (MAX_FACTS,):
            search.round(limit)
            kept = search.minimal()
            if limit < MAX_FACTS and len(kept) < MAX_CHANGES:
                continue
            confirmed = _confirmed(search, kept, confirm_with, definite)
            if len(confirmed) >= MAX_CHANGES:
                break
    if confirmed:
        return WhatIf(tuple(confirmed[:MAX_CHANGES]))
    return WhatIf((), search.blocked())
