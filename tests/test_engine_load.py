"""Load and concurrency: many calls, several threads, no leaks, no stray threads.

100,000 sequential calls and 8 threads x 2,000 calls give the answers of a
first pass, with memory flat (the engine's one session a ruleset, the
bounded memos); no time is asserted (`benchmarks/bench.py` measures it and
`docs/performance.md` reports it).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
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


def _as_read(result: Any) -> tuple[Any, ...]:
    """What a caller reads first: the verdict, its status, the provisional answer."""
    return result.verdict, result.category, result.status, result.provisional


@pytest.mark.slow
def test_100000_sequential_calls_repeat_the_first_pass_with_memory_flat(
    corpus: list[dict[str, Any]],
) -> None:
    # Without the whole-answer memo, so that every call is answered afresh by the
    # engine; every 50th is compared whole (its JSON), the others as a caller reads.
    classifier = Classifier(answer_memo=0)
    first = [classifier.classify(f, what_if=False) for f in corpus]
    whole = [r.model_dump_json() for r in first]
    read = [_as_read(r) for r in first]
    rss: list[int | None] = []
    for n in range(100_000):
        i = n % len(corpus)
        result = classifier.classify(corpus[i], what_if=False)
        if n % 50 == 0:
            assert result.model_dump_json() == whole[i], f"call {n} differs; facts: {corpus[i]}"
        else:
            assert _as_read(result) == read[i], f"call {n} differs; facts: {corpus[i]}"
        if n in (20_000, 99_999):
            rss.append(_live_rss_kib())
    if rss[0] is not None and rss[1] is not None:
        # The memos are full by 20,000 calls (they start afresh at their bound).
        assert rss[1] - rss[0] < 40 * 1024, f"RSS grew by {rss[1] - rss[0]} KiB"


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


@pytest.mark.slow
def test_8_threads_x_2000_calls_give_the_sequential_results_with_memory_flat(
    corpus: list[dict[str, Any]],
) -> None:
    """One classifier without the whole-answer memo shared by 8 threads, each asking
    2,000 cases in its own order (twice): every answer (its JSON, read by the
    thread that asked) is the sequential one."""
    classifier = Classifier(answer_memo=0)
    profiles = profiles_in_use()
    jobs = [(corpus[i % len(corpus)], profiles[i % len(profiles)]) for i in range(2_000)]

    def ask(job: tuple[dict[str, Any], str]) -> str:
        return classifier.classify(job[0], profile=job[1], what_if=False).model_dump_json()

    expected = [ask(job) for job in jobs]

    def worker(seed: int) -> list[tuple[int, str]]:
        order = list(range(len(jobs)))
        random.Random(seed).shuffle(order)
        return [(i, ask(jobs[i])) for i in order]

    rss = []
    for round_ in range(2):  # the first fills the memos to their bound; the second adds nothing
        with ThreadPoolExecutor(max_workers=8) as pool:
            outputs = list(pool.map(worker, range(8 * round_, 8 * round_ + 8)))
        rss.append(_live_rss_kib())
        assert all(len(output) == len(jobs) for output in outputs)
        wrong = [
            (t, i) for t, output in enumerate(outputs) for i, got in output if got != expected[i]
        ]
        assert not wrong, f"{len(wrong)} answers differ; first witness: {jobs[wrong[0][1]]}"
    if rss[0] is not None and rss[1] is not None:
        assert rss[1] - rss[0] < 40 * 1024, f"RSS grew by {rss[1] - rss[0]} KiB"


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


def _live_rss_kib() -> int | None:
    """RSS once freed memory is given back: threads allocate from malloc arenas of their
    own, which keep what was freed (tens of MB up and down from one round to the
    next); glibc's `malloc_trim` returns it, so that what is left is what lives."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return _rss_kib()


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
