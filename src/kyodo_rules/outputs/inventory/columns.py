"""What the columns of an inventory mean, and one row read as the facts of a project.

A column's meaning comes from its name (`headers.py`), from the `--map`
file, or from a keyword of its name confirmed by its cells: 「協働の相手方
（団体名）」 whose cells are organisation names is read as the partner; a
column whose cells do not read as the keyword's meaning (予算額 of numbers,
担当者 of names for a yes/no field) is not used, and every column not used is
named in the notes (the output's 注意 sheet), with a did-you-mean only toward a
meaning its cells fit.

A row's facts are the cells' facts merged: the vocabulary's own columns
first, then the partner, the method and the department; a later column that
disagrees with an earlier one is named in the row's errors, never silently
kept. Then, unless turned off, phrases of the project's name and summary give
presumed facts for the fields no column filled (`guesses.py`), each shown in
the row.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.vocabulary import FIELD_KINDS, LANGS
from kyodo_rules.outputs.inventory.cells import (
    SPLIT as _SPLIT,
)
from kyodo_rules.outputs.inventory.cells import (
    WEAK,
    CellError,
    CellReader,
    ExtraWords,
    UnknownWords,
)
from kyodo_rules.outputs.inventory.guesses import Presumed, presume
from kyodo_rules.outputs.inventory.headers import (
    MEANINGS,
    hinted,
    known_names,
    label,
    meaning_of,
    name_meaning,
)
from kyodo_rules.outputs.inventory.reading import Cell, RowError, _blank, cell_text
from kyodo_rules.wording import catalog
from kyodo_rules.wording.field_labels import fold

INPUT_FIELDS: tuple[str, ...] = ("title", *FIELD_KINDS)

#: The columns the inventory adds, in order: key -> its header in each of `LANGS`.
#: What a department filters on first comes first, right after the project's title.
RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    key: tuple(entry.get(lang) for lang in LANGS)
    for key, entry in catalog.section("inventory_column").items()
}
_RESULT_HEADERS = frozenset(
    fold(h)
    for entry in catalog.section("inventory_column").values()
    for h in (*(entry.get(lang) for lang in LANGS), *entry.aliases)
)
_RESULT_SETS = tuple(
    frozenset(fold(pair[i]) for pair in RESULT_COLUMNS.values()) for i in range(len(LANGS))
)

#: Meanings read before the others when a row's facts are merged: the vocabulary's own.
_ORDER = {m: (0 if m in FIELD_KINDS or m == "title" else 1) for m in MEANINGS}
#: How the name of a city's department ends (総務課, 企画政策室, 福祉部, 市民活動センター).
_DEPARTMENT_ENDS = ("課", "室", "係", "部", "局", "所", "センター", "館", "事務局", "委員会", "班")
#: Meanings whose text a row keeps as it is (besides any fact it states).
_TEXTS = frozenset({"summary", "department"})
#: Columns that are not essential: a cell none of whose words is known leaves the fact
#: unknown with a note in the row (対象者 「小学生」, 期間 「R8年度」, a partner's name),
#: not an input error. A partner's name is passed over quietly when another column of
#: the row says who the partner is.
SOFT = frozenset({"benefit", "period", "activity", "partner"})
#: A column's cells fit a meaning when this share of its sampled cells read as it.
FIT = 0.6

_CellError = CellError  # the name tests and older callers use


@dataclass(frozen=True)
class Columns:
    """Which meaning each column holds (None: not used), and notes about the columns."""

    fields: tuple[str | None, ...]
    notes: tuple[str, ...]
    #: Columns carried over to the output (earlier answers are dropped, not duplicated).
    kept: tuple[int, ...]
    #: The output header of each kept column (a user's 判定 column becomes 判定（入力）).
    names: tuple[str, ...] = ()
    #: Named columns that hold no field (kept in the output, not used).
    ignored: int = 0
    #: The names of those columns, for the 注意 sheet.
    unused: tuple[str, ...] = ()
    #: How cells are read (with the `--map` file's words).
    reader: CellReader = field(default_factory=CellReader)
    #: Presume facts from the project's name and summary.
    guess: bool = True

    @property
    def order(self) -> tuple[tuple[int, str], ...]:
        """(column, meaning) of the columns read, the vocabulary's own first (worked out once)."""
        found: tuple[tuple[int, str], ...] | None = self.__dict__.get("_order")
        if found is None:
            found = tuple(
                sorted(
                    ((i, m) for i, m in enumerate(self.fields) if m is not None),
                    key=lambda pair: _ORDER.get(pair[1], 1),
                )
            )
            object.__setattr__(self, "_order", found)
        return found

    @property
    def department(self) -> int | None:
        return next((i for i, m in enumerate(self.fields) if m == "department"), None)


def map_columns(
    headers: Sequence[str],
    samples: Sequence[Sequence[Cell]] = (),
    *,
    given: dict[str, str] | None = None,
    words: ExtraWords | None = None,
    guess: bool = True,
) -> Columns:
    """The meaning of each column. `samples`: the first rows under the header, to see what
    a column holds; `given`: the map file's column -> meaning (or "ignore")."""
    reader = CellReader(words or {})
    given = given or {}
    fields: list[str | None] = []
    notes: list[str] = []
    kept: list[int] = []
    names: list[str] = []
    unused: list[str] = []
    folded = {fold(h) for h in headers}
    # Every answer column of one language: an answered sheet fed back in.
    earlier_run = any(columns <= folded for columns in _RESULT_SETS)
    for index, header in enumerate(headers):
        key = fold(header)
        cells = [row[index] for row in samples if index < len(row)]
        if key in _RESULT_HEADERS and key not in given:
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
        meaning, note = _meaning(header, key, cells, given, reader)
        if note:
            notes.append(note)
        fields.append(meaning)
        if meaning is None and header:
            unused.append(header)
    if not any(m is not None and m != "summary" for m in fields):
        raise InputError(no_fields_message())
    return Columns(
        tuple(fields),
        tuple(notes),
        tuple(kept),
        tuple(names),
        len(unused),
        tuple(unused),
        reader,
        guess,
    )


def no_fields_message() -> str:
    examples = "、".join(
        label(m) for m in ("title", "department", "partner", "method", "funding", "spec_author")
    )
    return (
        f"項目名の列が見つかりません（例: {examples}）。列名が違うときは --map で"
        "指定できます / no column names a field; name the columns with --map FILE "
        f"(e.g. {', '.join(('title', 'partner', 'method', 'funding', 'spec_author'))})"
    )


def _meaning(
    header: str, key: str, cells: list[Cell], given: dict[str, str], reader: CellReader
) -> tuple[str | None, str | None]:
    """The column's meaning and the note that says how it was found (None if by name)."""
    if not header:
        return None, None
    if key in given:
        chosen = given[key]
        return (None, None) if chosen == "ignore" else (chosen, None)
    found = meaning_of(header)
    if found is not None:
        return found, None
    filled = [c for c in cells if not _blank(c)]
    for meaning in hinted(header):
        if filled and _fits(meaning, filled, reader):
            return meaning, (
                f"列「{header}」を「{label(meaning)}」として読みました / "
                f"column {header!r} read as {label(meaning, 'en')}"
            )
        if not filled:
            return None, _not_used(header, meaning)
    guess = difflib.get_close_matches(key, known_names(), n=1, cutoff=0.6)
    if guess and (not filled or _fits(name_meaning(guess[0]), filled, reader)):
        return None, _not_used(header, name_meaning(guess[0]))
    return None, _not_used(header, None)


def _not_used(header: str, near: str | None) -> str:
    """Plain Japanese: the column was not used, and why (its name says no item we know)."""
    hint = ""
    if near is not None:
        hint = (
            f"もしかして「{label(near)}」の列ですか？ そうであれば列名を「{label(near)}」に"
            "変えるか、読み方のファイル（--map）で指定してください。"
        )
    return (
        f"列「{header}」は、列名からどの項目の列か分からなかったため、判定には使っていません"
        f"（表にはそのまま残しています）。{hint}"
    )


def _fits(meaning: str, cells: list[Cell], reader: CellReader) -> bool:
    """Do most of these cells read as the meaning (names as names, ○/× as yes or no)?"""
    good = 0
    for cell in cells:
        if meaning == "department":
            good += fold(cell_text(cell)).endswith(_DEPARTMENT_ENDS)
            continue
        if meaning in ("title", "summary"):
            text = cell_text(cell).strip()
            good += bool(text) and not text.replace(",", "").replace(".", "").isdigit()
            continue
        with suppress(CellError):
            good += bool(reader.read(meaning, cell))
    return good >= FIT * len(cells)


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class RowFacts:
    """What one row says: the facts, the cells that could not be read, the presumptions."""

    facts: dict[str, Any]
    errors: list[RowError]
    presumed: tuple[Presumed, ...] = ()
    department: str | None = None
    #: The summary's text (the presumptions read it; nothing else does).
    summary: str = ""
    #: Cells of columns that are not essential that could not be read (not errors).
    notes: tuple[str, ...] = ()


def read_row(number: int, cells: Sequence[Cell], columns: Columns) -> RowFacts:
    facts: dict[str, Any] = {}
    errors: list[RowError] = []
    source: dict[str, int] = {}  # field -> the column that gave it
    filled: set[str] = set()  # fields a filled cell was about, read or not
    department: str | None = None
    summary_parts: list[str] = []
    read = columns.reader.read
    weak: dict[str, Any] = {}
    notes: list[str] = []
    names: list[tuple[int, Cell]] = []  # partner cells read as nothing: names, maybe
    width = len(cells)
    for index, meaning in columns.order:
        if index >= width:
            continue
        value = cells[index]
        if value is None or value == "":
            continue
        if meaning in _TEXTS:
            if meaning == "summary":
                summary_parts.append(cell_text(value))
                continue
            if department is None:
                department = cell_text(value).strip() or None
        try:
            found = read(meaning, value)  # the reader's own: read, never changed
        except UnknownWords as exc:
            if meaning not in SOFT:
                errors.append(RowError(number, _where(meaning), str(exc), _header(columns, index)))
            elif meaning == "partner":
                names.append((index, value))
            else:
                notes.append(_unread(columns, index, value, meaning))
            if meaning in FIELD_KINDS:
                filled.add(meaning)
            continue
        except CellError as exc:
            errors.append(RowError(number, _where(meaning), str(exc), _header(columns, index)))
            if meaning in FIELD_KINDS:
                filled.add(meaning)
            continue
        if not found:
            continue
        if meaning not in facts and len(found) == 1 and meaning in found:
            # The common case: a column of a field, read as that field's value.
            given = found[meaning]
            facts[meaning] = list(given) if isinstance(given, list) else given
            source[meaning] = index
            filled.add(meaning)
            continue
        for name, given in found.items():
            if name == WEAK:
                for weakly, maybe in given.items():
                    filled.add(weakly)
                    have = weak.get(weakly)
                    if have is None:
                        weak[weakly] = list(maybe) if isinstance(maybe, list) else maybe
                    elif isinstance(have, list):
                        have.extend(v for v in maybe if v not in have)
                continue
            filled.add(name)
            if name not in facts:
                facts[name] = list(given) if isinstance(given, list) else given
                source[name] = index
            elif isinstance(given, list):
                have = facts[name]
                have.extend(v for v in given if v not in have)
            elif facts[name] != given:
                errors.append(
                    RowError(
                        number,
                        _where(meaning),
                        f"「{cell_text(value)}」は列「{_header(columns, source[name])}」と"
                        f"合わないため使いませんでした / disagrees with column "
                        f"{_header(columns, source[name])!r}; not used",
                        _header(columns, index),
                    )
                )
    for name, given in weak.items():
        facts.setdefault(name, given)
    if "actors" not in facts:
        notes.extend(_unread(columns, index, value, "partner") for index, value in names)
    for name, given in facts.items():
        if isinstance(given, list) and len(given) > 1 and "none" in given:
            # 予算: なし beside 後援: no money, and the city's name.
            facts[name] = [v for v in given if v != "none"]
    summary = "\n".join(summary_parts)
    presumed: tuple[Presumed, ...] = ()
    if columns.guess:
        presumed = presume(str(facts.get("title") or ""), summary, filled)
        for item in presumed:
            facts[item.field] = list(item.value) if isinstance(item.value, list) else item.value
    return RowFacts(facts, errors, presumed, department, summary, tuple(notes))


def _unread(columns: Columns, index: int, value: Cell, meaning: str) -> str:
    """The row's note for a cell of a column that is not essential that was not read."""
    what = label("actors" if meaning == "partner" else meaning)
    return (
        f"列「{_header(columns, index)}」の「{cell_text(value).strip()}」からは"
        f"{what}が分からないため、分からないものとして判定しました"
    )


def parse_row(
    number: int, cells: Sequence[Cell], columns: Columns
) -> tuple[dict[str, Any], list[RowError]]:
    """The row's facts and errors (`read_row` without the presumptions' record)."""
    read = read_row(number, cells, columns)
    return read.facts, read.errors


def _where(meaning: str) -> str:
    return meaning if meaning in FIELD_KINDS or meaning == "title" else label(meaning)


def _header(columns: Columns, index: int) -> str:
    position = columns.kept.index(index) if index in columns.kept else -1
    return columns.names[position] if position >= 0 and columns.names else str(index + 1)


def parse_cell(field_name: str, value: Cell) -> Any:
    """A cell of a vocabulary field as a fact value; None if unknown; `CellError` otherwise."""
    found = _DEFAULT.read(field_name, value)
    value = found.get(field_name, found.get(WEAK, {}).get(field_name))
    return list(value) if isinstance(value, list) else value


_DEFAULT = CellReader()

__all__ = [
    "FIT",
    "INPUT_FIELDS",
    "RESULT_COLUMNS",
    "_SPLIT",
    "Columns",
    "RowFacts",
    "_CellError",
    "map_columns",
    "no_fields_message",
    "parse_cell",
    "parse_row",
    "read_row",
]
