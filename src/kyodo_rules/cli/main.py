"""`kyodo-rules`: the command line. A thin shell over the library.

Each subcommand lives in its own module under `kyodo_rules.cli.commands` with an
`add_arguments(parser)` and a `run(args) -> int`; their top-level imports stay
light so that `kyodo-rules --help` starts fast (the rule engine is imported only
by the commands that evaluate cases).

Every error the library raises on purpose (`KyodoError`), and every
operating-system error on a path the user named, becomes one line on stderr
and exit code 2; nothing the user typed produces a traceback (an unexpected
one is one line and exit 70; `KYODO_DEBUG=1` shows it whole).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from kyodo_rules.model.errors import KyodoError

#: name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "wizard": (
        "kyodo_rules.cli.commands.wizard",
        "対話形式で協働かどうかを判定する / interactive interview",
    ),
    "classify": (
        "kyodo_rules.cli.commands.classify",
        "事例ファイルを判定する / classify a case file",
    ),
    "rules": ("kyodo_rules.cli.commands.rules", "ルールの一覧 / list every rule with its source"),
    "npo": ("kyodo_rules.cli.commands.npo", "NPO法人になれるか判定する / NPO法人 eligibility"),
    "check": ("kyodo_rules.cli.commands.check", "ルールベースの検査 / check the rulebase"),
    "cases": ("kyodo_rules.cli.commands.cases", "事例集の一覧 / list the case library"),
    "demo": ("kyodo_rules.cli.commands.demo", "事例を順に見せる（研修用） / step through a case"),
    "documents": (
        "kyodo_rules.cli.commands.documents",
        "3つのアイテムの下書き（Word） / draft the three items as Word files",
    ),
    "explain": ("kyodo_rules.cli.commands.explain", "判定の導出をすべて表示 / full derivation"),
    "batch": ("kyodo_rules.cli.commands.batch", "事業一覧（CSV/Excel）を一括判定 / inventory"),
    "test": (
        "kyodo_rules.cli.commands.test",
        "事例ファイルをテストとして実行 / run case files as tests",
    ),
    "serve": ("kyodo_rules.cli.commands.serve", "ブラウザで使う判定と API / web interview and API"),
}


class _Version(argparse.Action):
    """`--version`, read from the package metadata only when asked for (launch stays fast)."""

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from kyodo_rules import __version__

        parser.exit(message=f"kyodo-rules {__version__}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, just that command's options are built.

    Every command is still listed with its help, but a command's module is
    imported only to parse its own options: `kyodo-rules wizard` must not pay
    for importing ten other commands before its first question.
    """
    parser = argparse.ArgumentParser(
        prog="kyodo-rules",
        description=(
            "協働（市民と行政の協働）かどうかを、自治体の手引きを根拠に判定します。\n"
            "Tells whether a planned project is real 協働, citing municipal guidance."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="版を表示 / show the version")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, description=help_text)
            continue
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


def _command(argv: Sequence[str]) -> str:
    """The command named on the line ("" for none): the first word that is not an option."""
    word = next((a for a in argv if not a.startswith("-")), "")
    return word if word in COMMANDS else ""


def main(argv: Sequence[str] | None = None) -> int:
    from kyodo_rules.files.edge import (
        Terminated,
        describe_os_error,
        one_line,
        prepare_streams,
        signals_raise,
        silence_stdout,
    )

    closed = prepare_streams()
    parser = build_parser(_command(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    if closed:
        print(f"kyodo-rules: {closed}", file=sys.stderr)
        return 2
    try:
        with signals_raise():
            code: int = args._run(args)
            sys.stdout.flush()  # a full disk behind stdout fails here, not at exit
        return code
    except KyodoError as exc:
        from kyodo_rules.model.errors import RuleError

        message = str(exc).strip()
        # A broken rule file lists its problems one a line; anything else is one line,
        # whatever it quotes (a file name with a newline in it stays on that line).
        lines = message.splitlines() if isinstance(exc, RuleError) else [message]
        for line in (lines or ["error"])[:20]:
            print(f"kyodo-rules: {one_line(line)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return 130
    except Terminated as exc:
        return int(exc.code or 1)
    except BrokenPipeError:
        silence_stdout()
        return 0
    except OSError as exc:
        # The one handler for the operating system's errors on any path the user named.
        silence_stdout()
        print(f"kyodo-rules: {one_line(describe_os_error(exc))}", file=sys.stderr)
        return 2
    except UnicodeEncodeError as exc:
        print(f"kyodo-rules: 表示できない文字です / cannot encode: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("KYODO_DEBUG"):
            raise
        print(
            f"kyodo-rules: 内部エラー / internal error: {one_line(f'{type(exc).__name__}: {exc}')}"
            " (KYODO_DEBUG=1 で詳細 / for details)",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
