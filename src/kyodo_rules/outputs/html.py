"""Reports to keep: Markdown, the vocabulary's JSON, and a printable HTML page.

Staff attach the report to a 起案 (a written request for approval), so the HTML
page is made for paper: A4, Japanese system fonts, the verdict first, and every
reason beside its source and the sentence it quotes, so that whoever approves
can check the answer against the guidance without this tool. It is one file
with nothing external (no fonts, styles, scripts or images to fetch) because it
is mailed, archived and opened years later on machines without network access.

Everything that can come from a user (the project title) or from data files
(rule titles, quotations, profile wording) is escaped; a Content-Security-Policy
forbids scripts and fetches as a second line of defence.

Every writer here replaces its target atomically (a temporary file in the same
directory, then `os.replace`): a report or an inventory is either the old file
or the complete new one, never half of it, even if the process is killed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.outputs.citation import cite, cite_in
from kyodo_rules.outputs.text import (
    describe_change,
    heading,
    headline,
    label,
    next_steps,
    render_markdown,
    section_items,
    split_trace,
    verdict_phrase,
)
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier

#: Report suffix -> format; the suffix is the only way to choose one.
SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}


@cache
def report_css() -> str:
    """The report's style sheet (templates/report.css), inlined: the page fetches nothing."""
    return (resources.files("kyodo_rules.outputs") / "templates" / "report.css").read_text("utf-8")


_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"


def _profile_name(profile: str, lang: Lang, classifier: Classifier | None) -> str:
    """The city's own name for the profile, from the rulebase that answered."""
    try:
        from kyodo_rules.decision.classify import default_classifier

        spec = (classifier or default_classifier()).rulebase.profiles[profile].spec
        return spec.name.get(lang)
    except Exception:  # a report must not fail over a display name
        return profile


def report_context(
    result: Result,
    lang: Lang = "ja",
    title: str | None = None,
    *,
    generated: _dt.date | None = None,
    answers: Mapping[str, Any] | None = None,
    classifier: Classifier | None = None,
) -> dict[str, Any]:
    """What `templates/report.html` needs; the web result page passes the same, plus links.

    `answers` (field -> value, None for 分からない) lists the facts given.
    """
    from markupsafe import Markup

    project = title.strip() if title and title.strip() else None
    used, unused = split_trace(result)
    status = result.status
    provisional = result.provisional if status == "provisional" and result.provisional else None

    def cited(source: str) -> str:
        return cite(source, lang, classifier)

    titles = {t.rule_id: t.title for t in result.trace}
    deciding = [t for t in used if t.decides][:TOP_REASONS] or used[:1]
    presumptions = (
        result.provisional.presumptions if status != "settled" and result.provisional else ()
    )
    top = result.forms[0] if result.forms and result.answer.verdict != "not_kyodo" else None
    return {
        "result": result,
        "answer": result.answer,
        "headline": headline(result, lang),
        "next_steps": next_steps(result, lang),
        "lang": lang,
        "page_title": project or heading("title", lang),
        "project": project,
        "day": (generated or _dt.date.today()).isoformat(),
        "csp": Markup(_CSP),
        # A file of this package, never user text: the only text shown unescaped.
        "css": Markup(report_css()),
        "w": catalog.words("report", lang),
        "h": catalog.words("heading", lang),
        "sep": catalog.text("phrase", "list", lang),
        "label": lambda kind, code: label(kind, code, lang),
        "aside": lambda text: catalog.aside(text, lang),
        "cite": cited,
        "title_of": lambda rule_id: titles.get(rule_id, rule_id),
        "quote_of": lambda t: t.quote,
        "field_label": lambda name: catalog.field_label(name, lang),
        "profile_name": _profile_name(result.profile, lang, classifier),
        "shown_zone": provisional.zone if provisional else result.zone,
        "shown_subsidiarity": provisional.subsidiarity if provisional else result.subsidiarity,
        "top_form": top,
        "top_cautions": [cite_in(c, lang, classifier) for c in top.cautions[:TOP_CAUTIONS]]
        if top
        else [],
        "people": lambda text: cite_in(text, lang, classifier),
        "other_forms": [f.label for f in result.forms[1:]] if top else [],
        "deciding": [_cited_entry(t, cited) for t in deciding],
        "used": used,
        "unused": unused,
        "what_if": [describe_change(change, lang) for change in result.would_be_kyodo_if],
        "blocked": result.what_if_blocked_by if result.answer.verdict == "not_kyodo" else (),
        "rule_href": None,
        # Whether the answer is settled (確定), provisional (暫定) or undetermined, and
        # the open rules a provisional answer presumes not to apply.
        "status": status,
        "presumptions": [_cited_entry(p, cited) for p in presumptions],
        "presumed_top": [
            _presumed(p, cited, titles, lang) for p in presumptions[:TOP_PRESUMPTIONS]
        ],
        "presumed_more": (
            catalog.text("report", "more_in_details", lang, n=len(presumptions) - TOP_PRESUMPTIONS)
            if len(presumptions) > TOP_PRESUMPTIONS
            else ""
        ),
        "verdict_phrase": lambda verdict, category: verdict_phrase(verdict, category, lang),
        "open_items": list(
            zip(
                (q.field for q in result.open_questions),
                section_items(result, "open_questions", lang),
                strict=True,
            )
        ),
        "answer_items": section_items(result, "answers", lang, answers),
    }


#: What the first page holds of each list: the rest is in the report's details.
TOP_REASONS = 3
TOP_CAUTIONS = 1
TOP_PRESUMPTIONS = 3


def _cited_entry(entry: Any, cited: Any) -> dict[str, Any]:
    """A trace entry or presumption as the template shows it: its words, cited."""
    return {
        "title": entry.title,
        "quote": entry.quote,
        "cited": cited(entry.source),
        "facts": getattr(entry, "facts", ()),
        "rule_id": entry.rule_id,
    }


def _presumed(p: Any, cited: Any, titles: Mapping[str, str], lang: Lang) -> dict[str, Any]:
    """A presumption on the first page: what it is, and what speaks for the answer anyway
    (the form whose sentence states it) or against it (the other guide's reading)."""
    note = catalog.text("heading", "holds", lang) if p.holds else ""
    if p.stated_by:
        forms = catalog.join((titles.get(r, r) for r in p.stated_by), lang)
        note = catalog.text("report", "stated_by", lang, forms=forms)
    elif p.contested_by:
        note = catalog.text("report", "contested_by", lang, other=cited(p.contested_by))
    return {**_cited_entry(p, cited), "note": note}


_ENV: Any = None


def template_environment() -> Any:
    """The Jinja2 environment of the report template: autoescaped, loaded from the package.

    Built on first use so that importing this module (every CLI command does)
    does not pay for Jinja2.
    """
    global _ENV
    if _ENV is None:
        from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

        _ENV = Environment(
            loader=PackageLoader("kyodo_rules.outputs", "templates"),
            autoescape=select_autoescape(["html"], default_for_string=True, default=True),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
    return _ENV


def render_html(
    result: Result,
    lang: Lang = "ja",
    title: str | None = None,
    *,
    generated: _dt.date | None = None,
    answers: Mapping[str, Any] | None = None,
    classifier: Classifier | None = None,
) -> str:
    """One self-contained, printable page; `generated` pins the date for reproducible files."""
    page: str = (
        template_environment()
        .get_template("report.html")
        .render(
            report_context(
                result, lang, title, generated=generated, answers=answers, classifier=classifier
            )
        )
    )
    return page


def render_report(
    result: Result,
    fmt: str,
    lang: Lang = "ja",
    title: str | None = None,
    answers: Mapping[str, Any] | None = None,
    classifier: Classifier | None = None,
) -> str:
    """The report text; `answers` (field -> value, None for 分からない) lists the facts given."""
    if fmt == "html":
        return render_html(result, lang, title, answers=answers, classifier=classifier)
    if fmt == "json":
        data: dict[str, Any] = result.model_dump(mode="json")
        if answers is not None:
            data = {"answers": dict(answers), **data}
        if title:
            data = {"title": title, **data}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        text = render_markdown(result, lang, answers)
        if title and title.strip():
            first, _, rest = text.partition("\n")
            # Markdown viewers pass raw HTML through, so the title is escaped here too.
            line = f"{catalog.text('report', 'project', lang)}: {_markdown_text(title.strip())}"
            text = f"{first}\n\n{line}\n{rest}"
        return text
    raise InputError(
        f"report: unknown format {fmt!r}; allowed: {', '.join(sorted(set(SUFFIXES.values())))}"
    )


def _markdown_text(text: str) -> str:
    escaped = escape(" ".join(text.split()), quote=False)
    for ch in "\\`*_[]#|":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped


def report_format(path: str | os.PathLike[str]) -> str:
    """The format a report path asks for, or an InputError listing the allowed suffixes."""
    suffix = Path(path).suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        shown = suffix or "(none)"
        raise InputError(
            f"{os.fspath(path)}: レポートの拡張子 {shown} は使えません / unknown report suffix; "
            f"allowed: {', '.join(SUFFIXES)}"
        )
    return fmt


def write_report(
    result: Result,
    path: str | os.PathLike[str],
    lang: Lang = "ja",
    title: str | None = None,
    answers: Mapping[str, Any] | None = None,
    *,
    classifier: Classifier | None = None,
) -> Path:
    """Write the report in the format the suffix names (.md, .json, .html); atomic.

    `classifier`: the one that answered, so that a custom rulebase's names are shown.
    """
    from kyodo_rules.files.cells import clean, json_safe

    fmt = report_format(path)
    text = render_report(result, fmt, lang, clean(title) if title else title, answers, classifier)
    text = json_safe(text) if fmt == "json" else clean(text)
    target = Path(path)
    with atomic_writer(target, newline="\n") as handle:
        handle.write(text)
    return target


@contextmanager
def atomic_path(path: str | os.PathLike[str], *, exclusive: bool = False) -> Iterator[str]:
    """A temporary path that replaces `path` only if the block completes.

    The temporary file lives beside the target so that `os.replace` is a rename
    on one file system (atomic); it is removed if anything goes wrong, including
    Ctrl-C, SIGTERM and SIGHUP (the CLI turns those into exceptions). It is also
    how a library that insists on a file name (openpyxl) writes atomically.
    `exclusive`: the target must not exist (a hard link, which fails if it
    does, instead of a rename, which replaces), for files whose name the user
    never typed.
    """
    target = Path(path)
    directory = target.parent
    if not directory.is_dir():
        raise InputError(
            f"{os.fspath(path)}: 書き込めません（フォルダ {directory} がありません） / "
            f"cannot write: no directory {directory}"
        )
    if target.is_dir():
        raise InputError(
            f"{os.fspath(path)}: ディレクトリです。ファイル名を指定してください / "
            "is a directory; give a file name"
        )
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name[:64]}.", suffix=".tmp")
    except OSError as exc:
        exc.filename = os.fspath(path)  # the file the user named, not our temporary one
        raise
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, _mode_for(target))
        if exclusive:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise InputError(
                    f"{os.fspath(path)}: 既にあるので置き換えません / exists already; not replaced"
                ) from None
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        from kyodo_rules.files.safeio import name_os_error

        name_os_error(exc, path)  # a full disk names the file it could not write
        raise


@contextmanager
def atomic_writer(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    exclusive: bool = False,
) -> Iterator[IO[str]]:
    """A text handle whose content replaces `path` only if the block completes."""
    with (
        atomic_path(path, exclusive=exclusive) as tmp,
        open(tmp, "w", encoding=encoding, newline=newline) as handle,
    ):
        yield handle


def _mode_for(target: Path) -> int:
    # mkstemp creates 0600; a report is meant to be shared like any file the user saves.
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644
