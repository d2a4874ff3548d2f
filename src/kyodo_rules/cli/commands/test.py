"""`kyodo-rules test FILE…`: run case files as tests, as `openfisca test` does.

A case file is the case library's format (`cases:` with `facts:` and
`expect:`); a directory stands for the `*.yaml` files in it. One line per
case (`ok` or `FAIL`, its `file:line` and id), each failure followed by every
way the answer differs from the one expected; then `N passed, N failed`.
Exit 0 when every case passes, 1 when one fails, 2 when a file cannot be
read (one line naming the file and the problem).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kyodo_rules.cli import options
from kyodo_rules.model.errors import InputError, KyodoError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help="事例ファイル (YAML, cases: の形式) またはそのディレクトリ / case files or folders",
    )
    options.rules_dir(parser)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="失敗だけ表示 / show failures only"
    )


def _paths(names: list[str]) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.yaml"))
            if not found:
                raise InputError(f"{name}: no case files (*.yaml) in this directory")
            out.extend((p, str(p)) for p in found)
        elif not path.exists():
            raise InputError(f"{name}: ファイルがありません / no such file")
        else:
            out.append((path, name))
    return out


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.rulebase.case_library import load_case_file, mismatches

    files = []
    for path, name in _paths(args.files):
        try:
            files.append(load_case_file(path, name))
        except KyodoError as exc:  # every file is read before any case runs
            lines = str(exc).strip().splitlines() or ["cannot read"]
            more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
            raise InputError(f"{lines[0]}{more}") from None
    classifier = options.classifier_for(args.rules_dir)
    passed = failed = 0
    out = sys.stdout
    for cases in files:
        for case in cases:
            where = f"{case.file}:{case.line} {case.id}"
            try:
                result = classifier.classify(case.facts, profile=case.profile)
                problems = mismatches(case, result, classifier.rulebase)
            except KyodoError as exc:
                problems = [f"classify raised {type(exc).__name__}: {exc}"]
            if problems:
                failed += 1
                out.write(f"FAIL {where}\n")
                out.writelines(f"     {p}\n" for p in problems)
            else:
                passed += 1
                if not args.quiet:
                    out.write(f"ok   {where}\n")
    out.write(f"{passed} passed, {failed} failed\n")
    return 1 if failed else 0
