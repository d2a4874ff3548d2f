"""How many questions the wizard asks for each case of the library (min/median/max).

Run: python benchmarks/wizard_questions.py. Independent of the test suite, so the
numbers can be compared before and after a rule change.
"""

from __future__ import annotations

import statistics

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard.flow import Flow, State, replay


def main() -> None:
    classifier = default_classifier()
    data = default_data()
    counts: dict[str, tuple[int, int]] = {}
    for case in load_cases():
        profile = case.profile or "generic"
        flow = Flow(classifier.bound(profile), data.order)
        state = replay(flow, State(profile), dict(case.facts))
        asked = [f for f in state.asked if f != TITLE]
        unknown = sum(1 for f in asked if state.answers.get(f) is None)
        counts[case.id] = (len(asked), unknown)
    for cid, (n, unknown) in sorted(counts.items(), key=lambda kv: kv[1]):
        print(f"{n:3d} questions ({unknown:2d} answered 分からない)  {cid}")
    values = [n for n, _ in counts.values()]
    print(
        f"\n{len(values)} cases: min {min(values)}, median {statistics.median(values)}, "
        f"max {max(values)} (title not counted)"
    )


if __name__ == "__main__":
    main()
