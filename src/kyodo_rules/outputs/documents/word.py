"""A filled draft (`content.Draft`) as a Word file: plain, A4, the way city offices write them.

python-docx builds the file from python-docx's own blank document: no macro, no
field, no external link, nothing that runs or fetches when Word opens it. The
layout is a plain 様式: a centred title, the box about the draft, the item's
purpose with its source, then numbered parts, each a two-column table (label,
content) like the paper forms. Headings use Word's own heading styles, so the
navigation pane lists the parts. A blank reads 「（記入してください）」 in bold, and the
sentence that asks for it follows in small grey type, so it is found at a glance
and printed it is still clear what to write.

Every text is passed through `files.cells.clean` first: a title typed by a person
may hold control characters, which XML cannot carry and a reader should see.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kyodo_rules.files.cells import clean
from kyodo_rules.outputs.documents.content import Blank, Draft, FilledSection, Quote
from kyodo_rules.wording import catalog

_BLACK = RGBColor(0, 0, 0)
_GREY = RGBColor(0x55, 0x55, 0x55)
_SHADE = "EDEDED"
_LABEL_WIDTH = Mm(38)
_TEXT_WIDTH = Mm(170)


def _set_font(font: Any, name: str, size: float | None = None, bold: bool | None = None) -> None:
    """Latin and East Asian typeface at once (python-docx sets only the Latin one)."""
    font.name = name
    rpr = font.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
    font.color.rgb = _BLACK
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _shade(cell: Any) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), _SHADE)
    props.append(shading)


def _widths(table: Any, widths: list[int]) -> None:
    """Column widths for Word and LibreOffice alike (the grid and every cell)."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _text(value: str) -> str:
    return clean(value)


class _Writer:
    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.doc = Document()
        self.w = draft.words
        self._page()
        self._styles()

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(18)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = footer.add_run(_text(self._footer()))
        _set_font(run.font, self.draft.font, 8)
        run.font.color.rgb = _GREY

    def _footer(self) -> str:
        parts = [self.draft.title]
        if self.draft.project:
            parts.append(self.draft.project)
        return catalog.join(parts, self.draft.lang, "clauses")

    def _styles(self) -> None:
        styles = self.doc.styles
        font = self.draft.font
        _set_font(styles["Normal"].font, font, 10.5)
        normal = styles["Normal"].paragraph_format
        normal.space_after = Pt(2)
        for name, size in (("Title", 16), ("Heading 1", 12), ("Heading 2", 10.5)):
            style = styles[name]
            _set_font(style.font, font, size, bold=True)
            style.font.italic = False
            fmt = style.paragraph_format
            fmt.space_before = Pt(10 if name == "Heading 1" else 6)
            fmt.space_after = Pt(4)
            fmt.keep_with_next = True
        # The Title style draws a coloured rule under itself; a plain 様式 has none.
        title_ppr = styles["Title"].element.get_or_add_pPr()
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)

    # -- pieces -----------------------------------------------------------------

    def para(
        self,
        text: str = "",
        *,
        size: float | None = None,
        grey: bool = False,
        bold: bool = False,
        container: Any = None,
        style: str | None = None,
    ) -> Any:
        target = container if container is not None else self.doc
        paragraph = target.add_paragraph(style=style) if style else target.add_paragraph()
        if text:
            self.run(paragraph, text, size=size, grey=grey, bold=bold)
        return paragraph

    def run(
        self,
        paragraph: Any,
        text: str,
        *,
        size: float | None = None,
        grey: bool = False,
        bold: bool = False,
    ) -> Any:
        run = paragraph.add_run(_text(text))
        if size is not None:
            run.font.size = Pt(size)
        if grey:
            run.font.color.rgb = _GREY
        if bold:
            run.bold = True
        return run

    def quote(self, quote: Quote, container: Any = None, bullet: str = "") -> None:
        paragraph = self.para(container=container)
        shown = catalog.text("phrase", "quoted", self.draft.lang, text=quote.text)
        self.run(paragraph, bullet + shown)
        self.run(
            paragraph,
            catalog.text("document", "cite", self.draft.lang, where=quote.where),
            size=8.5,
            grey=True,
        )

    def blank(self, cell: Any, blank: Blank, first: bool) -> None:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        self.run(paragraph, self.w["blank"], bold=True)
        asks = list(blank.asks)
        if blank.unknown:
            asks.insert(0, self.w["unknown_answer"])
        if asks:
            self.run(paragraph, " " + "".join(asks), size=8.5, grey=True)

    def table(self, rows: int, columns: int) -> Any:
        table = self.doc.add_table(rows=rows, cols=columns)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        return table

    # -- the parts ------------------------------------------------------------------

    def head(self) -> None:
        draft = self.draft
        title = self.para(draft.title, style="Title")
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        made = self.para(f"{self.w['made']}: {draft.made.isoformat()}", size=9)
        made.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def notice(self) -> None:
        notice = self.draft.notice
        table = self.table(1, 1)
        _widths(table, [_TEXT_WIDTH])
        cell = table.cell(0, 0)
        _shade(cell)
        heading = cell.paragraphs[0]
        self.run(heading, self.w["about"], bold=True)
        if notice.warning:
            self.para(notice.warning, bold=True, container=cell)
        if notice.reason:
            paragraph = self.para(f"{self.w['reason']}: ", bold=True, container=cell)
            self.run(paragraph, notice.reason.text)
            self.run(
                paragraph,
                catalog.text("document", "cite", self.draft.lang, where=notice.reason.where),
                size=8.5,
                grey=True,
            )
        for line in notice.lines:
            self.para(line, size=9.5, container=cell)

    def purpose(self) -> None:
        self.para(self.w["purpose"], style="Heading 1")
        self.quote(self.draft.purpose)

    def section(self, section: FilledSection) -> None:
        self.para(section.heading, style="Heading 1")
        if section.text:
            self.para(section.text)
        for quote in section.guide:
            paragraph = self.para(f"{self.w['guide']}: ", size=9, grey=True)
            shown = catalog.text("phrase", "quoted", self.draft.lang, text=quote.text)
            self.run(paragraph, shown, size=9)
            self.run(
                paragraph,
                catalog.text("document", "cite", self.draft.lang, where=quote.where),
                size=8,
                grey=True,
            )
        if section.rows:
            self.rows(section)
        if section.grid is not None:
            self.grid(section)
        for checks in section.checks:
            self.para(checks.heading, style="Heading 2")
            self.para(
                catalog.text("document", "cite", self.draft.lang, where=checks.where).strip()
                + " "
                + self.w["checks_note"],
                size=8.5,
                grey=True,
            )
            for item in checks.items:
                self.para(f"{self.w['box']} {item}")
        if section.points is not None:
            heading, points = section.points
            self.para(heading, style="Heading 2")
            if not points:
                self.para(self.w["no_points"], size=9.5)
            for quote in points:
                self.quote(quote, bullet="・")

    def rows(self, section: FilledSection) -> None:
        table = self.table(len(section.rows), 2)
        _widths(table, [_LABEL_WIDTH, _TEXT_WIDTH - _LABEL_WIDTH])
        for n, row in enumerate(section.rows):
            left, right = table.cell(n, 0), table.cell(n, 1)
            _shade(left)
            self.run(left.paragraphs[0], row.label, bold=True)
            first = True
            if row.answer is not None:
                for k, line in enumerate(row.answer.split("\n")):
                    paragraph = right.paragraphs[0] if k == 0 else right.add_paragraph()
                    self.run(paragraph, line)
                first = False
            if row.blank is not None:
                self.blank(right, row.blank, first)

    def grid(self, section: FilledSection) -> None:
        grid = section.grid
        assert grid is not None
        ask = self.para()
        ask.paragraph_format.keep_with_next = True  # the grid starts on the page that asks
        self.run(ask, self.w["blank"], bold=True)
        self.run(ask, " " + grid.ask, size=8.5, grey=True)
        table = self.table(len(grid.rows) + 1, len(grid.columns))
        other = int((_TEXT_WIDTH - _LABEL_WIDTH) / (len(grid.columns) - 1))
        _widths(table, [_LABEL_WIDTH] + [other] * (len(grid.columns) - 1))
        for c, name in enumerate(grid.columns):
            cell = table.cell(0, c)
            _shade(cell)
            self.run(cell.paragraphs[0], name, bold=True)
        for r, label in enumerate(grid.rows, 1):
            table.rows[r].height = Mm(12)
            cell = table.cell(r, 0)
            _shade(cell)
            self.run(cell.paragraphs[0], label, bold=True)
        # One table on one page: each row keeps with the next (Word's way of saying so).
        for row in table.rows[:-1]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True

    def bytes(self) -> bytes:
        self.head()
        self.notice()
        self.purpose()
        for section in self.draft.sections:
            self.section(section)
        props = self.doc.core_properties
        props.title = _text(self.draft.title)
        props.subject = _text(self.draft.project or "")
        props.author = ""
        props.comments = ""
        props.last_modified_by = ""
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def render_docx(draft: Draft) -> bytes:
    """The draft as the bytes of a .docx file (A4, plain)."""
    return _Writer(draft).bytes()
