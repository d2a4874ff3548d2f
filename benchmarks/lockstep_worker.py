"""One side of `lockstep.py`: a warmed classifier answering slices of work on command.

Reads a slice number a line on standard input and prints the CPU seconds of
each call of that slice (the kyodo_rules on PYTHONPATH is the version timed).
`KYODO_ANSWER_MEMO=0` in the environment turns the whole-answer memo off in a
version that has one (the memo-free figures).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from goals import mix, write_inventory  # noqa: E402

from kyodo_rules.decision import policy  # noqa: E402
from kyodo_rules.decision.classify import Classifier  # noqa: E402
from kyodo_rules.outputs.inventory.answers import answer_rows  # noqa: E402
from kyodo_rules.rulebase.case_library import load_cases  # noqa: E402
from strategies import random_facts  # noqa: E402


def _sheet() -> tuple[list[Any], Any]:
    """Rows of a generated inventory of distinct projects, read as `kyodo-rules batch`
    reads them, and the layout of its answer columns."""
    from goals import write_inventory

    from kyodo_rules.outputs.inventory.columns import map_columns
    from kyodo_rules.outputs.inventory.reading import open_table

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.csv"
        write_inventory(path, 20_000, distinct=True)
        table = open_table(path)
        rows = list(table.rows)
    from kyodo_rules.outputs.inventory.answers import Layout

    return rows, Layout.of(map_columns(table.headers))


def main(mode: str) -> None:
    clock = time.thread_time
    if mode in ("batch", "rows"):
        policy.bound_memos(2048)
    if mode == "rows":
        sheet, layout = _sheet()
    classifier = Classifier()
    items = mix()
    warm = random.Random(5)
    # Warmed on whole answers (a version that works parts out when read would
    # otherwise leave its evaluators uncompiled and its memos empty).
    for facts, profile in items:
        classifier.classify(facts, profile=profile).model_dump_json()
    for _ in range(300):
        classifier.classify(random_facts(warm), what_if=False).model_dump_json()
    library = load_cases()
    sheets = _inventories() if mode.startswith("inventory") else []
    print("ready", flush=True)
    for line in sys.stdin:
        k = int(line)
        out: list[float] = []
        if mode in ("mix", "verdict", "json"):
            start = (k * 50) % len(items)
            for facts, profile in items[start : start + 50]:
                t = clock()
                result = classifier.classify(facts, profile=profile)
                if mode == "verdict":  # as a caller reads it
                    _ = (result.verdict, result.status, result.provisional)
                elif mode == "json":  # the whole answer, as `classify --json` prints it
                    result.model_dump_json()
                out.append(clock() - t)
        elif mode == "library":
            for case in library:
                t = clock()
                result = classifier.classify(case.facts, profile=case.profile, what_if=False)
                _ = result.missing_facts  # the whole answer worked out
                out.append(clock() - t)
        elif mode == "unseen":
            rng = random.Random(10_000 + k)
            for facts in [random_facts(rng) for _ in range(50)]:
                t = clock()
                classifier.classify(facts).model_dump_json()
                out.append(clock() - t)
        elif mode.startswith("inventory"):
            from kyodo_rules.outputs.inventory import answer_file

            source = sheets[k % len(sheets)]
            suffix = ".out.xlsx" if mode == "inventory_xlsx" else ".out.csv"
            t = clock()
            report = answer_file(source, source.with_suffix(suffix), classifier=classifier)
            out.append((clock() - t) / report.read)
        elif mode == "batch":
            rng = random.Random(20_000 + k)
            cases = [random_facts(rng) for _ in range(200)]
            t = clock()
            classifier.classify_many(cases, what_if=False)
            out.append((clock() - t) / len(cases))
        else:  # rows: what a batch worker does with 200 rows of distinct projects
            chunk = sheet[(k * 200) % len(sheet) :][:200]
            t = clock()
            answer_rows(chunk, layout, classifier, profile="generic", lang="ja", engine="durable")
            out.append((clock() - t) / len(chunk))
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
