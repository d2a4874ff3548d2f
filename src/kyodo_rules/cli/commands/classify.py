"""`kyodo-rules classify FILE`: one case file in, a cited answer out."""

from __future__ import annotations

import argparse
import json
import sys

from kyodo_rules.cli import options
from kyodo_rules.cli.options import shown
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="事例ファイル (YAML/JSON, - で標準入力) / case file"
    )
    options.rules_dir(parser)
    options.profile(parser)
    options.lang(parser)
    options.json_flag(parser)
    options.report(parser)
    parser.add_argument(
        "--no-what-if",
        action="store_true",
        help="would_be_kyodo_if を計算しない / skip the what-if search",
    )


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.files.case_files import read_mapping

    if args.report:
        from kyodo_rules.files.safeio import refuse_overwrite
        from kyodo_rules.outputs.html import report_format

        report_format(args.report)  # a wrong suffix fails before any work is done
        refuse_overwrite([args.file], [("--report", args.report)])
    facts = read_mapping(args.file)  # a bad file fails before the engine is loaded
    from kyodo_rules.outputs.text import render_text

    name = "<stdin>" if args.file == "-" else args.file
    classifier = options.classifier_for(args.rules_dir)
    try:
        result = classifier.classify(
            facts, profile=args.profile, lang=args.lang, what_if=not args.no_what_if
        )
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    given = {f: v for f, v in facts.items() if f != "title"}
    from kyodo_rules.files.cells import clean, json_safe

    if args.json:
        text = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2)
        sys.stdout.write(json_safe(text) + "\n")
    else:
        sys.stdout.write(clean(render_text(result, args.lang, answers=given)))
    if args.report:
        from kyodo_rules.outputs.html import write_report

        title = facts.get("title")
        write_report(
            result,
            args.report,
            args.lang,
            title if isinstance(title, str) else None,
            given,
            classifier=classifier,
        )
        print(f"レポートを保存しました / report saved: {shown(args.report)}", file=sys.stderr)
    return 0
