"""A guide cited as people know it: 「日南市『市民協働の手引き』(7) 事例1」.

Rule files cite their sources as `<seed file> <section>` so that a reader can
go from a verdict back to the sentence; people read the issuer and the guide's
title instead (the policy's `sources`). This is the one place a source becomes
words, for every output: the reports, the web pages, the inventory, the drafts
of the three items, the demo.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier
    from kyodo_rules.rulebase.settings import SourceDoc

#: id(rulebase) -> {seed file -> the source document}: the same few, cited again and again.
_GUIDES: dict[int, Mapping[str, SourceDoc]] = {}


def guides(classifier: Classifier | None = None) -> Mapping[str, SourceDoc]:
    """The source documents of `classifier`'s rulebase (the shipped one by default)."""
    if classifier is None:
        from kyodo_rules.decision.classify import default_classifier

        classifier = default_classifier()
    key = id(classifier.rulebase)
    found = _GUIDES.get(key)
    if found is None:
        found = _GUIDES[key] = {s.file: s for s in classifier.rulebase.policy.sources}
    return found


def cite(source: str, lang: Lang, classifier: Classifier | None = None) -> str:
    """`002_… (7) 事例1` as 日南市『市民協働の手引き』(7) 事例1; a source the policy does not
    list is shown as written (a custom rulebase's own document)."""
    return cite_among(source, lang, guides(classifier))


def cite_among(source: str, lang: Lang, known: Mapping[str, SourceDoc]) -> str:
    """`cite` with the source documents given (the inventory's and the drafts' own)."""
    file, _, section = source.partition(" ")
    doc = known.get(file)
    if doc is None:
        return source
    return catalog.text(
        "phrase", "cite", lang, issuer=doc.issuer.get(lang), title=doc.title, section=section
    ).rstrip(" ,")


#: A source as rule data writes it, inside a text (a caution's or a reason's aside).
_SOURCE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt) ([^）)\n]*)")


def cite_in(text: str, lang: Lang, classifier: Classifier | None = None) -> str:
    """`text` with every source it names cited as people know it (a form's cautions and
    reasons carry their source beside them, as the JSON gives it to programs)."""
    return _SOURCE.sub(lambda m: cite(f"{m[1]} {m[2]}", lang, classifier), text)


__all__ = ["cite", "cite_among", "cite_in", "guides"]
