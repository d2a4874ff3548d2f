"""The goal table of issue 24, measured by `bench.py`: each figure beside its reference.

Every ratio is taken in one run, with interleaved passes (the call, then its
reference, on the same inputs, again and again), so that a loaded machine
slows both alike: CPU time of the calling thread against the hand-written
decision, wall-clock time against zen-engine (which works on threads of its
own). Every figure is given without the whole-answer memo (a classifier with
`answer_memo=0`, `KYODO_ANSWER_MEMO=0` for the batch command) and with it.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference import hand_written, zen_decision

from kyodo_rules.decision.classify import Classifier
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.loading import load_rulebase
from scaled import repeated
from strategies import random_facts

GOALS = {
    "verdict_ratio": 50.0,  # × the hand-written decision
    "verdict_zen": 0.8,  # × zen-engine, wall clock
    "json_ratio": 80.0,
    "json_zen": 1.5,
    "json_p99_ratio": 600.0,  # p99 × the hand-written decision's median
    "rows_per_s": 5_000,  # every row a different project
    "repeated_rows_per_s": 10_000,  # 500 projects repeated
    "rss_mb": 300,  # summed over every process of the command
    "scale_ratio": 10.0,
}

Call = Callable[[Any], Any]


def mix(size: int = 500) -> list[tuple[dict[str, Any], str]]:
    """The benchmark mix: every library case, then generated cases (seeded) up to `size`."""
    out = [(dict(c.facts), c.profile) for c in load_cases()]
    rng = random.Random(13)
    while len(out) < size:
        out.append((random_facts(rng), "generic"))
    return out


def interleaved(
    calls: dict[str, Call], inputs: list[Any], passes: int
) -> dict[str, tuple[list[float], list[float]]]:
    """(CPU seconds of the calling thread, wall seconds) per call of each, passes
    alternating between them over the same inputs."""
    cpu, wall = time.thread_time, time.perf_counter
    out: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in calls}
    # One untimed pass first: the steady state is measured. The one-time costs
    # (the rulebase's load, each rule and each field's evaluator compiled on
    # first use, about 1 ms each) are the "first classify()" row's.
    for item in inputs:
        for call in calls.values():
            call(item)
    for _ in range(passes):
        for name, call in calls.items():
            cpus, walls = out[name]
            for item in inputs:
                start, started = cpu(), wall()
                call(item)
                walls.append(wall() - started)
                cpus.append(cpu() - start)
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _read_as_a_caller(result: Any) -> Any:
    """What a caller who wants the answer reads: the verdict, its status, the provisional."""
    return result.verdict, result.status, result.provisional


def per_call(inputs: list[Any], passes: int) -> dict[str, Any]:
    """Default classify() read as a caller reads it, and as JSON (the whole answer), without
    and with the whole-answer memo; the hand-written decision; zen-engine if installed.

    Per call: (median, p99) of CPU time, and the median of wall time."""
    from kyodo_rules.decision.classify import ANSWER_MEMO  # (lockstep's "before" has none)

    free, memo = Classifier(answer_memo=0), Classifier(answer_memo=ANSWER_MEMO)
    calls: dict[str, Call] = {
        "verdict": lambda it: _read_as_a_caller(free.classify(it[0], profile=it[1])),
        "verdict_memo": lambda it: _read_as_a_caller(memo.classify(it[0], profile=it[1])),
        "json": lambda it: free.classify(it[0], profile=it[1]).model_dump_json(),
        "json_memo": lambda it: memo.classify(it[0], profile=it[1]).model_dump_json(),
        "hand": lambda it: hand_written(it[0]),
    }
    zen = zen_decision()
    if zen is not None:
        calls["zen"] = lambda it: zen.evaluate(it[0])
    data = interleaved(calls, inputs, passes)
    out: dict[str, Any] = {
        name: (statistics.median(c), percentile(c, 0.99), statistics.median(w))
        for name, (c, w) in data.items()
    }
    out["zen_installed"] = zen is not None
    return out


def unseen(size: int = 500) -> dict[str, float]:
    """Default classify() on cases the process has never answered (one pass, no repeats).

    The goal table's passes repeat the mix, so the second pass onwards finds
    the policy's memos (by rule statuses) filled by the first. Here a fresh
    classifier (no whole-answer memo) is warmed on other generated cases (every
    evaluator compiled), then each case is asked once, every other one read as
    JSON: what an inventory of distinct projects costs.
    """
    classifier = Classifier(answer_memo=0)
    rng = random.Random(2026)
    for _ in range(size):
        classifier.classify(random_facts(rng)).model_dump_json()
    fresh = [random_facts(rng) for _ in range(size)]
    clock = time.thread_time
    verdict, whole = [], []
    for n, facts in enumerate(fresh):
        start = clock()
        result = classifier.classify(facts)
        if n % 2:
            result.model_dump_json()
            whole.append(clock() - start)
        else:
            _read_as_a_caller(result)
            verdict.append(clock() - start)
    return {
        "verdict": (statistics.median(verdict), percentile(verdict, 0.99)),
        "json": (statistics.median(whole), percentile(whole, 0.99)),
    }


def scaled(passes: int) -> dict[str, Any]:
    """Every library case on a rulebase with every rule 8 times: errors, and cost vs shipped."""
    base = load_rulebase()
    shipped = Classifier(rulebase=base, answer_memo=0)
    large = Classifier(rulebase=repeated(base, 8), answer_memo=0)
    cases = [(dict(c.facts), c.profile) for c in load_cases()]
    errors = []
    for facts, profile in cases:
        try:
            large.classify(facts, profile=profile).model_dump_json()
        except Exception as exc:  # counted: the figure is how many fail, and why
            errors.append(f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:200])
    data = interleaved(
        {
            "shipped": lambda it: shipped.classify(it[0], profile=it[1]).model_dump_json(),
            "x8": lambda it: large.classify(it[0], profile=it[1]).model_dump_json(),
        },
        cases,
        passes,
    )
    return {
        "cases": len(cases),
        "errors": errors,
        "rules": (len(base.rules), len(large.rulebase.rules)),
        "shipped": statistics.median(data["shipped"][0]),
        "x8": statistics.median(data["x8"][0]),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def write_inventory(path: Path, rows: int, distinct: bool = False) -> None:
    """`rows` generated projects, one a row, headed by the vocabulary's field names.

    By default 500 generated projects repeated (the row the goal table has
    always measured; the classifier's memos meet each project again); with
    `distinct`, every row a project of its own (no answer is met twice).
    """
    rng = random.Random(100)
    headers = ["title", *FIELD_KINDS]
    facts = [random_facts(rng) for _ in range(rows if distinct else 500)]
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for n in range(rows):
                f = facts[n % len(facts)]
                writer.writerow([f"事業{n}", *(_cell(f.get(k)) for k in FIELD_KINDS)])
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("一覧")
    sheet.append(headers)
    for n in range(rows):
        f = facts[n % len(facts)]
        sheet.append([f"事業{n}", *(_cell(f.get(k)) or None for k in FIELD_KINDS)])
    book.save(path)


#: A generated sheet of 100,000 rows is larger than the default reading limits
#: allow for an xlsx file's XML; the row count itself is within them.
LIMITS = ("--limit", "mb=2000", "--limit", "member_mb=2000", "--limit", "ratio=1000")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Run:
    """One `kyodo-rules batch` run, watched from outside."""

    seconds: float
    #: the largest sum of RSS over the command and every process below it (MB)
    summed_mb: float
    #: the largest RSS of any one of them (MB)
    largest_mb: float
    #: CPU seconds of all of them together (sampled every 50 ms: a little short)
    cpu: float
    code: int
    said: str


def process_tree(
    pid: int,
    rss: dict[int, int],
    cpu: dict[int, float],
    sched: dict[int, tuple[float, float]] | None = None,
) -> int:
    """KiB resident in `pid` and every process below it; each one's largest RSS and CPU
    seconds so far go to `rss` and `cpu`, and, when asked, its seconds on a CPU and
    waiting for one (`/proc/PID/schedstat`) to `sched`."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            stat = Path(f"/proc/{current}/stat").read_text()
            timing = (
                Path(f"/proc/{current}/schedstat").read_text().split() if sched is not None else []
            )
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                kib = int(line.split()[1])
                total += kib
                rss[current] = max(rss.get(current, 0), kib)
        fields = stat.rsplit(")", 1)[1].split()
        cpu[current] = max(cpu.get(current, 0.0), (int(fields[11]) + int(fields[12])) / _TICK)
        if sched is not None:
            sched[current] = (int(timing[0]) / 1e9, int(timing[1]) / 1e9)
        stack.extend(int(c) for c in children)
    return total


def batch(
    cli: list[str],
    rows: int,
    suffixes: tuple[str, ...] = (".csv", ".xlsx"),
    distinct: bool = False,
    memo: bool = True,
) -> dict[str, Run]:
    """`kyodo-rules batch` end to end on CSV and xlsx, the process tree sampled every
    50 ms from /proc (Linux); without the whole-answer memo if `memo` is False."""
    out: dict[str, Run] = {}
    env = dict(os.environ)
    if not memo:
        env["KYODO_ANSWER_MEMO"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in suffixes:
            source = Path(tmp) / f"in{suffix}"
            write_inventory(source, rows, distinct)
            target = Path(tmp) / f"out{suffix}"
            command = [*cli, "batch", str(source), "-o", str(target), *LIMITS]
            rss: dict[int, int] = {}
            cpu: dict[int, float] = {}
            peak = 0
            start = time.perf_counter()
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
            )
            while process.poll() is None:
                peak = max(peak, process_tree(process.pid, rss, cpu))
                time.sleep(0.05)
            seconds = time.perf_counter() - start
            said = process.stderr.read().decode() if process.stderr else ""
            out[suffix] = Run(
                seconds,
                peak / 1024,
                max(rss.values(), default=0) / 1024,
                sum(cpu.values()),
                process.returncode,
                said.strip()[-300:],
            )
    return out


def load() -> str:
    """The load average, and the time of a fixed piece of pure Python: this machine's
    speed drifts by 20-30 % within minutes (its host is shared), so a run's figures
    are read beside how fast the machine was at its start and end."""
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min); "
        f"a fixed reference loop took {reference_loop() * 1e3:.1f} ms"
    )


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python workload (the best of five)."""
    best = float("inf")
    for _ in range(5):
        start = time.thread_time()
        total = 0
        for n in range(300_000):
            total += n % 7
        best = min(best, time.thread_time() - start)
    return best
