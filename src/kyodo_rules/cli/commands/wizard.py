"""`kyodo-rules wizard`: the interview in the terminal, or replayed from a file.

Top-level imports stay light (argparse only) so that `kyodo-rules --help`
does not pay for questionary or the rule engine. The rulebase is loaded in a
background thread while the first question is on screen, so the user never
waits for it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyodo_rules.model.vocabulary import Lang

from kyodo_rules.cli import options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.rules_dir(parser)
    options.profile(parser, default=None, note="（省略時は最初に質問 / asked first if not given）")
    options.lang(parser, default=None)
    options.report(parser, old=("--save",))
    parser.add_argument("--resume", metavar="FILE", help="保存したセッションから再開 / resume")
    parser.add_argument(
        "--answers", metavar="FILE", help="回答ファイルを質問なしで再生 / replay, no prompts"
    )
    parser.add_argument(
        "--session", metavar="FILE", help="セッションファイルの保存先 / where to keep the session"
    )


class _Loader:
    """Loads the classifier in the background; `get()` waits and re-raises its error."""

    def __init__(self, rules_dir: str | None = None) -> None:
        self._rules_dir = rules_dir
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="kyodo-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            self._value = options.classifier_for(self._rules_dir)
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def get(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _profiles(lang: Lang, rules_dir: str | None = None) -> list[tuple[str, str]]:
    """Profile ids and names without loading the rulebase (the first screen must be fast)."""
    from kyodo_rules.files.shipped import data_path
    from kyodo_rules.files.yaml import load_file

    out: list[tuple[str, str]] = []
    rules = Path(rules_dir) if rules_dir else data_path("rules")
    for path in sorted((rules / "profiles").glob("*.yaml")):
        doc = load_file(path, path.name)
        if not isinstance(doc, dict) or "id" not in doc:
            continue
        name = doc.get("name") or {}
        label = str(name.get(lang) or doc["id"]) if isinstance(name, dict) else str(doc["id"])
        out.append((str(doc["id"]), f"{label} ({doc['id']})"))
    out.sort(key=lambda p: p[0] != "generic")
    return out


def _words(key: str, lang: Lang, **values: Any) -> str:
    """One of the wizard's interface texts (the wording catalog's `wizard` section)."""
    from kyodo_rules.wording import catalog

    return catalog.text("wizard", key, lang, **values)


def _launcher() -> str:
    """How the user started the wizard, for the resume hint (run.py says so)."""
    return os.environ.get("KYODO_WIZARD_COMMAND", "kyodo-rules wizard")


def _title(state: Any) -> str | None:
    title = state.answers.get("title")
    return str(title) if title else None


def _write_report(
    path: str, result: Any, lang: Lang, answers: dict[str, Any] | None, title: str | None
) -> None:
    from kyodo_rules.outputs.html import write_report

    try:
        write_report(result, path, lang, title=title, answers=answers)
    except OSError as exc:
        from kyodo_rules.model.errors import InputError

        raise InputError(f"{path}: cannot write the report: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.model.errors import InputError

    if args.rules_dir is not None and not Path(args.rules_dir).is_dir():
        raise InputError(f"--rules-dir {args.rules_dir}: no such directory")
    if args.report:
        from kyodo_rules.files.safeio import check_distinct, refuse_overwrite
        from kyodo_rules.outputs.html import report_format

        option = options.spelling(args, "report")
        try:
            report_format(args.report)
        except InputError as exc:
            raise InputError(f"{option} {args.report}: {exc}") from None
        refuse_overwrite([args.answers, args.resume, args.session], [(option, args.report)])
        check_distinct([("--session", args.session or args.resume), (option, args.report)])
    if args.answers:
        return _replay(args)
    if args.resume:
        from kyodo_rules.wizard import session

        session.load_state(args.resume, args.profile, args.lang)  # a broken file is said first
    if sys.stdin is None or not sys.stdin.isatty():
        from kyodo_rules.model.vocabulary import parse_lang

        lang = parse_lang(args.lang or "ja")

        raise InputError(f"wizard: {_words('not_a_terminal', lang)}")
    _check_session_place(args)  # before the rule engine starts loading, and any question
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        os.environ["PROMPT_TOOLKIT_COLOR_DEPTH"] = "DEPTH_1_BIT"
    loader = _Loader(args.rules_dir)
    return _interactive(args, loader)


def _finish(
    args: argparse.Namespace,
    data: Any,
    result: Any,
    lang: Lang,
    title: str | None = None,
    answers: dict[str, Any] | None = None,
    wizard: Any = None,
) -> None:
    """The result: one screen and sections on request in the interview, all of it when
    replayed from a file; the report file, when asked for, always has everything."""
    from kyodo_rules.outputs.text import render_text

    if args.report:
        _write_report(args.report, result, lang, answers, title)
        print(_words("saved_report", lang, path=args.report))
    if wizard is not None:
        wizard.show_result(result)
    else:
        sys.stdout.write(render_text(result, lang, answers=answers))


def _replay(args: argparse.Namespace) -> int:
    from kyodo_rules.model.vocabulary import parse_lang
    from kyodo_rules.rulebase.questions import default_data
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import Flow, State, replay

    answers, meta = session.read(args.answers)
    lang = parse_lang(args.lang or meta.get("lang") or "ja", f"{args.answers}: lang")
    profile = args.profile or str(meta.get("profile") or "generic")
    data = default_data()
    classifier = options.classifier_for(args.rules_dir)
    flow = Flow(classifier.bound(profile), data.order)
    state = replay(flow, State(profile=profile, lang=lang), answers)
    result = classifier.classify(flow.facts(state), profile=profile, lang=lang)
    given = {f: state.answers.get(f) for f in state.asked if f != "title"}
    _finish(args, data, result, lang, _title(state), given)
    return 0


def _session_path(args: argparse.Namespace, data: Any, lang: Lang) -> tuple[Path, bool]:
    """Where this interview is kept, checked before the first question; (path, created here).

    A default file is created exclusively (two wizards started in the same
    second never share one). An unwritable place is one line that says where
    the session would go and how to choose another.
    """
    from kyodo_rules.files.edge import describe_os_error
    from kyodo_rules.model.errors import InputError
    from kyodo_rules.wizard import session

    chosen = args.session or args.resume
    path = Path(chosen) if chosen else session.default_path()
    try:
        if chosen:
            session.check_writable(path)
            return path, False
        return session.create_default(), True
    except OSError as exc:
        reason = describe_os_error(exc).rpartition(": ")[2]
        raise InputError(
            f"wizard: {_words('session_unwritable', lang, path=path, reason=reason)}"
        ) from None


def _check_session_place(args: argparse.Namespace) -> None:
    """Can a session be saved where this interview would keep it? Else one line, exit 2."""
    from kyodo_rules.files.edge import describe_os_error
    from kyodo_rules.model.errors import InputError
    from kyodo_rules.wizard import session

    chosen = args.session or args.resume
    path = Path(chosen) if chosen else session.default_path()
    try:
        session.check_writable(path)
    except OSError as exc:
        reason = describe_os_error(exc).rpartition(": ")[2]
        from kyodo_rules.model.vocabulary import parse_lang

        lang = parse_lang(args.lang or "ja")
        text = _words("session_unwritable", lang, path=path, reason=reason)
        raise InputError(f"wizard: {text}") from None


def _save_somewhere(wizard: Any, data: Any, lang: Lang) -> Path | None:
    """After Ctrl-C with answers not on disk: ask for another file until one works."""
    from kyodo_rules.wizard import session

    for _ in range(5):
        try:
            answer = input(_words("save_elsewhere", lang)).strip()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if not answer:
            break
        try:
            session.save(wizard.state, answer)
        except OSError as exc:
            from kyodo_rules.files.edge import describe_os_error

            print(_words("save_failed", lang, reason=describe_os_error(exc)), file=sys.stderr)
            continue
        return Path(answer)
    sys.stdout.write(session.dump(wizard.state))
    return None


def _interactive(args: argparse.Namespace, loader: _Loader) -> int:
    from kyodo_rules.model.vocabulary import parse_lang
    from kyodo_rules.rulebase.questions import default_data
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import State
    from kyodo_rules.wizard.ui import Wizard

    data = default_data()
    if args.resume:
        state = session.load_state(args.resume, args.profile, args.lang)
    else:
        state = State(profile=args.profile or "", lang=args.lang or "ja")
    lang = parse_lang(state.lang)
    path, created = _session_path(args, data, lang)
    print(_words("welcome", lang))
    print(_words("welcome_hint", lang))
    print(_words("session_at", lang, path=path))
    wizard = Wizard(data, loader.get, state, path)
    try:
        if not state.profile:
            state.profile = wizard.ask_profile(_profiles(lang, args.rules_dir))
        wizard.save()
        result = wizard.run()
    except (KeyboardInterrupt, EOFError):
        if not state.profile:
            if created:
                with contextlib.suppress(OSError):
                    if path.stat().st_size == 0:
                        path.unlink()  # nothing was answered: leave no empty file behind
            return 130
        saved: Path | None = path
        if not wizard.save():
            print("", file=sys.stderr)
            saved = _save_somewhere(wizard, data, lang)
        if saved is not None:
            print("", file=sys.stderr)
            print(_words("interrupted", lang, path=saved), file=sys.stderr)
            print(_words("resume_hint", lang, path=saved, command=_launcher()), file=sys.stderr)
        return 130
    print("")
    # The answers are saved: leaving the result screen with Ctrl-C loses nothing.
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        _finish(args, data, result, lang, _title(state), wizard.answers(), wizard)
    print(_words("session_at", lang, path=path))
    return 0
