"""kyodo-rules: is this project real 協働 (citizen–government collaboration), and why?

    >>> from kyodo_rules import classify
    >>> result = classify({"actors": ["city", "business"], "spec_author": "city",
    ...                    "city_supervises": True})
    >>> result.verdict, result.category
    ('not_kyodo', 'outsourcing')

Every answer cites the municipal guidance it rests on (`result.trace`).
"""

from kyodo_rules._classify import Classifier, classify
from kyodo_rules._errors import InputError, KyodoError, RuleError
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
