"""The result menu's offer of the printable report: the HTML report (A4) of this
interview, written to a file the user names, to open in a browser and print.

The file defaults to the project's title in the current folder (a name the user
recognises). A file already there is replaced only after a yes, and never the
session file itself; a place that cannot be written is said in one line and the
result menu stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import questionary

from kyodo_rules.model.errors import InputError
from kyodo_rules.rulebase.questions import TITLE
from kyodo_rules.wizard.documents import default_folder

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result
    from kyodo_rules.wizard.ui import Wizard

#: The value of the menu entry.
OFFER = "__report__"


def default_name(wizard: Wizard) -> str:
    stem = default_folder(wizard.state.answers.get(TITLE), wizard.t("report_default"))
    return f"{stem}.html"


def offer(wizard: Wizard, result: Result) -> Path | None:
    """Ask for a file name and write the report there; say where, and how to print it."""
    from kyodo_rules.outputs.html import write_report

    name = questionary.text(
        wizard.t("report_file"),
        default=default_name(wizard),
        instruction=wizard.t("text_hint"),
        **wizard.kw,
    ).unsafe_ask()
    name = (name or "").strip() or default_name(wizard)
    if not name.lower().endswith((".html", ".htm", ".md", ".json")):
        name += ".html"
    path = Path(name).expanduser()
    try:
        if wizard.session_path is not None and path.resolve() == wizard.session_path.resolve():
            raise InputError(wizard.t("report_is_session"))
        if path.exists():
            replace = questionary.confirm(
                wizard.t("report_replace", path=path), default=False, **wizard.kw
            ).unsafe_ask()
            if not replace:
                return None
        title = wizard.state.answers.get(TITLE)
        write_report(
            result,
            path,
            wizard.lang,
            title=title if isinstance(title, str) else None,
            answers=wizard.answers(),
            classifier=wizard.classifier,
        )
    except (InputError, OSError) as exc:
        from kyodo_rules.files.edge import describe_os_error

        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        wizard.say(wizard.t("report_not_saved", reason=reason))
        return None
    wizard.report_path = path
    wizard.say(wizard.t("report_saved", path=path.resolve()))
    return path
