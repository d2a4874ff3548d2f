"""The inventory on paper: a printable HTML page of every row's answer, A4 landscape.

A 課長 reads the answers on paper: the project, its department, the verdict
and its status, why, the form to take, the one question that matters most
and the deciding rule with its guide. The page is written a row at a time
as the answers come (the answered sheet's rows, in its order), so a long
list costs no memory; the counts follow the rows. The header row is repeated
on every printed page, long texts wrap, the list's own title heads the page,
and nothing is fetched (the page is mailed and archived like the reports).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import IO, TYPE_CHECKING, Any

from kyodo_rules.files.cells import clean
from kyodo_rules.model.vocabulary import VERDICTS
from kyodo_rules.outputs.inventory.answers import Answered, crossed_pairs, label
from kyodo_rules.outputs.inventory.columns import RESULT_COLUMNS
from kyodo_rules.outputs.inventory.reading import cell_text, pick
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.outputs.inventory.writing import Sheet

#: The answer columns printed, in order, with their share of the page's width (%).
PRINTED = (
    ("verdict", 8),
    ("status", 6),
    ("category", 10),
    ("forms", 10),
    ("question", 18),
    ("reasons", 21),
    ("presumed", 11),
    ("errors", 8),
)
_TITLE_WIDTH, _DEPARTMENT_WIDTH = 14, 8


@cache
def _css() -> str:
    return (resources.files("kyodo_rules.outputs") / "templates" / "inventory.css").read_text(
        "utf-8"
    )


class Printout:
    """Writes the page to `handle`: the head now, each row as it passes, the counts last."""

    def __init__(self, handle: IO[str], sheet: Sheet) -> None:
        from kyodo_rules.outputs.html import template_environment

        self.handle = handle
        self.sheet = sheet
        self.macros: Any = template_environment().get_template("inventory.html").module
        layout = sheet.layout
        keys = list(RESULT_COLUMNS)
        start = layout.start
        self.title_at = layout.position("title")
        self.department_at = layout.position("department")
        self.answer_at = [(start + keys.index(k), k) for k, _ in PRINTED]
        headers = sheet.headers
        shown: list[str] = []
        widths: list[float] = []
        if self.title_at is not None:
            shown.append(headers[self.title_at])
            widths.append(_TITLE_WIDTH)
        if self.department_at is not None:
            shown.append(headers[self.department_at])
            widths.append(_DEPARTMENT_WIDTH)
        shown += [pick(RESULT_COLUMNS[k], sheet.lang) for k, _ in PRINTED]
        widths += [w for _, w in PRINTED]
        scale = 100 / sum(widths)
        lang = sheet.lang
        title = sheet.above[0] if sheet.above else sheet.source
        handle.write(
            self.macros.head(
                lang,
                clean(title),
                [clean(line) for line in sheet.above[1:]],
                [clean(h) for h in shown],
                [round(w * scale, 2) for w in widths],
                catalog.text("inventory_words", "printout_kind", lang),
                _css(),
            )
        )

    def rows(self, rows: Iterable[Answered]) -> Iterator[Answered]:
        for row in rows:
            self.handle.write(self._row(row))
            yield row

    def _row(self, row: Answered) -> str:
        cells = row.cells
        out: list[tuple[str, str]] = []
        for at in (self.title_at, self.department_at):
            if at is not None:
                out.append((_text(cells[at] if at < len(cells) else None), ""))
        for at, key in self.answer_at:
            out.append((_text(cells[at]), "verdict" if key == "verdict" else ""))
        kind = row.counted.verdict if row.counted is not None else row.kind
        written: str = self.macros.row(out, kind)
        return written

    def finish(self) -> None:
        sheet, lang = self.sheet, self.sheet.lang
        tally = sheet.tally
        statuses = ("settled", "provisional", "undetermined")
        crossed_head = [
            catalog.text("inventory_summary", "crossed", lang),
            *(label("status", s, lang) for s in statuses),
        ]
        known = set(crossed_pairs())
        crossed = [
            [
                label("verdict_short", v, lang),
                *(str(tally.crossed.get((v, s), 0)) if (v, s) in known else "—" for s in statuses),
            ]
            for v in VERDICTS
        ]
        columns = [label("verdict_short", v, lang) for v in VERDICTS]
        columns.append(catalog.text("inventory_words", "not_answered", lang))
        departments = [
            [name, *(str(tally.departments.get((name, v), 0)) for v in (*VERDICTS, ""))]
            for name in tally.department_names()
        ]
        self.handle.write(
            self.macros.tail(
                catalog.text("inventory_words", "summary_title", lang),
                crossed_head,
                statuses,
                crossed,
                catalog.text("inventory_words", "department", lang),
                columns,
                departments,
                catalog.text("inventory_words", "notes_heading", lang),
                [clean(n) for n in sheet.all_notes()],
            )
        )


def _text(value: Any) -> str:
    if value is None or value == "":
        return ""
    return clean(cell_text(value))
