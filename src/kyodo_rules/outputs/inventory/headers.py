"""What a column of an office's list holds, from its name: the column's *meaning*.

A meaning is a field of the vocabulary (`planner`, `funding`…), `title`, or
one of the things a city's list holds that no single field is:

- `partner`: who the city works with, as names (NPO法人ひまわり) or kinds
  (自治会); read as `actors`, the city added (it is the city's own list);
- `department`: the 担当課, grouped in the summary; a named department means
  `responsible_department` (担当課がある);
- `method`: how it is done (実施方法・協働の形態): words that may state any
  fact (委託 is a contract and a fee, 後援 a name and a partner's event);
- `summary`: a free-text 概要, read only for presumptions.

Names come from the wording catalog: the field labels and their aliases (the
tool's own template), and `inventory_header` (what lists call their columns).
A name matches folded, and again after a note in brackets, a leading number
and 「の有無」 are dropped. A compound name (「実施方法／手法」「財源・支出の種類」)
matches by its parts, split at ／ / ・ 、: when every part that is a known name
says the same meaning (and at least one is), the column has it; parts that
disagree (「事業名・担当課」) give none. A name that still matches nothing may hold a
meaning's keyword (`inventory_header_hint`): the caller then reads it as that
meaning only if its cells fit (`columns.py`).
"""

from __future__ import annotations

import re
from functools import cache

from kyodo_rules.model.vocabulary import FIELD_KINDS, Lang
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import fold, header_aliases

#: Meanings that are not one field of the vocabulary.
PSEUDO = ("partner", "department", "method", "summary")
#: Every meaning a column may have, in the order the notes name them.
MEANINGS: tuple[str, ...] = ("title", *PSEUDO, *FIELD_KINDS)

_BRACKETS = re.compile(r"[(\[【〔<＜《][^)\]】〕>＞》]*[)\]】〕>＞》]")
_NUMBERING = re.compile(r"^(?:no\.?|[0-9]+[.)、:]?|[(][0-9]+[)]|[\u2460-\u2473\u3251-\u325f])+")
_SUFFIXES = ("の有無", "有無", "欄", "等", "など")
#: Where a compound column name joins its parts.
_PARTS = re.compile(r"[/／・、,，]")


def fields_of(meaning: str) -> tuple[str, ...] | None:
    """The facts a column of this meaning may state (None: any fact)."""
    if meaning == "title":
        return ("title",)
    if meaning == "partner":
        return ("actors", "organizer")
    if meaning == "department":
        return ("responsible_department",)
    if meaning == "method":
        return None
    if meaning == "summary":
        return ()
    return (meaning,)


def label(meaning: str, lang: Lang = "ja") -> str:
    """The meaning as the notes name it: the field's label, or the catalog's word for it."""
    if meaning in FIELD_KINDS or meaning == "title":
        return catalog.field_label(meaning, lang)
    return catalog.text("inventory_header", meaning, lang)


def forms(header: str) -> list[str]:
    """The folded header, then the same without bracketed notes, numbering and 「の有無」."""
    whole = fold(header)
    out = [whole]
    bare = _bare(whole)
    if bare and bare not in out:
        out.append(bare)
    return out


def _bare(folded: str) -> str:
    bare = _BRACKETS.sub("", folded)
    bare = _NUMBERING.sub("", bare).strip("・:：.。 ")
    for suffix in _SUFFIXES:
        if bare.endswith(suffix) and len(bare) > len(suffix):
            bare = bare[: -len(suffix)]
    return bare


def parts(header: str) -> list[str]:
    """The parts of a compound name (「実施方法／手法」: 実施方法, 手法), each bare; [] if one."""
    bare = _BRACKETS.sub("", fold(header))
    pieces = [_bare(p) for p in _PARTS.split(bare)]
    pieces = [p for p in pieces if p]
    return pieces if len(pieces) > 1 else []


@cache
def _table() -> dict[str, str]:
    """Folded column name -> meaning: the tool's own names first, then the lists' names."""
    table = dict(header_aliases())
    for meaning, entry in catalog.section("inventory_header").items():
        for text in (entry.ja, *entry.aliases):
            table.setdefault(fold(text), meaning)
    return table


@cache
def _hints() -> tuple[tuple[str, str], ...]:
    """(keyword, meaning), longest keywords first."""
    pairs = [
        (fold(word), meaning)
        for meaning, entry in catalog.section("inventory_header_hint").items()
        for word in entry.aliases
    ]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def meaning_of(header: str) -> str | None:
    """The meaning a column name states outright, or None."""
    table = _table()
    for form in forms(header):
        found = table.get(form)
        if found is not None:
            return found
    said = {table[p] for p in parts(header) if p in table}
    return said.pop() if len(said) == 1 else None


def hinted(header: str) -> list[str]:
    """Meanings whose keywords the name holds, the longest keyword first (no repeats)."""
    out: list[str] = []
    form = forms(header)[-1]
    for word, meaning in _hints():
        if word in form and meaning not in out:
            out.append(meaning)
    return out


def known_names() -> list[str]:
    """Every column name a meaning is known by (folded), for a did-you-mean."""
    return list(_table())


def name_meaning(name: str) -> str:
    return _table()[name]
