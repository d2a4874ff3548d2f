"""`kyodo-rules explain FILE|ID`: every rule's status and each combination step for one case.

For the person who asks "why exactly?": unlike `classify`, which shows only the
rules that fired, this shows the rules that did not, the ones waiting on
unknown facts, and how the policy combined the rest. The case is a file of
facts, or a library case by its id (as `demo` takes it, for a training room);
given nothing, it says what it takes and lists the library's cases.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE|ID",
        nargs="?",
        help="事例ファイル (YAML/JSON の事実、または facts: を持つ事例) か事例ID"
        "（省略すると一覧） / case file or library case id (none: list them)",
    )
    options.rules_dir(parser)
    options.profile(parser, default=None, note="（既定: 事例のもの / default: the case's）")
    options.lang(parser)
    options.json_flag(parser)
    parser.add_argument(
        "--yaml", action="store_true", help="条件を YAML で表示 / show conditions as YAML"
    )


def _facts_of(data: dict[str, Any], name: str) -> tuple[dict[str, Any], str | None]:
    """A bare facts mapping, or one library-style case with `facts:` (and maybe `profile:`)."""
    if "cases" in data:
        raise InputError(
            f"{name}: 事例集のファイルです。一つの事例の事実を書いたファイルか、事例ID"
            "（kyodo-rules explain で一覧）を指定してください / a case library file; give "
            "one case's facts, or a library case's id"
        )
    facts = data.get("facts")
    if isinstance(facts, dict):
        profile = data.get("profile")
        return dict(facts), profile if isinstance(profile, str) else None
    return data, None


def _library(args: argparse.Namespace) -> list[Any]:
    from pathlib import Path

    from kyodo_rules.rulebase.case_library import load_cases

    return load_cases(Path(args.rules_dir) / "cases" if args.rules_dir else None)


def _case(args: argparse.Namespace) -> tuple[dict[str, Any], str | None, str]:
    """(facts, the case's profile, the name errors give) of a file, stdin or a library id."""
    from pathlib import Path

    from kyodo_rules.files.case_files import read_mapping

    given = str(args.file)
    if given != "-" and not Path(given).exists() and not given.endswith((".yaml", ".yml", ".json")):
        for case in _library(args):
            if case.id == given:
                return dict(case.facts), case.profile, given
        from kyodo_rules.outputs.demo import closest_ids

        close = closest_ids(given, [c.id for c in _library(args)])
        hint = f"; 近いもの / closest: {', '.join(close)}" if close else ""
        raise InputError(
            f"explain: {given}: そのファイルも事例IDもありません（kyodo-rules explain で一覧）"
            f" / no such file or case id{hint}"
        )
    name = "<stdin>" if given == "-" else given
    facts, profile = _facts_of(read_mapping(given), name)
    return facts, profile, name


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        from kyodo_rules.cli.commands.demo import case_list
        from kyodo_rules.wording import catalog

        heading = catalog.text("demo", "explain_takes", args.lang)
        sys.stdout.write(case_list(_library(args), args.lang, heading, "kyodo-rules explain"))
        return 0
    facts, case_profile, name = _case(args)
    from kyodo_rules.analysis.explain import derivation_data, derive
    from kyodo_rules.outputs.derivation import derivation_lines

    profile = args.profile or case_profile or "generic"
    classifier = options.classifier_for(args.rules_dir)
    try:
        derivation = derive(classifier, facts, profile, args.lang)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    from kyodo_rules.files.cells import clean, json_safe

    if args.json:
        data = derivation_data(derivation, args.lang)
        sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")
        return 0
    lines = derivation_lines(derivation, args.lang, as_yaml=args.yaml)
    sys.stdout.write(clean("\n".join(lines) + "\n"))
    return 0
