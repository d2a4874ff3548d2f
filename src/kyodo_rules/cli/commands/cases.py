"""`kyodo-rules cases`: the case library at a glance, for trainers choosing what to show."""

from __future__ import annotations

import argparse
import json
import sys

from kyodo_rules.cli import options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.rules_dir(parser)
    options.lang(parser)
    options.json_flag(parser)


def run(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from kyodo_rules.outputs.demo import case_rows
    from kyodo_rules.rulebase.case_library import load_cases
    from kyodo_rules.wording import catalog
    from kyodo_rules.wording.labels import display_width, pad

    classifier = options.classifier_for(args.rules_dir)
    library = Path(args.rules_dir) / "cases" if args.rules_dir else None
    rows = case_rows(load_cases(library), classifier, args.lang)
    if args.json:
        json.dump([asdict(r) for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    w = catalog.words("cases", args.lang)
    id_w = max([display_width(r.id) for r in rows] + [2])
    verdict_w = max([display_width(r.verdict_label) for r in rows] + [4])
    head = (w["id"], w["verdict"], w["category"], w["case"])
    cat_w = max([display_width(r.category_label) for r in rows] + [display_width(head[2])])
    out = [f"{pad(head[0], id_w)}  {pad(head[1], verdict_w)}  {pad(head[2], cat_w)}  {head[3]}"]
    for r in rows:
        # A case whose answer differs from the library's is marked, so that a
        # trainer never presents a case the rules currently get wrong.
        warn = f"  {w['differs']}" if not r.agrees else ""
        out.append(
            f"{pad(r.id, id_w)}  {pad(r.verdict_label, verdict_w)}  "
            f"{pad(r.category_label or '—', cat_w)}  {r.title}{warn}"
        )
    out.append("")
    out.append(catalog.text("cases", "count", args.lang, n=len(rows)))
    sys.stdout.write("\n".join(out) + "\n")
    return 0
