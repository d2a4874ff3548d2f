"""Facts and results read aloud: the case gallery, the demo, explanations.

Every word comes from the wording catalog (`catalog`), so a fact reads the same
here as in the reports, the inventory and the web pages. `lang` is a plain
`str` in these helpers while `analysis/explain.py` passes one; each checks it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS, parse_lang
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result


def verdict_short(verdict: str, lang: str = "ja") -> str:
    """The verdict in two or three words, for lists."""
    return catalog.label("verdict_short", verdict, parse_lang(lang))


def field_label(field: str, lang: str = "ja") -> str:
    return catalog.field_label(field, parse_lang(lang))


def form_label(code: str, lang: str = "ja") -> str:
    """A form's generic name (a profile may name it its own way; results carry that)."""
    return catalog.label("form", code, parse_lang(lang))


def value_text(value: Any, lang: str = "ja", field: str = "") -> str:
    """A fact's value as a person would say it (codes in words, booleans as yes/no)."""
    return catalog.value_label(field, value, parse_lang(lang))


def verdict_words(result: Result, lang: str = "ja") -> str:
    """The verdict as trainers say it: 協働, or the named reason it is not (奉仕作業 …)."""
    checked = parse_lang(lang)
    if result.verdict == "kyodo":
        return catalog.text("demo", "kyodo", checked)
    if result.verdict == "not_kyodo" and result.category:
        return catalog.label("category", result.category, checked)
    return catalog.label("verdict", result.verdict, checked)


def display_width(text: str) -> int:
    """Columns a text takes in a terminal (full-width Japanese counts twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def fact_rows(facts: Mapping[str, Any], lang: str = "ja") -> list[tuple[str, str, str]]:
    """(field, label, value in words) for each known fact, in vocabulary order."""
    checked = parse_lang(lang)
    order = [f for f in FACT_FIELDS if f in facts] + [
        f for f in facts if f not in FIELD_KINDS and f != "title"
    ]
    return [
        (f, catalog.field_label(f, checked), catalog.value_label(f, facts[f], checked))
        for f in order
        if facts[f] is not None
    ]
