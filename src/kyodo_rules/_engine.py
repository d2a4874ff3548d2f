"""The durable-rules backend: the only module that imports `durable`.

durable-rules (a Rete engine) is the default engine of `classify()`. It has
had no release since 2020 and keeps process-global state, so it is kept behind
this one small class; nothing else in the package knows it exists, and the
plain-Python backend (`_pyengine`) offers the same interface.

Each rule of the rulebase becomes two durable-rules rules over one flat fact:
"definitely true" and "undecided" (possibly true, possibly false: it depends on
facts nobody has given yet). How the known traps of durable-rules are avoided:

- 1,024 live sessions per ruleset: every case runs in its own session, deleted
  in a `finally`, so at most one is ever alive.
- timer threads: `_QuietHost` starts none (the default `Host` starts two per
  instance that never stop, and they can steal pending actions).
- swallowed action errors: actions only append an index to a list; any error
  they meet is recorded and re-raised after the run.
- endless loops on `$nex`, negation decided once: conditions use no `$nex` and
  no `$not`; negation is compiled away (negation normal form over explicit
  "unknown" values), and every condition starts with a positive test on
  `kind == "case"`, which only the case fact has.
- facts that match no rule raise `MessageNotHandledException`: that simply
  means no rule fired, and is caught here. (A brand-new ruleset whose first
  session fires nothing crashes in `delete_state`: see `_warm_up`.)
- types: values are validated by pydantic and flattened to strings and counts
  before they reach the engine, so "5" never meets 5.
- threads: evaluation holds a lock per engine; calls hold the GIL anyway.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from durable.engine import Host, MessageNotHandledException, MessageObservedException

from kyodo_rules._conditions import Schema, negate
from kyodo_rules._pyengine import CompiledRule
from kyodo_rules._readings import Cmp, FlatFacts, TAll, Test, reading
from kyodo_rules._vocabulary import FIELD_KINDS

_names = itertools.count()
_OPS = {"ne": "$neq", "le": "$lte", "ge": "$gte"}


class _QuietHost(Host):  # type: ignore[misc]
    """A durable-rules host that starts no timer threads (we never use timers)."""

    def _run(self) -> None:
        return None


def _json(test: Test) -> dict[str, Any]:
    if isinstance(test, Cmp):
        if test.op == "eq":
            return {test.key: test.value}
        return {_OPS[test.op]: {test.key: test.value}}
    key = "$and" if isinstance(test, TAll) else "$or"
    return {key: [_json(t) for t in test.items]}


def undecided(rule_nnf: Any, schema: Schema) -> Test:
    return TAll((reading(rule_nnf, False, schema), reading(negate(rule_nnf), False, schema)))


class DurableEngine:
    """Evaluates flat facts against compiled rules; returns which rules fired."""

    name = "durable-rules"

    def __init__(self, rules: Sequence[CompiledRule], schema: Schema = FIELD_KINDS) -> None:  # type: ignore[assignment]
        self._ruleset = f"kyodo_rules_{next(_names)}"
        self._lock = threading.Lock()
        self._sessions = itertools.count(1)
        self._definite: list[int] = []
        self._undecided: list[int] = []
        self._errors: list[BaseException] = []
        definition: dict[str, Any] = {}
        for index, rule in enumerate(rules):
            for suffix, test, sink in (
                ("d", reading(rule.nnf, True, schema), self._definite),
                ("u", undecided(rule.nnf, schema), self._undecided),
            ):
                condition = {"$and": [{"kind": "case"}, _json(test)]}
                definition[f"r{index}{suffix}"] = {
                    "all": [{"m": condition}],
                    "run": self._action(index, sink),
                }
        # See _warm_up: a rule only the warm-up fact can match.
        definition["warm_up"] = {"all": [{"m": {"kind": "warm_up"}}], "run": lambda _c: None}
        self._host = _QuietHost()
        self._host.set_rulesets({self._ruleset: definition})
        self._warm_up()

    def _warm_up(self) -> None:
        """Fire one action before the first real case.

        durable-rules 2.0.28 segfaults in `delete_state` when the very first
        session of a new ruleset fired no action at all (a case that matches no
        rule). After any action has run once, empty sessions are harmless, so one
        throw-away session that fires the `warm_up` rule avoids the crash.
        """
        try:
            self._host.assert_fact(self._ruleset, {"kind": "warm_up", "id": "warm_up", "sid": "0"})
        finally:
            self._host.delete_state(self._ruleset, "0")

    def _action(self, index: int, sink: list[int]) -> Any:
        def run(_closure: Any) -> None:
            try:
                sink.append(index)
            except BaseException as exc:  # durable-rules would swallow it
                self._errors.append(exc)

        return run

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices of the rules definitely true, and of those still undecided."""
        with self._lock:
            self._definite.clear()
            self._undecided.clear()
            self._errors.clear()
            sid = str(next(self._sessions))
            fact: dict[str, Any] = dict(flat)
            fact.update(kind="case", id="case", sid=sid)
            try:
                self._host.assert_fact(self._ruleset, fact)
            except (MessageNotHandledException, MessageObservedException):
                pass
            finally:
                self._host.delete_state(self._ruleset, sid)
            if self._errors:
                raise RuntimeError("a rule action failed") from self._errors[0]
            return tuple(sorted(self._definite)), tuple(sorted(self._undecided))
