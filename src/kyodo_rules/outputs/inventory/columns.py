"""What the columns of an inventory mean: which field each header names, and each
cell read as a fact value.

Departments type their lists by hand, so this reads what people actually
write: Japanese column names or the vocabulary's, codes or their Japanese
words, はい/いいえ as well as true/false, full-width digits, several codes in
one cell separated by 、. A cell it cannot read spoils only its own row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kyodo_rules.files.sheetguard import NoCachedValue
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import FIELD_KINDS, LANGS
from kyodo_rules.outputs.inventory.reading import Cell, RowError, _blank, cell_text
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import (
    CODE_LABELS,
    FALSE_WORDS,
    FIELD_LABELS,
    TRUE_WORDS,
    fold,
    header_aliases,
    value_aliases,
)

INPUT_FIELDS: tuple[str, ...] = ("title", *FIELD_KINDS)

#: Words meaning "not known" (the cell might as well be empty).
UNKNOWN_WORDS = frozenset(fold(w) for w in ("不明", "分からない", "わからない", "unknown", "?"))
#: Words meaning "none of them" in a list cell whose field has no `none` code.
NONE_WORDS = frozenset(fold(w) for w in ("なし", "無し", "none"))
_SPLIT = re.compile(r"[,、，;；\n]")

#: The columns the inventory adds, in order: key -> its header in each of `LANGS`.
#: What a department filters on first comes first, right after the project's title.
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    key: tuple(entry.get(lang) for lang in LANGS)
    for key, entry in catalog.section("inventory_column").items()
}
_RESULT_HEADERS = frozenset(fold(h) for pair in RESULT_COLUMNS.values() for h in pair)
_RESULT_SETS = tuple(
    frozenset(fold(pair[i]) for pair in RESULT_COLUMNS.values()) for i in range(len(LANGS))
)

#: Result columns whose cells hold several lines of text.
_LONG = frozenset({"forms", "confirm", "flags", "reasons", "missing_facts", "errors"})


@dataclass(frozen=True)
class Columns:
    """Which field each column holds (None: not a field), and notes about ignored columns."""

    fields: tuple[str | None, ...]
    notes: tuple[str, ...]
    #: Columns carried over to the output (earlier answers are dropped, not duplicated).
    kept: tuple[int, ...]
    #: The output header of each kept column (a user's 判定 column becomes 判定（入力）).
    names: tuple[str, ...] = ()
    #: Named columns that hold no field (kept in the output, not used).
    ignored: int = 0


def map_columns(headers: Sequence[str]) -> Columns:
    aliases = header_aliases()
    fields: list[str | None] = []
    notes: list[str] = []
    kept: list[int] = []
    names: list[str] = []
    seen: dict[str, str] = {}
    folded = {fold(h) for h in headers}
    # Every answer column of one language: an answered sheet fed back in.
    earlier_run = any(columns <= folded for columns in _RESULT_SETS)
    for index, header in enumerate(headers):
        key = fold(header)
        if key in _RESULT_HEADERS:
            if earlier_run:
                fields.append(None)  # an answer column of an earlier run; answered afresh
                continue
            renamed = f"{header}（入力）"
            notes.append(
                f"列「{header}」は結果の列と同じ名前なので「{renamed}」として残します / "
                f"column {header!r} has the name of a result column; kept as {renamed!r}"
            )
            kept.append(index)
            names.append(renamed)
            fields.append(None)
            continue
        kept.append(index)
        names.append(header)
        name = aliases.get(key)
        if name is None:
            fields.append(None)
            if header:
                near = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.6)
                hint = ""
                if near:
                    guess = FIELD_LABELS.get(aliases[near[0]], aliases[near[0]])
                    hint = f"（もしかして「{guess}」？ / did you mean {guess!r}?）"
                notes.append(
                    f"列「{header}」は項目名ではないので判定には使いません{hint} / "
                    f"column {header!r} is not a field; kept but not used"
                )
            continue
        if name in seen:
            raise InputError(
                f"列「{seen[name]}」と「{header}」が同じ項目 {name} です / "
                f"two columns for field {name}"
            )
        seen[name] = header
        fields.append(name)
    if not seen:
        raise InputError(
            "項目名の列が一つもありません（例: 事業名、主体、企画立案者）/ "
            "no column names a field; "
            f"allowed: {', '.join(FIELD_LABELS.values())} or {', '.join(INPUT_FIELDS)}"
        )
    ignored = sum(1 for i in kept if fields[i] is None and headers[i])
    return Columns(tuple(fields), tuple(notes), tuple(kept), tuple(names), ignored)


class _CellError(Exception):
    pass


def _allowed(field: str) -> str:
    labels = CODE_LABELS.get(field, {})
    codes = FIELD_KINDS[field][1]
    return "、".join(f"{labels.get(str(c), c)} ({c})" for c in codes)


_TRUE = frozenset(fold(w) for w in TRUE_WORDS)
_FALSE = frozenset(fold(w) for w in FALSE_WORDS)


#: Cells already read, by field and value: an inventory repeats the same few words
#: (はい, 市, 事業者…) in every row, and reading one costs more than looking it up.
_READ: dict[tuple[str, type, Cell], tuple[bool, Any]] = {}
_READ_MAX = 4_096
_READ_CHARS = 64


def parse_cell(field: str, value: Cell) -> Any:
    """A cell as a fact value; None if unknown; `_CellError` with the problem otherwise."""
    if not isinstance(value, str | bool | int | float) or (
        isinstance(value, str) and len(value) > _READ_CHARS
    ):
        return _parse_cell(field, value)
    key = (field, type(value), value)
    found = _READ.get(key)
    if found is None:
        try:
            found = (True, _parse_cell(field, value))
        except _CellError as exc:
            found = (False, str(exc))
        if len(_READ) >= _READ_MAX:
            _READ.clear()
        _READ[key] = found
    ok, read = found
    if not ok:
        raise _CellError(read)
    return list(read) if isinstance(read, list) else read


def _parse_cell(field: str, value: Cell) -> Any:
    if isinstance(value, NoCachedValue):
        raise _CellError(
            f"セル {value.coordinate} の数式に計算結果が保存されていません"
            f"（Excel で開いて保存し直してください） / "
            f"formula in cell {value.coordinate} has no saved value; open and save "
            "the file in Excel"
        )
    if _blank(value):
        return None
    if field == "title":
        return cell_text(value).strip()
    if isinstance(value, str) and fold(value) in UNKNOWN_WORDS:
        return None
    kind = FIELD_KINDS[field][0]
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = fold(cell_text(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise _CellError(
            f"「{cell_text(value)}」は はい／いいえ で答えてください / "
            "expected yes or no (はい, いいえ, true, false, 1, 0)"
        )
    aliases = value_aliases(field)
    if kind == "code":
        code = aliases.get(fold(cell_text(value)))
        if code is None:
            raise _CellError(
                f"「{cell_text(value)}」は使えません / not allowed; 使える値 / allowed: "
                f"{_allowed(field)}"
            )
        return code
    codes: list[str] = []
    for token in _SPLIT.split(cell_text(value)):
        key = fold(token)
        if not key:
            continue
        code = aliases.get(key)
        if code is None and key in NONE_WORDS:
            continue  # 「なし」: known to be none of them
        if code is None:
            raise _CellError(
                f"「{token.strip()}」は使えません / not allowed; 使える値（、区切りで複数可）/ "
                f"allowed, several separated by 、: {_allowed(field)}"
            )
        codes.append(code)
    return codes


def parse_row(
    number: int, cells: Sequence[Cell], columns: Columns
) -> tuple[dict[str, Any], list[RowError]]:
    facts: dict[str, Any] = {}
    errors: list[RowError] = []
    for index, name in enumerate(columns.fields):
        if name is None or index >= len(cells):
            continue
        try:
            value = parse_cell(name, cells[index])
        except _CellError as exc:
            errors.append(RowError(number, name, str(exc)))
            continue
        if value is not None:
            facts[name] = value
    return facts, errors
