"""The public `Classifier`: `classify()` bound to a rules directory of your own.

A thin face over the internal classifier (`kyodo_rules.decision.classify`), so
that the public signature stays the library's promise while the engine choice
and the bound rule sets remain free to change. Internal code (the CLI, the web
application, the renderers) uses the internal classifier directly, or reaches
it from a public one through `_internal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyodo_rules.decision import classify as _decision
    from kyodo_rules.model.records import Case, Result


class Classifier:
    """A rulebase loaded once, answering as `classify()` does.

    `rules_dir` is a directory laid out as the shipped `rules/` (rule files,
    `profiles/`, `policy.yaml`); None means the shipped rulebase. A broken
    rulebase raises `RuleError` here, naming the file and line.
    """

    __slots__ = ("_internal",)

    def __init__(self, rules_dir: str | PathLike[str] | None = None) -> None:
        from pathlib import Path

        from kyodo_rules.decision.classify import Classifier as _Internal

        self._internal: _decision.Classifier = _Internal(
            rules_dir=Path(rules_dir) if rules_dir is not None else None
        )

    def classify(
        self,
        case: Case | Mapping[str, Any],
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
    ) -> Result:
        """Is this project 協働, and why? See `kyodo_rules.classify`, whose signature this is."""
        return self._internal.classify(case, profile=profile, lang=lang, what_if=what_if)

    def __repr__(self) -> str:
        return f"Classifier(rules_dir={self._internal.rulebase.root!r})"
