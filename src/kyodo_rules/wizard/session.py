"""Session files: the interview's answers on disk, so that nothing is ever lost.

The file is rewritten after every answer, atomically (a temporary file in the
same directory, then `os.replace`), so that Ctrl-C, a closed terminal or a
crash at any moment leaves either the previous or the new version, never half
of one. The same format, or a plain `field: value` mapping, is what
`--answers FILE` replays; both are checked with the `Case` rules, so a
hand-written file with a typo fails with one line naming the field.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from kyodo_rules._errors import InputError
from kyodo_rules._validation import validate_case
from kyodo_rules._yaml import loads, read_text
from kyodo_rules.wizard.flow import State
from kyodo_rules.wizard.questions import TITLE

VERSION = 1
_KEYS = ("version", "profile", "lang", "answers", "asked", "reask", "history", "details")


def default_path(now: datetime | None = None) -> Path:
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return Path.cwd() / f"kyodo-wizard-{stamp}.session.yaml"


def dump(state: State) -> str:
    data = {
        "version": VERSION,
        "profile": state.profile,
        "lang": state.lang,
        "answers": dict(state.answers),
        "asked": list(state.asked),
        "reask": state.reask,
        "history": list(state.history),
        "details": state.details,
    }
    header = "# kyodo-rules wizard session: resume with `kyodo-rules wizard --resume FILE`\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def save(state: State, path: Path | str) -> None:
    """Write the session atomically: readers see the old file or the new one, whole."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump(state))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_answers(answers: Any, name: str) -> dict[str, Any]:
    """Answers checked with the `Case` rules; None (分からない) is allowed for any field."""
    if not isinstance(answers, dict):
        raise InputError(
            f"{name}: answers: expected a mapping of field: value, got {type(answers).__name__}"
        )
    try:
        validate_case(answers)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    return {str(k): (list(v) if isinstance(v, tuple) else v) for k, v in answers.items()}


def read(path: Path | str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A session or answer file → (answers, session keys). Errors name the file."""
    name = str(path)
    text = read_text(path, name)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected answers (field: value lines)")
    data = loads(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a mapping of field: value, got {type(data).__name__}")
    if "answers" in data and "version" in data:
        extra = [k for k in data if k not in _KEYS]
        if extra:
            raise InputError(
                f"{name}: unknown session key {extra[0]!r}; allowed: {', '.join(_KEYS)}"
            )
        try:
            answers = check_answers(data.get("answers") or {}, name)
        except InputError as exc:
            raise InputError(str(exc).replace(f"{name}: ", f"{name}: answers: ", 1)) from None
        return answers, dict(data)
    return check_answers(dict(data), name), {}


def load_state(path: Path | str, profile: str | None, lang: str | None) -> State:
    """Resume a session file; `profile`/`lang` from the command line win if given."""
    name = str(path)
    answers, meta = read(path)
    if not meta:
        raise InputError(f"{name}: not a session file (no 'version' and 'answers' keys)")
    asked = meta.get("asked") or []
    if not isinstance(asked, list) or not all(isinstance(a, str) for a in asked):
        raise InputError(f"{name}: asked: expected a list of field names")
    bad = [a for a in asked if a not in answers]
    if bad:
        raise InputError(f"{name}: asked: {bad[0]!r} has no answer")
    reask = meta.get("reask")
    if reask is not None and not isinstance(reask, str):
        raise InputError(f"{name}: reask: expected a field name")
    chosen_lang = lang or str(meta.get("lang") or "ja")
    if chosen_lang not in ("ja", "en"):
        raise InputError(f"{name}: lang: {chosen_lang!r} is not allowed; allowed: ja, en")
    history = meta.get("history") or []
    details = meta.get("details", False)
    if not isinstance(details, bool):
        raise InputError(f"{name}: details: expected true or false")
    return State(
        details=details,
        profile=profile or str(meta.get("profile") or "generic"),
        lang=chosen_lang,
        answers=answers,
        asked=[a for a in asked if a == TITLE or a in answers],
        reask=reask,
        history=[str(h) for h in history] if isinstance(history, list) else [],
    )
