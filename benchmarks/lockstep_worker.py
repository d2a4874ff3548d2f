"""One side of `lockstep.py`: a warmed classifier answering slices of work on command.

Reads a slice number a line on standard input and prints the CPU seconds of
each call of that slice (the kyodo_rules on PYTHONPATH is the version timed).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from goals import mix, write_inventory  # noqa: E402

from kyodo_rules.decision import policy  # noqa: E402
from kyodo_rules.decision.classify import Classifier  # noqa: E402
from kyodo_rules.rulebase.case_library import load_cases  # noqa: E402
from strategies import random_facts  # noqa: E402


def main(mode: str) -> None:
    clock = time.thread_time
    if mode == "batch":
        policy.bound_memos(2048)
    classifier = Classifier()
    items = mix()
    warm = random.Random(5)
    for facts, profile in items:
        classifier.classify(facts, profile=profile)
    for _ in range(300):
        classifier.classify(random_facts(warm), what_if=False)
    library = load_cases()
    sheets = _inventories() if mode.startswith("inventory") else []
    print("ready", flush=True)
    for line in sys.stdin:
        k = int(line)
        out: list[float] = []
        if mode == "mix":
            start = (k * 50) % len(items)
            for facts, profile in items[start : start + 50]:
                t = clock()
                classifier.classify(facts, profile=profile)
                out.append(clock() - t)
        elif mode == "library":
            for case in library:
                t = clock()
                classifier.classify(case.facts, profile=case.profile, what_if=False)
                out.append(clock() - t)
        elif mode == "unseen":
            rng = random.Random(10_000 + k)
            for facts in [random_facts(rng) for _ in range(50)]:
                t = clock()
                classifier.classify(facts)
                out.append(clock() - t)
        elif mode.startswith("inventory"):
            from kyodo_rules.outputs.inventory import answer_file

            source = sheets[k % len(sheets)]
            suffix = ".out.xlsx" if mode == "inventory_xlsx" else ".out.csv"
            t = clock()
            report = answer_file(source, source.with_suffix(suffix), classifier=classifier)
            out.append((clock() - t) / report.read)
        else:
            rng = random.Random(20_000 + k)
            cases = [random_facts(rng) for _ in range(200)]
            t = clock()
            classifier.classify_many(cases, what_if=False)
            out.append((clock() - t) / len(cases))
        print(" ".join(f"{x:.7f}" for x in out), flush=True)


#: Projects in each generated sheet (KYODO_LOCKSTEP_ROWS): large enough that what a run
#: costs once (the summary sheet, its charts) is not counted as the rows'.
SHEET_ROWS = int(os.environ.get("KYODO_LOCKSTEP_ROWS", "4000"))


def _inventories() -> list[Path]:
    """Generated sheets of `SHEET_ROWS` projects (each row its own), as CSV, read from disk."""
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="lockstep-"))
    out = []
    for n in range(4):
        path = directory / f"in{n}.csv"
        write_inventory(path, SHEET_ROWS + n, distinct=True)
        out.append(path)
    from kyodo_rules.outputs.inventory import answer_file

    answer_file(out[0], directory / "warm.csv")
    return out


if __name__ == "__main__":
    main(sys.argv[1])
