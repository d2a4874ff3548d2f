"""kyodo-rules: is this project real 協働 (citizen–government collaboration), and why?

    >>> from kyodo_rules import classify
    >>> result = classify({"actors": ["city", "business"], "spec_author": "city",
    ...                    "city_supervises": True})
    >>> result.verdict, result.category
    ('not_kyodo', 'outsourcing')

Every answer cites the municipal guidance it rests on (`result.trace`).
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from kyodo_rules._errors import InputError, KyodoError, RuleError

if _TYPE_CHECKING:
    from kyodo_rules._classify import Classifier, classify
    from kyodo_rules._models import (
        Case,
        FactChange,
        Flag,
        FormRecommendation,
        Principle,
        Result,
        TraceEntry,
    )
    from kyodo_rules._npo import Group, NpoResult, npo_eligibility

# Imported on first use: `kyodo-rules --help`, and every command that refuses its
# input, then start without loading pydantic models and the rule engine.
_LAZY = {
    "Classifier": "kyodo_rules._classify",
    "classify": "kyodo_rules._classify",
    "Case": "kyodo_rules._models",
    "FactChange": "kyodo_rules._models",
    "Flag": "kyodo_rules._models",
    "FormRecommendation": "kyodo_rules._models",
    "Principle": "kyodo_rules._models",
    "Result": "kyodo_rules._models",
    "TraceEntry": "kyodo_rules._models",
    "Group": "kyodo_rules._npo",
    "NpoResult": "kyodo_rules._npo",
    "npo_eligibility": "kyodo_rules._npo",
}


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kyodo_rules' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Case",
    "Classifier",
    "FactChange",
    "Flag",
    "FormRecommendation",
    "Group",
    "InputError",
    "KyodoError",
    "NpoResult",
    "Principle",
    "Result",
    "RuleError",
    "TraceEntry",
    "classify",
    "npo_eligibility",
]
__version__ = "0.1.0"
