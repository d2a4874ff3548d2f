"""`kyodo-rules batch IN -o OUT`: answer a whole project inventory (CSV or Excel).

Exit codes follow the rest of the CLI: 0 all rows answered, 1 some rows could
not be read (each reported as `row N: field: problem`, the others answered
anyway), 2 the file itself could not be read or written.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from kyodo_rules.files.sheetguard import LIMIT_HELP
from kyodo_rules.model.errors import InputError

#: Row errors printed on stderr; all of them are in the output's 入力エラー column.
MAX_SHOWN = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="IN",
        nargs="?",
        help="事業一覧 (.xlsx / .csv)：1行に1事業、1行目は列名 / the inventory, one project a row",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="結果の保存先 (.xlsx / .csv) / where to write answers"
    )
    parser.add_argument(
        "--summary",
        metavar="FILE",
        help="CSV の集計の保存先（既定 OUT.summary.csv、既にあれば上書きしない） / "
        "where a CSV output's summary goes (default OUT.summary.csv, never replaced unnamed)",
    )
    parser.add_argument(
        "--limit",
        metavar="NAME=N",
        action="append",
        default=[],
        help=f"読み込みの上限を上げる / raise a reading limit (defaults: {LIMIT_HELP}; mb: MB)",
    )
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="空の入力用シート（日本語の列名・選択肢つき）を作る / write an empty input sheet",
    )
    parser.add_argument(
        "--profile", default="generic", help="自治体プロファイル (generic, nichinan, ogi, ama)"
    )
    parser.add_argument("--lang", choices=["ja", "en"], default="ja", help="表示言語 / language")
    parser.add_argument(
        "--engine",
        choices=["durable", "python"],
        default="durable",
        help="ルールエンジン（python は速く、結果は同じ） / rule engine; python is faster",
    )


class ProgressBar:
    """A one-line bar on a terminal. Not `tqdm` or `rich`: one line of progress
    does not justify a dependency every city PC must install."""

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.files.cells import clean
    from kyodo_rules.files.safeio import check_distinct, refuse_overwrite
    from kyodo_rules.files.sheetguard import parse_limits
    from kyodo_rules.outputs import inventory as _batch

    limits = parse_limits(args.limit)
    if args.template:
        refuse_overwrite([args.input], [("--template", args.template)])
        path = _batch.write_template(args.template)
        print(f"入力用シートを作成しました / template written: {path}", file=sys.stderr)
        if not args.input:
            return 0
    if not args.input or not args.output:
        raise InputError(
            "batch: 入力ファイルと -o 出力ファイルを指定してください / "
            "give IN and -o OUT (or --template FILE)"
        )
    # Every output is checked before the long part: its suffix, that it is not
    # the input (links included), and that no unnamed summary replaces a file.
    _batch._table_format(args.input)
    target, side, _named = _batch.plan_outputs(args.output, args.summary)
    outputs = [("-o", target), ("--summary", side)]
    refuse_overwrite([args.input], outputs)
    check_distinct(outputs)
    table = _batch.read_table(args.input, limits)
    progress = ProgressBar(sys.stderr, "判定中 / classifying") if sys.stderr.isatty() else None
    inventory = _batch.classify_table(
        table, profile=args.profile, lang=args.lang, engine=args.engine, progress=progress
    )
    for note in inventory.notes:
        print(f"kyodo-rules: {clean(note)}", file=sys.stderr)
    errors = inventory.errors
    for error in errors[:MAX_SHOWN]:
        print(clean(str(error)), file=sys.stderr)
    if len(errors) > MAX_SHOWN:
        more = len(errors) - MAX_SHOWN
        print(
            f"…ほか {more} 件（出力の「入力エラー」列にすべてあります） / "
            f"…and {more} more (all are in the output's errors column)",
            file=sys.stderr,
        )
    written = _batch.write_inventory(args.output, inventory, args.summary)
    answered = len(inventory.outcomes) - inventory.bad_rows
    read, bad = len(inventory.outcomes), inventory.bad_rows
    print(
        f"{read} 行を読み込み、{answered} 件を判定、入力エラー {bad} 行 / "
        f"{read} rows read: {answered} answered, {bad} rows with errors → "
        + ", ".join(str(p) for p in written),
        file=sys.stderr,
    )
    return 1 if inventory.bad_rows else 0
