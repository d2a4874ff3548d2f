"""Load and concurrency: many calls, several threads, no leaks, no stray threads.

The full-size figures (100,000 sequential calls, 8 threads x 2,000 calls) are
measured by `benchmarks/bench.py` and reported in `docs/performance.md`; these
tests run the same checks at a size that fits in the suite's time.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from kyodo_rules import classify
from kyodo_rules.decision.classify import Classifier, default_classifier
from kyodo_rules.rulebase.readings import flatten
from strategies import KYODO_BASE, random_facts

PROFILES = ("generic", "nichinan", "ogi", "ama")


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, Any]]:
    rng = random.Random(20240605)
    return [random_facts(rng) for _ in range(500)]


def profiles_in_use() -> tuple[str, ...]:
    known = set(default_classifier().rulebase.profiles)
    return tuple(p for p in PROFILES if p in known)


def _dump(facts: dict[str, Any], profile: str = "generic", what_if: bool = False) -> Any:
    return classify(facts, profile=profile, what_if=what_if).model_dump(mode="json")


def test_2000_sequential_calls_repeat_the_first_pass(corpus: list[dict[str, Any]]) -> None:
    first = [_dump(f) for f in corpus]
    for n in range(2000):
        i = n % len(corpus)
        assert _dump(corpus[i]) == first[i], f"call {n} differs; facts: {corpus[i]}"


def test_8_threads_give_the_sequential_results(corpus: list[dict[str, Any]]) -> None:
    profiles = profiles_in_use()
    jobs = [(corpus[i % len(corpus)], profiles[i % len(profiles)]) for i in range(8 * 300)]
    expected = [_dump(f, p) for f, p in jobs]

    def worker(start: int) -> list[tuple[int, Any]]:
        order = list(range(start, len(jobs), 8))
        random.Random(start).shuffle(order)
        return [(i, _dump(*jobs[i])) for i in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(worker, range(8)))
    got = dict(pair for output in outputs for pair in output)
    assert len(got) == len(jobs)
    wrong = [i for i in range(len(jobs)) if got[i] != expected[i]]
    assert not wrong, f"{len(wrong)} results differ; first witness: {jobs[wrong[0]]}"


def test_threads_with_what_if_give_the_sequential_results(corpus: list[dict[str, Any]]) -> None:
    jobs = corpus[:60]
    expected = [_dump(f, what_if=True) for f in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda f: _dump(f, what_if=True), jobs * 2))
    assert got == expected * 2


def test_fresh_classifiers_in_threads_build_their_engines_once() -> None:
    classifier = Classifier()
    facts = dict(KYODO_BASE)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: classifier.classify(facts, what_if=False), range(64)))
    assert all(r == results[0] for r in results)
    assert len(classifier._bound) == 1


def _rss_kib() -> int | None:
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def test_a_durable_engine_evaluated_many_times_keeps_one_empty_session(
    corpus: list[dict[str, Any]],
) -> None:
    engine: Any = Classifier().bound("generic").durable
    flats = [flatten(f) for f in corpus]
    import durable_rules_engine as core  # the probe looks inside the engine's core

    (handle,) = engine._handles  # the shipped rule set fits in one ruleset
    # More than durable-rules' 1,024 live sessions per ruleset: a session a case
    # would raise MemoryError here (and corrupt the ruleset).
    for n in range(2000):
        engine.evaluate(flats[n % len(flats)])
        if n % 97 == 0:  # between cases, the one session holds no fact
            assert json.loads(core.get_facts(handle, "1")) == [], n
    engine.evaluate_many(flats)
    assert json.loads(core.get_facts(handle, "1")) == []
    for sid in ("0", "2", "case", "1000", "2000"):  # no other session was ever left
        with pytest.raises(Exception, match="309"):  # durable-rules: no such session
            core.get_state(handle, sid)
    # The probe is able to see a live session, and sees the engine's own.
    assert json.loads(core.get_state(handle, "1"))["sid"] == "1"
    probe = engine._text(flats[0], "probe").replace('"sid":"1"', '"sid":"probe"')
    code, state = core.assert_fact(handle, probe)
    assert json.loads(core.get_state(handle, "probe"))["sid"] == "probe"
    # A second session may be deleted only once every match is read (see
    # test_engine_guard.py: otherwise durable-rules aborts the process).
    assert code == 0
    started = core.start_action_for_state(handle, state)
    while started and (started := core.complete_and_start_action(handle, state)):
        pass
    core.delete_state(handle, "probe")
    before = _rss_kib()
    for n in range(6000):
        engine.evaluate(flats[n % len(flats)])
    after = _rss_kib()
    if before is not None and after is not None:
        assert after - before < 20 * 1024, f"RSS grew by {after - before} KiB over 6,000 cases"


def test_building_engines_starts_no_thread() -> None:
    default_classifier()  # import and warm whatever the default needs
    before = threading.active_count()
    classifiers = [Classifier() for _ in range(3)]
    for classifier in classifiers:
        for profile in profiles_in_use():
            bound = classifier.bound(profile)
            bound.durable.evaluate(flatten(KYODO_BASE))
            bound.python.evaluate(flatten(KYODO_BASE))
    assert threading.active_count() == before, [t.name for t in threading.enumerate()]
