"""Benchmark of kyodo-rules: one command, a Markdown table, optional docs/performance.md.

    python benchmarks/bench.py            # full run (100,000 cases and rows; several minutes)
    python benchmarks/bench.py --quick    # smaller sizes, for a quick look
    python benchmarks/bench.py --write    # also write docs/performance.md

First the goal table of issue 24 (`goals.py`), each figure with the ratio to
its reference measured in the same run, and each without the whole-answer
memo and with it: the default `classify()` over the benchmark mix, read as a
caller reads it and as JSON, against a hand-written Python decision of the
事例 and, when zen-engine is installed (`pip install zen-engine`, the `bench`
extra), its `evaluate()` of the same rules (wall clock); `kyodo-rules batch`
end to end on 100,000 generated rows (every row a different project, and 500
projects repeated; CSV and xlsx) with the peak RSS summed over every process;
a rulebase with every rule repeated 8 times against the shipped one; the
wizard's launch and `check`.
Then: import time (fresh interpreter, median of 5), the first call (rulebase
load and compile), `classify()` median and p99 over the case library with and
without `would_be_kyodo_if` on both backends, the plain-Python evaluator as the
floor, batch throughput and peak RSS over generated cases, 100,000 sequential
calls and 8 threads x 2,000 calls (errors, equality with the sequential run),
and `kyodo-rules --help`. Last, where the time of one call goes, stage by
stage, with a cProfile summary.
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
from kyodo_rules.decision.classify import Classifier, EngineName, default_classifier  # noqa: E402
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

    # Without the whole-answer memo: the library is timed in repeated passes, which
    # the memo would answer from memory (its figure is given beside).
    classifier = Classifier(answer_memo=0)
    remembering = default_classifier()
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

    def on(engine: EngineName, what_if: bool, memo: bool = False) -> Callable[[Any], Any]:
        """classify() with the whole answer worked out (as a report or JSON reads it)."""
        which = remembering if memo else classifier

        def call(item: Any) -> Any:
            result = which.classify(item[0], profile=item[1], what_if=what_if, engine=engine)
            return result.missing_facts  # the first read of a later part works out all

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
            remember = on(engine, what_if, True)
            for item in inputs:  # each case answered once: the memo holds them all
                remember(item)
            remembered = statistics.median(timings(remember, inputs, n // 5))
            label = (
                f"classify() {engine}{', with what_if' if what_if else ', what_if=False'}, the "
                f"whole answer worked out, no whole-answer memo"
            )
            target = ""
            verdict = ""
            if engine == "durable":
                limit = TARGETS["durable_whatif_median" if what_if else "durable_median"]
                target = f"median ≤ {fmt_time(limit)}"
                verdict = check(med <= limit)
            report.add(
                f"{label} (median / p99; × floor)",
                f"{fmt_time(med)} / {fmt_time(p99)}; × {med / floor_med:,.0f} "
                f"(with the memo: median {fmt_time(remembered)})",
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
            _ = result.missing_facts  # the whole answer, worked out
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
    start = clock()
    for facts in cases:
        _ = classifier.classify(facts, what_if=False).missing_facts
    free_spent = clock() - start
    durable_rate = batch / free_spent
    report.add(
        f"batch, durable, what_if=False, the whole answer worked out ({batch:,} generated "
        f"cases, each once), no whole-answer memo",
        f"{durable_rate:,.0f} cases/s ({fmt_time(free_spent)}) (with the memo, default "
        f"`classify()`: {batch / spent:,.0f} cases/s)",
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
        _ = classifier.classify(facts, what_if=False, engine="python").missing_facts
    py_spent = clock() - start
    py_rate = batch / py_spent
    report.add(
        f"batch, classify(engine='python'), what_if=False, the whole answer, no memo "
        f"({batch:,} cases)",
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
            try:  # digest: the whole answer as JSON
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

    print("where the time goes")
    mix = goals.mix()
    table = stage_breakdown(classifier, mix)

    def whole_json(item: Any) -> Any:
        return classifier.classify(item[0], profile=item[1]).model_dump_json()

    profile = profile_summary(whole_json, mix * 2)
    report.profiles.append(
        (
            "the default classify() over the mix, no whole-answer memo",
            f"{table}\n\ncProfile of the whole answer as JSON, by own time:\n\n```\n{profile}\n```",
        )
    )
    return report


def _ratios(calls: dict[str, Any], name: str) -> str:
    """A call's median CPU time, × the hand-written decision's, ÷ zen-engine's (wall)."""
    med, _p99, wall = calls[name]
    text = f"{fmt_time(med)}, × {med / calls['hand'][0]:,.0f}"
    if calls["zen_installed"]:
        text += f", {wall / calls['zen'][2]:.2f}× zen"
    return text


def goal_rows(report: Report, quick: bool) -> None:
    """Issue 24's goal table: each figure, its target, and its ratio to the reference,
    without the whole-answer memo (the figure the target is judged on) and with it."""
    g = goals.GOALS
    print("goal table: default classify() over the benchmark mix")
    mix = goals.mix()
    calls = goals.per_call(mix, 3 if quick else 10)
    hand = calls["hand"][0]
    zen_note = ""
    if calls["zen_installed"]:
        zen_note = (
            f"; zen-engine `evaluate()` of the definition and 事例1–6: "
            f"{fmt_time(calls['zen'][2])} wall ({fmt_time(calls['zen'][0])} CPU of the "
            f"calling thread)"
        )
    else:
        report.notes.append(
            "zen-engine figures skipped: zen-engine is not installed (`pip install zen-engine`)."
        )
    verdict = calls["verdict"]
    met = verdict[0] / hand <= g["verdict_ratio"] and (
        not calls["zen_installed"] or verdict[2] / calls["zen"][2] <= g["verdict_zen"]
    )
    report.add(
        f"default `classify()` read as a caller reads it (verdict, status, provisional), "
        f"median over the mix ({len(mix)} cases; CPU; × the hand-written decision, "
        f"{fmt_time(hand)}; ÷ zen-engine, wall clock{zen_note})",
        f"{_ratios(calls, 'verdict')} (with the memo: {_ratios(calls, 'verdict_memo')})",
        f"≤ × {g['verdict_ratio']:.0f}; ≤ {g['verdict_zen']}× zen",
        check(met),
    )
    whole = calls["json"]
    met = (
        whole[0] / hand <= g["json_ratio"]
        and whole[1] / hand <= g["json_p99_ratio"]
        and (not calls["zen_installed"] or whole[2] / calls["zen"][2] <= g["json_zen"])
    )
    report.add(
        "the whole answer as JSON (`model_dump_json()`, open questions and what-if "
        "included): median (× hand-written, ÷ zen); p99 × the hand-written median",
        f"{_ratios(calls, 'json')}; p99 {fmt_time(whole[1])}, × {whole[1] / hand:,.0f} "
        f"(with the memo: {_ratios(calls, 'json_memo')}; p99 {fmt_time(calls['json_memo'][1])})",
        f"median ≤ × {g['json_ratio']:.0f}, ≤ {g['json_zen']}× zen; "
        f"p99 ≤ × {g['json_p99_ratio']:.0f}",
        check(met),
    )
    fresh = goals.unseen()
    report.add(
        "the same on 500 generated cases never answered before in the process (one pass: "
        "no memo filled by an earlier pass, no whole-answer memo), median / p99: read as a "
        "caller reads it; as JSON",
        f"{fmt_time(fresh['verdict'][0])} / {fmt_time(fresh['verdict'][1])}; "
        f"{fmt_time(fresh['json'][0])} / {fmt_time(fresh['json'][1])}",
    )
    rows = 5_000 if quick else 100_000
    print(f"goal table: kyodo-rules batch, {rows:,} rows")
    for distinct in (True, False):
        kind = "every row a different project" if distinct else "500 projects repeated"
        goal = g["rows_per_s"] if distinct else g["repeated_rows_per_s"]
        free = goals.batch(cli_argv(), rows, distinct=distinct, memo=False)
        memo = goals.batch(cli_argv(), rows, distinct=distinct, memo=True)
        for suffix in (".csv", ".xlsx"):
            run, on = free[suffix], memo[suffix]
            what = (
                f"`kyodo-rules batch` {rows:,} generated rows ({kind}), {suffix[1:]}, end to "
                f"end on {os.cpu_count()} cores: rows/s; CPU of every process a row; peak RSS "
                f"summed over every process (largest one)"
            )
            if run.code != 0 or on.code != 0:
                said = (run.said or on.said).splitlines()[-1:] or [""]
                report.add(what, f"refused (exit {run.code}/{on.code}): {said[0]}",
                           f"≥ {goal:,} rows/s", check(False))  # fmt: skip
                continue
            report.add(
                what,
                f"{rows / run.seconds:,.0f} rows/s ({fmt_time(run.seconds)}); "
                f"{fmt_time(run.cpu / rows)} CPU a row; {run.summed_mb:,.0f} MB "
                f"({run.largest_mb:,.0f} MB) (with the memo: {rows / on.seconds:,.0f} rows/s; "
                f"{fmt_time(on.cpu / rows)} CPU a row; {on.summed_mb:,.0f} MB)",
                f"≥ {goal:,} rows/s, ≤ {g['rss_mb']} MB",
                check(rows / run.seconds >= goal and run.summed_mb <= g["rss_mb"]),
            )
            if distinct and suffix == ".csv":
                small = goals.batch(cli_argv(), rows // 10, (".csv",), distinct=True, memo=False)
                first = small[".csv"]
                report.add(
                    f"the same, csv: peak RSS summed over every process at {rows // 10:,} "
                    f"and at {rows:,} rows (flat in rows?)",
                    f"{first.summed_mb:,.0f} MB → {run.summed_mb:,.0f} MB",
                    "flat",
                    check(run.summed_mb <= first.summed_mb * 1.15 + 10),
                )
    print("goal table: rulebase with every rule 8 times")
    big = goals.scaled(2 if quick else 5)
    ratio = big["x8"] / big["shipped"]
    report.add(
        f"rulebase with every rule 8 times ({big['rules'][1]} rules): library cases answered; "
        f"the whole answer as JSON, median × shipped ({fmt_time(big['shipped'])}), "
        f"without the whole-answer memo",
        f"{big['cases'] - len(big['errors'])}/{big['cases']} answered; "
        f"{fmt_time(big['x8'])}, × {ratio:.1f}",
        f"all, ≤ × {g['scale_ratio']:.0f}",
        check(not big["errors"] and ratio <= g["scale_ratio"]),
    )
    for error in big["errors"][:3]:
        report.notes.append(f"8× rulebase error: {error}")


def stage_breakdown(classifier: Any, inputs: list[Any]) -> str:
    """Median and mean time of each stage of one default `classify()` call: first what a
    caller who reads the verdict pays, then what the rest of the answer adds."""
    from kyodo_rules.decision.classify import Answer, build_result
    from kyodo_rules.decision.given import Given
    from kyodo_rules.decision.result import later_parts
    from kyodo_rules.decision.whatif import WhatIf, would_be_kyodo_if
    from kyodo_rules.model.records import Later
    from kyodo_rules.model.validation import case_facts

    names = (
        "validation (`case_facts`)",
        "the facts' unknown fields (`Given`)",
        "durable-rules matching the case",
        "the decision: strict, provisional, presumptions",
        "the result's verdict part (trace, forms, flags, provisional)",
        "the open questions",
        "the what-if",
        "the result's open questions and what-if parts",
        "JSON (`model_dump_json`)",
    )
    stages: dict[str, list[float]] = {name: [] for name in names}
    clock = time.thread_time
    for _ in range(3):
        for facts, profile in inputs:
            bound = classifier.bound(profile)
            marks = [clock()]
            known = case_facts(facts)
            marks.append(clock())
            given = Given.of(known)
            marks.append(clock())
            definite, undecided = bound.statuses(given)
            marks.append(clock())
            decision, d, u = bound.decided(given, (definite, undecided))
            provisional = bound.provisional(decision, d)
            presumed: tuple[Any, ...] = ()
            if decision.verdict == "undetermined":
                presumed = bound.combiner.presumed(d, u, given.unknown, provisional)
            marks.append(clock())
            answer = Answer(decision, provisional, d, presumed)
            build_result(bound, answer, known, "ja", Later(dict))
            marks.append(clock())
            questions = bound.questions(given, d, u)
            marks.append(clock())
            found = WhatIf(())
            if provisional.verdict != "kyodo":
                found = would_be_kyodo_if(bound, given, "durable", d, u)
            marks.append(clock())
            parts = later_parts(bound, questions, found, known, "ja")
            marks.append(clock())
            for name, a, b in zip(names, marks, marks[1:], strict=False):
                stages[name].append(b - a)
            whole = build_result(bound, answer, known, "ja", Later(lambda p=parts: p))
            start = clock()
            whole.model_dump_json()
            stages[names[-1]].append(clock() - start)
    total = sum(statistics.mean(v) for v in stages.values())
    rows = ["| stage | median | mean | share of the mean |", "|---|---|---|---|"]
    for n, (name, values) in enumerate(stages.items()):
        mean = statistics.mean(values)
        rows.append(
            f"| {name} | {fmt_time(statistics.median(values))} | {fmt_time(mean)} | "
            f"{mean / total:.0%} |"
        )
        if n == 4:
            verdict = sum(statistics.mean(v) for v in list(stages.values())[:5])
            rows.append(f"| *the verdict, as a caller reads it (the above)* | | "
                        f"{fmt_time(verdict)} | {verdict / total:.0%} |")  # fmt: skip
    return "\n".join(rows)


def write_doc(report: Report, quick: bool) -> Path:
    path = ROOT / "docs" / "performance.md"
    parts = [
        "# Performance",
        "",
        "Written by `python benchmarks/bench.py --write`"
        + (" (quick mode: smaller sizes)" if quick else "")
        + f" on {time.strftime('%Y-%m-%d %H:%M')} UTC. The first rows are issue 24's goal"
        " table, each judged on its figure without the whole-answer memo (the figure with"
        " it is beside); the other targets are those of issue 5. The load average and a"
        " fixed reference loop, at the start and the end, say how fast the machine was.",
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
