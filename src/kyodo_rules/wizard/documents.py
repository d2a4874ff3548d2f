"""The result menu's offer of the three items: drafts of the 事前確認シート, 協働事業確認書
and ふりかえりシート, written from this interview's answers into a folder the user names.

The folder defaults to the project's title (a name the user recognises in the
file manager). Drafts already there are replaced only after a yes: one of them
may have been filled in by hand since. A folder that cannot be written is said
in one line and the result menu stays, so nothing of the interview is lost.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import questionary

from kyodo_rules.model.errors import InputError
from kyodo_rules.rulebase.questions import TITLE
from kyodo_rules.wording import catalog

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result
    from kyodo_rules.wizard.ui import Wizard

#: The value of the menu entry.
OFFER = "__documents__"


def words(key: str, wizard: Wizard, **values: Any) -> str:
    return catalog.text("document_offer", key, wizard.lang, **values)


def default_folder(title: object, fallback: str) -> str:
    """The project's title as a folder name (no separators, no control characters)."""
    if not isinstance(title, str):
        return fallback
    name = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', "_", title).strip(" ._")[:60]
    return name or fallback


def given(wizard: Wizard) -> dict[str, Any]:
    """The answers in force with the title: what the drafts are filled from."""
    return {TITLE: wizard.state.answers.get(TITLE), **wizard.answers()}


def offer(wizard: Wizard, result: Result) -> None:
    """Ask for a folder and write the three drafts there; say each file written."""
    from kyodo_rules.outputs.documents import DraftsExist, document_files, write_documents

    fallback = words("default_folder", wizard)
    folder = questionary.text(
        words("folder", wizard),
        default=default_folder(wizard.state.answers.get(TITLE), fallback),
        instruction=wizard.t("text_hint"),
        **wizard.kw,
    ).unsafe_ask()
    folder = (folder or "").strip() or fallback
    answers = given(wizard)
    files = document_files(result, answers, classifier=wizard.classifier, lang=wizard.lang)
    inputs = [wizard.session_path]
    try:
        try:
            written = write_documents(files, folder, inputs=inputs)
        except DraftsExist as exists:
            names = catalog.join(exists.names, wizard.lang)
            replace = questionary.confirm(
                words("replace", wizard, names=names), default=False, **wizard.kw
            ).unsafe_ask()
            if not replace:
                return
            written = write_documents(files, folder, inputs=inputs, replace=True)
    except (InputError, OSError) as exc:
        from kyodo_rules.files.edge import describe_os_error

        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        wizard.say(words("not_saved", wizard, reason=reason))
        return
    for path in written:
        wizard.say(words("saved", wizard, path=path))
