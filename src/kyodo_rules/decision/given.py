"""One case's facts as every step of an answer reads them, worked out once per call.

The engine matches the flat facts; the strict verdict, the presumptions, the
open questions and the what-if all ask which facts are unknown. Each step used
to work both out again from the facts (the unknown fields four times a call,
the flat facts two or three times); a `Given` carries them from the first
step to the last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.readings import FlatFacts, flatten

_FIELDS = frozenset(FACT_FIELDS)


@dataclass(frozen=True, slots=True)
class Given:
    #: the known facts (validated JSON values; a field absent or None is unknown)
    facts: Mapping[str, Any]
    #: the facts flattened for the engines (`rulebase/readings.py`)
    flat: FlatFacts
    #: the fields nobody has given
    unknown: frozenset[str]

    @classmethod
    def of(cls, facts: Mapping[str, Any]) -> Given:
        known = [name for name, value in facts.items() if value is not None]
        return cls(facts, flatten(facts), _FIELDS.difference(known))
