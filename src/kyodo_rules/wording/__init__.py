"""Every word a person reads, Japanese and English, from one catalog.

The words are data (`words/*.yaml`, shipped in the package); `catalog` loads and
checks them and is the only way to read them. `Lang` and `parse_lang` live in
the model (`model.vocabulary`) so that every layer can type a language; they
are repeated here because whoever words something needs them too.
"""

from kyodo_rules.model.vocabulary import LANGS, Lang, parse_lang
from kyodo_rules.wording.catalog import (
    Entry,
    aside,
    describe_change,
    fact_is,
    field_label,
    join,
    label,
    text,
    value_label,
    words,
)

__all__ = [
    "LANGS",
    "Entry",
    "Lang",
    "aside",
    "describe_change",
    "fact_is",
    "field_label",
    "join",
    "label",
    "parse_lang",
    "text",
    "value_label",
    "words",
]
