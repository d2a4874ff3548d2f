"""日南市's three mandatory items, drafted from the answers as Word files.

`002_5706d2c9275a3206.txt Ⅲ 協働事業に欠かせない3つのアイテム` makes the 事前確認シート,
the 協働事業確認書 and the ふりかえりシート mandatory for every 協働 project; the
interview has already collected much of what goes in them. `drafts_for` fills the
profile's 様式 (profile data) from the answers and the result (`content.py`);
`render_docx` lays a draft out as a .docx (`word.py`); `write_documents` puts the
three files in a folder, each written atomically, none over an input, and none
over an existing file unless asked to (a draft someone has already edited by hand
is work that must not be lost).

A project that is not 協働 (or not yet) still gets its drafts, with the answer
and its reason at the top: the items are how a department reworks a project
into 協働, and refusing would leave them with a blank page again.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import DOCUMENTS, Lang
from kyodo_rules.outputs.documents.content import Draft, build_drafts, file_name

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier

__all__ = [
    "DOCUMENTS",
    "DOCX",
    "Draft",
    "DraftsExist",
    "build_drafts",
    "document_files",
    "drafts_for",
    "file_name",
    "prepare_folder",
    "render_docx",
    "write_documents",
]

#: The media type of a .docx file, for downloads.
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render_docx(draft: Draft) -> bytes:
    """The draft as a .docx (python-docx is imported only when a file is made)."""
    from kyodo_rules.outputs.documents.word import render_docx as _render

    return _render(draft)


def drafts_for(
    result: Result,
    answers: Mapping[str, Any],
    *,
    classifier: Classifier | None = None,
    lang: Lang = "ja",
    made: _dt.date | None = None,
) -> tuple[Draft, ...]:
    """The three drafts for the answers and the result `classifier` gave for them.

    `classifier`: the one that answered (its rulebase holds the profile's 様式 and
    the sources' names); the shipped one by default.
    """
    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.rulebase.questions import default_data

    rulebase = (classifier or default_classifier()).rulebase
    spec = rulebase.profiles[result.profile].spec
    return build_drafts(
        result,
        answers,
        spec,
        rulebase.policy.sources,
        questions=default_data(),
        lang=lang,
        made=made,
    )


def document_files(
    result: Result,
    answers: Mapping[str, Any],
    *,
    classifier: Classifier | None = None,
    lang: Lang = "ja",
    made: _dt.date | None = None,
) -> dict[str, bytes]:
    """File name -> .docx bytes for each of the three items, made in memory (written later)."""
    drafts = drafts_for(result, answers, classifier=classifier, lang=lang, made=made)
    return {file_name(d.code): render_docx(d) for d in drafts}


class DraftsExist(InputError):
    """Drafts of the same names are already in the folder (replace only when asked)."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def prepare_folder(
    directory: str | os.PathLike[str],
    names: Iterable[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    replace: bool = False,
    option: str = "-o",
) -> list[Path]:
    """Check, before any work, that the drafts can be written into `directory`.

    The folder is made if its parent exists. A file there of the same name is
    refused unless `replace` (it may be a draft someone has already filled in);
    an input is never written over, whatever `replace` says.
    """
    from kyodo_rules.files.safeio import refuse_overwrite

    folder = Path(directory)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{option} {os.fspath(directory)}: フォルダではありません / is not a folder"
        )
    if not folder.exists():
        parent = folder.parent
        if not parent.is_dir():
            raise InputError(
                f"{option} {os.fspath(directory)}: 作れません（フォルダ {parent} がありません） / "
                f"cannot create it: no folder {parent}"
            )
        folder.mkdir()
    targets = [folder / name for name in names]
    refuse_overwrite(list(inputs), [(option, t) for t in targets])
    existing = [t for t in targets if t.exists()]
    if existing and not replace:
        shown = "、".join(t.name for t in existing)
        raise DraftsExist(
            f"{option} {os.fspath(directory)}: {shown} が既にあります。置き換えるには --force を"
            f"付けてください / already there; add --force to replace",
            [t.name for t in existing],
        )
    return targets


def write_documents(
    files: Mapping[str, bytes],
    directory: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    replace: bool = False,
    option: str = "-o",
) -> list[Path]:
    """Write each file into `directory` atomically; the paths written, in order."""
    from kyodo_rules.outputs.html import atomic_path

    targets = prepare_folder(directory, files, inputs=inputs, replace=replace, option=option)
    for target, data in zip(targets, files.values(), strict=True):
        with atomic_path(target, exclusive=not replace) as tmp:
            Path(tmp).write_bytes(data)
    return targets
