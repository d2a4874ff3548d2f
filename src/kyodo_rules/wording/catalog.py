"""The wording catalog: every word a person reads, loaded from `wording/words/*.yaml`.

Words are data so that one spelling serves every place a person meets it: a
fact change reads 「企画立案者 = 相手方」 in the terminal, the HTML and Markdown
reports, the inventory, the demo and the web pages alike, and a new code needs
one edit, in the catalog. Each file maps a *section* (`field`, `value`,
`category`, `heading`, `web`, …) to keys, and each key to its Japanese and
English text (`{ja: …, en: …}`; `aliases`, where a reader accepts other
spellings). A section lives in exactly one file.

The files ship inside the package and are read with the project's safe YAML
loader (size-bounded, no aliases, duplicate keys refused), then checked: a
missing language or an unknown property is a `RuleError` naming the file and
line, raised the first time any word is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kyodo_rules.files.yaml import Located, load_file
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import LANGS, Lang

#: At most this many files and entries: the catalog is a few hundred words, and a
#: bound keeps a runaway edit from becoming a slow start.
MAX_FILES = 64
MAX_ENTRIES = 5_000

_PROPERTIES = frozenset({*LANGS, "aliases"})


@dataclass(frozen=True)
class Entry:
    """One word or phrase in both languages, with the other spellings a reader accepts."""

    ja: str
    en: str
    aliases: tuple[str, ...] = ()

    def get(self, lang: Lang) -> str:
        text: str = getattr(self, lang)
        return text


Catalog = Mapping[str, Mapping[str, Entry]]


def words_dir() -> Path:
    return Path(str(resources.files("kyodo_rules.wording") / "words"))


def load_catalog(directory: Path | str | None = None) -> dict[str, dict[str, Entry]]:
    """Read and check every `*.yaml` of `directory` (the shipped words by default)."""
    root = Path(directory) if directory is not None else words_dir()
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise RuleError(f"{root}: no wording files (*.yaml)")
    if len(files) > MAX_FILES:
        raise RuleError(f"{root}: {len(files)} wording files; at most {MAX_FILES}")
    out: dict[str, dict[str, Entry]] = {}
    origin: dict[str, str] = {}
    errors: list[str] = []
    count = 0
    for path in files:
        name = f"wording/words/{path.name}"
        raw = load_file(path, name)
        if not isinstance(raw, Located):
            raise RuleError(f"{name}:1: expected a mapping of sections")
        for section, table in raw.items():
            where = f"{name}:{raw.line_of(section)}: {section}"
            if section in origin:
                errors.append(f"{where}: section already defined in {origin[section]}")
                continue
            if not isinstance(table, Located):
                errors.append(f"{where}: expected a mapping of keys to {{ja, en}}")
                continue
            origin[section] = name
            entries: dict[str, Entry] = {}
            for key, value in table.items():
                count += 1
                entry = _entry(value, f"{name}:{table.line_of(key)}: {section}.{key}", errors)
                if entry is not None:
                    entries[key] = entry
            out[section] = entries
    if count > MAX_ENTRIES:
        errors.append(f"{root}: {count:,} entries; at most {MAX_ENTRIES:,}")
    if errors:
        raise RuleError("\n".join(errors))
    return out


def _entry(value: Any, where: str, errors: list[str]) -> Entry | None:
    if not isinstance(value, dict):
        errors.append(f"{where}: expected {{ja: …, en: …}}")
        return None
    unknown = sorted(set(value) - _PROPERTIES)
    if unknown:
        errors.append(
            f"{where}: unknown property {unknown[0]!r}; allowed: {', '.join(sorted(_PROPERTIES))}"
        )
        return None
    texts: dict[str, str] = {}
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text:
            errors.append(f"{where}: no {lang} text (every word exists in {', '.join(LANGS)})")
            return None
        texts[lang] = text
    aliases = value.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        errors.append(f"{where}: aliases: expected a list of words")
        return None
    return Entry(texts["ja"], texts["en"], tuple(aliases))


@cache
def catalog() -> Catalog:
    """The shipped catalog, read once."""
    return load_catalog()


def section(name: str) -> Mapping[str, Entry]:
    """Every entry of one section; a section the catalog lacks is a programming error."""
    return catalog()[name]


def text(name: str, key: str, lang: Lang, /, **values: object) -> str:
    """One text of the catalog in `lang`, its `{…}` filled from `values`."""
    shown = section(name)[key].get(lang)
    return shown.format(**values) if values else shown


def label(name: str, code: object, lang: Lang) -> str:
    """A code's label, or the code itself when the catalog has none (a custom rule's code)."""
    if code is None:
        return "—"
    entry = section(name).get(str(code))
    return entry.get(lang) if entry is not None else str(code)


def has(name: str, key: str) -> bool:
    return key in catalog().get(name, {})


def words(name: str, lang: Lang) -> dict[str, str]:
    """A whole section in one language, for a template (`w.next`, `w['home']`)."""
    return {key: entry.get(lang) for key, entry in section(name).items()}


# --- phrases -------------------------------------------------------------------------


def join(items: Iterable[str], lang: Lang, how: str = "list") -> str:
    """Items joined as the language lists them (「、」 or ", "); `how` another phrase key."""
    return text("phrase", how, lang).join(items)


def aside(inner: str, lang: Lang) -> str:
    """An aside in the parentheses of the language: （…） in Japanese, " (…)" in English."""
    return text("phrase", "aside", lang, text=inner)


# --- facts ---------------------------------------------------------------------------


def field_label(field: str, lang: Lang) -> str:
    """A fact's name (also the inventory's column header in Japanese)."""
    return label("field", field, lang)


def value_label(field: str, value: Any, lang: Lang) -> str:
    """A fact's value in words: codes by their label, yes/no, 分からない, lists joined."""
    if value is None:
        return text("answer", "unknown", lang)
    if isinstance(value, bool):
        return text("answer", "yes" if value else "no", lang)
    if isinstance(value, list | tuple):
        if not value:
            return text("answer", "none", lang)
        return join((value_label(field, v, lang) for v in value), lang)
    return label("value", value, lang)


def fact_is(field: str, value: Any, lang: Lang) -> str:
    """「企画立案者 = 相手方」: one fact and its value, as every report says it."""
    return text(
        "phrase", "is", lang, name=field_label(field, lang), value=value_label(field, value, lang)
    )


def describe_change(change: Iterable[Any], lang: Lang) -> str:
    """A change set (items with `.field` and `.value`) in words: 「A = はい かつ B = 市」."""
    return join((fact_is(item.field, item.value, lang) for item in change), lang, "and")
