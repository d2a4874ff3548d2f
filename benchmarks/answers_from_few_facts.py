"""How far a few facts go: the figures of the provisional-answers issue, reproducible.

    python benchmarks/answers_from_few_facts.py

1. Random 3–6-fact subsets of the library's 協働 cases: the share that is
   provisionally 協働, 判定できない, and provisionally not 協働.
2. The interview (verdict questions first, answers from each library case):
   questions to the first provisional verdict and to a settled one (min,
   median, max), and for the 事例2 festival. A screen that asks several
   questions at once (ア・イ・ウ) counts as one; 「一つずつ答える」 counts the
   screen and each question after it. `--cases` prints the figures per case.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from typing import Any

from kyodo_rules import classify
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.questions import TITLE, default_data
from kyodo_rules.wizard.flow import Flow, State, answer_from

FESTIVAL = {
    "self_solvable": False,
    "actors": ["city", "business"],
    "funding": ["project_subsidy"],
    "benefit": "public",
    "organizer": "partner",
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "activity": "festival",
    "spec_author": "partner",
    "city_supervises": False,
    "scheme": "none",
    "planner": "partner",
    "partner_contribution": "expertise",
}


def subsets(seed: int = 7, per_case: int = 60) -> Counter[str]:
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    for case in load_cases():
        if case.expect.verdict != "kyodo" or case.profile not in (None, "generic"):
            continue
        facts = dict(case.facts)
        keys = sorted(facts)
        for _ in range(per_case):
            k = rng.randint(3, min(6, len(keys)))
            part = {f: facts[f] for f in rng.sample(keys, k)}
            r = classify(part, what_if=False)
            shown = r.verdict if r.status == "settled" else r.provisional.verdict  # type: ignore[union-attr]
            counts[f"{r.status}:{shown}"] += 1
    return counts


def interview(facts: dict[str, Any], profile: str = "generic") -> tuple[int | None, int | None]:
    """Questions (screens) asked to the first provisional (or settled) verdict, and to a
    settled one; a `together` group answered on one screen counts once."""
    data = default_data()
    flow = Flow(default_classifier().bound(profile), data.order, data.groups)
    state = State(profile)
    first = settled = None
    n = 0
    while (field := flow.next_field(state)) is not None:
        if field == TITLE:
            flow.answer(state, field, facts.get(field))
            continue
        n += answer_from(flow, state, field, facts)
        now = flow.standing(state)
        if first is None and (now.settled or now.provisional != "undetermined"):
            first = n
        if settled is None and now.settled:
            settled = n
    return first, settled


def cost(repeat: int = 5) -> tuple[float, float]:
    """CPU µs per `classify()` over the library's cases, without and with the what-if."""
    import time

    facts = [(dict(c.facts), c.profile or "generic") for c in load_cases()]
    for f, p in facts:
        classify(f, profile=p)  # warm: the engines are built on first use
    out = []
    for what_if in (False, True):
        start = time.process_time()
        for _ in range(repeat):
            for f, p in facts:
                classify(f, profile=p, what_if=what_if)
        out.append((time.process_time() - start) / (repeat * len(facts)) * 1e6)
    return out[0], out[1]


def per_case() -> None:
    """Each library case: questions to its first verdict and to a settled one, and the
    verdict the full facts give (`--cases`)."""
    for case in load_cases():
        first, settled = interview(dict(case.facts), case.profile or "generic")
        print(f"{first!s:>4} {settled!s:>4}  {case.expect.verdict:12} {case.id}")


def main() -> None:
    import sys

    if "--cases" in sys.argv[1:]:
        print("first settled  verdict      case")
        per_case()
        return
    counts = subsets()
    total = sum(counts.values())
    print(f"random 3-6-fact subsets of the library's 協働 cases: {total}")
    for key, n in sorted(counts.items()):
        print(f"  {key:28} {n:5}  {n / total:6.1%}")
    firsts, settles, unsettled = [], [], 0
    for case in load_cases():
        first, settled = interview(dict(case.facts), case.profile or "generic")
        if first is not None:
            firsts.append(first)
        if settled is None:
            unsettled += 1
        else:
            settles.append(settled)
    for name, xs in (("to a first verdict", firsts), ("to a settled verdict", settles)):
        print(
            f"library cases, questions {name}: min {min(xs)}, median "
            f"{statistics.median(xs)}, max {max(xs)} ({len(xs)} cases)"
        )
    print(f"  cases the interview leaves unsettled (facts missing in the case): {unsettled}")
    print(f"事例2 festival: first verdict, settled after {interview(FESTIVAL)} questions")
    plain, full = cost()
    print(f"classify() CPU per call over the library: {plain:.0f} µs, {full:.0f} µs with what-if")


if __name__ == "__main__":
    main()
