"""Run the backend differential tests N times in a row, each with a fresh hypothesis seed.

The differential tests (durable-rules against the Python backend: the answers, the
open questions, the what-if) are derandomized in CI, so that a run fails only when
the code changes (tests/conftest.py says why). This explores instead: each run
draws new examples (`HYPOTHESIS_PROFILE=explore`) from a seed chosen afresh and
printed, so that a failure can be replayed with `--hypothesis-seed=SEED`:

    python scripts/differential_runs.py [--runs 20] [--jobs 2]

Exit 0 when every run passes. An input a run finds belongs, with the fix, as an
`@example` of the test it failed.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TESTS = (
    "tests/test_properties.py::test_both_backends_give_the_same_result",
    "tests/test_properties.py::test_both_backends_give_the_same_result_with_what_if",
    "tests/test_reasoning.py::test_both_engines_give_the_same_what_if",
    "tests/test_provisional.py::test_both_backends_agree_on_provisional_and_open_questions",
    "tests/test_engine_answers.py::test_facts_matched_together_get_what_each_gets_alone",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers (-n)")
    args = parser.parse_args()
    env = {**os.environ, "HYPOTHESIS_PROFILE": "explore"}
    failed = 0
    for run in range(1, args.runs + 1):
        seed = secrets.randbelow(2**32)
        start = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-n",
                str(args.jobs),
                f"--hypothesis-seed={seed}",
                *TESTS,
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
        outcome = "passed" if done.returncode == 0 else "FAILED"
        sys.stdout.write(
            f"run {run:2}: seed {seed:10} {outcome} ({last}; {time.perf_counter() - start:.0f} s)\n"
        )
        sys.stdout.flush()
        if done.returncode != 0:
            failed += 1
            sys.stdout.write(done.stdout[-4000:] + "\n")
    sys.stdout.write(f"{args.runs - failed} of {args.runs} runs passed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
