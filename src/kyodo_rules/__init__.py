"""kyodo-rules: is this project real 協働 (citizen–government collaboration), and why?

    >>> from kyodo_rules import classify
    >>> result = classify({"actors": ["city", "business"], "spec_author": "city",
    ...                    "city_supervises": True})
    >>> result.verdict, result.category
    ('not_kyodo', 'outsourcing')

Every answer cites the municipal guidance it rests on (`result.trace`).
"""

import os as _os
from collections.abc import Mapping as _Mapping
from collections.abc import Sequence as _Sequence
from os import PathLike as _PathLike
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from kyodo_rules.model.errors import InputError, KyodoError, RuleError

# python-docx (the Word drafts of the three items) brings lxml, and openpyxl writes
# through lxml whenever it can import it; the inventory's fast writer extends
# openpyxl's own XML writer (outputs/inventory/sheetxml.py) and cannot extend
# lxml's. openpyxl reads this once, at its first import, which in kyodo-rules is
# always after this line; a user's own OPENPYXL_LXML still wins.
_os.environ.setdefault("OPENPYXL_LXML", "False")

if _TYPE_CHECKING:
    from kyodo_rules.decision import classify as _decision
    from kyodo_rules.decision.classify import classify
    from kyodo_rules.model.records import (
        Case,
        FactChange,
        Flag,
        FormRecommendation,
        Principle,
        Result,
        TraceEntry,
    )
    from kyodo_rules.npo.eligibility import Group, NpoResult, npo_eligibility

#: The installed distribution's version (`importlib.metadata`), looked up on first use.
__version__: str

# Imported on first use: `kyodo-rules --help`, and every command that refuses its
# input, then start without loading pydantic models and the rule engine.
_LAZY = {
    "classify": "kyodo_rules.decision.classify",
    "Case": "kyodo_rules.model.records",
    "FactChange": "kyodo_rules.model.records",
    "Flag": "kyodo_rules.model.records",
    "FormRecommendation": "kyodo_rules.model.records",
    "Principle": "kyodo_rules.model.records",
    "Result": "kyodo_rules.model.records",
    "TraceEntry": "kyodo_rules.model.records",
    "Group": "kyodo_rules.npo.eligibility",
    "NpoResult": "kyodo_rules.npo.eligibility",
    "npo_eligibility": "kyodo_rules.npo.eligibility",
}


class Classifier:
    """A rulebase of your own, loaded once, answering as `classify()` does.

    `rules_dir` is a directory laid out as the shipped `rules/` (rule files,
    `profiles/`, `policy.yaml`); None means the shipped rulebase. A broken
    rulebase raises `RuleError` here, naming the file and line. A thin face
    over the internal classifier (`kyodo_rules.decision.classify`): the engine
    and the bound rule sets stay private, free to change; internal code uses
    the internal classifier, or reaches it from this one through `_internal`.
    """

    __slots__ = ("_internal",)

    def __init__(self, rules_dir: "str | _PathLike[str] | None" = None) -> None:
        from pathlib import Path

        from kyodo_rules.decision.classify import Classifier as _Internal

        self._internal: _decision.Classifier = _Internal(
            rules_dir=Path(rules_dir) if rules_dir is not None else None
        )

    def classify(
        self,
        case: "Case | _Mapping[str, _Any]",
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
    ) -> "Result":
        """Is this project 協働, and why? As `kyodo_rules.classify`, whose signature this is."""
        return self._internal.classify(case, profile=profile, lang=lang, what_if=what_if)

    def classify_many(
        self,
        cases: "_Sequence[Case | _Mapping[str, _Any]]",
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
    ) -> "list[Result | InputError]":
        """`classify` of each case, in order; a case with bad input gets its `InputError`
        in its place instead of stopping the others. Faster than one call a case: the
        rule engine matches the cases together. For inventories and other programs."""
        return self._internal.classify_many(cases, profile=profile, lang=lang, what_if=what_if)


def __getattr__(name: str) -> _Any:
    if name == "__version__":
        # From the installed distribution's metadata, so that it can never
        # disagree with what pip shows; read on first use (launch stays fast).
        from importlib import metadata

        try:
            version = metadata.version("kyodo-rules")
        except metadata.PackageNotFoundError:  # a source tree that was never installed
            version = "0+unknown"
        globals()["__version__"] = version
        return version
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
