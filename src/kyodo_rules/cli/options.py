"""The options several commands share, each defined once: one name, one help text.

`--rules-dir DIR`, `--profile ID`, `--lang ja|en`, `--json` and `--report FILE`
mean the same on every command that takes them. Older spellings
(`check --rules`, `wizard --save`) are deprecated: they still work, hidden
from `--help`, so that no script breaks.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kyodo_rules.decision.classify import Classifier

PROFILE_HELP = "自治体プロファイル (generic, nichinan, ogi, ama) / municipal profile"


class _Deprecated(argparse.Action):
    """An old spelling: stored under the new option's name, and which spelling it was.

    Silent on purpose: scripts that use it keep their one-line errors; the
    messages name the option as the user typed it (`spelling(args, dest)`).
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        setattr(namespace, f"_{self.dest}_spelling", option_string)


def spelling(args: argparse.Namespace, dest: str) -> str:
    """The option as the user typed it: `--report`, or an old spelling such as `--save`."""
    return str(getattr(args, f"_{dest}_spelling", None) or "--" + dest.replace("_", "-"))


def _aliases(parser: argparse.ArgumentParser, new: str, old: Sequence[str], dest: str) -> None:
    for old_name in old:
        parser.add_argument(
            old_name, dest=dest, metavar=new, action=_Deprecated, help=argparse.SUPPRESS
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
    from kyodo_rules.model.vocabulary import LANGS

    parser.add_argument("--lang", choices=LANGS, default=default, help="表示言語 / language")


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


def shown(path: object) -> str:
    """A file name the user typed, as one line of a terminal shows it: a newline or an
    escape sequence in the name is made visible, never sent to the terminal."""
    import os

    from kyodo_rules.files.cells import one_line_text

    return one_line_text(os.fspath(path) if isinstance(path, str | os.PathLike) else str(path))
