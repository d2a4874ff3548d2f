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
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=["ja", "en"], default=None, help="表示言語 / language")
    parser.add_argument(
        "--profile",
        default=None,
        help="自治体プロファイル (generic, nichinan, ogi, ama; 省略時は最初に質問)",
    )
    parser.add_argument("--resume", metavar="FILE", help="保存したセッションから再開 / resume")
    parser.add_argument(
        "--answers", metavar="FILE", help="回答ファイルを質問なしで再生 / replay, no prompts"
    )
    parser.add_argument(
        "--save", metavar="REPORT", help="報告書を保存 (.md / .html / .json) / save the report"
    )
    parser.add_argument(
        "--session", metavar="FILE", help="セッションファイルの保存先 / where to keep the session"
    )


class _Loader:
    """Loads the classifier in the background; `get()` waits and re-raises its error."""

    def __init__(self) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="kyodo-load", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from kyodo_rules._classify import default_classifier

            self._value = default_classifier()
        except BaseException as exc:  # re-raised in the caller's thread
            self._error = exc

    def get(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _profiles(lang: str) -> list[tuple[str, str]]:
    """Profile ids and names without loading the rulebase (the first screen must be fast)."""
    from kyodo_rules._resources import data_path
    from kyodo_rules._yaml import load_file

    out: list[tuple[str, str]] = []
    for path in sorted((data_path("rules") / "profiles").glob("*.yaml")):
        doc = load_file(path, path.name)
        if not isinstance(doc, dict) or "id" not in doc:
            continue
        name = doc.get("name") or {}
        label = str(name.get(lang) or doc["id"]) if isinstance(name, dict) else str(doc["id"])
        out.append((str(doc["id"]), f"{label} ({doc['id']})"))
    out.sort(key=lambda p: p[0] != "generic")
    return out


def _launcher() -> str:
    """How the user started the wizard, for the resume hint (run.py says so)."""
    return os.environ.get("KYODO_WIZARD_COMMAND", "kyodo-rules wizard")


def _title(state: Any) -> str | None:
    title = state.answers.get("title")
    return str(title) if title else None


def _write_report(
    path: str, result: Any, lang: str, labels: dict[str, Any], title: str | None
) -> None:
    from kyodo_rules._export import write_report

    try:
        write_report(result, path, lang, title=title, labels=labels)
    except OSError as exc:
        from kyodo_rules._errors import InputError

        raise InputError(f"{path}: cannot write the report: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    from kyodo_rules._errors import InputError

    if args.save:
        from kyodo_rules._export import report_format

        try:
            report_format(args.save)
        except InputError as exc:
            raise InputError(f"--save {args.save}: {exc}") from None
    if args.answers:
        return _replay(args)
    if not sys.stdin.isatty():
        lang = args.lang or "ja"
        from kyodo_rules.wizard.questions import default_data

        raise InputError(f"wizard: {default_data().t('not_a_terminal', lang)}")
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        os.environ["PROMPT_TOOLKIT_COLOR_DEPTH"] = "DEPTH_1_BIT"
    loader = _Loader()
    return _interactive(args, loader)


def _finish(
    args: argparse.Namespace,
    data: Any,
    result: Any,
    lang: str,
    title: str | None = None,
    answers: dict[str, Any] | None = None,
    wizard: Any = None,
) -> None:
    """The result: one screen and sections on request in the interview, all of it when
    replayed from a file; the report file, when asked for, always has everything."""
    from kyodo_rules._report import render_text
    from kyodo_rules.wizard.questions import report_labels

    labels = report_labels(lang, data)
    if args.save:
        _write_report(args.save, result, lang, {**labels, "answers": answers}, title)
        print(data.t("saved_report", lang, path=args.save))
    if wizard is not None:
        wizard.show_result(result, labels)
    else:
        sys.stdout.write(render_text(result, lang, answers=answers, **labels))


def _replay(args: argparse.Namespace) -> int:
    from kyodo_rules._classify import default_classifier
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import Flow, State, replay
    from kyodo_rules.wizard.questions import default_data

    answers, meta = session.read(args.answers)
    lang = args.lang or str(meta.get("lang") or "ja")
    profile = args.profile or str(meta.get("profile") or "generic")
    data = default_data()
    classifier = default_classifier()
    flow = Flow(classifier.bound(profile), data.order)
    state = replay(flow, State(profile=profile, lang=lang), answers)
    result = classifier.classify(flow.facts(state), profile=profile, lang=lang)
    given = {f: state.answers.get(f) for f in state.asked if f != "title"}
    _finish(args, data, result, lang, _title(state), given)
    return 0


def _interactive(args: argparse.Namespace, loader: _Loader) -> int:
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import State
    from kyodo_rules.wizard.questions import default_data
    from kyodo_rules.wizard.ui import Wizard

    data = default_data()
    if args.resume:
        state = session.load_state(args.resume, args.profile, args.lang)
        path = Path(args.session or args.resume)
    else:
        state = State(profile=args.profile or "", lang=args.lang or "ja")
        path = Path(args.session) if args.session else session.default_path()
    lang = state.lang
    print(data.t("welcome", lang))
    print(data.t("welcome_hint", lang))
    print(data.t("session_at", lang, path=path))
    wizard = Wizard(data, loader.get, state, path)
    try:
        if not state.profile:
            state.profile = wizard.ask_profile(_profiles(lang))
        wizard.save()
        result = wizard.run()
    except (KeyboardInterrupt, EOFError):
        if state.profile:
            wizard.save()
            print("", file=sys.stderr)
            print(data.t("interrupted", lang, path=path), file=sys.stderr)
            print(data.t("resume_hint", lang, path=path, command=_launcher()), file=sys.stderr)
        return 130
    print("")
    # The answers are saved: leaving the result screen with Ctrl-C loses nothing.
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        _finish(args, data, result, lang, _title(state), wizard.answers(), wizard)
    print(data.t("session_at", lang, path=path))
    return 0
