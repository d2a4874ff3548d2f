"""The 様式 of 日南市's three items, as profile data (`documents:` in `rules/profiles/*.yaml`).

日南市 makes three items mandatory for every 協働 project (事前確認シート,
協働事業確認書, ふりかえりシート: `002_5706d2c9275a3206.txt Ⅲ 協働事業に欠かせない3つの
アイテム`), and every city has its own 様式 for them. A 様式 is therefore data of the
profile, not code: its sections, the rows of each, which answer of the interview
fills a row, the sentence that asks for what only people can write, and the
guide's sentences it follows, each with its source. The generic profile holds the
plain one; a city's profile that gives its own item replaces that item whole and
inherits the others (`rulebase/loading.py`, `_inherit`).

Nothing here renders: `outputs/documents/` turns a 様式, the answers and the
result into a Word file. The schema is strict (an unknown key is refused with its
file and line, like every rule file), and what may fill a row is a closed list.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from kyodo_rules.model.vocabulary import DOCUMENTS, FACT_FIELDS
from kyodo_rules.rulebase.schema import SOURCE_PATTERN, Text

#: What the interview can put in a row: a fact's answer, the project's title, the
#: partners (the actors other than the city), or the recommended form of 協働.
DERIVED = ("title", "partners", "form")
FILLS: tuple[str, ...] = (*DERIVED, *FACT_FIELDS)

#: Bounds on a 様式: a few pages of paper, not a book.
MAX_SECTIONS = 30
MAX_ROWS = 40


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cite(_Strict):
    """A sentence of a guide, with where it is (`<file name> <section>`)."""

    #: `ja`: the sentence verbatim (extraction noise removed); `en`: its translation.
    text: Text
    source: str = Field(pattern=SOURCE_PATTERN)


def _fill(value: str | None) -> str | None:
    if value is not None and value not in FILLS:
        raise ValueError(f"unknown fill {value!r}; allowed: {', '.join(FILLS)}")
    return value


class Row(_Strict):
    """One line of the 様式: a label, and what the interview fills in, what people write, or both.

    `fill` alone: the answer in words; when the answer is not known, a blank with
    the interview's question for it. `ask` alone: always a blank with that sentence
    (only people can write it: a name, an amount, an evaluation). Both: the answer,
    then a blank for the details people add.
    """

    label: Text
    fill: Annotated[str | None, AfterValidator(_fill)] = None
    ask: Text | None = None

    @model_validator(mode="after")
    def _something(self) -> Row:
        if self.fill is None and self.ask is None:
            raise ValueError("a row needs `fill` (an answer), `ask` (a blank), or both")
        return self


class Grid(_Strict):
    """A table to be filled in by both sides (e.g. each side's evaluation), every cell blank."""

    #: The header; the first column holds the row labels.
    columns: tuple[Text, ...] = Field(min_length=2, max_length=6)
    rows: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ROWS)
    #: The sentence that asks for what goes in the cells.
    ask: Text


class Checks(_Strict):
    """A checklist of a guide, each item a box to tick (あま市's PDCA checklists)."""

    heading: Text
    source: str = Field(pattern=SOURCE_PATTERN)
    items: tuple[Text, ...] = Field(min_length=1, max_length=MAX_ROWS)


class Section(_Strict):
    """A numbered part of the 様式, in this order: its text, the guide's sentences, the
    rows, the grid, the checklist, the recommended form's own points."""

    heading: Text
    #: A sentence of the 様式 itself (e.g. the agreement's opening words); may name
    #: `{partners}` and `{title}`, filled from the answers (a blank when unknown).
    text: Text | None = None
    #: The guide's sentences this part follows, quoted with their source.
    guide: tuple[Cite, ...] = ()
    rows: tuple[Row, ...] = Field(default=(), max_length=MAX_ROWS)
    grid: Grid | None = None
    #: Checklists of the guides, each item a box to tick.
    checks: tuple[Checks, ...] = ()
    #: List the recommended form's own points (the profile's cautions for it).
    form_points: bool = False


class DocumentForm(_Strict):
    """One item's 様式: its title, its purpose sentence, its sections; printed on A4."""

    title: Text
    #: Why the item exists, from the guide (日南市 Ⅲ 1–3).
    purpose: Cite
    sections: tuple[Section, ...] = Field(min_length=1, max_length=MAX_SECTIONS)
    #: The typeface for Japanese text (Word substitutes one it has if absent).
    font: str = Field(default="ＭＳ 明朝", min_length=1, max_length=64)


def _documents(value: dict[str, Any]) -> dict[str, Any]:
    unknown = [k for k in value if k not in DOCUMENTS]
    if unknown:
        raise ValueError(f"unknown document {unknown[0]!r}; allowed: {', '.join(DOCUMENTS)}")
    return value


#: The `documents:` of a profile: document code -> its 様式.
DocumentForms = Annotated[dict[str, DocumentForm], AfterValidator(_documents)]
