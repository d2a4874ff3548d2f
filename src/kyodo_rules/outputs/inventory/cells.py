"""One cell of an office's list read as facts, by what its column means.

Departments type their lists by hand: codes or their Japanese labels, はい or
○ or 済, full-width digits, several words in one cell separated by 、, and
their own words (委託, 補助金（運営費）, NPO法人ひまわり). A word is looked up in
the order that trusts the office most: the `--map` file's words for the
column, the field's own codes and labels (the template's words), the office
lexicon (`wording/office.yaml`), then, in a partner column, organisation
names by how they begin or end. A word found nowhere makes the cell an error
naming it and the nearest known words; the cell then states nothing (a list
read in part would claim to be the whole list), and its row is still
answered with what the other cells say.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kyodo_rules.files.sheetguard import NoCachedValue
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.outputs.inventory.headers import fields_of
from kyodo_rules.outputs.inventory.reading import Cell, _blank, cell_text
from kyodo_rules.wording.field_labels import (
    CODE_LABELS,
    FALSE_WORDS,
    TRUE_WORDS,
    fold,
    value_aliases,
)
from kyodo_rules.wording.office import OfficeWords, office_words

SPLIT = re.compile(r"[,、，;；\n]")
#: Words meaning "none of them" in a list cell whose field has no `none` code.
NONE_WORDS = frozenset(fold(w) for w in ("なし", "無し", "無", "none", "該当なし"))
#: Columns about how a project is done, whose cells may hold any word of that kind.
_HOW = frozenset({"funding", "scheme", "organizer"})
#: Meanings whose cells are text, not words to look up.
TEXT = frozenset({"title", "summary"})

#: The key under which a cell's facts from words that yield are kept (補助 alone is a
#: project subsidy unless another column of the row says which subsidy): not a field.
WEAK = "(yields)"

#: A map file's words: meaning (or field) -> folded word -> the facts it states.
ExtraWords = Mapping[str, Mapping[str, Mapping[str, Any]]]


class CellError(Exception):
    """A cell that cannot be read; the message names the words and what is allowed."""


@dataclass
class CellReader:
    """Reads cells for column meanings; remembers the short cells it has read.

    An inventory repeats the same few words (はい, 市, 委託…) in every row, and
    reading one costs more than looking it up. `extra` are the `--map` file's
    words, which come first.
    """

    extra: ExtraWords = field(default_factory=dict)
    _memo: dict[tuple[str, type, Cell], dict[str, Any] | str] = field(
        default_factory=dict, repr=False, compare=False
    )

    MEMO_MAX = 4_096
    MEMO_CHARS = 64

    def __getstate__(self) -> dict[str, Any]:
        return {"extra": self.extra, "_memo": {}}  # workers fill their own

    def read(self, meaning: str, value: Cell) -> Mapping[str, Any]:
        """The facts the cell states ({} when it says nothing); `CellError` otherwise.

        The mapping (and its lists) may be the reader's memo: read it, never change it.
        """
        key = (meaning, value.__class__, value)
        found = self._memo.get(key)  # the common case: a word met in an earlier row
        if found is None:
            if meaning == "title":  # every row's own: never met again, never kept
                return {} if _blank(value) else {"title": cell_text(value).strip()}
            if not isinstance(value, str | bool | int | float) or (
                isinstance(value, str) and len(value) > self.MEMO_CHARS
            ):
                return self._read(meaning, value)
            try:
                found = self._read(meaning, value)
            except CellError as exc:
                found = str(exc)  # a problem: kept as its message
            if len(self._memo) >= self.MEMO_MAX:
                self._memo.clear()
            self._memo[key] = found
        if isinstance(found, str):
            raise CellError(found)
        return found

    def _read(self, meaning: str, value: Cell) -> dict[str, Any]:
        if isinstance(value, NoCachedValue):
            raise CellError(
                f"セル {value.coordinate} の数式に計算結果が保存されていません"
                f"（Excel で開いて保存し直してください） / "
                f"formula in cell {value.coordinate} has no saved value; open and save "
                "the file in Excel"
            )
        if _blank(value):
            return {}
        if meaning in TEXT:
            return {meaning: cell_text(value).strip()} if meaning == "title" else {}
        office = office_words()
        text = cell_text(value)
        if isinstance(value, str) and fold(value) in office.unknown:
            return {}
        if meaning == "department":
            key = fold(text)
            if key in office.no or key in NONE_WORDS:
                return {"responsible_department": False}
            return {"responsible_department": True}
        kind = FIELD_KINDS[meaning][0] if meaning in FIELD_KINDS else None
        if kind == "bool":
            return {meaning: self._yes_no(meaning, value, office)}
        return self._words(meaning, text, office)

    def unread(self, meaning: str, value: Cell) -> list[str]:
        """The words of a cell this reader does not know (for a map file to start from)."""
        if _blank(value) or meaning in TEXT or meaning == "department":
            return []
        try:
            self.read(meaning, value)
        except CellError:
            pass
        else:
            return []
        office = office_words()
        if meaning in FIELD_KINDS and FIELD_KINDS[meaning][0] == "bool":
            return [cell_text(value).strip()]
        fields = fields_of(meaning)
        return [
            token.strip()
            for token in SPLIT.split(cell_text(value))
            if fold(token) and self._word(meaning, fields, fold(token), office) is None
        ]

    def _yes_no(self, meaning: str, value: Cell, office: OfficeWords) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = fold(cell_text(value))
        extra = self._extra(meaning, key)
        if extra is not None and isinstance(extra.get(meaning), bool):
            return bool(extra[meaning])
        if key in office.yes or key in _TRUE:
            return True
        if key in office.no or key in _FALSE:
            return False
        raise CellError(
            f"「{cell_text(value)}」は はい／いいえ で答えてください / "
            "expected yes or no (はい, いいえ, ○, ×, 有, 無, 済, 未, true, false, 1, 0)"
        )

    def _extra(self, meaning: str, key: str) -> Mapping[str, Any] | None:
        for name in (meaning, *(fields_of(meaning) or ())):
            found = self.extra.get(name, {}).get(key)
            if found is not None:
                return found
        return None

    def _words(self, meaning: str, text: str, office: OfficeWords) -> dict[str, Any]:
        fields = fields_of(meaning)
        facts: dict[str, Any] = {}
        unknown: list[str] = []
        for token in SPLIT.split(text):
            key = fold(token)
            if not key:
                continue
            found = self._word(meaning, fields, key, office)
            if found is None:
                unknown.append(token.strip())
                continue
            clash = _merge(facts, found)
            if clash is not None:
                raise CellError(
                    f"「{text.strip()}」は{clash}について二つの答えを含みます / "
                    f"the cell gives {clash} two different values"
                )
        if unknown:
            raise CellError(self._unknown(meaning, fields, unknown))
        if meaning == "partner" and "actors" in facts:
            # The list is the city's own: the partner works with the city.
            facts["actors"] = ["city", *(a for a in facts["actors"] if a != "city")]
        return facts

    def _word(
        self, meaning: str, fields: tuple[str, ...] | None, key: str, office: OfficeWords
    ) -> Mapping[str, Any] | None:
        extra = self._extra(meaning, key)
        if extra is not None:
            return extra
        if meaning in FIELD_KINDS:
            code = value_aliases(meaning).get(key)
            if code is not None:
                return {meaning: [code] if FIELD_KINDS[meaning][0] == "codes" else code}
        entry = office.entry(key, fields)
        if entry is None and meaning in _HOW:
            # A 予算の種類 column saying 委託 or 指定管理: a word of how the project is done.
            entry = office.entry(key, None)
        if entry is not None:
            return {WEAK: entry.facts} if entry.yields else entry.facts
        if meaning in ("partner", "actors"):
            if key in NONE_WORDS and meaning == "partner":
                return {"actors": []}
            code = value_aliases("actors").get(key)
            if code is not None:
                return {"actors": [code]}
            for name in office.names:
                if name.matches(key):
                    return name.facts
        if key in NONE_WORDS and meaning in FIELD_KINDS and FIELD_KINDS[meaning][0] == "codes":
            return {meaning: []}  # 「なし」: known to be none of them
        return None

    def _unknown(self, meaning: str, fields: tuple[str, ...] | None, words: list[str]) -> str:
        known = _known_words(meaning, fields, self.extra)
        folded = {fold(w): w for w in known}
        parts = []
        for word in words:
            near = difflib.get_close_matches(fold(word), list(folded), n=3, cutoff=0.4)
            hint = f"（近い語: {'、'.join(folded[n] for n in near)}）" if near else ""
            parts.append(f"「{word}」は使えません{hint}")
        allowed = _allowed(meaning)
        several = meaning in FIELD_KINDS and FIELD_KINDS[meaning][0] == "codes"
        # Japanese sentences that name the words a person may write (no codes: the
        # column is named by whoever reads the row, see `RowError`).
        return "、".join(parts) + (
            f"。使える値（、区切りで複数可）: {allowed}" if several else f"。使える値: {allowed}"
        )


def _merge(facts: dict[str, Any], found: Mapping[str, Any]) -> str | None:
    """Add one word's facts to a cell's; the field two words disagree on, if any."""
    for name, value in found.items():
        if name == WEAK:
            clash = _merge(facts.setdefault(WEAK, {}), value)
            if clash is not None:
                return clash
        elif isinstance(value, list):
            have = facts.setdefault(name, [])
            have.extend(v for v in value if v not in have)
        elif name in facts and facts[name] != value:
            return name
        else:
            facts[name] = value
    return None


def _allowed(meaning: str) -> str:
    """What a column of this meaning takes, as its words with their codes."""
    field_name = "actors" if meaning == "partner" else meaning
    if field_name in CODE_LABELS:
        labels = CODE_LABELS[field_name]
        codes = FIELD_KINDS[field_name][1]
        return "、".join(labels.get(str(c), str(c)) for c in codes)
    office = office_words()
    return "、".join(dict.fromkeys(e.words[0] for e in office.words if e.facts))


def _known_words(meaning: str, fields: tuple[str, ...] | None, extra: ExtraWords) -> list[str]:
    words: list[str] = []
    for name in (meaning, *(fields or ())):
        if name in CODE_LABELS:
            words.extend(CODE_LABELS[name].values())
        words.extend(extra.get(name, {}))
    words.extend(office_words().known(fields))
    return list(dict.fromkeys(words))


_TRUE = frozenset(fold(w) for w in TRUE_WORDS)
_FALSE = frozenset(fold(w) for w in FALSE_WORDS)
