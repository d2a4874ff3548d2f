"""The options several commands share, each defined once: one name, one help text.

`--rules-dir DIR`, `--profile ID`, `--lang ja|en`, `--json` and `--report FILE`
mean the same on every command that takes them. Older spellings
(`check --rules`, `wizard --save`) still work, hidden from `--help`, and say
once on stderr which name to use instead.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier

PROFILE_HELP = "自治体プロファイル (generic, nichinan, ogi, ama) / municipal profile"


class _Deprecated(argparse.Action):
    """An old spelling: stored under the new option's name, with a one-line notice."""

    def __init__(self, *args: Any, new: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.new = new

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        print(
            f"kyodo-rules: {option_string} は {self.new} になりました / "
            f"{option_string} is now {self.new}",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def _aliases(parser: argparse.ArgumentParser, new: str, old: Sequence[str], dest: str) -> None:
    for spelling in old:
        parser.add_argument(
            spelling, dest=dest, metavar="FILE", action=_Deprecated, new=new, help=argparse.SUPPRESS
        )


def rules_dir(parser: argparse.ArgumentParser, old: Sequence[str] = ()) -> None:
    parser.add_argument(
        "--rules-dir",
        metavar="DIR",
        default=None,
        help="別のルールディレクトリ（既定: 同梱のルール） / another rules directory",
    )
    _aliases(parser, "--rules-dir", old, "rules_dir")


def profile(
    parser: argparse.ArgumentParser, default: str | None = "generic", note: str = ""
) -> None:
    parser.add_argument("--profile", default=default, help=PROFILE_HELP + note)


def lang(parser: argparse.ArgumentParser, default: str | None = "ja") -> None:
    parser.add_argument("--lang", choices=["ja", "en"], default=default, help="表示言語 / language")


def json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON で出力 / for programs")


def report(parser: argparse.ArgumentParser, old: Sequence[str] = ()) -> None:
    parser.add_argument(
        "--report",
        metavar="FILE",
        default=None,
        help="報告書も保存する（拡張子 .md/.json/.html で形式を選ぶ） / also write a report",
    )
    _aliases(parser, "--report", old, "report")


def classifier_for(rules_dir: str | None) -> Classifier:
    """The shared default classifier, or one for `--rules-dir` (a missing one: one line)."""
    from pathlib import Path

    from kyodo_rules.decision.classify import Classifier as _Classifier
    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.model.errors import InputError

    if rules_dir is None:
        return default_classifier()
    if not Path(rules_dir).is_dir():
        raise InputError(f"--rules-dir {rules_dir}: no such directory")
    return _Classifier(rules_dir=rules_dir)
