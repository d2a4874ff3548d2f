"""`kyodo-rules batch` end to end, two versions run in turn, and where each run's time went.

    git archive <commit> src rules wizard | tar -x -C /tmp/before
    python benchmarks/batch_interleaved.py /tmp/before/src src 20000 3 --distinct --no-memo
    python benchmarks/batch_interleaved.py /tmp/before/src src 100000 2 --formats xlsx --memo

The goal table's batch rows (`goals.batch`: generated rows, the vocabulary's
headers) run by each version's source tree in turn, the order alternating each
round, so that both see the machine as it is in those minutes. Each run's
process tree is sampled every 50 ms from /proc (Linux): wall time, CPU of every
process (the command's own, "parent", apart), the peak RSS summed over them,
and from /proc/PID/schedstat how long the busiest processes waited for a CPU
while ready to run and how long they slept. A worker that waits for a CPU is
slowed by other work on the machine (or by too many processes for the cores);
a worker that sleeps waits for rows, i.e. for the parent: the two call for
different remedies.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from goals import LIMITS, process_tree, write_inventory  # noqa: E402


@dataclass
class Watched:
    """What the samples of one run's process tree saw."""

    rss: dict[int, int] = field(default_factory=dict)  # pid -> largest KiB
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds
    sched: dict[int, tuple[float, float]] = field(default_factory=dict)  # on CPU, waiting
    peak: int = 0  # largest KiB summed over the tree

    def sample(self, root: int) -> None:
        self.peak = max(self.peak, process_tree(root, self.rss, self.cpu, self.sched))


@dataclass
class Run:
    rows_per_s: float
    cpu_us: float  # CPU of every process, a row
    parent_us: float  # the command's own process, a row
    peak_mb: float
    #: the two busiest processes besides the parent: (on CPU, waiting for a CPU, asleep) s
    workers: list[tuple[float, float, float]]


def run(src: str, source: Path, target: Path, rows: int, memo: bool) -> Run:
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    if not memo:
        env["KYODO_ANSWER_MEMO"] = "0"
    for old in (target, target.with_name(f"{target.stem}.summary.csv")):
        old.unlink(missing_ok=True)
    command = [sys.executable, "-m", "kyodo_rules", "batch", str(source), "-o", str(target)]
    watched = Watched()
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, *LIMITS], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    while process.poll() is None:
        watched.sample(process.pid)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    said = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{src}: exit {process.returncode}: {said[-400:]}")
    others = sorted(
        (p for p in watched.sched if p != process.pid), key=lambda p: -watched.sched[p][0]
    )[:2]
    workers = [(*watched.sched[p], wall - sum(watched.sched[p])) for p in others]
    return Run(
        rows / wall,
        sum(watched.cpu.values()) / rows * 1e6,
        watched.cpu.get(process.pid, 0.0) / rows * 1e6,
        watched.peak / 1024,
        workers,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("rows", type=int)
    parser.add_argument("rounds", type=int)
    parser.add_argument("--distinct", action="store_true", help="every row a project of its own")
    parser.add_argument("--memo", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    versions = {"before": args.before, "after": args.after}
    kind = "distinct" if args.distinct else "500 repeated"
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (f".{f}" for f in args.formats.split(",")):
            source = Path(tmp) / f"in{suffix}"
            write_inventory(source, args.rows, args.distinct)
            runs: dict[str, list[Run]] = {name: [] for name in versions}
            for k in range(args.rounds):
                order = list(versions) if k % 2 == 0 else list(reversed(versions))
                for name in order:
                    target = Path(tmp) / f"out-{name}{suffix}"
                    one = run(versions[name], source, target, args.rows, args.memo)
                    runs[name].append(one)
                    waits = ", ".join(f"{c:.1f}/{w:.1f}/{s:.1f}" for c, w, s in one.workers)
                    print(
                        f"{suffix} {kind} memo={args.memo} round {k} {name}: "
                        f"{one.rows_per_s:,.0f} rows/s, {one.cpu_us:.0f} µs CPU a row "
                        f"(parent {one.parent_us:.0f}), peak {one.peak_mb:.0f} MB; "
                        f"workers on CPU/waiting for a CPU/asleep s: {waits}",
                        flush=True,
                    )
            for name, done in runs.items():
                print(
                    f"== {suffix} {args.rows:,} rows ({kind}, memo={args.memo}) {name}: "
                    f"median {statistics.median(r.rows_per_s for r in done):,.0f} rows/s, "
                    f"{statistics.median(r.cpu_us for r in done):.0f} µs CPU a row (parent "
                    f"{statistics.median(r.parent_us for r in done):.0f}), "
                    f"peak {max(r.peak_mb for r in done):.0f} MB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
