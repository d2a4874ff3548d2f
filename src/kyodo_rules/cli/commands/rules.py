"""`kyodo-rules rules`: every rule with its id, title and source."""

from __future__ import annotations

import argparse
import json
import sys

from kyodo_rules.cli import options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.rules_dir(parser)
    options.profile(parser)
    options.lang(parser)
    options.json_flag(parser)


def run(args: argparse.Namespace) -> int:
    rulebase = options.classifier_for(args.rules_dir).rulebase
    ruleset = rulebase.ruleset(args.profile)
    rows = [
        {
            "id": r.id,
            "title": r.title.get(args.lang),
            "source": r.source,
            "quote": r.quote,
            "see_also": [c.source for c in r.see_also],
            "file": r.file,
            "line": r.line,
            "profile": r.profile,
            "overrides": list(r.overrides),
        }
        for r in ruleset.rules
    ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    for row in rows:
        sys.stdout.write(f"{row['id']}\n    {row['title']}\n    {row['source']}\n")
    sys.stdout.write(f"\n{len(rows)} rules\n")
    return 0
