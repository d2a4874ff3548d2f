"""durable-rules crashes when a new ruleset's first session fires nothing.

Run in a subprocess: the failure mode is a segfault, which would take the
whole test run down with it instead of failing one test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_first_case_matching_no_rule_does_not_crash_the_engine() -> None:
    script = textwrap.dedent(
        """
        from kyodo_rules.engines.durable import DurableEngine
        from kyodo_rules.rulebase.readings import flatten
        from kyodo_rules.rulebase.loading import load_rulebase

        rule = next(r for r in load_rulebase().rules if r.id == "jirei1-outsourcing")
        engine = DurableEngine([rule])
        facts = flatten({"spec_author": "partner", "city_supervises": False})
        results = {engine.evaluate(facts) for _ in range(2000)}
        print(sorted(results))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[((), ())]"
