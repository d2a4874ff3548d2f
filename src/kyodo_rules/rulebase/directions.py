"""Which way each fact moves toward collaboration: `toward_collaboration` in policy.yaml.

One declaration serves two owners, so that they cannot drift apart: the
checker proves that no such move makes the answer read worse (monotonicity,
`analysis/monotone.py`), and `would_be_kyodo_if` proposes only such moves (a
what-if that says "make the city the planner" or "relabel the contract" is
advice the guidance would not give).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase.settings import Direction

#: One move: (field, value before, value after); None is "unknown".
Move = tuple[str, Any, Any]


class Directions:
    """The moves toward collaboration of a policy, with their transitive closure."""

    def __init__(self, spec: Mapping[str, Direction]) -> None:
        self.spec = dict(spec)
        #: fields that have a direction, in the interview's order
        self.fields: tuple[str, ...] = tuple(f for f in FACT_FIELDS if f in self.spec)
        self._after: dict[str, dict[Any, tuple[Any, ...]]] = {}
        for name, direction in self.spec.items():
            step: dict[Any, list[Any]] = {}
            for a, b in direction.steps:
                step.setdefault(a, []).append(b)
            closure: dict[Any, tuple[Any, ...]] = {}
            for start in step:
                seen: list[Any] = []
                todo = list(step[start])
                while todo:
                    v = todo.pop(0)
                    if v not in seen:
                        seen.append(v)
                        todo.extend(step.get(v, ()))
                closure[start] = tuple(seen)
            self._after[name] = closure

    def _codes(self, field: str) -> tuple[Any, ...]:
        return FIELD_KINDS[field][1]

    def above(self, field: str, current: Any) -> tuple[Any, ...]:
        """Every value more collaborative than `current` (None: unknown), best last.

        A list field moves by adding codes: each code added on its own, and all
        of them; an unknown list moves to `from_unknown`.
        """
        direction = self.spec.get(field)
        if direction is None:
            return ()
        if FIELD_KINDS[field][0] == "codes":
            codes = self._codes(field)
            if current is None:
                target = direction.from_unknown
                return (list(target),) if isinstance(target, tuple) else ()
            if not direction.more:
                return ()
            have = set(current)
            missing = [c for c in codes if c not in have]
            out = [[c for c in codes if c in have or c == m] for m in missing]
            if len(missing) > 1:
                out.append(list(codes))
            return tuple(out)
        if current is None:
            return () if direction.from_unknown is None else (direction.from_unknown,)
        return self._after[field].get(current, ())

    def is_toward(self, field: str, before: Any, after: Any) -> bool:
        """Whether `before` → `after` is a move toward collaboration (one step or more)."""
        if FIELD_KINDS.get(field, ("", ()))[0] == "codes" and before is not None:
            direction = self.spec.get(field)
            return (
                direction is not None
                and direction.more
                and after is not None
                and set(before) < set(after)
            )
        return any(_same(after, v) for v in self.above(field, before))

    def moves(self, field: str, domain: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        """The single moves of `field` between values of an abstract `domain` (None:
        unknown), as the checker needs them: each declared step, unknown to the most
        collaborative value, and for a list every code added."""
        direction = self.spec.get(field)
        if direction is None:
            return
        if FIELD_KINDS[field][0] == "codes":
            for before in domain:
                for after in domain:
                    if before is None:
                        target = direction.from_unknown
                        if (
                            after is not None
                            and isinstance(target, tuple)
                            and set(after) == set(target)
                        ):
                            yield before, after
                    elif (
                        direction.more
                        and after is not None
                        and set(before) < set(after)
                        and len(set(after) - set(before)) == 1
                    ):
                        yield before, after
            return
        values = set(domain)
        for a, b in direction.steps:
            if a in values and b in values:
                yield a, b
        if direction.from_unknown is not None and None in values:
            yield None, direction.from_unknown


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return set(a) == set(b)
    return bool(a == b and type(a) is type(b))


__all__ = ["Directions", "Move"]
