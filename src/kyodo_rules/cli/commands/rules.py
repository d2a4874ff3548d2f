"""`kyodo-rules rules`: every rule with its id, title and source."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON で出力 / for programs")
    parser.add_argument("--profile", default="generic", help="自治体プロファイル")
    parser.add_argument("--lang", choices=["ja", "en"], default="ja")
    parser.add_argument(
        "--rules-dir", default=None, help="別のルールディレクトリ / another rules dir"
    )


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.rulebase.loading import load_rulebase

    rulebase = load_rulebase(args.rules_dir)
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
