"""One cell of an office's list read as facts, by what its column means.

Departments type their lists by hand: codes or their Japanese labels, はい or
○ or 済, full-width digits, several words in one cell separated by 、, and
their own words (委託, 補助金（運営費）, NPO法人ひまわり). A word is looked up in
the order that trusts the office most: the `--map` file's words for the
column, the field's own codes and labels (the template's words), the office
lexicon (`wording/office.yaml`), then, in a partner column, organisation
names by how they begin or end. A 期間 cell may be a date: a range
(R8.4～R9.3, 4月～3月) is a fixed period, one month or day (8月, R9.1) a one-off.

Staff write phrases, not words (庁舎清掃の委託, 自治会へ補助（運営費）): a word
that matches nothing whole is read by the known words it contains, the
longest first and never two over the same characters, ignoring words of one
character (市 of 市民団体), ASCII words under three letters and ASCII words
inside a longer one (city of citybusiness). Contained
words that give one field two values (委託 and 指定管理) make the cell an error
(`CellError`), as do words none of which is known (`UnknownWords`); the cell
then states nothing (a list read in part would claim to be the whole list),
and its row is still answered with what the other cells say.
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
    FIELD_LABELS,
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
#: Fields whose cells may name who did it: a kind of partner there means `partner`.
_BY_WHOM = frozenset({"planner", "spec_author"})
#: Meanings whose cells are text, not words to look up.
TEXT = frozenset({"title", "summary"})

#: The key under which a cell's facts from words that yield are kept (補助 alone is a
#: project subsidy unless another column of the row says which subsidy): not a field.
WEAK = "(yields)"

#: A map file's words: meaning (or field) -> folded word -> the facts it states.
ExtraWords = Mapping[str, Mapping[str, Mapping[str, Any]]]


class CellError(Exception):
    """A cell that cannot be read; the message names the words and what is allowed."""


class UnknownWords(CellError):
    """A cell none of whose words is known (not one that contradicts itself): a column
    that is not essential (対象者, 期間, a partner's name) leaves the fact unknown."""


#: A point in time as lists write it (R8.4, 令和8年4月, 4月, 2026/4/1), folded.
_YEAR = r"(?:(?:令和|平成|r|h)\d{1,2}|\d{4})(?:年度|年|[./])?"
_DAY = r"\d{1,2}(?:月|[./])(?:\d{1,2}日?)?|\d{1,2}月?"
_POINT = rf"(?:{_YEAR}(?:{_DAY})?|{_DAY})"
#: 「R8.4～R9.3」「4月～3月」「R6～R10」: a fixed period.
_RANGE = re.compile(rf"{_POINT}(?:[~〜\-−‐ー―]|から|より){_POINT}(?:まで)?")
#: 「8月」「R9.1」「10月1日」「6月第1日曜」: one month or day, a one-off.
_ONE_DAY = re.compile(
    rf"(?:{_YEAR})?\d{{1,2}}月(?:\d{{1,2}}日|上旬|中旬|下旬|第\d[日月火水木金土]曜日?)?(?:頃|ごろ|予定)?"
    r"|(?:令和|平成|r|h)?\d{1,4}[./]\d{1,2}(?:[./]\d{1,2})?"
)
#: 「3年」「3年間」「6か月」: a length of time, a fixed period.
_LENGTH = re.compile(r"\d{1,2}(?:年|年間|か年|ヶ年|カ年|か月|ヶ月|カ月|ヵ月)")


def period_of(key: str) -> str | None:
    """The period a folded date cell states (None: not a date)."""
    if _RANGE.fullmatch(key) or _LENGTH.fullmatch(key):
        return "fixed_period"
    if _ONE_DAY.fullmatch(key):
        return "one_off"
    return None


@dataclass
class CellReader:
    """Reads cells for column meanings; remembers the short cells it has read.

    An inventory repeats the same few words (はい, 市, 委託…) in every row, and
    reading one costs more than looking it up. `extra` are the `--map` file's
    words, which come first.
    """

    extra: ExtraWords = field(default_factory=dict)
    _memo: dict[tuple[str, type, Cell], dict[str, Any] | CellError] = field(
        default_factory=dict, repr=False, compare=False
    )

    _lexicons: dict[str, list[tuple[str, Mapping[str, Any]]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    MEMO_MAX = 4_096
    MEMO_CHARS = 64

    def __getstate__(self) -> dict[str, Any]:
        return {"extra": self.extra, "_memo": {}, "_lexicons": {}}  # workers fill their own

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
                found = exc  # a problem: kept, of its kind
            if len(self._memo) >= self.MEMO_MAX:
                self._memo.clear()
            self._memo[key] = found
        if isinstance(found, CellError):
            raise type(found)(str(found))
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
                found = self._contained(meaning, fields, key, office)
            if found is None:
                unknown.append(token.strip())
                continue
            clash = _merge(facts, found)
            if clash is not None:
                raise CellError(
                    f"「{text.strip()}」は「{field_label(clash)}」について二つの違う答えを"
                    f"含みます / the cell gives {clash} two different values"
                )
        if unknown:
            raise UnknownWords(self._unknown(meaning, fields, unknown))
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
        if meaning in _BY_WHOM:
            # 企画: 「NPO」「老人クラブ」: a kind of partner (never the city) did it.
            actors = self._word("actors", ("actors",), key, office)
            kinds = actors.get("actors") if actors else None
            if kinds and "city" not in kinds:
                return {meaning: "partner"}
        if meaning == "period":
            period = period_of(key)
            if period is not None:
                return {"period": period}
        return None

    def _contained(
        self, meaning: str, fields: tuple[str, ...] | None, key: str, office: OfficeWords
    ) -> dict[str, Any] | None:
        """The facts of the known words a phrase contains (None: it contains none).

        Longest first, never two words over the same characters; a field two of
        them give different values is the caller's clash (`_merge`)."""
        taken = [False] * len(key)
        facts: dict[str, Any] = {}
        hits: list[tuple[int, Mapping[str, Any]]] = []
        for word, found in self._lexicon(meaning, fields, office):
            start = key.find(word)
            while start >= 0:
                end = start + len(word)
                if any(taken[start:end]) or (word.isascii() and _in_a_word(key, start, end)):
                    start = key.find(word, start + 1)
                    continue
                taken[start:end] = [True] * len(word)
                hits.append((start, found))
                start = key.find(word, end)
        if not hits:
            return None
        for _, found in sorted(hits, key=lambda hit: hit[0]):
            clash = _merge(facts, found)
            if clash is not None:
                raise CellError(
                    f"「{key}」は「{field_label(clash)}」について二つの違う答えを含みます"
                    f" / the cell gives {clash} two different values"
                )
        return facts

    def _lexicon(
        self, meaning: str, fields: tuple[str, ...] | None, office: OfficeWords
    ) -> list[tuple[str, Mapping[str, Any]]]:
        """Every word a column of this meaning knows, with its facts, the longest first."""
        memo = self._lexicons.get(meaning)
        if memo is not None:
            return memo
        words: set[str] = set()
        for name in (meaning, *(fields or ())):
            words.update(self.extra.get(name, {}))
            if name in FIELD_KINDS:
                words.update(value_aliases(name))
        if fields is None or meaning in _HOW:
            words.update(office.any_field)
        else:
            for name in fields:
                words.update(office.by_field.get(name, {}))
        if meaning in ("partner", "actors"):
            words.update(value_aliases("actors"))
        out: list[tuple[str, Mapping[str, Any]]] = []
        for word in sorted(words, key=lambda w: (-len(w), w)):
            if len(word) < 2 or (word.isascii() and len(word) < 3):
                continue  # 市 in 市民団体, no in notice: too short to be read inside a phrase
            found = self._word(meaning, fields, word, office)
            if found:
                out.append((word, found))
        self._lexicons[meaning] = out
        return out

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


def _in_a_word(key: str, start: int, end: int) -> bool:
    """Is key[start:end] part of a longer word of letters (city of citybusiness)?"""
    before = key[start - 1] if start > 0 else ""
    after = key[end] if end < len(key) else ""
    return any(c.isascii() and c.isalnum() for c in (before, after) if c)


def field_label(name: str) -> str:
    """A field as the sheet's reader knows it (its label), never its code."""
    return FIELD_LABELS.get(name, name)


_TRUE = frozenset(fold(w) for w in TRUE_WORDS)
_FALSE = frozenset(fold(w) for w in FALSE_WORDS)
