"""Two versions of kyodo-rules timed in lockstep: the honest before/after on a noisy machine.

    git worktree add /tmp/before <commit>
    python benchmarks/lockstep.py /tmp/before/src src mix 30
    python benchmarks/lockstep.py /tmp/before/src src unseen 20
    python benchmarks/lockstep.py /tmp/before/src src batch 40
    python benchmarks/lockstep.py /tmp/before/src src inventory 20
    KYODO_ANSWER_MEMO=0 python benchmarks/lockstep.py /tmp/before/src src json 30

This machine's speed drifts by 20-30 % from one quarter of an hour to the next,
so figures taken in separate runs compare the machine as much as the code.
Here both versions run at once, each in its own warmed process
(`lockstep_worker.py`), and answer the same slices of work in turn (the order
alternating), so that both see the machine as it is at that moment:

- mix: the goal table's mix (500 cases), 50 cases a slice, default `classify()`
  (the call alone: what a version that works parts out when read does at once);
- verdict: the same, the result read as a caller reads it (verdict, status,
  provisional): the goal table's first row;
- json: the same, the whole answer as JSON (`model_dump_json()`, open questions
  and what-if included): the goal table's second row;
- library: the library's cases, `classify(what_if=False)`, memos warm, the
  whole answer worked out (`missing_facts` read);
- unseen: 50 generated cases a slice never answered before, default `classify()`
  as JSON;
- batch: 200 generated cases a slice through `classify_many(what_if=False)` with
  the memos a batch worker keeps (2,048 entries);
- rows: 200 rows a slice of a generated inventory of distinct projects through
  what a batch worker does with them (`answer_rows`: the row read into facts,
  answered, and put into the sheet's words), with the same memos: the CPU of a
  worker's row.
- inventory: a generated sheet of 4,000 projects (each row its own) a slice,
  `answer_file` end to end in the process (read, answered, put in words,
  written): the CPU of a row of `kyodo-rules batch` (by the row); inventory_xlsx
  the same written as xlsx.

Printed: median, p99 and mean CPU seconds of the calling thread per call (per
row for batch, a slice's mean).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(before: str, after: str, mode: str, slices: int) -> None:
    procs = {}
    for name, src in (("before", before), ("after", after)):
        env = {**os.environ, "PYTHONPATH": str(Path(src).resolve())}
        procs[name] = subprocess.Popen(
            [sys.executable, str(HERE / "lockstep_worker.py"), mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
    for proc in procs.values():
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    samples: dict[str, list[float]] = {name: [] for name in procs}
    for k in range(slices):
        order = list(procs) if k % 2 == 0 else list(reversed(procs))
        for name in order:
            proc = procs[name]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(f"{k}\n")
            proc.stdin.flush()
            samples[name] += [float(x) for x in proc.stdout.readline().split()]
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    for name, values in samples.items():
        print(
            f"{mode} {name}: n={len(values)} median {statistics.median(values) * 1e6:.0f} µs, "
            f"p99 {percentile(values, 0.99) * 1e6:.0f} µs, "
            f"mean {statistics.mean(values) * 1e6:.0f} µs"
        )


if __name__ == "__main__":
    modes = (
        "mix",
        "verdict",
        "json",
        "library",
        "unseen",
        "batch",
        "rows",
        "inventory",
        "inventory_xlsx",
    )
    if len(sys.argv) != 5 or sys.argv[3] not in modes:
        sys.exit(f"usage: lockstep.py BEFORE_SRC AFTER_SRC {'|'.join(modes)} SLICES")
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
