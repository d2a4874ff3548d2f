"""`kyodo-rules explain FILE`: every rule's status and each combination step for one case.

For the person who asks "why exactly?": unlike `classify`, which shows only the
rules that fired, this shows the rules that did not, the ones waiting on
unknown facts, and how the policy combined the rest.
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
        metavar="FILE",
        help="事例ファイル (YAML/JSON の事実、または facts: を持つ事例) / case file",
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
            f"{name}: a case library file; give one case's facts "
            "(or use `kyodo-rules demo ID` for a library case)"
        )
    facts = data.get("facts")
    if isinstance(facts, dict):
        profile = data.get("profile")
        return dict(facts), profile if isinstance(profile, str) else None
    return data, None


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.files.case_files import read_mapping

    name = "<stdin>" if args.file == "-" else args.file
    facts, case_profile = _facts_of(read_mapping(args.file), name)
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
