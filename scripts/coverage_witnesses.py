"""For each condition no library case pins: facts on which its edit changes the answer.

`kyodo-rules check` lists the conditions no case pins; this proposes, for each
edit no case detects, a small set of facts on which the edit changes the
answer (the answer shown first, then the rest of it, then the trace), with the
answer before and after. A rule author then writes the case from the sources:
the story those facts tell, and the answer the guides give for it (which is
not necessarily the one the rules give today).

    python scripts/coverage_witnesses.py [--rules-dir DIR] [--rule ID] [--tries N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kyodo_rules.analysis.coverage import find_witness, measure  # noqa: E402
from kyodo_rules.rulebase.case_library import load_cases  # noqa: E402
from kyodo_rules.rulebase.loading import load_rulebase  # noqa: E402

PARTS = (
    ("verdict", "answer", "status", "answer category", "category"),
    ("zone", "subsidiarity", "forms", "flags", "documents", "principles"),
    ("trace",),
)


def _differences(old: tuple[object, ...], new: tuple[object, ...]) -> str:
    out = []
    for names, before, after in zip(PARTS, old, new, strict=True):
        if before == after:
            continue
        if names == ("trace",):
            gone = sorted(map(str, before - after))  # type: ignore[operator]
            came = sorted(map(str, after - before))  # type: ignore[operator]
            out.append(f"trace -{gone} +{came}")
            continue
        for name, b, a in zip(names, before, after, strict=True):  # type: ignore[call-overload]
            if b != a:
                shown_b = sorted(b) if isinstance(b, frozenset) else b
                shown_a = sorted(a) if isinstance(a, frozenset) else a
                out.append(f"{name}: {shown_b} -> {shown_a}")
    return "; ".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules-dir", default=None)
    parser.add_argument("--rule", default=None, help="only this rule")
    parser.add_argument("--tries", type=int, default=4000)
    args = parser.parse_args()
    rulebase = load_rulebase(args.rules_dir)
    cases = load_cases(rulebase.root / "cases")
    coverage = measure(rulebase, ["generic"], cases)
    out = sys.stdout
    out.write(coverage.summary() + "\n")
    by_id = {r.id: r for r in rulebase.ruleset("generic").rules}
    for outcome in coverage.unpinned:
        item = outcome.item
        if args.rule and item.rule != args.rule:
            continue
        for mutant in item.mutants:
            if mutant.kind not in outcome.surviving:
                continue
            found = find_witness(rulebase, "generic", by_id[item.rule], mutant, tries=args.tries)
            where = f"{item.file}:{item.line} {item.rule} {item.part}"
            out.write(f"{where} `{item.text}` {mutant.kind}\n")
            if found is None:
                out.write("    no witness found (equivalent? argue it)\n")
                continue
            facts, old, new = found
            out.write(f"    facts: {json.dumps(facts, ensure_ascii=False)}\n")
            out.write(f"    {_differences(old, new)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
