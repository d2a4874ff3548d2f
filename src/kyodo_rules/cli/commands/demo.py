"""`kyodo-rules demo [ID]`: tell one library case step by step, for a training room.

The point of a demo is the moment the verdict flips (事例3: 奉仕作業 → 協働 once
the work is confirmed with the residents beforehand), so the steps end with
each `would_be_kyodo_if` change applied in turn. On a terminal it waits for
Enter between steps so the trainer can talk; piped or with `--no-pause` it
prints straight through, which is also how the tests read it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError

if TYPE_CHECKING:
    from kyodo_rules.model.vocabulary import Lang
    from kyodo_rules.rulebase.case_library import LibraryCase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "id", metavar="ID", nargs="?", help="事例ID（kyodo-rules cases で一覧） / case id"
    )
    options.rules_dir(parser)
    options.profile(parser, default=None, note="（既定: 事例のもの / default: the case's）")
    options.lang(parser)
    parser.add_argument(
        "--pause",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="ステップごとに Enter を待つ（端末では既定） / wait for Enter between steps",
    )
    options.report(parser)


def _pick(cases: list[LibraryCase], lang: Lang) -> str | None:
    import questionary

    choices = [questionary.Choice(title=f"{c.id}  {c.title.get(lang)}", value=c.id) for c in cases]
    from kyodo_rules.wording import catalog

    message = catalog.text("demo", "pick", lang)
    # Typing filters the list: with fifty cases, scrolling is slower than typing "jirei3".
    answer: Any = questionary.select(
        message, choices=choices, use_search_filter=True, use_jk_keys=False
    ).ask()
    return str(answer) if answer is not None else None


def case_list(cases: list[LibraryCase], lang: Lang, heading: str, example: str) -> str:
    """What `demo` and `explain` take when given nothing: the library's case ids with
    their titles, under `heading`, and one example command."""
    from kyodo_rules.wording import catalog
    from kyodo_rules.wording.labels import display_width, pad

    width = max([display_width(c.id) for c in cases] + [2])
    lines = [heading]
    lines += [f"  {pad(c.id, width)}  {c.title.get(lang)}" for c in cases]
    if cases:
        command = f"{example} {cases[0].id}"
        lines.append(catalog.text("demo", "example", lang, command=command))
    return "\n".join(lines) + "\n"


def _find(cases: list[LibraryCase], wanted: str) -> LibraryCase:
    from kyodo_rules.outputs.demo import closest_ids

    for case in cases:
        if case.id == wanted:
            return case
    ids = [c.id for c in cases]
    close = closest_ids(wanted, ids)
    hint = f"; 近いもの / closest: {', '.join(close)}" if close else "; kyodo-rules cases で一覧"
    raise InputError(f"demo: 事例 {wanted!r} はありません / no such case{hint}")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kyodo_rules.outputs.demo import demo_steps
    from kyodo_rules.rulebase.case_library import load_cases

    cases = load_cases(Path(args.rules_dir) / "cases" if args.rules_dir else None)
    wanted = args.id
    if wanted is None:
        if not (sys.stdin and sys.stdin.isatty() and sys.stdout.isatty()):
            # Nothing to pick with: say what can be shown (the README's `kyodo-rules demo`).
            from kyodo_rules.wording import catalog

            heading = catalog.text("demo", "demo_takes", args.lang)
            sys.stdout.write(case_list(cases, args.lang, heading, "kyodo-rules demo"))
            return 0
        wanted = _pick(cases, args.lang)
        if wanted is None:
            return 130
    case = _find(cases, wanted)
    report = args.report
    if report:
        from kyodo_rules.outputs.html import report_format

        report_format(report)  # a wrong suffix fails before the demo, not after
        from kyodo_rules.files.safeio import refuse_overwrite

        refuse_overwrite([], [("--report", report)])
    classifier = options.classifier_for(args.rules_dir)
    steps = demo_steps(case, classifier, args.lang, args.profile)
    pause = args.pause if args.pause is not None else sys.stdin.isatty()
    from kyodo_rules.wording import catalog

    prompt = catalog.text("demo", "next", args.lang)
    for n, step in enumerate(steps):
        if n:
            sys.stdout.write("\n")
        sys.stdout.write(f"━━ {step.heading}\n")
        sys.stdout.write("".join(f"{line}\n" for line in step.lines))
        sys.stdout.flush()
        if pause and n < len(steps) - 1:
            try:
                input(prompt)
            except EOFError:
                pause = False
    if report:
        result = classifier.classify(
            case.facts, profile=args.profile or case.profile, lang=args.lang
        )
        from kyodo_rules.outputs.html import write_report

        title = case.title.get(args.lang)
        write_report(result, report, args.lang, title=title, classifier=classifier)
        done = catalog.text("demo", "report_written", args.lang)
        sys.stdout.write(f"\n{done}: {report}\n")
    return 0
