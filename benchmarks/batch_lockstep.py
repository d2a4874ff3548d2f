"""`kyodo-rules batch` end to end, two versions in turn: the before/after of the goal row.

    git archive <commit> src rules wizard | tar -x -C /tmp/before
    python benchmarks/batch_lockstep.py /tmp/before/src src 20000 4

The goal table's batch row (`goals.batch`: generated rows, the vocabulary's
headers, CSV and xlsx) run by each version's source tree in turn, the order
alternating each round, so that both see the machine as it is in those minutes
(its speed drifts by a quarter within a quarter of an hour, and other work on
it takes the cores a run would have). Printed: each round's rows per second of
wall time and per CPU second (the command and its workers together: what the
rows cost, whatever else runs), and the median of each version per format.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from goals import LIMITS, write_inventory  # noqa: E402


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(src: str, source: Path, target: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (with the workers it waited for) of one run."""
    env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
    cpu = _cpu()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kyodo_rules", "batch", str(source), "-o", str(target), *LIMITS],
        env=env,
        capture_output=True,
        text=True,
    )
    spent = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{src}: exit {done.returncode}: {done.stderr[-400:]}")
    return spent, _cpu() - cpu


def main(before: str, after: str, rows: int, rounds: int) -> None:
    versions = {"before": before, "after": after}
    with tempfile.TemporaryDirectory() as tmp:
        figures: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for suffix in (".csv", ".xlsx"):
            source = Path(tmp) / f"in{suffix}"
            write_inventory(source, rows)
            for k in range(rounds):
                order = list(versions) if k % 2 == 0 else list(reversed(versions))
                for name in order:
                    wall, cpu = run(versions[name], source, Path(tmp) / f"out-{name}{suffix}")
                    figures.setdefault((name, suffix), []).append((rows / wall, rows / cpu))
                    print(
                        f"{suffix} round {k} {name}: {rows / wall:,.0f} rows/s, "
                        f"{rows / cpu:,.0f} rows per CPU second",
                        flush=True,
                    )
        for suffix in (".csv", ".xlsx"):
            for what, at in (("rows/s", 0), ("rows per CPU second", 1)):
                b = statistics.median(f[at] for f in figures[("before", suffix)])
                a = statistics.median(f[at] for f in figures[("after", suffix)])
                print(f"{suffix} {what}: before {b:,.0f}, after {a:,.0f}, after/before {a / b:.2f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
