"""`kyodo-rules batch` end to end on generated inventories: rows/s and peak memory.

    python benchmarks/batch_scale.py                 # 100,000 rows, CSV and xlsx, --jobs default
    python benchmarks/batch_scale.py --rows 10000,50000,100000 --format csv  # flat in rows?
    python benchmarks/batch_scale.py --rows 20000 --jobs 1 --format csv

Each inventory is written once (kept under --keep DIR to rerun), then the
installed `kyodo-rules batch` runs on it as a user would run it. The peak RSS
is the largest sum over the command and its worker processes, sampled every
50 ms from /proc (Linux); the largest RSS of each process is shown beside it
(the command, the fork server and resource tracker, each worker). Prints one
line per run with the command that reproduces it, and the machine's load
average at the start of each run.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.wording.field_labels import FIELD_LABELS
from strategies import inventory_row

FIELDS = ("title", *FIELD_KINDS)


def generate(path: Path, rows: int, seed: int = 13) -> None:
    rng = random.Random(seed)
    headers = [FIELD_LABELS[f] for f in FIELDS]
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for n in range(rows):
                writer.writerow(["" if c is None else c for c in inventory_row(rng, n)[1]])
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("事業一覧")
    sheet.append(headers)
    for n in range(rows):
        sheet.append(inventory_row(rng, n)[1])
    book.save(path)


def _tree_rss(pid: int, each: dict[int, int] | None = None) -> tuple[int, int]:
    """KiB resident in `pid` and every process below it: (RSS, PSS).

    The RSS sum counts pages the workers share with their fork server once per
    process; the PSS sum shares them out, and is what the tree really holds.
    `each` gets every process's largest RSS so far.
    """
    total = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
                if each is not None:
                    each[current] = max(each.get(current, 0), int(line.split()[1]))
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
        stack.extend(int(c) for c in children)
    return total, pss


def run(command: list[str], each: dict[int, int]) -> tuple[float, tuple[int, int], int]:
    """(seconds, peak KiB summed over the process tree as (RSS, PSS), exit code)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = (0, 0)
    while process.poll() is None:
        rss, pss = _tree_rss(process.pid, each)
        peak = (max(peak[0], rss), max(peak[1], pss))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    err = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):
        print(err, file=sys.stderr)
    return seconds, peak, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=lambda text: [int(n) for n in text.replace("_", "").split(",")],
        default=[100_000],
        help="rows of each inventory, e.g. 10000,50000,100000",
    )
    parser.add_argument("--format", choices=["csv", "xlsx", "both"], default="both")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--engine", choices=["durable", "python"], default="durable")
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the generated inputs here")
    args = parser.parse_args()
    exe = shutil.which("kyodo-rules") or str(Path(sys.executable).parent / "kyodo-rules")
    where = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kyodo-batch-"))
    where.mkdir(parents=True, exist_ok=True)
    formats = ["csv", "xlsx"] if args.format == "both" else [args.format]
    try:
        for suffix, rows in ((s, r) for s in formats for r in args.rows):
            source = where / f"inventory-{rows}.{suffix}"
            if not source.exists():
                generate(source, rows)
            print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"{os.cpu_count()} cores")  # fmt: skip
            out = where / f"answers-{rows}.{suffix}"
            for stale in (out, out.with_name(f"{out.stem}.summary{out.suffix}")):
                stale.unlink(missing_ok=True)
            command = [exe, "batch", str(source), "-o", str(out), "--engine", args.engine]
            if suffix == "xlsx":
                # 100,000 generated rows are 120 MB of sheet XML, over the default limits.
                command += ["--limit", "mb=2000", "--limit", "member_mb=2000"]
            if args.jobs is not None:
                command += ["--jobs", str(args.jobs)]
            each: dict[int, int] = {}
            seconds, peak, code = run(command, each)
            print(
                f"{suffix}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} "
                f"rows/s, peak RSS {peak[0] / 1024:,.0f} MB / PSS {peak[1] / 1024:,.0f} MB "
                f"(summed over all processes), exit {code}\n"
                f"    each process's peak RSS, in order of start: "
                f"{', '.join(f'{kib / 1024:,.0f}' for _, kib in sorted(each.items()))} MB\n"
                f"    {' '.join(command)}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(where, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
