"""`kyodo-rules`: the command line. A thin shell over the library.

Each subcommand lives in its own module under `kyodo_rules.commands` with an
`add_arguments(parser)` and a `run(args) -> int`; their top-level imports stay
light so that `kyodo-rules --help` starts fast (the rule engine is imported only
by the commands that evaluate cases).

Every error the library raises on purpose (`KyodoError`) becomes one line on
stderr and exit code 2; nothing the user typed produces a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kyodo_rules._errors import KyodoError

#: name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "wizard": (
        "kyodo_rules.commands.wizard",
        "対話形式で協働かどうかを判定する / interactive interview",
    ),
    "classify": ("kyodo_rules.commands.classify", "事例ファイルを判定する / classify a case file"),
    "rules": ("kyodo_rules.commands.rules", "ルールの一覧 / list every rule with its source"),
    "npo": ("kyodo_rules.commands.npo", "NPO法人になれるか判定する / NPO法人 eligibility"),
    "check": ("kyodo_rules.commands.check", "ルールベースの検査 / check the rulebase"),
    "cases": ("kyodo_rules.commands.cases", "事例集の一覧 / list the case library"),
    "demo": ("kyodo_rules.commands.demo", "事例を順に見せる（研修用） / step through a case"),
    "explain": ("kyodo_rules.commands.explain", "判定の導出をすべて表示 / full derivation"),
    "batch": ("kyodo_rules.commands.batch", "事業一覧（CSV/Excel）を一括判定 / inventory"),
    "serve": ("kyodo_rules.commands.serve", "ブラウザで使う判定と API / web interview and API"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kyodo-rules",
        description=(
            "協働（市民と行政の協働）かどうかを、自治体の手引きを根拠に判定します。\n"
            "Tells whether a planned project is real 協働, citing municipal guidance."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from kyodo_rules import __version__

    parser.add_argument("--version", action="version", version=f"kyodo-rules {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        command = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        code: int = args._run(args)
        return code
    except KyodoError as exc:
        message = str(exc).strip()
        for line in message.splitlines() or ["error"]:
            print(f"kyodo-rules: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
