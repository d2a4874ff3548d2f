"""What goes into each of the three drafts, before any Word file: a 様式 filled from the answers.

A draft is the city's 様式 (profile data, `rulebase/document_forms.py`) with each
row filled from the interview: the answer in words where it is known (the
catalog's sentence for it, never a code), and a clearly marked blank with the
sentence that asks for it where only people can write, or where the answer was
分からない. Every sentence quoted from a guide carries its source as people read
it (the issuer and the guide's title, `日南市『市民協働の手引き』…`), never a
file name. The top of each draft says where the answer stands, with the same
headline as every other output (`outputs/text.py`, `brief_lines`), and, when the
project is not (or not yet) 協働, says so and why.

Kept apart from the Word rendering (`word.py`) so that tests can check which
answer lands in which row without reading a .docx, and so that another format
could render the same content.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import DOCUMENTS, Lang
from kyodo_rules.outputs.citation import cite_among
from kyodo_rules.outputs.text import brief_lines, split_trace, verdict_phrase
from kyodo_rules.rulebase.document_forms import Cite, DocumentForm, Row, Section
from kyodo_rules.rulebase.questions import WizardData
from kyodo_rules.rulebase.schema import Text
from kyodo_rules.rulebase.settings import ProfileSpec, SourceDoc
from kyodo_rules.wording import catalog


@dataclass(frozen=True)
class Blank:
    """A clearly marked blank: what only people can write, with the sentences that ask for it."""

    asks: tuple[str, ...]
    #: The interview was answered 「分からない」 here.
    unknown: bool = False


@dataclass(frozen=True)
class Quote:
    """A guide's sentence and where it is, in words people read."""

    text: str
    where: str


@dataclass(frozen=True)
class FilledRow:
    label: str
    #: The answer in words, or None when the interview does not say.
    answer: str | None
    blank: Blank | None
    #: What the 様式 fills the row with (an answer's name), for tests and tools; never shown.
    fill: str | None = None


@dataclass(frozen=True)
class FilledGrid:
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    ask: str


@dataclass(frozen=True)
class FilledChecks:
    heading: str
    where: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class FilledSection:
    heading: str
    text: str | None
    guide: tuple[Quote, ...]
    rows: tuple[FilledRow, ...]
    grid: FilledGrid | None
    checks: tuple[FilledChecks, ...]
    #: The recommended form's own points: (heading, points), or None if the 様式 asks for none.
    points: tuple[str, tuple[Quote, ...]] | None


@dataclass(frozen=True)
class Notice:
    """The box at the top: how the draft was made, and where the answer stands."""

    lines: tuple[str, ...]
    #: Not (or not yet) 協働: said first, plainly.
    warning: str | None = None
    reason: Quote | None = None


@dataclass(frozen=True)
class Draft:
    """One item, filled in: everything the Word file shows, in the order it shows it."""

    code: str
    title: str
    project: str | None
    partners: str | None
    form: str | None
    notice: Notice
    purpose: Quote
    sections: tuple[FilledSection, ...]
    lang: Lang
    made: _dt.date
    font: str
    words: Mapping[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """Every word of the draft, one piece a line (what a reader of the file sees)."""
        out = [self.title, *self.notice.lines]
        if self.notice.warning:
            out.append(self.notice.warning)
        if self.notice.reason:
            out += [self.notice.reason.text, self.notice.reason.where]
        out += [self.purpose.text, self.purpose.where]
        for s in self.sections:
            out.append(s.heading)
            out += [s.text] if s.text else []
            for q in s.guide:
                out += [q.text, q.where]
            for r in s.rows:
                out += [r.label, r.answer or ""]
                if r.blank:
                    out += list(r.blank.asks)
            if s.grid:
                out += [*s.grid.columns, *s.grid.rows, s.grid.ask]
            for c in s.checks:
                out += [c.heading, c.where, *c.items]
            if s.points:
                out.append(s.points[0])
                for q in s.points[1]:
                    out += [q.text, q.where]
        return "\n".join(out)


def _words(lang: Lang) -> dict[str, str]:
    return catalog.words("document", lang)


def file_name(code: str) -> str:
    """The draft's file name: the item's own name (`事前確認シート.docx`), in every language."""
    return catalog.label("value", code, "ja") + ".docx"


class _Filler:
    """Fills one profile's 様式 from one set of answers and one result."""

    def __init__(
        self,
        result: Result,
        answers: Mapping[str, Any],
        spec: ProfileSpec,
        sources: Sequence[SourceDoc],
        questions: WizardData | None,
        lang: Lang,
    ) -> None:
        self.result = result
        self.answers = answers
        self.spec = spec
        self.sources = {s.file: s for s in sources}
        self.questions = questions
        self.lang = lang
        self.w = _words(lang)

    # -- words -------------------------------------------------------------------

    def where(self, source: str) -> str:
        """`002_… Ⅲ-2 …` as people read it: 日南市『市民協働の手引き』Ⅲ-2 …; never the file name."""
        cited = cite_among(source, self.lang, self.sources)
        return source.partition(" ")[2] if cited == source else cited

    def quote(self, cite: Cite) -> Quote:
        return Quote(cite.text.get(self.lang), self.where(cite.source))

    def t(self, text: Text) -> str:
        return text.get(self.lang)

    def sentence(self, name: str, value: Any) -> str:
        """An answer in words: the catalog's sentence for it, else its label (lists joined)."""
        key = f"{name}.{str(value).lower() if isinstance(value, bool) else value}"
        if not isinstance(value, list | tuple) and catalog.has("document_answer", key):
            return catalog.text("document_answer", key, self.lang)
        return catalog.value_label(name, value, self.lang)

    def question(self, name: str) -> str:
        """The interview's question for an answer: the sentence that asks for it."""
        if self.questions is not None and name in self.questions.order:
            return self.questions.question(name).spec.text.get(self.lang)
        return catalog.field_label(name, self.lang)

    # -- what fills a row ---------------------------------------------------------

    @property
    def title(self) -> str | None:
        value = self.answers.get("title")
        return value.strip() if isinstance(value, str) and value.strip() else None

    def partners(self) -> tuple[str | None, bool]:
        """(the partners in words, whether the actors are known at all)."""
        actors = self.answers.get("actors")
        if not isinstance(actors, list | tuple):
            return None, False
        others = [a for a in actors if a != "city"]
        if not others:
            return self.w["partners_none"], True
        return catalog.value_label("actors", others, self.lang), True

    @property
    def form(self) -> str | None:
        return self.result.forms[0].label if self.result.forms else None

    def answer_of(self, name: str) -> tuple[str | None, list[str], bool]:
        """(the answer in words, the sentences that ask for it when unknown, 分からない?)."""
        if name == "title":
            # The title is optional in the interview: an empty one is not a 分からない.
            return self.title, [self.question("title")], False
        if name == "partners":
            shown, known = self.partners()
            unknown = "actors" in self.answers and not known
            return shown, [self.question("actors")], unknown
        if name == "form":
            if not self.form:
                return None, [self.w["form_ask"]], False
            others = [f.label for f in self.result.forms[1:]]
            shown = self.form
            if others:
                forms = catalog.join(others, self.lang)
                shown += "\n" + catalog.text("document", "other_forms", self.lang, forms=forms)
            return shown, [], False
        value = self.answers.get(name)
        if value is None:
            return None, [self.question(name)], name in self.answers
        return self.sentence(name, value), [], False

    def row(self, row: Row) -> FilledRow:
        label = self.t(row.label)
        ask = [self.t(row.ask)] if row.ask is not None else []
        if row.fill is None:
            return FilledRow(label, None, Blank(tuple(ask)), None)
        answer, asks, unknown = self.answer_of(row.fill)
        if answer is not None and not ask:
            return FilledRow(label, answer, None, row.fill)
        if answer is not None:
            return FilledRow(label, answer, Blank(tuple(ask)), row.fill)
        return FilledRow(label, None, Blank((*asks, *ask), unknown), row.fill)

    def points(self) -> tuple[str, tuple[Quote, ...]]:
        """The recommended form's own points, from the profile (each with its source)."""
        if not self.result.forms:
            return self.w["no_points"], ()
        code = self.result.forms[0].code
        info = self.spec.forms.get(code)
        cautions = info.cautions if info else ()
        if not cautions and info is not None and info.shown_as:
            shown = self.spec.forms.get(info.shown_as)
            cautions = shown.cautions if shown else ()
        heading = catalog.text("document", "form_points", self.lang, form=self.form)
        return heading, tuple(Quote(c.text.get(self.lang), self.where(c.source)) for c in cautions)

    def section(self, section: Section) -> FilledSection:
        text = None
        if section.text is not None:
            blank = self.w["blank"]
            text = self.t(section.text).format(
                partners=self.partners()[0] or blank, title=self.title or blank
            )
        grid = None
        if section.grid is not None:
            g = section.grid
            grid = FilledGrid(
                tuple(self.t(c) for c in g.columns), tuple(self.t(r) for r in g.rows), self.t(g.ask)
            )
        checks = tuple(
            FilledChecks(self.t(c.heading), self.where(c.source), tuple(self.t(i) for i in c.items))
            for c in section.checks
        )
        return FilledSection(
            heading=self.t(section.heading),
            text=text,
            guide=tuple(self.quote(c) for c in section.guide),
            rows=tuple(self.row(r) for r in section.rows),
            grid=grid,
            checks=checks,
            points=self.points() if section.form_points else None,
        )

    # -- the box at the top ---------------------------------------------------------

    def notice(self) -> Notice:
        """The same headline as every output, then (when not 協働) the warning and the reason."""
        lines = [self.w["draft_note"]]
        for line in brief_lines(self.result, self.lang)[1:]:
            line = line.strip()
            if line:
                lines.append(line.removeprefix("■ ").removeprefix("・"))
        result = self.result
        status = result.status
        shown = result.provisional if status == "provisional" and result.provisional else result
        if shown.verdict == "kyodo":
            return Notice(tuple(lines))
        warning = self.w[
            "not_kyodo_warning" if shown.verdict == "not_kyodo" else "undetermined_warning"
        ]
        reason = None
        used = [
            t
            for t in split_trace(result)[0]
            if "verdict" in t.contributes or "category" in t.contributes
        ]
        if shown.verdict == "not_kyodo" and used:
            first = used[0]
            phrase = verdict_phrase(shown.verdict, shown.category, self.lang)
            text = f"{phrase}: {first.title}"
            if first.quote:
                text += "\n" + catalog.text("phrase", "quoted", self.lang, text=first.quote)
            reason = Quote(text, self.where(first.source))
        return Notice(tuple(lines), warning, reason)

    def draft(self, code: str, form: DocumentForm, made: _dt.date) -> Draft:
        partners, _known = self.partners()
        return Draft(
            code=code,
            title=self.t(form.title) + self.w["draft"],
            project=self.title,
            partners=partners,
            form=self.form,
            notice=self.notice(),
            purpose=self.quote(form.purpose),
            sections=tuple(self.section(s) for s in form.sections),
            lang=self.lang,
            made=made,
            font=form.font,
            words=self.w,
        )


def build_drafts(
    result: Result,
    answers: Mapping[str, Any],
    spec: ProfileSpec,
    sources: Sequence[SourceDoc],
    *,
    questions: WizardData | None = None,
    lang: Lang = "ja",
    made: _dt.date | None = None,
) -> tuple[Draft, ...]:
    """The three drafts, in the guide's order, for one project.

    `answers`: field -> value as the interview gave them (`title` too); a field
    present with None was answered 分からない, an absent one was not asked. `spec`:
    the profile that answered (its 様式, forms and cautions), inherited from the
    generic one. `questions`: the interview's, whose wording asks for an unknown answer.
    """
    filler = _Filler(result, answers, spec, sources, questions, lang)
    day = made or _dt.date.today()
    return tuple(
        filler.draft(code, spec.documents[code], day)
        for code in DOCUMENTS
        if code in spec.documents
    )
