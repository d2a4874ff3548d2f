"""`kyodo-rules wizard`: the interview in the terminal, or replayed from a file.

Top-level imports stay light (argparse only) so that `kyodo-rules --help`
does not pay for questionary or the rule engine. The first question is drawn
by `wizard.launch` from a precomputed first screen: the project's title on the
terminal's own line editor (nothing heavy imported), or, without `--profile`,
the profile as a questionary list. The interview's modules, its data and the
rulebase load on a thread started once that question is on screen, so neither
the drawing nor the user waits for them.
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
from kyodo_rules.cli.options import shown


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
    """Loads the interview, then the classifier, on a thread started by `start()`.

    Started once the first question is drawn: before, it would compete with the
    drawing for the interpreter. `interview()` waits for the interview's modules
    and data only; `get()` for the classifier too. Both re-raise a loading error
    in the caller's thread (a broken rule file is one line, exit 2, as before).
    """

    def __init__(self, rules_dir: str | None = None) -> None:
        self._rules_dir = rules_dir
        self._value: Any = None
        self._error: BaseException | None = None
        #: An error before the interview could start (its modules or data).
        self._early: BaseException | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._load, name="kyodo-load", daemon=True)

    def start(self) -> None:
        with self._lock:
            if self._thread.ident is None:
                self._thread.start()

    def _load(self) -> None:
        try:
            from kyodo_rules.rulebase.questions import default_data
            from kyodo_rules.wizard import ui  # noqa: F401  (and the decision modules)
            from kyodo_rules.wording import catalog

            default_data()
            catalog.catalog()
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = self._early = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            self._value = options.classifier_for(self._rules_dir)
        except BaseException as exc:
            self._error = exc

    def interview(self) -> None:
        self.start()
        self._ready.wait()
        if self._early is not None:
            raise self._early

    def get(self) -> Any:
        self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _words(key: str, lang: Lang, **values: Any) -> str:
    """One of the wizard's interface texts (the wording catalog's `wizard` section)."""
    from kyodo_rules.wording import catalog

    return catalog.text("wizard", key, lang, **values)


def _launcher() -> str:
    """How the user started the wizard, for the hints they copy (to continue, the
    report) and the session file's header: run.py says so in KYODO_WIZARD_COMMAND;
    else the program as it was run (`kyodo-rules` when that is the one on PATH, its
    path when it is not, `python -m kyodo_rules`)."""
    given = os.environ.get("KYODO_WIZARD_COMMAND", "").strip()
    if given:
        return shown(given)
    script = sys.argv[0] if sys.argv and sys.argv[0] else "kyodo-rules"
    program = Path(script)
    if program.name == "__main__.py":
        return f"{Path(sys.executable).name} -m kyodo_rules wizard"
    if program.stem == "kyodo-rules" and program.parent != Path():
        import shutil

        found = shutil.which("kyodo-rules")
        if not (found and Path(found).resolve() == program.resolve()):
            return f"{_arg(script)} wizard"
    return "kyodo-rules wizard"


def _arg(path: object) -> str:
    """A path as it is typed on this system's command line (quoted if it must be), for
    the hints the user copies."""
    text = shown(path)
    if os.name == "nt":
        return f'"{text}"' if any(c in text for c in " &()[]{}^=;!,`~") else text
    import shlex

    return shlex.quote(text)


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
    profile = args.profile
    if args.resume:
        from kyodo_rules.wizard import session

        # A broken file is said first, and a profile no rulebase has before any question.
        profile = session.load_state(args.resume, args.profile, args.lang).profile
    if profile:
        _check_profile(profile, args.rules_dir)
    if sys.stdin is None or not sys.stdin.isatty():
        from kyodo_rules.model.vocabulary import parse_lang

        lang = parse_lang(args.lang or "ja")

        raise InputError(f"wizard: {_words('not_a_terminal', lang)}")
    _check_session_place(args)  # before the rule engine starts loading, and any question
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        os.environ["PROMPT_TOOLKIT_COLOR_DEPTH"] = "DEPTH_1_BIT"
    loader = _Loader(args.rules_dir)
    return _interactive(args, loader)


def _check_profile(profile: str, rules_dir: str | None) -> None:
    """An unknown profile is one line before the first question (the first screen knows
    the profiles without loading the rulebase)."""
    from kyodo_rules.model.errors import InputError
    from kyodo_rules.wizard import launch

    known = sorted(pid for pid, _labels in launch.load(rules_dir).profiles)
    if profile not in known:
        raise InputError(f"profile: unknown profile {profile!r}; allowed: {', '.join(known)}")


def _finish(
    args: argparse.Namespace,
    result: Any,
    lang: Lang,
    title: str | None = None,
    answers: dict[str, Any] | None = None,
) -> None:
    """The result of answers replayed from a file, all of it; the report file, when
    asked for, has everything too."""
    from kyodo_rules.outputs.text import render_text

    if args.report:
        _write_report(args.report, result, lang, answers, title)
        print(_words("saved_report", lang, path=shown(args.report)))
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
    _finish(args, result, lang, _title(state), given)
    return 0


def _session_path(args: argparse.Namespace, lang: Lang) -> tuple[Path, bool]:
    """Where this interview is kept, checked before the first question; (path, created here).

    A default file is created exclusively (two wizards started in the same
    second never share one). An unwritable place is one line that says where
    the session would go and how to choose another.
    """
    from kyodo_rules.files.edge import describe_os_error
    from kyodo_rules.model.errors import InputError
    from kyodo_rules.wizard import place

    chosen = args.session or args.resume
    path = Path(chosen) if chosen else place.default_path()
    try:
        if chosen:
            place.check_writable(path)
            return path, False
        return place.create_default(), True
    except OSError as exc:
        reason = describe_os_error(exc).rpartition(": ")[2]
        raise InputError(
            f"wizard: {_words('session_unwritable', lang, path=path, reason=reason)}"
        ) from None


def _check_session_place(args: argparse.Namespace) -> None:
    """Can a session be saved where this interview would keep it? Else one line, exit 2."""
    from kyodo_rules.files.edge import describe_os_error
    from kyodo_rules.model.errors import InputError
    from kyodo_rules.wizard import place

    chosen = args.session or args.resume
    path = Path(chosen) if chosen else place.default_path()
    try:
        if not chosen:
            place.make_dir(path)
        place.check_writable(path)
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
            session.save(wizard.state, answer, _launcher())
        except OSError as exc:
            from kyodo_rules.files.edge import describe_os_error

            print(_words("save_failed", lang, reason=describe_os_error(exc)), file=sys.stderr)
            continue
        return Path(answer)
    sys.stdout.write(session.dump(wizard.state, _launcher()))
    return None


def _interactive(args: argparse.Namespace, loader: _Loader) -> int:
    from kyodo_rules.model.vocabulary import parse_lang
    from kyodo_rules.wizard import launch

    screen = launch.load(args.rules_dir)
    resumed: Any = None
    if args.resume:
        from kyodo_rules.wizard import session

        loader.start()  # a resumed interview goes straight to the rule-derived questions
        resumed = session.load_state(args.resume, args.profile, args.lang)
        lang = parse_lang(resumed.lang)
    else:
        lang = parse_lang(args.lang or "ja")
    path, created = _session_path(args, lang)
    print(screen.t("welcome", lang))
    print(screen.t("welcome_hint", lang))
    print(screen.t("session_at", lang, path=shown(path)))
    profile = resumed.profile if resumed is not None else args.profile or ""
    title: tuple[str | None] | None = None  # asked here, before the interview is loaded
    stopped = False
    try:
        if not profile:
            profile = launch.ask_profile(screen, lang, on_screen=loader.start)
        elif resumed is None:
            title = (launch.ask_title(screen, lang, on_screen=loader.start),)
    except (KeyboardInterrupt, EOFError):
        if not profile:
            if created:
                with contextlib.suppress(OSError):
                    if path.stat().st_size == 0:
                        path.unlink()  # nothing was answered: leave no empty file behind
            return 130
        stopped = True  # at the title: the session keeps the profile, as after any answer
    loader.interview()
    from kyodo_rules.rulebase.questions import default_data
    from kyodo_rules.wizard.flow import State
    from kyodo_rules.wizard.ui import Wizard

    data = default_data()
    state = resumed if resumed is not None else State(profile=profile, lang=lang)
    wizard = Wizard(data, loader.get, state, path)
    wizard.command = _launcher()
    try:
        if stopped:
            raise KeyboardInterrupt
        if title is not None:
            wizard.take_title(title[0])
        else:
            wizard.save()
        result = wizard.run()
        while True:
            print("")
            if args.report:
                _write_report(args.report, result, lang, wizard.answers(), _title(state))
                print(_words("saved_report", lang, path=shown(args.report)))
            try:
                action = wizard.show_result(result)
            except (KeyboardInterrupt, EOFError):
                action = "done"  # the answers are saved: leaving the result loses nothing
            if action == "done":
                break
            if action == "back":
                wizard.back()
            result = wizard.run(summary_first=action == "summary")
    except (KeyboardInterrupt, EOFError):
        saved: Path | None = path
        if not wizard.save():
            print("", file=sys.stderr)
            saved = _save_somewhere(wizard, data, lang)
        if saved is not None:
            print("", file=sys.stderr)
            print(_words("interrupted", lang, path=shown(saved)), file=sys.stderr)
            print(
                _words("resume_hint", lang, path=_arg(saved), command=_launcher()),
                file=sys.stderr,
            )
        return 130
    print(_words("session_at", lang, path=shown(path)))
    if not args.report and wizard.report_path is None:
        print(_words("report_hint", lang, command=_launcher(), path=_arg(path)))
    return 0
