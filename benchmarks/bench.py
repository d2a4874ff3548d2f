"""Benchmark of kyodo-rules: one command, a Markdown table, optional docs/performance.md.

    python benchmarks/bench.py            # full run (100,000 cases and rows; several minutes)
    python benchmarks/bench.py --quick    # smaller sizes, for a quick look
    python benchmarks/bench.py --write    # also write docs/performance.md

First the goal table of issue 13 (`goals.py`), each figure with the ratio to
its reference measured in the same run: the default `classify()` over the
benchmark mix against a hand-written Python decision of the 事例 and, when
zen-engine is installed (`pip install zen-engine`, the `bench` extra), its
`evaluate()` of the same rules; `kyodo-rules batch` end to end on 100,000
generated rows (CSV and xlsx) with peak RSS; a rulebase with every rule
repeated 8 times against the shipped one; the wizard's launch and `check`.
Then: import time (fresh interpreter, median of 5), the first call (rulebase
load and compile), `classify()` median and p99 over the case library with and
without `would_be_kyodo_if` on both backends, the plain-Python evaluator as the
floor, batch throughput and peak RSS over generated cases, 100,000 sequential
calls and 8 threads x 2,000 calls (errors, equality with the sequential run),
and `kyodo-rules --help`. Where a target is missed, a cProfile summary says
where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The test suite's generators: the benchmark draws the same kinds of cases.
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import goals  # noqa: E402

from kyodo_rules import classify  # noqa: E402
from kyodo_rules.decision.classify import EngineName, default_classifier  # noqa: E402
from kyodo_rules.rulebase.case_library import load_cases  # noqa: E402
from kyodo_rules.rulebase.readings import flatten  # noqa: E402
from strategies import random_facts  # noqa: E402

TARGETS = {
    "durable_median": 150e-6,
    "durable_whatif_median": 20e-3,
    "durable_batch": 6_000,
    "python_batch": 100_000,
    "wizard_first": 0.5,
    "check": 30.0,
}


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:,.2f} ms"
    return f"{seconds:,.2f} s"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timings(call: Callable[[Any], Any], inputs: list[Any], minimum: int) -> list[float]:
    """Per-call wall times over `inputs`, repeated until at least `minimum` samples."""
    for item in inputs[:20]:
        call(item)
    out: list[float] = []
    clock = time.perf_counter
    while len(out) < minimum:
        for item in inputs:
            start = clock()
            call(item)
            out.append(clock() - start)
    return out


def subprocess_median(argv: list[str], runs: int = 5, parse: bool = False) -> float:
    values = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=True, cwd=ROOT)
        elapsed = time.perf_counter() - start
        values.append(float(done.stdout.strip().splitlines()[-1]) if parse else elapsed)
    return statistics.median(values)


#: The benchmark's own tmux server: sessions started back to back on the
#: default one sometimes meet "server exited unexpectedly" as the last closes.
TMUX = ("tmux", "-L", f"kyodo-bench-{os.getpid()}")


def _tmux_session(session: str, command: str) -> None:
    """A detached 80x24 session running `command` (asked again if tmux's server was exiting)."""
    for attempt in range(3):
        done = subprocess.run(
            [*TMUX, "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command],
            capture_output=True,
        )
        if done.returncode == 0:
            return
        time.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"tmux would not start a session: {done.stderr.decode().strip()}")


def wizard_first_questions(runs: int) -> tuple[float, float] | None:
    """Launch to the first question on screen, and to the first rule-derived one.

    Measured in a real 80x24 terminal (tmux), polling the screen every 5 ms:
    the wizard asks the project's title first (while the rulebase loads), then
    the first question the rules need (自助).
    """
    if shutil.which("tmux") is None:
        return None
    first, second = [], []
    exe = " ".join(cli_argv())
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            session = f"kyodo-bench-{os.getpid()}-{n}"
            command = (
                f"cd {tmp} && {exe} wizard --profile generic --session {tmp}/s{n}.yaml; sleep 5"
            )
            subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)
            start = time.perf_counter()
            _tmux_session(session, command)

            def wait_for(mark: str, session: str = session) -> float:
                deadline = time.perf_counter() + 20
                while time.perf_counter() < deadline:
                    screen = subprocess.run(
                        [*TMUX, "capture-pane", "-p", "-t", session],
                        capture_output=True,
                        text=True,
                    ).stdout
                    if mark in screen:
                        return time.perf_counter()
                    time.sleep(0.005)
                raise TimeoutError(f"wizard did not show {mark!r}")

            first.append(wait_for("[1]") - start)
            subprocess.run([*TMUX, "send-keys", "-t", session, "Enter"], check=True)
            shown = time.perf_counter()
            second.append(wait_for("[2]") - shown)
            subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)
    return statistics.median(first), statistics.median(second)


def wizard_profile_choice(runs: int) -> float | None:
    """Launch to the first question of `kyodo-rules wizard` with no profile given:
    the choice of profile, a questionary list (median of `runs`, tmux 80×24)."""
    if shutil.which("tmux") is None:
        return None
    times = []
    exe = " ".join(cli_argv())
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            session = f"kyodo-bench-choice-{os.getpid()}-{n}"
            command = f"cd {tmp} && {exe} wizard --session {tmp}/c{n}.yaml; sleep 5"
            start = time.perf_counter()
            _tmux_session(session, command)
            deadline = start + 20
            while time.perf_counter() < deadline:
                screen = subprocess.run(
                    [*TMUX, "capture-pane", "-p", "-t", session], capture_output=True, text=True
                ).stdout
                if "(generic)" in screen:  # the list's first entry: the choice is drawn
                    times.append(time.perf_counter() - start)
                    break
                time.sleep(0.005)
            subprocess.run([*TMUX, "kill-session", "-t", session], capture_output=True)
    return statistics.median(times) if times else None


def check_run() -> tuple[float, int, bool, float]:
    """`kyodo-rules check` on the shipped rulebase: wall time, inputs explored, clean,
    and its CPU time (what a loaded machine does not inflate much)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([*cli_argv(), "check", "--json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    data = json.loads(done.stdout)
    return elapsed, int(data["inputs_explored"]), bool(data["clean"]), cpu


def cli_argv() -> list[str]:
    script = Path(sys.executable).with_name("kyodo-rules")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kyodo_rules"]


def digest(result: Any) -> bytes:
    return hashlib.blake2b(result.model_dump_json().encode(), digest_size=16).digest()


def profile_summary(call: Callable[[Any], Any], inputs: list[Any], lines: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for item in inputs:
        call(item)
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(lines)
    text = stream.getvalue()
    body = text[text.find("   ncalls") :] if "   ncalls" in text else text
    return "\n".join(line.rstrip() for line in body.splitlines() if line.strip())


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.notes: list[str] = []
        self.profiles: list[tuple[str, str]] = []

    def add(self, what: str, value: str, target: str = "", verdict: str = "") -> None:
        self.rows.append((what, value, target, verdict))
        print(f"  {what}: {value}" + (f"  (target {target}: {verdict})" if target else ""))
        sys.stdout.flush()

    def markdown(self) -> str:
        out = ["| measure | value | target | |", "|---|---|---|---|"]
        out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(out)


def check(ok: bool) -> str:
    return "met" if ok else "**missed**"


def run(quick: bool) -> Report:
    report = Report()
    batch = 10_000 if quick else 100_000
    per_thread = 250 if quick else 2_000
    threads = 8
    samples = 1_000 if quick else 5_000
    runs = 3 if quick else 5

    report.notes.append(f"At the start: {goals.load()}.")
    goal_rows(report, quick)
    print("startup")
    imp = subprocess_median(
        [
            sys.executable,
            "-c",
            "import time; t=time.perf_counter(); import kyodo_rules; print(time.perf_counter()-t)",
        ],
        runs,
        parse=True,
    )
    report.add("import kyodo_rules (fresh interpreter, median)", fmt_time(imp))
    first = subprocess_median(
        [
            sys.executable,
            "-c",
            "import time; from kyodo_rules import classify; "
            "t=time.perf_counter(); classify({}); print(time.perf_counter()-t)",
        ],
        runs,
        parse=True,
    )
    report.add("first classify() (rulebase load + compile, median)", fmt_time(first))
    helps = subprocess_median([*cli_argv(), "--help"], runs)
    report.add("`kyodo-rules --help` (whole process, median)", fmt_time(helps))
    print("wizard in a real terminal")
    wizard = wizard_first_questions(runs)
    if wizard is None:
        report.notes.append("Wizard start-up not measured: tmux is not installed.")
    else:
        report.add(
            "wizard: launch to first question on screen (tmux 80×24, median)",
            fmt_time(wizard[0]),
            f"≤ {fmt_time(TARGETS['wizard_first'])}",
            check(wizard[0] <= TARGETS["wizard_first"]),
        )
        report.add(
            "wizard: Enter on the title to the first rule-derived question (median)",
            fmt_time(wizard[1]),
        )
        choice = wizard_profile_choice(runs)
        if choice is not None:
            report.add(
                "wizard without `--profile` (the quick start's command): launch to the "
                "profile choice on screen (tmux 80×24, median)",
                fmt_time(choice),
                f"≤ {fmt_time(TARGETS['wizard_first'])}",
                check(choice <= TARGETS["wizard_first"]),
            )
    print("kyodo-rules check")
    seconds, explored, clean, cpu = check_run()
    report.add(
        "`kyodo-rules check` on the shipped rulebase, wall (CPU; inputs explored; clean?)",
        f"{fmt_time(seconds)} ({fmt_time(cpu)} CPU; {explored:,} inputs; "
        f"{'clean' if clean else 'DEFECTS'})",
        f"≤ {fmt_time(TARGETS['check'])}",
        check(seconds <= TARGETS["check"]),
    )

    classifier = default_classifier()
    library = load_cases()
    if library:
        inputs = [(c.facts, c.profile) for c in library]
        source = f"the case library ({len(library)} cases)"
    else:
        rng = random.Random(7)
        inputs = [(random_facts(rng), "generic") for _ in range(200)]
        source = "200 generated cases (the case library is empty)"
    report.notes.append(f"Per-call figures are over {source}.")
    for _facts, profile in inputs:
        classifier.bound(profile)

    def on(engine: EngineName, what_if: bool) -> Callable[[Any], Any]:
        def call(item: Any) -> Any:
            return classifier.classify(item[0], profile=item[1], what_if=what_if, engine=engine)

        return call

    print("per call")
    floor_flat = [(flatten(f), classifier.bound(p).python) for f, p in inputs]
    floor = timings(lambda it: it[1].evaluate(it[0]), floor_flat, samples)
    floor_med = statistics.median(floor)
    durable_flat = [(flatten(f), classifier.bound(p).durable) for f, p in inputs]
    raw = timings(lambda it: it[1].evaluate(it[0]), durable_flat, samples)
    report.add(
        "DurableEngine.evaluate alone (median / p99)",
        f"{fmt_time(statistics.median(raw))} / {fmt_time(percentile(raw, 0.99))}",
    )
    report.add(
        "PythonEngine.evaluate alone: the floor (median / p99)",
        f"{fmt_time(floor_med)} / {fmt_time(percentile(floor, 0.99))}",
    )
    results: dict[str, float] = {}
    engines: tuple[EngineName, ...] = ("durable", "python")
    for engine in engines:
        for what_if in (False, True):
            n = samples if not what_if else max(200, samples // 10)
            data = timings(on(engine, what_if), inputs, n)
            med, p99 = statistics.median(data), percentile(data, 0.99)
            results[f"{engine}{'_whatif' if what_if else ''}"] = med
            label = f"classify() {engine}{', with what_if' if what_if else ', what_if=False'}"
            target = ""
            verdict = ""
            if engine == "durable":
                limit = TARGETS["durable_whatif_median" if what_if else "durable_median"]
                target = f"median ≤ {fmt_time(limit)}"
                verdict = check(med <= limit)
            report.add(
                f"{label} (median / p99; × floor)",
                f"{fmt_time(med)} / {fmt_time(p99)}; × {med / floor_med:,.0f}",
                target,
                verdict,
            )

    print(f"batch of {batch:,} generated cases")
    rng = random.Random(2024)
    cases = [random_facts(rng) for _ in range(batch)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    keep = threads * per_thread
    sequential: list[bytes] = []
    errors = 0
    spent = 0.0
    clock = time.perf_counter
    for i, facts in enumerate(cases):
        start = clock()
        try:
            result = classify(facts, what_if=False)
        except Exception:  # counted, not fatal: the figure is the error count
            errors += 1
            spent += clock() - start
            if i < keep:
                sequential.append(b"error")
            continue
        spent += clock() - start
        if i < keep:
            sequential.append(digest(result))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    durable_rate = batch / spent
    report.add(
        f"batch, durable, what_if=False ({batch:,} cases)",
        f"{durable_rate:,.0f} cases/s ({fmt_time(spent)})",
        "≥ 6,000 cases/s",
        check(durable_rate >= TARGETS["durable_batch"]),
    )
    report.add(f"errors in {batch:,} sequential calls", f"{errors}")
    report.add(
        "peak RSS before / after that run",
        f"{rss_before / 1024:,.1f} MB / {rss_after / 1024:,.1f} MB",
    )
    start = clock()
    for facts in cases:
        classifier.classify(facts, what_if=False, engine="python")
    py_spent = clock() - start
    py_rate = batch / py_spent
    report.add(
        f"batch, classify(engine='python'), what_if=False ({batch:,} cases)",
        f"{py_rate:,.0f} cases/s ({fmt_time(py_spent)})",
        "≥ 100,000 cases/s",
        check(py_rate >= TARGETS["python_batch"]),
    )
    python_engine = classifier.bound("generic").python
    start = clock()
    for facts in cases:
        python_engine.evaluate(flatten(facts))
    raw_spent = clock() - start
    report.add(
        f"batch, flatten + PythonEngine.evaluate only ({batch:,} cases)",
        f"{batch / raw_spent:,.0f} cases/s",
    )

    print(f"{threads} threads x {per_thread:,} calls")
    outcome: list[list[tuple[int, bytes]]] = [[] for _ in range(threads)]
    thread_errors = [0] * threads

    def worker(t: int) -> None:
        for i in range(t * per_thread, (t + 1) * per_thread):
            try:
                outcome[t].append((i, digest(classify(cases[i], what_if=False))))
            except Exception:
                thread_errors[t] += 1
                outcome[t].append((i, b"error"))

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = clock()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    threaded = clock() - start
    differ = sum(1 for part in outcome for i, d in part if sequential[i] != d)
    report.add(
        f"{threads} threads × {per_thread:,} calls: errors / results differing from sequential",
        f"{sum(thread_errors)} / {differ} ({keep / threaded:,.0f} cases/s)",
    )
    report.notes.append(f"At the end: {goals.load()}.")
    report.notes.append(
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs. Run: `python benchmarks/bench.py{' --quick' if quick else ''}`."
    )

    missed = []
    if results["durable"] > TARGETS["durable_median"] or durable_rate < TARGETS["durable_batch"]:
        missed.append(("classify() on durable-rules, what_if=False", on("durable", False)))
    if results["durable_whatif"] > TARGETS["durable_whatif_median"]:
        missed.append(("classify() on durable-rules, with what_if", on("durable", True)))
    if py_rate < TARGETS["python_batch"]:
        missed.append(("classify(engine='python'), what_if=False", on("python", False)))
    for label, call in missed:
        print(f"profiling: {label}")
        engine = "python" if "python" in label else "durable"
        table = stage_breakdown(classifier, inputs, engine)
        profile = profile_summary(call, inputs * 5)
        report.profiles.append((label, f"{table}\n\ncProfile, by own time:\n\n```\n{profile}\n```"))
    return report


def goal_rows(report: Report, quick: bool) -> None:
    """Issue 13's goal table: each figure, its target, and its ratio to the reference."""
    g = goals.GOALS
    print("goal table: default classify() over the benchmark mix")
    classifier = default_classifier()
    mix = goals.mix()
    calls = goals.per_call(classifier, mix, 3 if quick else 10)
    med, p99 = calls["classify"]
    hand = calls["hand"][0]
    report.add(
        f"default `classify()` (durable-rules, provisional, open questions, what-if), "
        f"median over the mix ({len(mix)} cases); × hand-written Python decision "
        f"({fmt_time(hand)})",
        f"{fmt_time(med)}; × {med / hand:,.0f}",
        f"≤ {fmt_time(g['median'])}, ≤ × {g['ratio']:.0f}",
        check(med <= g["median"] and med / hand <= g["ratio"]),
    )
    report.add("the same, p99", fmt_time(p99), f"≤ {fmt_time(g['p99'])}", check(p99 <= g["p99"]))
    fresh = goals.unseen()
    report.add(
        "the same on 500 generated cases never answered before in the process "
        "(one pass: no memo filled by an earlier pass), median / p99",
        f"{fmt_time(fresh['median'])} / {fmt_time(fresh['p99'])}",
        "",
        "",
    )
    if calls["zen_installed"]:
        zen = calls["zen"][0]
        report.add(
            "zen-engine `evaluate()` of the definition and 事例1–6 (median); classify() ÷ zen",
            f"{fmt_time(zen)}; {med / zen:.2f}",
            "classify() faster (ratio < 1)",
            check(med < zen),
        )
    else:
        report.notes.append(
            "zen-engine row skipped: zen-engine is not installed (`pip install zen-engine`)."
        )
    rows = 5_000 if quick else 100_000
    print(f"goal table: kyodo-rules batch, {rows:,} rows")
    runs = [(k, False, v) for k, v in goals.batch(cli_argv(), rows).items()]
    runs += [
        (k, True, v) for k, v in goals.batch(cli_argv(), rows, (".csv",), distinct=True).items()
    ]
    for suffix, distinct, (seconds, rss, code, said) in runs:
        rate = rows / seconds
        kind = "every row a different project" if distinct else "500 projects repeated"
        what = f"`kyodo-rules batch` {rows:,} generated rows ({kind}), {suffix[1:]}, end to end"
        if code != 0:
            report.add(what, f"refused (exit {code}): {said.splitlines()[-1] if said else ''}",
                       f"≥ {g['rows_per_s']:,} rows/s", check(False))  # fmt: skip
            continue
        report.add(
            f"{what} (rows/s; peak RSS of the largest process: the parent or one worker)",
            f"{rate:,.0f} rows/s ({fmt_time(seconds)}); {rss:,.0f} MB",
            f"≥ {g['rows_per_s']:,} rows/s, ≤ {g['rss_mb']} MB",
            check(rate >= g["rows_per_s"] and rss <= g["rss_mb"]),
        )
    print("goal table: rulebase with every rule 8 times")
    big = goals.scaled(2 if quick else 5)
    ratio = big["x8"] / big["shipped"]
    report.add(
        f"rulebase with every rule 8 times ({big['rules'][1]} rules): library cases answered; "
        f"default classify() median × shipped ({fmt_time(big['shipped'])})",
        f"{big['cases'] - len(big['errors'])}/{big['cases']} answered; "
        f"{fmt_time(big['x8'])}, × {ratio:.1f}",
        f"all, ≤ × {g['scale_ratio']:.0f}",
        check(not big["errors"] and ratio <= g["scale_ratio"]),
    )
    for error in big["errors"][:3]:
        report.notes.append(f"8× rulebase error: {error}")


def stage_breakdown(classifier: Any, inputs: list[Any], engine: str) -> str:
    """Median time of each stage of one `classify()` call (what_if=False)."""
    from kyodo_rules.decision.classify import Answer, build_result
    from kyodo_rules.decision.whatif import WhatIf
    from kyodo_rules.model.validation import validate_case

    stages: dict[str, list[float]] = {}
    clock = time.perf_counter
    for _ in range(5):
        for facts, profile in inputs:
            bound = classifier.bound(profile)
            marks = [clock()]
            case = validate_case(facts)
            marks.append(clock())
            known = case.facts()
            flat = flatten(known)
            marks.append(clock())
            definite, undecided = bound.engine(engine).evaluate(flat)
            d, u = frozenset(definite), frozenset(undecided)
            marks.append(clock())
            decision = bound.combiner.decide(d, u)
            provisional = bound.combiner.provisional(d)
            presumed = bound.combiner.presumptions(d, u, provisional)
            marks.append(clock())
            questions = bound.questions(known, d, u)
            marks.append(clock())
            answer = Answer(decision, provisional, d, presumed, questions, WhatIf(()))
            build_result(bound, answer, known, "ja")
            marks.append(clock())
            names = (
                "validate",
                "flatten",
                f"{engine} evaluate",
                "decide (strict, provisional, presumptions)",
                "open_questions",
                "build_result",
            )
            for name, a, b in zip(names, marks, marks[1:], strict=False):
                stages.setdefault(name, []).append(b - a)
    total = sum(statistics.median(v) for v in stages.values())
    rows = ["| stage | median | share |", "|---|---|---|"]
    for name, values in stages.items():
        med = statistics.median(values)
        rows.append(f"| {name} | {fmt_time(med)} | {med / total:.0%} |")
    return "\n".join(rows)


def write_doc(report: Report, quick: bool) -> Path:
    path = ROOT / "docs" / "performance.md"
    parts = [
        "# Performance",
        "",
        "Written by `python benchmarks/bench.py --write`"
        + (" (quick mode: smaller sizes)" if quick else "")
        + f" on {time.strftime('%Y-%m-%d')}. The first rows are issue 13's goal table;"
        " the other targets are those of issue 5.",
        "",
        report.markdown(),
        "",
        *[f"- {n}" for n in report.notes],
    ]
    for label, text in report.profiles:
        parts += ["", f"## Where the time goes: {label}", "", text]
    # Hand-kept: what changed, with the figures measured before and after it.
    history = ROOT / "benchmarks" / "history.md"
    if history.is_file():
        parts += ["", history.read_text(encoding="utf-8").rstrip()]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args(argv)
    report = run(args.quick)
    print()
    print(report.markdown())
    for note in report.notes:
        print(f"- {note}")
    for label, text in report.profiles:
        print(f"\n## Where the time goes: {label}\n\n{text}")
    if args.write:
        print(f"\nwrote {write_doc(report, args.quick)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
