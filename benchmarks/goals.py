"""The goal table of issue 13, measured by `bench.py`: each figure beside its reference.

Every ratio is taken in one run, with interleaved passes (the call, then its
reference, on the same inputs, again and again) and CPU time of the calling
thread, so that a loaded machine slows both alike.
"""

from __future__ import annotations

import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
    "median": 150e-6,
    "p99": 2e-3,
    "ratio": 50.0,
    "rows_per_s": 5_000,
    "rss_mb": 300,
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


def interleaved(calls: dict[str, Call], inputs: list[Any], passes: int) -> dict[str, list[float]]:
    """CPU seconds per call of each, passes alternating between them over the same inputs."""
    clock = time.thread_time
    out: dict[str, list[float]] = {name: [] for name in calls}
    # One untimed pass first: the steady state is measured. The one-time costs
    # (the rulebase's load, each rule and each field's evaluator compiled on
    # first use, about 1 ms each) are the "first classify()" row's.
    for item in inputs:
        for call in calls.values():
            call(item)
    for _ in range(passes):
        for name, call in calls.items():
            samples = out[name]
            for item in inputs:
                start = clock()
                call(item)
                samples.append(clock() - start)
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def per_call(classifier: Classifier, inputs: list[Any], passes: int) -> dict[str, Any]:
    """Default classify() (durable-rules, what-if, provisional, open questions) and references."""
    calls: dict[str, Call] = {
        "classify": lambda it: classifier.classify(it[0], profile=it[1]),
        "hand": lambda it: hand_written(it[0]),
    }
    zen = zen_decision()
    if zen is not None:
        calls["zen"] = lambda it: zen.evaluate(it[0])
    data = interleaved(calls, inputs, passes)
    out = {name: (statistics.median(v), percentile(v, 0.99)) for name, v in data.items()}
    out["zen_installed"] = zen is not None
    return out


def unseen(size: int = 500) -> dict[str, float]:
    """Default classify() on cases the process has never answered (one pass, no repeats).

    The goal table's passes repeat the mix, so the second pass onwards finds
    the policy's memos (by rule statuses) filled by the first. Here a fresh
    classifier is warmed on other generated cases (every evaluator compiled),
    then each case is asked once: what an inventory of distinct projects costs.
    """
    classifier = Classifier()
    rng = random.Random(2026)
    for _ in range(size):
        classifier.classify(random_facts(rng))
    fresh = [random_facts(rng) for _ in range(size)]
    clock = time.thread_time
    samples = []
    for facts in fresh:
        start = clock()
        classifier.classify(facts)
        samples.append(clock() - start)
    return {"median": statistics.median(samples), "p99": percentile(samples, 0.99)}


def scaled(passes: int) -> dict[str, Any]:
    """Every library case on a rulebase with every rule 8 times: errors, and cost vs shipped."""
    base = load_rulebase()
    shipped, large = Classifier(rulebase=base), Classifier(rulebase=repeated(base, 8))
    cases = [(dict(c.facts), c.profile) for c in load_cases()]
    errors = []
    for facts, profile in cases:
        try:
            large.classify(facts, profile=profile)
        except Exception as exc:  # counted: the figure is how many fail, and why
            errors.append(f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:200])
    data = interleaved(
        {
            "shipped": lambda it: shipped.classify(it[0], profile=it[1]),
            "x8": lambda it: large.classify(it[0], profile=it[1]),
        },
        cases,
        passes,
    )
    return {
        "cases": len(cases),
        "errors": errors,
        "rules": (len(base.rules), len(large.rulebase.rules)),
        "shipped": statistics.median(data["shipped"]),
        "x8": statistics.median(data["x8"]),
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


_MEASURED = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.PIPE, text=True); "
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
    "done.returncode); print(done.stderr.strip()[-300:])"
)
#: A generated sheet of 100,000 rows is larger than the default reading limits
#: allow for an xlsx file's XML; the row count itself is within them.
LIMITS = ("--limit", "mb=2000", "--limit", "member_mb=2000", "--limit", "ratio=1000")


def batch(
    cli: list[str],
    rows: int,
    suffixes: tuple[str, ...] = (".csv", ".xlsx"),
    distinct: bool = False,
) -> dict[str, tuple[float, float, int, str]]:
    """`kyodo-rules batch` end to end on CSV and xlsx: seconds, peak RSS (MB), exit code,
    and the end of what it said on stderr."""
    out: dict[str, tuple[float, float, int, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in suffixes:
            source = Path(tmp) / f"in{suffix}"
            write_inventory(source, rows, distinct)
            target = Path(tmp) / f"out{suffix}"
            done = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _MEASURED,
                    *cli,
                    "batch",
                    str(source),
                    "-o",
                    str(target),
                    *LIMITS,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures, _, said = done.stdout.partition("\n")
            seconds, rss, code = figures.split()
            out[suffix] = (float(seconds), int(rss) / 1024, int(code), said.strip())
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
