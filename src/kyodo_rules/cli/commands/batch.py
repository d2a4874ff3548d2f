"""`kyodo-rules batch IN -o OUT`: answer a whole project inventory (CSV or Excel).

The list is read as a city keeps it: the sheet that holds it (or `--sheet`),
its header among the first rows, its own column names and words, totals and
notes below it left unanswered but kept; `--map FILE` says what no table can
guess, and `--template map.yaml` writes one to start from. Rows are answered
and written as they are read (memory stays flat however long the sheet), by
`--jobs` worker processes on a large sheet, in the input's order. Exit codes
follow the rest of the CLI: 0 every cell read, 1 some cells or rows could not
be read (each reported as `row N: field: problem`; the rows are answered with
what could be read), 2 the file itself could not be read or written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TextIO

from kyodo_rules.cli import options
from kyodo_rules.cli.options import shown
from kyodo_rules.files.sheetguard import LIMIT_HELP
from kyodo_rules.model.errors import InputError

#: Row errors printed on stderr; all of them are in the output's 入力エラー column.
MAX_SHOWN = 20
#: A `--template` with one of these suffixes is a map file (for `--map`).
MAP_SUFFIXES = (".yaml", ".yml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="IN",
        nargs="?",
        help=(
            "事業一覧 (.xlsx / .csv)：1行に1事業。列名の行は最初の30行から探します"
            "（上の表題・作成日の行はそのまま残します） / the inventory, one project a row; "
            "its header is found among the first 30 rows"
        ),
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
        help="空の入力用シート（.xlsx/.csv、日本語の列名・選択肢つき）を作る。.yaml なら IN の"
        "読み方（--map 用）を書き出す / write an empty input sheet; with .yaml, a map file for IN",
    )
    parser.add_argument(
        "--sheet",
        metavar="NAME",
        help="読むシート（既定: 列名の行があるシート） / the sheet to read (default: the one "
        "with the list)",
    )
    parser.add_argument(
        "--map",
        metavar="FILE",
        help="列名と語の読み方（YAML: 相手の列名 → 項目、相手の語 → コード） / how to read "
        "this list's columns and words (YAML)",
    )
    parser.add_argument(
        "--no-guess",
        action="store_true",
        help="事業名・概要から事実を推定しない / presume no facts from project names or summaries",
    )
    parser.add_argument(
        "--report",
        metavar="FILE.html",
        help="印刷用の一覧（A4 横）も保存する / also write a printable page (A4 landscape)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        metavar="N",
        type=int,
        default=None,
        help="並列に判定するプロセス数（既定: CPU の数） / worker processes (default: all cores)",
    )
    options.rules_dir(parser)
    options.profile(parser)
    options.lang(parser)
    parser.add_argument(
        "--engine",
        choices=["durable", "python"],
        default="durable",
        help="ルールエンジン（python は速く、結果は同じ） / rule engine; python is faster",
    )


class ProgressBar:
    """A one-line bar on a terminal. Not `tqdm` or `rich`: one line of progress
    does not justify a dependency every city PC must install.

    Without a total (an xlsx does not say how many rows it holds) it counts rows.
    """

    def __init__(self, stream: TextIO, label: str, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        self._last = 0.0
        self._start = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - self._last < 0.1:
            return
        self._last = now
        if total is None:
            rate = done / max(now - self._start, 1e-9)
            self.stream.write(f"\r{self.label} {done:,} ({rate:,.0f}/s)")
        else:
            filled = self.width * done // total if total else self.width
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if finished:
            self.stream.write("\n")
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    from kyodo_rules.files.cells import clean
    from kyodo_rules.files.safeio import check_distinct, refuse_overwrite
    from kyodo_rules.files.sheetguard import parse_limits
    from kyodo_rules.outputs import inventory

    limits = parse_limits(args.limit)
    jobs = args.jobs if args.jobs is not None else inventory.default_jobs()
    if not 1 <= jobs <= 256:
        raise InputError(f"--jobs {args.jobs}: allowed: 1-256")
    mapping = inventory.load_map(args.map) if args.map else None
    if args.template:
        refuse_overwrite([p for p in (args.input, args.map) if p], [("--template", args.template)])
        if Path(args.template).suffix.lower() in MAP_SUFFIXES:
            if not args.input:
                raise InputError(
                    "batch --template map.yaml: 読み方を書き出す一覧（IN）を指定してください / "
                    "give the list (IN) whose map to write"
                )
            text = inventory.map_of_file(
                args.input, limits=limits, sheet=args.sheet, mapping=mapping
            )
            path = inventory.write_map_template(args.template, text)
            print(
                f"読み方のファイルを作成しました（--map {shown(path)} で使います） / "
                f"map written: {shown(path)}",
                file=sys.stderr,
            )
            if not args.output:
                return 0
        else:
            path = inventory.write_template(args.template)
            print(f"入力用シートを作成しました / template written: {shown(path)}", file=sys.stderr)
            if not args.input:
                return 0
    if not args.input or not args.output:
        raise InputError(
            "batch: 入力ファイルと -o 出力ファイルを指定してください / "
            "give IN and -o OUT (or --template FILE)"
        )
    # Every output is checked before the long part: its suffix, that it is not
    # the input (links included), and that no unnamed summary replaces a file.
    inventory.table_format(args.input)
    target, side, _named = inventory.plan_outputs(args.output, args.summary)
    if args.report is not None and Path(args.report).suffix.lower() not in (".html", ".htm"):
        raise InputError(f"--report {args.report}: 拡張子は .html にしてください / expected .html")
    outputs = [("-o", target), ("--summary", side), ("--report", args.report)]
    refuse_overwrite([p for p in (args.input, args.map) if p], outputs)
    check_distinct(outputs)
    classifier = options.classifier_for(args.rules_dir)
    progress = ProgressBar(sys.stderr, "判定中 / classifying") if sys.stderr.isatty() else None
    report = inventory.answer_file(
        args.input,
        args.output,
        summary=args.summary,
        limits=limits,
        classifier=classifier,
        profile=args.profile,
        lang=args.lang,
        engine=args.engine,
        jobs=jobs,
        progress=progress,
        sheet=args.sheet,
        mapping=mapping,
        guess=not args.no_guess,
        report=args.report,
    )
    for note in report.notes:
        print(f"kyodo-rules: {clean(note)}", file=sys.stderr)
    for error in report.errors[:MAX_SHOWN]:
        print(clean(str(error)), file=sys.stderr)
    if report.error_count > MAX_SHOWN:
        more = report.error_count - MAX_SHOWN
        print(
            f"…ほか {more} 件（出力の「入力エラー」列にすべてあります） / "
            f"…and {more} more (all are in the output's errors column)",
            file=sys.stderr,
        )
    read, bad = report.read, report.bad
    skipped = f"、合計・注記の {report.skipped} 行は判定せず残しました" if report.skipped else ""
    skipped_en = f", {report.skipped} totals/notes rows kept unanswered" if report.skipped else ""
    print(
        f"{read} 行を読み込み、{report.answered} 件を判定、入力エラー {bad} 行{skipped} / "
        f"{read} rows read: {report.answered} answered, {bad} rows with errors{skipped_en} → "
        + ", ".join(str(p) for p in report.files),
        file=sys.stderr,
    )
    return 1 if bad else 0
