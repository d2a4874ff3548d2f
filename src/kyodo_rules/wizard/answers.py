"""An answer as the interview offered it, for the screens that list the answers given.

The summary (terminal and web) shows each answer in the words of the choice the
person picked (「すべて市が作った」), so that it can be recognised and changed;
the fact's name, and every report, use the wording catalog's labels instead.
"""

from __future__ import annotations

from typing import Any

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.rulebase.questions import WizardData
from kyodo_rules.wording import catalog


def answer_words(data: WizardData, field: str, value: Any, lang: Lang) -> str:
    """`value` in the words of the question's choices; lists joined, None as 分からない."""
    if value is None:
        return catalog.text("wizard", "unknown", lang)
    if isinstance(value, list | tuple):
        if not value:
            return catalog.text("wizard", "none_selected", lang)
        return catalog.join((answer_words(data, field, v, lang) for v in value), lang)
    if field not in data.order or not data.question(field).spec.choices:
        return str(value)
    return data.question(field).label_of(value, lang)
