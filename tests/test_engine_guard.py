"""The guard against durable-rules' abort: one session per ruleset, always drained.

durable-rules 2.0.28 kills the whole process (`free(): invalid pointer`, or a
segmentation fault) when a session is deleted without every match read while
another session of the same ruleset is alive. The engine keeps one session per ruleset for its
whole life (a case is asserted, its matches read, and retracted), so the
condition cannot arise: these tests put it through everything that deletes
or might leave a session (failures inside the core, interrupted reads, a
fact left behind, threads, splits, engines freed) and check the answers.

Each runs in a subprocess: an abort would otherwise take the whole test run
down with it instead of failing one test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

_SETUP = """
import json, random, sys
sys.path.insert(0, {tests!r})
import durable_rules_engine as core
from kyodo_rules.engines import durable as D
from kyodo_rules.engines.python import PythonEngine
from kyodo_rules.rulebase.loading import load_rulebase
from kyodo_rules.rulebase.readings import flatten
from strategies import random_facts

RULES = load_rulebase().ruleset("generic").rules
rng = random.Random(7)
FLATS = [flatten(random_facts(rng)) for _ in range(300)]
WANT = [PythonEngine(RULES).evaluate(f) for f in FLATS]
"""


def _run(body: str) -> subprocess.CompletedProcess[str]:
    from pathlib import Path

    tests = str(Path(__file__).resolve().parent)
    script = _SETUP.format(tests=tests) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )


def test_the_abort_is_real_without_the_guard() -> None:
    """The control: two sessions of one ruleset, one deleted with unread matches.

    If a later durable-rules stops aborting here, this test says so (and the
    guard may be simplified); while it aborts, the tests below mean something.
    """
    done = _run(
        """
        engine = D.DurableEngine(RULES)
        (handle,) = engine._handles
        for n, flat in enumerate(FLATS[:2]):
            sid = str(100 + n)
            text = engine._text(flat, "f").replace('"sid":"1"', f'"sid":"{sid}"')
            core.assert_fact(handle, text)  # matches left unread
        core.delete_state(handle, "100")  # another session ("101") is alive
        print("survived")
        """
    )
    # Killed by a signal: SIGABRT (`free(): invalid pointer`) or SIGSEGV, by the heap.
    assert done.returncode < 0 and "survived" not in done.stdout, (done.returncode, done.stdout)


def test_failures_interruptions_threads_and_freed_engines_never_abort() -> None:
    done = _run(
        """
        import gc, threading

        engine = D.DurableEngine(RULES)
        (handle,) = engine._handles
        assert [engine.evaluate(f) for f in FLATS] == WANT

        # An interrupted read of the matches (Ctrl-C in the middle of a case):
        # the session is dropped, and the next case is answered from scratch.
        real = core.complete_and_start_action
        calls = {"n": 0}

        def flaky(handle_, state):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
            return real(handle_, state)

        D._core.complete_and_start_action = flaky
        try:
            engine.evaluate(FLATS[0])
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the interrupt did not happen")
        finally:
            D._core.complete_and_start_action = real
        assert [engine.evaluate(f) for f in FLATS[:50]] == WANT[:50]

        # A fact left behind in the session (its retraction never happened): the
        # next case's fact is "observed", so the session starts afresh.
        core.assert_fact(handle, engine._text(FLATS[1]))
        assert engine.evaluate(FLATS[2]) == WANT[2]
        assert json.loads(core.get_facts(handle, "1")) == []

        # Threads: single cases and batches at once, on one engine.
        wrong = []

        def work(k):
            for n in range(k, len(FLATS), 4):
                if engine.evaluate(FLATS[n]) != WANT[n]:
                    wrong.append(n)
            if engine.evaluate_many(FLATS[k::4]) != WANT[k::4]:
                wrong.append(("many", k))

        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not wrong, wrong

        # A ruleset the core overflows is split while cases wait (the old one freed
        # with its session), and a fact the core refuses leaves the session usable.
        from scaled import distinct_conditions

        big = distinct_conditions(RULES, 8)
        split = D.DurableEngine(big, label="test", part_size=len(big))
        want_big = [PythonEngine(big).evaluate(f) for f in FLATS[:40]]
        assert [split.evaluate(f) for f in FLATS[:40]] == want_big
        assert split.rulesets > 1
        assert split.evaluate_many(FLATS[:40]) == want_big

        # Engines freed while others of the same rules live: each frees its own
        # session, then its ruleset.
        for _ in range(10):
            other = D.DurableEngine(RULES)
            other.evaluate(FLATS[3])
            del other
            gc.collect()
        assert [engine.evaluate(f) for f in FLATS[:50]] == WANT[:50]
        del engine, split
        gc.collect()
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
