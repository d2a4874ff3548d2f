"""`kyodo-rules npo FILE`: may this group become an NPO法人?"""

from __future__ import annotations

import argparse
import json
import sys

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", help="団体の情報 (YAML/JSON, - で標準入力) / group file"
    )
    options.lang(parser)
    options.json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.files.case_files import read_mapping

    data = read_mapping(args.file, what="group")
    from kyodo_rules.npo.eligibility import npo_eligibility
    from kyodo_rules.outputs.npo import render_npo

    name = "<stdin>" if args.file == "-" else args.file
    try:
        result = npo_eligibility(data, lang=args.lang)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None
    from kyodo_rules.files.cells import clean, json_safe

    if args.json:
        text = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2)
        sys.stdout.write(json_safe(text) + "\n")
    else:
        sys.stdout.write(clean(render_npo(result, args.lang)))
    return 0
