"""Session files: the interview's answers on disk, so that nothing is ever lost.

The file is rewritten after every answer, atomically (a temporary file in the
same directory, then `os.replace`), so that Ctrl-C, a closed terminal or a
crash at any moment leaves either the previous or the new version, never half
of one. The same format, or a plain `field: value` mapping, is what
`--answers FILE` replays; both are checked with the `Case` rules, so a
hand-written file with a typo fails with one line naming the field. The
session's own keys are one pydantic model with a version field, so an unknown
version, a bogus `reask` or a wrong type is one line naming the file and key.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kyodo_rules.files.yaml import loads, read_text
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.validation import validate_case
from kyodo_rules.model.vocabulary import FIELD_KINDS, Lang, parse_lang
from kyodo_rules.rulebase.questions import TITLE
from kyodo_rules.wizard.flow import State

# Re-exported: the session place is part of what this module offers its callers.
from kyodo_rules.wizard.place import check_writable as check_writable
from kyodo_rules.wizard.place import create_default as create_default
from kyodo_rules.wizard.place import default_path as default_path

VERSION = 1
_KEYS = ("version", "profile", "lang", "answers", "asked", "reask", "history", "details")


class SessionFile(BaseModel):
    """The keys of a session file; `answers` is checked with the `Case` rules separately."""

    model_config = ConfigDict(extra="forbid", strict=True)

    version: Literal[1]
    profile: str | None = None
    lang: Lang | None = None
    answers: dict[str, Any] | None = None
    asked: list[str] = Field(default_factory=list)
    reask: str | None = None
    history: list[str] = Field(default_factory=list)
    #: The interview went on past the verdict, to the questions on forms and procedure.
    details: bool = False


def _questions() -> tuple[str, ...]:
    return (TITLE, *FIELD_KINDS)


#: How the wizard is started, when the caller does not say (`python3 run.py wizard` says
#: so through the environment; see `cli.commands.wizard`).
COMMAND = "kyodo-rules wizard"


def dump(state: State, command: str = COMMAND) -> str:
    """The session file's text; its first line says how to resume it, with `command`
    (the command the user typed to start the wizard)."""
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
    header = f"# kyodo-rules wizard session: resume with `{command} --resume FILE`\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def save(state: State, path: Path | str, command: str = COMMAND) -> None:
    """Write the session atomically: readers see the old file or the new one, whole."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:64]}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(dump(state, command))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        from kyodo_rules.files.safeio import name_os_error

        name_os_error(exc, target)
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


def _session_keys(data: dict[str, Any], name: str) -> SessionFile:
    # The first unknown key is the message: found before pydantic lists every one of
    # them (a file of 90,000 keys took seconds).
    stray = next((key for key in data if key not in _KEYS), None)
    if stray is not None:
        raise InputError(
            f"{name}: {str(stray)[:60]}: unknown session key; allowed: {', '.join(_KEYS)}"
        )
    try:
        meta = SessionFile.model_validate(dict(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"]) or "(top)"
        if error["type"] == "extra_forbidden":
            problem = f"unknown session key; allowed: {', '.join(_KEYS)}"
        elif key == "version":
            problem = f"{data.get('version')!r} is not a version this kyodo-rules reads; allowed: 1"
        else:
            problem = str(error["msg"])
        raise InputError(f"{name}: {key}: {problem}") from None
    fields = _questions()
    if meta.reask is not None and meta.reask not in fields:
        raise InputError(
            f"{name}: reask: {meta.reask!r} is not a question; allowed: a field name "
            f"({', '.join(fields[:6])}, …)"
        )
    for item in meta.asked:
        if item not in fields:
            raise InputError(f"{name}: asked: {item!r} is not a question")
    return meta


def read(path: Path | str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A session or answer file → (answers, session keys). Errors name the file."""
    name = str(path)
    text = read_text(path, name)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected answers (field: value lines)")
    if name.endswith(".json"):
        from kyodo_rules.files.case_files import loads_json

        data = loads_json(text, name)
    else:
        data = loads(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a mapping of field: value, got {type(data).__name__}")
    if "version" in data:
        meta = _session_keys(data, name)
        try:
            answers = check_answers(data.get("answers") or {}, name)
        except InputError as exc:
            raise InputError(str(exc).replace(f"{name}: ", f"{name}: answers: ", 1)) from None
        return answers, meta.model_dump()
    return check_answers(dict(data), name), {}


def load_state(path: Path | str, profile: str | None, lang: str | None) -> State:
    """Resume a session file; `profile`/`lang` from the command line win if given."""
    name = str(path)
    answers, meta = read(path)
    if not meta:
        raise InputError(f"{name}: not a session file (no 'version' and 'answers' keys)")
    asked = meta.get("asked") or []
    bad = [a for a in asked if a not in answers]
    if bad:
        raise InputError(f"{name}: asked: {bad[0]!r} has no answer")
    reask = meta.get("reask")
    chosen_lang = parse_lang(lang or meta.get("lang") or "ja", f"{name}: lang")
    details = bool(meta.get("details") or False)
    return State(
        details=details,
        profile=profile or str(meta.get("profile") or "generic"),
        lang=chosen_lang,
        answers=answers,
        asked=[a for a in asked if a == TITLE or a in answers],
        reask=reask,
        history=list(meta.get("history") or []),
    )
