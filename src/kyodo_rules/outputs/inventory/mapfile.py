"""The `--map FILE`: how to read one office's list, for what no table can guess.

A YAML file, written by hand or started by `batch LIST.xlsx --template map.yaml`
(every column of the list with what it was read as, every word that could
not be read, to fill in):

```yaml
sheet: R7一覧          # the sheet to read (optional)
header_row: 4          # the row of the column names (optional)
columns:               # their column -> our meaning; `ignore` to leave it out
  協働先: partner
  予算費目: funding
  備考: ignore
words:                 # their word -> our code, by meaning
  funding:
    まちづくり交付金: project_subsidy
  partner:
    みどりの会: civic_group
  method:              # a word that says several facts: field: value
    協働事業提案制度: {planner: partner, scheme: contract}
  prior_consultation:
    実施予定: true
```

A meaning is a field of the vocabulary, `title`, `partner`, `department`,
`method` or `summary`. A word's value is one of the field's codes (a list for
a list field, true/false for a yes/no field), null for 分からない, or for any
meaning a mapping of field: value. The file is read with the project's safe
YAML loader; a mistake is one line naming the line of the file, the key and
what is allowed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.outputs.inventory.headers import MEANINGS, fields_of, label
from kyodo_rules.wording.field_labels import fold
from kyodo_rules.wording.office import check_facts

_KEYS = ("sheet", "header_row", "columns", "words")
_MAX_ENTRIES = 5_000


@dataclass(frozen=True)
class ListMap:
    """A map file, checked: the sheet, the header row, columns and words (keys folded)."""

    sheet: str | None = None
    header_row: int | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    words: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)


def load_map(path: str | os.PathLike[str]) -> ListMap:
    from kyodo_rules.files.yaml import Located, load_file

    name = os.fspath(path)
    raw = load_file(name, name)
    if raw is None:
        return ListMap()
    if not isinstance(raw, Located):
        raise InputError(f"{name}:1: expected a mapping with {', '.join(_KEYS)}")
    for key in raw:
        if key not in _KEYS:
            raise InputError(
                f"{name}:{raw.line_of(key)}: unknown key {key!r}; allowed: {', '.join(_KEYS)}"
            )
    sheet = raw.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise InputError(f"{name}:{raw.line_of('sheet')}: sheet: expected the sheet's name")
    header_row = raw.get("header_row")
    if header_row is not None and (
        not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1
    ):
        raise InputError(
            f"{name}:{raw.line_of('header_row')}: header_row: expected a row number from 1"
        )
    columns = _columns(raw["columns"], name, raw.line_of("columns")) if raw.get("columns") else {}
    words = _words(raw["words"], name, raw.line_of("words")) if raw.get("words") else {}
    return ListMap(sheet, header_row, columns, words)


def _allowed_meanings() -> str:
    return ", ".join((*MEANINGS, "ignore"))


def _columns(raw: Any, name: str, line: int) -> dict[str, str]:
    from kyodo_rules.files.yaml import Located

    if not isinstance(raw, Located):
        raise InputError(f"{name}:{line}: columns: expected their column: our meaning")
    if len(raw) > _MAX_ENTRIES:
        raise InputError(f"{name}:{line}: columns: at most {_MAX_ENTRIES:,}")
    out: dict[str, str] = {}
    for header, meaning in raw.items():
        if meaning is None:
            continue  # left blank: read by its name, as without a map
        if meaning not in (*MEANINGS, "ignore"):
            raise InputError(
                f"{name}:{raw.line_of(header)}: columns: {header}: {meaning!r} is not a "
                f"meaning; allowed: {_allowed_meanings()}"
            )
        out[fold(str(header))] = str(meaning)
    return out


def _words(raw: Any, name: str, line: int) -> dict[str, dict[str, dict[str, Any]]]:
    from kyodo_rules.files.yaml import Located

    if not isinstance(raw, Located):
        raise InputError(f"{name}:{line}: words: expected a meaning: {{their word: our code}}")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    count = 0
    for meaning, table in raw.items():
        where = f"{name}:{raw.line_of(meaning)}"
        if meaning not in MEANINGS or meaning in ("title", "summary"):
            allowed = ", ".join(m for m in MEANINGS if m not in ("title", "summary"))
            raise InputError(f"{where}: words: {meaning!r} is not a meaning; allowed: {allowed}")
        if not isinstance(table, Located):
            raise InputError(f"{where}: words: {meaning}: expected their word: our code")
        entries: dict[str, dict[str, Any]] = {}
        for word, value in table.items():
            count += 1
            if count > _MAX_ENTRIES:
                raise InputError(f"{where}: words: at most {_MAX_ENTRIES:,}")
            entries[fold(str(word))] = _facts(meaning, value, f"{name}:{table.line_of(word)}")
        out[meaning] = entries
    return out


def _facts(meaning: str, value: Any, where: str) -> dict[str, Any]:
    """A word's value as facts: a code of the meaning's field, or field: value pairs."""
    if value is None:
        return {}
    if isinstance(value, dict):
        errors: list[str] = []
        facts = check_facts(value, where, errors)
        if facts is None:
            raise InputError(errors[0])
        return facts
    target = {"partner": "actors", "department": "responsible_department"}.get(meaning, meaning)
    if target not in FIELD_KINDS:
        raise InputError(f"{where}: a {meaning} word needs field: value pairs")
    kind = FIELD_KINDS[target][0]
    given = [value] if kind == "codes" and not isinstance(value, list) else value
    errors = []
    facts = check_facts({target: given}, where, errors)
    if facts is None:
        raise InputError(errors[0])
    if meaning == "partner":
        facts["actors"] = ["city", *(a for a in facts["actors"] if a != "city")]
    return facts


# --------------------------------------------------------------------------- template


def map_template(
    headers: Sequence[str],
    meanings: Sequence[str | None],
    unknown: Mapping[str, Sequence[str]],
    *,
    sheet: str | None = None,
    header_row: int | None = None,
) -> str:
    """A map file to start from: every column with the meaning it was read as (or blank
    to fill in), and every word a column could not read, with what each meaning takes."""
    from kyodo_rules.files.cells import clean

    lines = [
        "# kyodo-rules: この一覧の読み方（--map で使います）/ how to read this list (--map FILE)",
        "# columns: 列名: 意味（空欄のものを埋め、使わない列は ignore）/ column: meaning",
        "# 意味 / meanings: " + _allowed_meanings(),
        "# words: 読めなかった語: コード（コードの一覧は各行の # の後ろ）/ their word: our code",
    ]
    if sheet is not None:
        lines.append(f"sheet: {_quote(sheet)}")
    if header_row is not None:
        lines.append(f"header_row: {header_row}")
    lines.append("columns:")
    for header, meaning in zip(headers, meanings, strict=True):
        if not header:
            continue
        if meaning:
            lines.append(f"  {_quote(clean(header))}: {meaning}  # {label(meaning)}")
        else:
            lines.append(f"  {_quote(clean(header))}:  # ?")
    lines.append("words:")
    if not any(unknown.values()):
        lines.append("  {}")
    for meaning, words in unknown.items():
        if not words:
            continue
        lines.append(f"  {meaning}:  # {label(meaning)}: {_codes_of(meaning)}")
        for word in words:
            lines.append(f"    {_quote(clean(word))}:")
    return "\n".join(lines) + "\n"


def _codes_of(meaning: str) -> str:
    fields = fields_of(meaning)
    if fields is None:
        return "{field: value, …}"
    target = "actors" if meaning == "partner" else fields[0] if fields else meaning
    if target not in FIELD_KINDS:
        return "{field: value}"
    codes = FIELD_KINDS[target][1]
    return " / ".join(str(c).lower() for c in codes)


def _quote(text: str) -> str:
    """A YAML key or value that reads back as the same string."""
    import json

    return json.dumps(text, ensure_ascii=False)


def write_map_template(path: str | os.PathLike[str], text: str) -> Path:
    from kyodo_rules.outputs.html import atomic_writer

    target = Path(path)
    with atomic_writer(target, newline="\n") as handle:
        handle.write(text)
    return target
