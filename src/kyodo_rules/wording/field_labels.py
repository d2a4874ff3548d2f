"""The vocabulary's fields and codes as staff write them in an inventory sheet.

A city's project inventory is typed by people who do not know `spec_author` or
`labour_only`; the batch command reads their words (仕様書の作成者, 労力のみ) as
well as the codes. The words are the wording catalog's (`words/facts.yaml`):
its Japanese labels are short and hold no list separator (`,` `、`), so that a
cell holding several of them splits unambiguously, and they stay put, because
an inventory template handed out to every department must keep reading the
same headers next year. Older spellings are the catalog's `aliases`, and the
English labels are accepted as headers too.

The wizard's choice labels (`wizard/questions.yaml`) are accepted as well when
they can be loaded, so that words copied from the wizard's screens also work.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Final

from kyodo_rules.model.errors import KyodoError
from kyodo_rules.model.vocabulary import FIELD_KINDS, Lang
from kyodo_rules.wording import catalog

#: Column header (Japanese) for `title` and every fact field, in vocabulary order.
FIELD_LABELS: Final[dict[str, str]] = {
    field: entry.ja for field, entry in catalog.section("field").items()
}

#: Japanese label of every code of every coded field ("code" and "codes" kinds).
CODE_LABELS: Final[dict[str, dict[str, str]]] = {
    field: {str(c): catalog.section("value")[str(c)].ja for c in codes}
    for field, (kind, codes) in FIELD_KINDS.items()
    if kind != "bool"
}

#: How a yes/no cell is written; the first of each is what templates offer.
TRUE_WORDS: Final[tuple[str, ...]] = ("はい", "true", "yes", "1", "○", "有", "あり")
FALSE_WORDS: Final[tuple[str, ...]] = ("いいえ", "false", "no", "0", "×", "無")


def field_label(field: str, lang: Lang = "ja") -> str:
    """The header a person reads: the catalog's label of the field."""
    return catalog.field_label(field, lang)


def code_label(field: str, code: object, lang: Lang = "ja") -> str:
    return catalog.value_label(field, code, lang)


def fold(text: str) -> str:
    """The form two spellings of one word share: full-width digits and letters, case,
    and stray spaces are what differ between sheets typed on different machines."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@cache
def header_aliases() -> dict[str, str]:
    """Every accepted header spelling (folded) -> field name."""
    out: dict[str, str] = {}
    for name, label in FIELD_LABELS.items():
        out.setdefault(fold(name), name)
        out.setdefault(fold(label), name)
    for name, entry in catalog.section("field").items():
        for text in (entry.en, *entry.aliases):
            out.setdefault(fold(text), name)
    return out


@cache
def value_aliases(field: str) -> dict[str, str]:
    """Every accepted spelling (folded) of a code of `field` -> the code."""
    codes = [str(c) for c in FIELD_KINDS[field][1]]
    values = catalog.section("value")
    out: dict[str, str] = {}
    for code in codes:
        out.setdefault(fold(code), code)
    for code, text in CODE_LABELS.get(field, {}).items():
        out.setdefault(fold(text), code)
    for code in codes:
        for text in values[code].aliases if code in values else ():
            out.setdefault(fold(text), code)
    for code, text in _wizard_choices().get(field, {}).items():
        out.setdefault(fold(text), code)
    return out


@cache
def _wizard_choices() -> dict[str, dict[str, str]]:
    """The wizard's choice labels, or nothing if it cannot load.

    The inventory must work even when the wizard's files are being edited or are
    broken: those problems are the wizard's to report, not the batch's."""
    try:
        from kyodo_rules.rulebase.questions import default_data

        data = default_data()
    except (ImportError, KyodoError, OSError):
        return {}
    choices: dict[str, dict[str, str]] = {}
    for q in data.questions:
        if FIELD_KINDS.get(q.field, ("bool",))[0] == "bool":
            continue
        choices[q.field] = {str(c.value): c.label.get("ja") for c in q.spec.choices}
    return choices
