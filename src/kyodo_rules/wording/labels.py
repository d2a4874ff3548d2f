"""Facts and verdicts read aloud (the case gallery, the demo), and terminal columns.

Every word comes from the wording catalog (`catalog`), so a fact reads the same
here as in the reports, the inventory and the web pages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS, Lang
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result


def verdict_words(result: Result, lang: Lang = "ja") -> str:
    """The verdict as trainers say it: 協働, or the named reason it is not (奉仕作業 …)."""
    if result.verdict == "kyodo":
        return catalog.text("demo", "kyodo", lang)
    if result.verdict == "not_kyodo" and result.category:
        return catalog.label("category", result.category, lang)
    return catalog.label("verdict", result.verdict, lang)


def display_width(text: str) -> int:
    """Columns a text takes in a terminal (full-width Japanese counts twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def fact_rows(facts: Mapping[str, Any], lang: Lang = "ja") -> list[tuple[str, str, str]]:
    """(field, label, value in words) for each known fact, in vocabulary order."""
    order = [f for f in FACT_FIELDS if f in facts] + [
        f for f in facts if f not in FIELD_KINDS and f != "title"
    ]
    return [
        (f, catalog.field_label(f, lang), catalog.value_label(f, facts[f], lang))
        for f in order
        if facts[f] is not None
    ]
