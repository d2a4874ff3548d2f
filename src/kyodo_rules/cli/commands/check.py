"""`kyodo-rules check`: validate and explore a rulebase; exit 1 on any defect.

The exploration itself lives in `kyodo_rules.analysis.check` (which also checks
`rules/npo`, in `kyodo_rules.analysis.npo_checks`; pure, no printing); this
module only turns its report into lines a rule author can act on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    options.rules_dir(parser, old=("--rules",))
    parser.add_argument(
        "--wizard", metavar="DIR", default=None, help="ウィザードのディレクトリ / wizard directory"
    )
    options.json_flag(parser)
    parser.add_argument(
        "--no-differential",
        action="store_true",
        help="durable-rules との突き合わせを省く / skip checking both backends agree",
    )


def _facts_line(facts: dict[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=False) if facts else "{}"


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.analysis.check import check

    for option, value in (("--rules-dir", args.rules_dir), ("--wizard", args.wizard)):
        if value is not None and not Path(value).is_dir():
            raise InputError(f"{option}: {value}: no such directory")
    report = check(args.rules_dir, args.wizard, differential=not args.no_differential)
    if args.json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0 if report.clean else 1
    out = sys.stdout
    for d in report.defects:
        mark = "✗" if d.severity == "defect" else "!"
        where = f"{d.where}: " if d.where else ""
        profile = f"[{d.profile}] " if d.profile and d.profile != "generic" else ""
        out.write(f"{mark} {where}{profile}{d.ja}\n")
        out.write(f"    {d.en}\n")
        if d.witness is not None:
            out.write(f"    witness / 反例: {_facts_line(d.witness)}\n")
        if d.core is not None:
            out.write(
                f"    contradiction / 矛盾する条件: {json.dumps(d.core, ensure_ascii=False)}\n"
            )
    for line in report.coverage:
        out.write(f"{line}\n")
    defects = sum(d.severity == "defect" for d in report.defects)
    warnings = len(report.defects) - defects
    out.write(
        f"{report.inputs:,} inputs explored in {report.seconds:.1f} s "
        f"({'exhaustive' if report.complete else 'partly sampled'}); "
        f"{defects} defects, {warnings} warnings\n"
    )
    out.write(
        f"検査した入力 {report.inputs:,} 件、{report.seconds:.1f} 秒; "
        f"欠陥 {defects} 件、警告 {warnings} 件\n"
    )
    return 0 if report.clean else 1
