"""The durable-rules backend: the only module that imports durable-rules.

durable-rules (a Rete engine in C) is the default engine of `classify()`. It
has had no release since 2020 and keeps process-global state, so it is kept
behind this one small class; nothing else in the package knows it exists, and
the plain-Python backend (`_pyengine`) offers the same interface.

Each rule of the rulebase becomes two durable-rules rules over one flat fact:
"definitely true" and "undecided" (possibly true, possibly false: it depends on
facts nobody has given yet). The rulesets are given to the engine in its
declarative JSON form.

We drive the engine's C core (`durable_rules_engine`) directly rather than
through `durable.engine.Host`. Our rules have no Python actions to run: we only
need the names of the rules that matched. The `Host` layer would, for every
match, build a closure, round-trip the session state through JSON and store it
back (about 10 µs per matched rule, more than half of the total), and it brings
the traps below. The core is pinned (durable-rules==2.0.28), so its small API
is stable. How the known traps of durable-rules are avoided:

- 1,024 live sessions per ruleset: every case runs in its own session, deleted
  in a `finally`, so at most one is ever alive.
- timer threads, and timer threads stealing pending actions: no `Host` is
  created, so no timer thread exists.
- swallowed action errors: there are no actions; matches are read in our loop.
- endless loops on `$nex` (after each action the `Host` re-asserts a state
  fact), negation decided once: no state is ever written back, conditions use
  no `$nex` and no `$not` (negation is compiled away into negation normal form
  over explicit "unknown" values), and every condition starts with a positive
  test on `kind == "case"`, which only the case fact has.
- a fact that matches no rule is reported as "not handled": no rule fired.
- a brand-new ruleset whose first session matches nothing crashes in
  `delete_state`: see `_warm_up`.
- types: values are validated by pydantic and flattened to strings and counts
  before they reach the engine, so "5" never meets 5.
- threads: evaluation holds a lock per engine (the core is not re-entrant per
  ruleset); calls hold the GIL anyway.
- rulesets are freed (`delete_ruleset`) when their engine is garbage-collected.
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import durable_rules_engine as _core  # the C core shipped by durable-rules

from kyodo_rules.engines.python import CompiledRule
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.conditions import Schema, negate
from kyodo_rules.rulebase.readings import Cmp, FlatFacts, TAll, Test, reading

_names = itertools.count()
_OPS = {"ne": "$neq", "le": "$lte", "ge": "$gte"}
#: Result codes of the core's assert_fact: matched nothing / already observed.
_NOT_HANDLED, _OBSERVED = 1, 2


def _json(test: Test) -> dict[str, Any]:
    if isinstance(test, Cmp):
        if test.op == "eq":
            return {test.key: test.value}
        return {_OPS[test.op]: {test.key: test.value}}
    key = "$and" if isinstance(test, TAll) else "$or"
    return {key: [_json(t) for t in test.items]}


def _rule_name(message: str) -> str:
    """The rule name of a match, `{"r12d": {"m": {...the fact...}}}`.

    Only the name is needed, so the (large) fact is not parsed; our rule
    names are plain ASCII words, which `definition` guarantees.
    """
    if message.startswith('{"'):
        end = message.find('"', 2)
        if end > 2:
            return message[2:end]
    return str(next(iter(json.loads(message))))


def undecided(rule_nnf: Any, schema: Schema) -> Test:
    return TAll((reading(rule_nnf, False, schema), reading(negate(rule_nnf), False, schema)))


def definition(rules: Sequence[CompiledRule], schema: Schema) -> dict[str, Any]:
    """The rules in durable-rules' declarative JSON form (rule name -> condition)."""
    out: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        for suffix, test in (
            ("d", reading(rule.nnf, True, schema)),
            ("u", undecided(rule.nnf, schema)),
        ):
            out[f"r{index}{suffix}"] = {"all": [{"m": {"$and": [{"kind": "case"}, _json(test)]}}]}
    # See _warm_up: a rule only the warm-up fact can match.
    out["warm_up"] = {"all": [{"m": {"kind": "warm_up"}}]}
    return out


class DurableEngine:
    """Evaluates flat facts against compiled rules; returns which rules matched."""

    name = "durable-rules"

    def __init__(self, rules: Sequence[CompiledRule], schema: Schema = FIELD_KINDS) -> None:
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._decode: dict[str, tuple[bool, int]] = {}
        for index in range(len(rules)):
            self._decode[f"r{index}d"] = (True, index)
            self._decode[f"r{index}u"] = (False, index)
        name = f"kyodo_rules_{next(_names)}"
        self._handle = _core.create_ruleset(
            name, json.dumps(definition(rules, schema), ensure_ascii=False)
        )
        weakref.finalize(self, _core.delete_ruleset, self._handle)
        self._warm_up()

    def _matches(self, fact: dict[str, Any]) -> list[str]:
        """Assert one fact in its own session; the names of the rules it matched."""
        sid = fact["sid"]
        try:
            code, state = _core.assert_fact(self._handle, json.dumps(fact, ensure_ascii=False))
            if code in (_NOT_HANDLED, _OBSERVED):
                return []
            names: list[str] = []
            started = _core.start_action_for_state(self._handle, state)
            message = started[1] if started else None
            while message:
                names.append(_rule_name(message))
                message = _core.complete_and_start_action(self._handle, state)
            return names
        finally:
            _core.delete_state(self._handle, sid)

    def _warm_up(self) -> None:
        """Match one rule before the first real case.

        durable-rules 2.0.28 segfaults in `delete_state` when the very first
        session of a new ruleset matched nothing at all. After one match,
        empty sessions are harmless, so one throw-away session matching the
        `warm_up` rule avoids the crash.
        """
        self._matches({"kind": "warm_up", "id": "warm_up", "sid": "0"})

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices of the rules definitely true, and of those still undecided."""
        fact: dict[str, Any] = dict(flat)
        with self._lock:
            fact.update(kind="case", id="case", sid=str(next(self._sessions)))
            names = self._matches(fact)
        definite: set[int] = set()
        open_: set[int] = set()
        for name in names:
            # A rule whose condition has alternatives ($or) can match once per
            # alternative; a set keeps one.
            is_definite, index = self._decode[name]
            (definite if is_definite else open_).add(index)
        return tuple(sorted(definite)), tuple(sorted(open_))
