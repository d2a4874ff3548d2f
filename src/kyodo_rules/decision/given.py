"""One case's facts as every step of an answer reads them, worked out once per call.

The engine matches the flat facts; the strict verdict, the presumptions, the
open questions and the what-if all ask which facts are unknown. Each step used
to work both out again from the facts (the unknown fields four times a call,
the flat facts two or three times); a `Given` carries them from the first
step to the last.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.readings import FlatFacts, flatten

_FIELDS = frozenset(FACT_FIELDS)


class Given:
    """The known facts, their unknown fields, and (when first asked for) the flat facts."""

    __slots__ = ("_flat", "facts", "unknown")

    def __init__(
        self, facts: Mapping[str, Any], unknown: frozenset[str], flat: FlatFacts | None = None
    ) -> None:
        #: the known facts (validated JSON values; a field absent or None is unknown)
        self.facts = facts
        #: the fields nobody has given
        self.unknown = unknown
        self._flat = flat

    @classmethod
    def of(cls, facts: Mapping[str, Any]) -> Given:
        known = [name for name, value in facts.items() if value is not None]
        return cls(facts, _FIELDS.difference(known))

    @property
    def flat(self) -> FlatFacts:
        """The facts flattened for the engines (`rulebase/readings.py`), once: a caller
        who reads only the verdict never needs them (durable-rules reads the facts)."""
        flat = self._flat
        if flat is None:
            flat = self._flat = flatten(self.facts)
        return flat
