"""Facts presumed from a project's name and its free-text summary.

「文化会館指定管理」 says its frame; 「庁舎清掃業務委託」 says it is routine
contracted work (事例1). The office lexicon's `phrases` (`wording/office.yaml`)
hold those phrases, each with the sentence of the guidance that names it.
A fact read this way is a presumption: it fills only a field no column of the
row was about (a filled column always wins, even one whose word could not be
read), it is shown in the row (「事業名から: 制度の枠組み = 指定管理者制度」), and a
run can turn the reading off (`--no-guess`). The first phrase that gives a
field its value wins; the lexicon lists the more specific phrases first.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import fold
from kyodo_rules.wording.office import Phrase, office_words


@dataclass(frozen=True)
class Presumed:
    """One presumed fact: where it was read (title or summary), the fact, its source."""

    where: str
    field: str
    value: Any
    phrase: str
    source: str

    def words(self, lang: Lang = "ja") -> str:
        """「事業名から: 制度の枠組み = 指定管理者制度」."""
        place = catalog.text("inventory_words", f"from_{self.where}", lang)
        return f"{place}: {catalog.fact_is(self.field, self.value, lang)}"


@cache
def _pattern() -> tuple[re.Pattern[str], dict[str, list[int]]]:
    """One alternation of every phrase (longest first), and each phrase's entries."""
    entries: dict[str, list[int]] = {}
    for index, phrase in enumerate(office_words().phrases):
        for text in phrase.phrases:
            entries.setdefault(text, []).append(index)
    ordered = sorted(entries, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in ordered)), entries


def presume(title: str, summary: str, filled: Collection[str]) -> tuple[Presumed, ...]:
    """The facts the name (then the summary) presume for fields not in `filled`."""
    if not title and not summary:
        return ()
    pattern, entries = _pattern()
    phrases = office_words().phrases
    out: list[Presumed] = []
    taken = set(filled)
    for where, text in (("title", title), ("summary", summary)):
        if not text:
            continue
        hits: dict[int, str] = {}
        for match in pattern.finditer(fold(text)):
            for index in entries[match.group()]:
                hits.setdefault(index, match.group())
        for index in sorted(hits):
            out.extend(_facts(phrases[index], where, hits[index], taken))
    return tuple(out)


def _facts(phrase: Phrase, where: str, text: str, taken: set[str]) -> list[Presumed]:
    out = []
    for name, value in phrase.facts.items():
        if name in taken:
            continue
        taken.add(name)
        out.append(Presumed(where, name, value, text, phrase.source))
    return out
