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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from html import escape
from pathlib import Path
from typing import IO, Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Result
from kyodo_rules.outputs.text import (
    aside,
    describe_change,
    heading,
    label,
    render_markdown,
    section_items,
    split_trace,
    verdict_phrase,
)
from kyodo_rules.wording.field_labels import code_label, field_label

#: Report suffix -> format; the suffix is the only way to choose one.
SUFFIXES: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}

_CSS = """
@page { size: A4; margin: 15mm; }
:root {
  --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8;
  --ok: #0b6b3a; --ok-bg: #e6f4ec; --ng: #a61b1b; --ng-bg: #fbeaea;
  --un: #8a5a00; --un-bg: #fdf3dc;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body {
  margin: 0 auto; max-width: 180mm; padding: 8mm 0; color: var(--ink);
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Kaku Gothic ProN",
    "Hiragino Sans", "Yu Gothic", "YuGothic", "Meiryo", "IPAexGothic", sans-serif;
  font-size: 10.5pt; line-height: 1.6;
}
@media print { body { max-width: none; padding: 0; } }
header { border-bottom: 2px solid var(--ink); margin-bottom: 5mm; }
header .kind { color: var(--muted); font-size: 9.5pt; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 2mm; line-height: 1.35; overflow-wrap: anywhere; }
h2 {
  font-size: 12pt; margin: 6mm 0 2mm; padding-left: 2.5mm;
  border-left: 4px solid var(--ink); break-after: avoid; page-break-after: avoid;
}
.verdict {
  border: 2px solid currentColor; border-radius: 3mm; padding: 4mm 5mm; margin: 0 0 4mm;
  break-inside: avoid;
}
.verdict .label { font-size: 9.5pt; margin: 0; }
.verdict .answer { font-size: 20pt; font-weight: 700; margin: 0; line-height: 1.3; }
.verdict .category { font-size: 11pt; margin: 1mm 0 0; }
.verdict.kyodo { color: var(--ok); background: var(--ok-bg); }
.verdict.not_kyodo { color: var(--ng); background: var(--ng-bg); }
.verdict.undetermined { color: var(--un); background: var(--un-bg); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; }
ol, ul { margin: 0; padding-left: 6mm; }
li { margin: 0 0 2mm; break-inside: avoid; page-break-inside: avoid; }
cite { font-style: normal; color: var(--muted); font-size: 9pt; display: block; }
blockquote {
  margin: 1mm 0 0; padding: 1mm 3mm; border-left: 3px solid var(--rule);
  color: #333; font-size: 9.5pt;
}
blockquote::before { content: "「"; } blockquote::after { content: "」"; }
.aside { color: var(--muted); font-size: 9pt; }
ul.other { color: var(--muted); font-size: 9pt; }
ul.other li { margin: 0 0 1mm; }
.sub { margin: 1mm 0 0; padding-left: 5mm; list-style: disc; }
.sub li { margin: 0 0 1mm; }
.caution { color: var(--ng); }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { display: flex; gap: 2mm; align-items: baseline; }
ul.checklist input { width: 4mm; height: 4mm; margin: 0; flex: none; }
code {
  font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 8.5pt;
  color: var(--muted);
}
footer {
  margin-top: 8mm; padding-top: 2mm; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: 8.5pt;
}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"

_WORDS: dict[str, tuple[str, str]] = {
    "report": ("協働判定レポート", "Collaboration check report"),
    "project": ("事業名", "Project"),
    "generated": ("作成日", "Generated"),
    "by": ("kyodo-rules により作成", "made with kyodo-rules"),
    "reason": ("理由", "Reason"),
    "none": ("（なし）", "(none)"),
    "check_note": (
        "この判定は手引きに基づく目安です。最終的な判断は担当課で行ってください。",
        "This answer follows the guidance; the final decision rests with the department.",
    ),
}


def _w(key: str, lang: str) -> str:
    ja, en = _WORDS[key]
    return en if lang == "en" else ja


def _profile_name(profile: str, lang: str) -> str:
    """The city's own name for the profile, when the rulebase is at hand."""
    try:
        from kyodo_rules.decision.classify import default_classifier

        spec = default_classifier().rulebase.profiles[profile].spec
        return (
            f"{spec.name.get(lang)}（{profile}）"
            if lang == "ja"
            else f"{spec.name.get(lang)} ({profile})"
        )
    except Exception:  # a report must not fail over a display name
        return profile


def report_context(
    result: Result,
    lang: str = "ja",
    title: str | None = None,
    *,
    generated: _dt.date | None = None,
    answers: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What `templates/report.html` needs; the web result page passes the same, plus links.

    `answers` (field -> value, None for 分からない) and `labels` (the wizard's
    field_label and value_label) word the facts given and the open questions.
    """
    from markupsafe import Markup

    project = title.strip() if title and title.strip() else None
    used, unused = split_trace(result)
    given = labels or {}

    def value_words(name: str, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "、".join(code_label(name, x, lang) for x in value)
        return code_label(name, value, lang)

    name_of: Callable[[str], str] = given.get("field_label") or (lambda f: field_label(f, lang))
    value_of: Callable[[str, Any], str] = given.get("value_label") or value_words
    return {
        "result": result,
        "lang": lang,
        "page_title": project or heading("title", lang),
        "project": project,
        "day": (generated or _dt.date.today()).isoformat(),
        "csp": Markup(_CSP),
        # Constants of this module, never user text: the only strings shown unescaped.
        "css": Markup(_CSS),
        "w": {key: _w(key, lang) for key in _WORDS},
        "h": _Headings(lang),
        "label": lambda kind, code: label(kind, code, lang),
        "aside": lambda text: aside(text, lang),
        "field_label": lambda name: field_label(name, lang),
        "profile_name": _profile_name(result.profile, lang),
        "used": used,
        "unused": unused,
        "what_if": [_describe(change, lang) for change in result.would_be_kyodo_if],
        "rule_href": None,
        # Whether the answer is settled (確定), provisional (暫定) or undetermined, and
        # the open rules a provisional answer presumes not to apply.
        "status": result.status,
        "presumptions": (
            result.provisional.presumptions
            if result.status != "settled" and result.provisional
            else ()
        ),
        "verdict_phrase": lambda verdict, category: verdict_phrase(verdict, category, lang),
        "open_items": list(
            zip(
                (q.field for q in result.open_questions),
                section_items(result, "open_questions", lang, name_of, value_of),
                strict=True,
            )
        ),
        "answer_items": section_items(result, "answers", lang, name_of, value_of, answers),
    }


class _Headings:
    """`h.verdict` in a template: the report's section headings in one language."""

    def __init__(self, lang: str) -> None:
        self._lang = lang

    def __getattr__(self, key: str) -> str:
        return heading(key, self._lang)

    def __getitem__(self, key: str) -> str:
        return heading(key, self._lang)


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
    lang: str = "ja",
    title: str | None = None,
    *,
    generated: _dt.date | None = None,
    answers: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
) -> str:
    """One self-contained, printable page; `generated` pins the date for reproducible files."""
    page: str = (
        template_environment()
        .get_template("report.html")
        .render(
            report_context(
                result, lang, title, generated=generated, answers=answers, labels=labels
            )
        )
    )
    return page


def _describe(change: Any, lang: str) -> str:
    """A change set in the reader's words: 事前の協議・確認 = はい."""
    if lang == "en":
        return describe_change(change, lang)
    words = []
    for item in change:
        value = item.value
        if isinstance(value, list | tuple):
            shown = "、".join(code_label(item.field, v) for v in value) or "なし"
        else:
            shown = code_label(item.field, value)
        words.append(f"{field_label(item.field)} = {shown}")
    return " かつ ".join(words)


def render_report(
    result: Result,
    fmt: str,
    lang: str = "ja",
    title: str | None = None,
    labels: Mapping[str, Any] | None = None,
) -> str:
    """The report text; `labels` (field_label, value_label) word the Markdown's facts."""
    words = dict(labels or {})
    answers = words.pop("answers", None)
    if fmt == "html":
        return render_html(result, lang, title, answers=answers, labels=words)
    if fmt == "json":
        data: dict[str, Any] = result.model_dump(mode="json")
        if answers is not None:
            data = {"answers": dict(answers), **data}
        if title:
            data = {"title": title, **data}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        text = render_markdown(result, lang, answers=answers, **words)
        if title and title.strip():
            first, _, rest = text.partition("\n")
            # Markdown viewers pass raw HTML through, so the title is escaped here too.
            line = f"{_w('project', lang)}: {_markdown_text(title.strip())}"
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
    lang: str = "ja",
    title: str | None = None,
    labels: Mapping[str, Any] | None = None,
) -> Path:
    """Write the report in the format the suffix names (.md, .json, .html); atomic."""
    from kyodo_rules.files.cells import clean, json_safe

    fmt = report_format(path)
    text = render_report(result, fmt, lang, clean(title) if title else title, labels)
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
