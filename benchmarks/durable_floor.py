"""What one durable-rules evaluation costs, and what does not make it cheaper.

    python benchmarks/durable_floor.py

The engine of record matches every case once; this is the floor under any
`classify()` call. Four rulesets over the same facts (the benchmark mix),
timed in interleaved passes (CPU time of this thread, median of the pass
means):

- the shipped one: each rule as "definitely true" and "undecided";
- only "definitely true" (not an answer: the undecided rules are missing),
  to show what the undecided half costs;
- the undecided rules as "possibly true" (undecided = possible − definite);
- every condition as exclusive alternatives (a rule matches at most once).

Each also gives its matches per case. None of the complete ones is cheaper
than the shipped ruleset by more than the noise.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import durable_rules_engine as core
from goals import mix

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.engines import durable as D
from kyodo_rules.model.validation import validate_case
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.conditions import negate
from kyodo_rules.rulebase.readings import Cmp, TAll, TAny, Test, flatten, reading

_names = itertools.count()
_NEG = {"eq": "ne", "ne": "eq"}


def _negated(test: Test) -> Test:
    if isinstance(test, Cmp):
        if test.op in _NEG:
            return Cmp(test.key, _NEG[test.op], test.value)  # type: ignore[arg-type]
        assert isinstance(test.value, int)
        return (
            Cmp(test.key, "ge", test.value + 1)
            if test.op == "le"
            else Cmp(test.key, "le", test.value - 1)
        )
    if isinstance(test, TAll):
        return TAny(tuple(_negated(t) for t in test.items))
    return TAll(tuple(_negated(t) for t in test.items))


def _consistent(terms: tuple[Cmp, ...]) -> bool:
    eq: dict[str, Any] = {}
    for t in terms:
        if t.op == "eq" and eq.setdefault(t.key, t.value) != t.value:
            return False
    return not any(t.op == "ne" and eq.get(t.key) == t.value for t in terms)


def _product(a: list[tuple[Cmp, ...]], b: list[tuple[Cmp, ...]]) -> list[tuple[Cmp, ...]]:
    out = []
    for x in a:
        for y in b:
            z = tuple(dict.fromkeys(x + y))
            if _consistent(z):
                out.append(z)
    return out


def exclusive(test: Test) -> list[tuple[Cmp, ...]]:
    """Alternatives of `test` of which at most one holds (an `any` as "first true")."""
    if isinstance(test, Cmp):
        return [(test,)]
    if isinstance(test, TAll):
        out: list[tuple[Cmp, ...]] = [()]
        for item in test.items:
            out = _product(out, exclusive(item))
        return out
    out, before = [], [()]
    for item in test.items:
        out += _product(before, exclusive(item))
        before = _product(before, exclusive(_negated(item)))
    return out


def _as_test(alternatives: list[tuple[Cmp, ...]]) -> Test:
    items = tuple(TAll(a) if len(a) > 1 else a[0] for a in alternatives)
    return items[0] if len(items) == 1 else TAny(items)


def _ruleset(rules: list[tuple[str, Test]], engine: D.DurableEngine) -> int:
    out: dict[str, Any] = {}
    for name, test in rules:
        out[name] = {"all": [{"m": {"$and": [{"kind": "case"}, engine._codec.json(test)]}}]}
    out["warm_up"] = {"all": [{"m": {"kind": "warm_up"}}]}
    handle = core.create_ruleset(f"floor_{next(_names)}", json.dumps(out))
    engine._matches(handle, '{"kind":"warm_up","id":"warm_up","sid":"1"}')
    return int(handle)


def _chunks(
    name: str, alternatives: list[tuple[Cmp, ...]], size: int = 30
) -> list[tuple[str, Test]]:
    """The core takes at most 32 tests in one rule: exclusive alternatives in several rules."""
    out: list[list[tuple[Cmp, ...]]] = []
    chunk: list[tuple[Cmp, ...]] = []
    n = 0
    for alt in alternatives:
        if chunk and n + len(alt) > size:
            out.append(chunk)
            chunk, n = [], 0
        chunk.append(alt)
        n += len(alt)
    out.append(chunk)
    return [(f"{name}x{k}", _as_test(c)) for k, c in enumerate(out) if c]


def main() -> int:
    bound = default_classifier().bound("generic")
    engine = bound.durable
    assert isinstance(engine, D.DurableEngine)
    rules = bound.ruleset.rules
    tests, members = D.conditions(rules, FIELD_KINDS)
    possible = [reading(rules[m[0]].nnf, False, FIELD_KINDS) for m in members]
    impossible = [reading(negate(rules[m[0]].nnf), False, FIELD_KINDS) for m in members]
    sets = {
        "shipped (definite + undecided)": engine._parts[0].handle,
        "definite only (incomplete)": _ruleset(
            [(f"c{i}d", d) for i, (d, _) in enumerate(tests)], engine
        ),
        "definite + possible": _ruleset(
            [(f"c{i}d", d) for i, (d, _) in enumerate(tests)]
            + [(f"c{i}p", p) for i, p in enumerate(possible)],
            engine,
        ),
        "exclusive alternatives": _ruleset(
            [
                rule
                for i, (d, _) in enumerate(tests)
                for rule in _chunks(f"c{i}d", exclusive(d))
                + _chunks(f"c{i}u", _product(exclusive(possible[i]), exclusive(impossible[i])))
            ],
            engine,
        ),
    }
    texts = [engine._text(flatten(validate_case(f).facts())) for f, _ in mix()]
    matches = {
        name: statistics.mean(len(engine._matches(h, t)) for t in texts) for name, h in sets.items()
    }
    times: dict[str, list[float]] = {name: [] for name in sets}
    for _ in range(7):
        for name, handle in sets.items():
            start = time.thread_time()
            for text in texts:
                engine._matches(handle, text)
            times[name].append((time.thread_time() - start) / len(texts))
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(texts)} cases, {len(rules)} rules; load average {load}")
    print("| ruleset | one case (median of 7 passes) | matches a case |")
    print("|---|---|---|")
    for name in sets:
        print(f"| {name} | {statistics.median(times[name]) * 1e6:.0f} µs | {matches[name]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
