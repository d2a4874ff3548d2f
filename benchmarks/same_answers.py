"""Do two versions of kyodo-rules give byte-identical answers? (a check for speed work)

    python benchmarks/same_answers.py save before.json   # on the old code
    python benchmarks/same_answers.py compare before.json  # on the new code
    python benchmarks/same_answers.py save before.json 3000  # more generated cases

Every library case in both languages, and generated cases over every profile
(seeded), each as `Result.model_dump_json()` (what `classify --json` prints).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kyodo_rules import classify
from kyodo_rules.rulebase.case_library import load_cases
from strategies import random_facts

PROFILES = ("generic", "nichinan", "ogi", "ama")


def answers(generated: int = 400) -> dict[str, str]:
    out = {}
    for case in load_cases():
        for lang in ("ja", "en"):
            result = classify(case.facts, profile=case.profile, lang=lang)
            out[f"{case.id}/{lang}"] = result.model_dump_json()
    rng = random.Random(99)
    for n in range(generated):
        profile = PROFILES[n % len(PROFILES)]
        out[f"generated-{n}/{profile}"] = classify(
            random_facts(rng), profile=profile
        ).model_dump_json()
    return out


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[0] not in ("save", "compare"):
        print(__doc__)
        return 2
    now = answers(int(argv[2]) if len(argv) == 3 else 400)
    if argv[0] == "save":
        Path(argv[1]).write_text(json.dumps(now), encoding="utf-8")
        print(f"saved {len(now)} answers to {argv[1]}")
        return 0
    before = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    differ = [k for k in before if before[k] != now.get(k)]
    print(f"compared {len(before)} answers: {len(differ)} differ {differ[:5]}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
