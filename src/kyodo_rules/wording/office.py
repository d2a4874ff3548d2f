"""The office lexicon: the words city offices write in their project lists, as facts.

A department's 事業一覧 says 委託, 指定管理, NPO法人ひまわり, 補助金（運営費）, ○/×,
済/未 where the vocabulary says `scheme: contract`, `actors: [civic_group]`…
`wording/office.yaml` holds those words as data (the loader here checks them
once: every fact a field of the vocabulary with a code it allows, no word
given two meanings for one field, a broken entry reported with its line), so
that a new office word is one line of data, not code. The column names are
the catalog's (`inventory_header`); the inventory reads both
(`outputs/inventory/`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kyodo_rules.files.yaml import Located, load_file
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.wording.field_labels import fold

NAME = "wording/office.yaml"
_SECTIONS = frozenset(
    {
        "yes_words",
        "no_words",
        "unknown_words",
        "example_sheets",
        "totals",
        "notes",
        "words",
        "names",
        "phrases",
    }
)
_WORD_KEYS = frozenset({"words", "facts", "source", "yields"})
_NAME_KEYS = frozenset({"starts", "ends", "contains", "facts", "source"})
_PHRASE_KEYS = frozenset({"phrases", "facts", "source", "quote"})

Facts = Mapping[str, Any]


@dataclass(frozen=True)
class WordEntry:
    """Whole words of a cell and the facts each states."""

    words: tuple[str, ...]
    facts: Facts
    source: str | None = None
    #: Its facts give way to what another column of the row says of the same field.
    yields: bool = False


@dataclass(frozen=True)
class NameEntry:
    """Organisation names by how they begin, end or what they contain (株式会社○○, ○○大学)."""

    starts: tuple[str, ...]
    ends: tuple[str, ...]
    contains: tuple[str, ...]
    facts: Facts
    source: str | None = None

    def matches(self, folded: str) -> bool:
        return (
            folded.startswith(self.starts)
            or folded.endswith(self.ends)
            or any(c in folded for c in self.contains)
        )


@dataclass(frozen=True)
class Phrase:
    """Phrases in a project's name or summary and the facts presumed from them, cited."""

    phrases: tuple[str, ...]
    facts: Facts
    source: str
    quote: str


@dataclass(frozen=True)
class OfficeWords:
    """The lexicon, checked, with the folded words indexed by the field they give."""

    yes: frozenset[str]
    no: frozenset[str]
    unknown: frozenset[str]
    totals: tuple[str, ...]
    notes: tuple[str, ...]
    #: Sheet names (folded) of example sheets.
    example_sheets: tuple[str, ...]
    words: tuple[WordEntry, ...]
    names: tuple[NameEntry, ...]
    phrases: tuple[Phrase, ...]
    #: field -> folded word -> the entry giving that field a value.
    by_field: Mapping[str, Mapping[str, WordEntry]] = field(default_factory=dict)
    #: folded word -> its first entry (a column that may state any fact).
    any_field: Mapping[str, WordEntry] = field(default_factory=dict)

    def entry(self, word: str, fields: tuple[str, ...] | None) -> WordEntry | None:
        """The entry of a folded word for a column reading `fields` (None: any field)."""
        if fields is None:
            return self.any_field.get(word)
        for name in fields:
            found = self.by_field.get(name, {}).get(word)
            if found is not None:
                return found
        return None

    def known(self, fields: tuple[str, ...] | None) -> list[str]:
        """Every word (as written) a column reading `fields` knows, for a did-you-mean."""
        out: list[str] = []
        for entry in self.words:
            if fields is None or any(f in entry.facts for f in fields):
                out.extend(entry.words)
        return out


def default_path() -> Path:
    return Path(__file__).with_name("office.yaml")


@cache
def office_words() -> OfficeWords:
    """The shipped lexicon, read once."""
    return load_office()


def load_office(path: Path | str | None = None) -> OfficeWords:
    """Read and check an office lexicon (the shipped one by default)."""
    source = Path(path) if path is not None else default_path()
    raw = load_file(source, NAME if path is None else str(source))
    name = NAME if path is None else str(source)
    if not isinstance(raw, Located):
        raise RuleError(f"{name}:1: expected a mapping of sections")
    errors: list[str] = []
    for key in raw:
        if key not in _SECTIONS:
            errors.append(
                f"{name}:{raw.line_of(key)}: unknown section {key!r}; "
                f"allowed: {', '.join(sorted(_SECTIONS))}"
            )
    lists = {key: _strings(raw, f"{key}_words", name, errors) for key in ("yes", "no", "unknown")}
    totals = _strings(raw, "totals", name, errors)
    notes = _strings(raw, "notes", name, errors)
    examples = _strings(raw, "example_sheets", name, errors)
    located = _entries(raw, "words", _WORD_KEYS, ("words",), name, errors)
    words = tuple(
        WordEntry(tuple(e["words"]), e["facts"], e.get("source"), e.get("yields") is True)
        for e in located
    )
    names = tuple(
        NameEntry(
            tuple(fold(t) for t in e.get("starts", ())),
            tuple(fold(t) for t in e.get("ends", ())),
            tuple(fold(t) for t in e.get("contains", ())),
            e["facts"],
            e.get("source"),
        )
        for e in _entries(raw, "names", _NAME_KEYS, ("starts", "ends", "contains"), name, errors)
    )
    phrases: list[Phrase] = []
    for e in _entries(raw, "phrases", _PHRASE_KEYS, ("phrases",), name, errors):
        if not isinstance(e.get("source"), str) or not isinstance(e.get("quote"), str):
            errors.append(f"{name}:{e.line}: a phrase needs its source and quote")
            continue
        folded = tuple(fold(p) for p in e["phrases"])
        phrases.append(Phrase(folded, e["facts"], e["source"], e["quote"]))
    by_field: dict[str, dict[str, WordEntry]] = {}
    any_field: dict[str, WordEntry] = {}
    for entry, item in zip(words, located, strict=True):
        for word in entry.words:
            key = fold(word)
            any_field.setdefault(key, entry)
            for fact in entry.facts:
                table = by_field.setdefault(fact, {})
                if key in table and table[key] is not entry:
                    errors.append(
                        f"{name}:{item.line}: {word!r} already gives {fact} "
                        "a value in an earlier entry"
                    )
                table[key] = entry
    if errors:
        raise RuleError("\n".join(errors))
    return OfficeWords(
        yes=frozenset(fold(w) for w in lists["yes"]),
        no=frozenset(fold(w) for w in lists["no"]),
        unknown=frozenset(fold(w) for w in lists["unknown"]),
        totals=tuple(fold(w) for w in totals),
        notes=tuple(fold(w) for w in notes),
        example_sheets=tuple(fold(w) for w in examples),
        words=words,
        names=names,
        phrases=tuple(phrases),
        by_field=by_field,
        any_field=any_field,
    )


def _strings(raw: Located, key: str, name: str, errors: list[str]) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        errors.append(
            f"{name}:{raw.line_of(key)}: {key}: expected a list of words "
            '(quote yes, no, true, false and numbers: "1")'
        )
        return []
    return list(value)


def _entries(
    raw: Located,
    key: str,
    allowed: frozenset[str],
    needed: tuple[str, ...],
    name: str,
    errors: list[str],
) -> list[Located]:
    """The section's entries whose keys, word lists and facts are well formed."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        errors.append(f"{name}:{raw.line_of(key)}: {key}: expected a list of entries")
        return []
    out: list[Located] = []
    for item in items:
        if not isinstance(item, Located):
            errors.append(f"{name}:{raw.line_of(key)}: {key}: expected entries with facts")
            continue
        where = f"{name}:{item.line}"
        unknown = sorted(set(item) - allowed)
        if unknown:
            errors.append(
                f"{where}: unknown property {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}"
            )
            continue
        lists = [item.get(k) for k in needed if k in item]
        if not lists or not all(
            isinstance(v, list) and v and all(isinstance(w, str) and w for w in v) for v in lists
        ):
            errors.append(
                f"{where}: expected {' / '.join(needed)}: a list of words "
                '(quote yes, no, true, false and numbers: "1")'
            )
            continue
        facts = check_facts(item.get("facts"), where, errors)
        if facts is None:
            continue
        item["facts"] = facts
        out.append(item)
    return out


def check_facts(value: Any, where: str, errors: list[str]) -> dict[str, Any] | None:
    """`{field: value}` with every field of the vocabulary and every code one it allows."""
    if not isinstance(value, dict):
        errors.append(f"{where}: facts: expected a mapping of field: value")
        return None
    out: dict[str, Any] = {}
    for name, given in value.items():
        if name not in FIELD_KINDS:
            errors.append(
                f"{where}: facts: unknown field {name!r}; allowed: {', '.join(FIELD_KINDS)}"
            )
            return None
        kind, codes = FIELD_KINDS[name]
        allowed = ", ".join(str(c) for c in codes)
        if kind == "bool":
            if not isinstance(given, bool):
                errors.append(f"{where}: facts: {name}: expected true or false")
                return None
            out[name] = given
        elif kind == "code":
            if given not in codes:
                errors.append(f"{where}: facts: {name}: {given!r} not allowed; allowed: {allowed}")
                return None
            out[name] = given
        else:
            if not isinstance(given, list) or not all(g in codes for g in given):
                errors.append(
                    f"{where}: facts: {name}: expected a list of codes; allowed: {allowed}"
                )
                return None
            out[name] = list(given)
    return out
