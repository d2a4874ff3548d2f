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
- fixed-size tables in the core (64 alpha nodes pending while one fact is
  matched, 128 negated tests or 512 tests under one node, 255 properties in a
  fact): a rulebase several times the shipped one overflows them (error 303,
  `ERR_MAX_STACK_SIZE`, for a third of the cases at 8 times). The rules are
  therefore spread over as many rulesets as needed: a ruleset the core refuses
  to build, or that overflows on a case, is split in two and the case asked
  again, so every case is answered. Only a single rule beyond a limit is
  refused, as an `EngineError` naming the rule set and the limit; no raw
  `durable_rules_engine.error` leaves this module.

What one evaluation costs, and why it is built this way: the fact is sent as
one JSON text assembled from pieces prepared once (only the keys some rule
reads; `json.dumps` of the whole flat fact cost more than the session itself),
and every case uses the same session id in the same ruleset (the session is
deleted after each case, so none outlives its case).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _core  # the C core shipped by durable-rules

from kyodo_rules.engines.python import CompiledRule
from kyodo_rules.model.errors import EngineError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.conditions import Schema, negate
from kyodo_rules.rulebase.readings import Cmp, FlatFacts, TAll, Test, flatten, reading

_names = itertools.count()
_OPS = {"ne": "$neq", "le": "$lte", "ge": "$gte"}
#: Result codes of the core's assert_fact: matched nothing / already observed.
_NOT_HANDLED, _OBSERVED = 1, 2
#: The core's fixed limits, by the error code it returns when one is exceeded
#: (durable-rules 2.0.28, src/rules/rules.h, rete.c, events.c, state.h).
LIMITS = {
    106: "at most 512 tests under one node of the match network (ERR_RULE_LIMIT_EXCEEDED)",
    107: "at most 128 negated tests under one node (ERR_RULE_EXISTS_LIMIT_EXCEEDED)",
    108: "at most 256 rules joined at one node (ERR_RULE_BETA_LIMIT_EXCEEDED)",
    113: "at most 32 expressions in one rule (ERR_EXPRESSION_LIMIT_EXCEEDED)",
    302: "at most 255 properties in one fact (ERR_EVENT_MAX_PROPERTIES)",
    303: "at most 64 alternatives pending while one fact is matched (ERR_MAX_STACK_SIZE)",
    304: "at most 16 messages in one frame (ERR_MAX_MESSAGES_IN_FRAME)",
}
#: Limits that a smaller ruleset can stay within (the others are about one rule or the fact).
_SPLITTABLE = frozenset({106, 107, 108, 303, 304})
#: Distinct conditions per ruleset at most, to begin with: a large rulebase
#: needs fewer splits (each a new ruleset built while a case waits) and costs
#: less per match in several rulesets than in one.
PART_SIZE = 100
#: Facts asserted in one session by `evaluate_many` (measured best near 100).
BATCH = 100
#: Every case is matched in this session of its ruleset, deleted right after.
_SID = "1"
_CODE = re.compile(r"error code: (\d+)")


def _json(test: Test) -> dict[str, Any]:
    if isinstance(test, Cmp):
        if test.op == "eq":
            return {test.key: test.value}
        return {_OPS[test.op]: {test.key: test.value}}
    key = "$and" if isinstance(test, TAll) else "$or"
    return {key: [_json(t) for t in test.items]}


def _keys(test: Test, out: dict[str, None]) -> None:
    if isinstance(test, Cmp):
        out[test.key] = None
    else:
        for item in test.items:
            _keys(item, out)


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


def _error_code(exc: BaseException) -> int | None:
    found = _CODE.search(str(exc))
    return int(found.group(1)) if found else None


def undecided(rule_nnf: Any, schema: Schema) -> Test:
    return TAll((reading(rule_nnf, False, schema), reading(negate(rule_nnf), False, schema)))


def conditions(
    rules: Sequence[CompiledRule], schema: Schema
) -> tuple[list[tuple[Test, Test]], list[tuple[int, ...]]]:
    """Each distinct condition once, as its (definitely, undecided) tests, with its rules.

    Rules that read the same condition (a city's copy of a shipped rule with
    its own conclusion, a rulebase that merges several cities') share one
    pair of engine rules: their matches cost once.
    """
    tests: list[tuple[Test, Test]] = []
    members: list[list[int]] = []
    seen: dict[tuple[Test, Test], int] = {}
    for index, rule in enumerate(rules):
        pair = (reading(rule.nnf, True, schema), undecided(rule.nnf, schema))
        at = seen.setdefault(pair, len(tests))
        if at == len(tests):
            tests.append(pair)
            members.append([])
        members[at].append(index)
    return tests, [tuple(m) for m in members]


def definition(tests: Sequence[tuple[Test, Test]], only: Sequence[int]) -> dict[str, Any]:
    """These conditions in durable-rules' declarative JSON form (rule name -> condition)."""
    out: dict[str, Any] = {}
    for index in only:
        for suffix, test in zip("du", tests[index], strict=True):
            out[f"c{index}{suffix}"] = {"all": [{"m": {"$and": [{"kind": "case"}, _json(test)]}}]}
    # See _warm_up: a rule only the warm-up fact can match.
    out["warm_up"] = {"all": [{"m": {"kind": "warm_up"}}]}
    return out


@dataclass(frozen=True)
class _Part:
    """One durable-rules ruleset holding some of the conditions (by index)."""

    handle: int
    conditions: tuple[int, ...]


def _free(handles: list[int]) -> None:
    for handle in handles:
        _core.delete_ruleset(handle)


class DurableEngine:
    """Evaluates flat facts against compiled rules; returns which rules matched."""

    name = "durable-rules"

    def __init__(
        self,
        rules: Sequence[CompiledRule],
        schema: Schema = FIELD_KINDS,
        label: str = "the rule set",
        part_size: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._rules = rules
        self._label = label
        self._tests, self._members = conditions(rules, schema)
        self._decode: dict[str, tuple[bool, tuple[int, ...]]] = {}
        read: dict[str, None] = {}
        for index, members in enumerate(self._members):
            self._decode[f"c{index}d"] = (True, members)
            self._decode[f"c{index}u"] = (False, members)
            for test in self._tests[index]:
                _keys(test, read)
        # The fact carries only the keys some rule reads, in flattening order.
        order = list(flatten({}, schema))
        self._fact_keys = tuple((k, f',"{k}":') for k in order if k in read)
        self._values: dict[str | int, str] = {}
        self._handles: list[int] = []
        weakref.finalize(self, _free, self._handles)
        every = tuple(range(len(self._tests)))
        size = part_size or PART_SIZE
        self._parts: list[_Part] = []
        for start in range(0, len(every), size):
            self._parts += self._build(every[start : start + size])

    @property
    def rulesets(self) -> int:
        """How many durable-rules rulesets the rules are spread over."""
        return len(self._parts)

    def _refuse(self, code: int | None, what: str, part: Sequence[int]) -> EngineError:
        limit = LIMITS.get(code or 0, f"error code {code}")
        rules = [i for c in part for i in self._members[c]]
        ids = [str(getattr(self._rules[i], "id", i)) for i in rules[:3]]
        if len(part) == 1:
            where = f"rule {', '.join(ids)} alone exceeds it"
        else:
            where = f"rules {', '.join(ids)}{'…' if len(rules) > 3 else ''}"
        return EngineError(f"{self._label}: durable-rules cannot {what}: {limit}; {where}")

    def _build(self, rules: tuple[int, ...]) -> list[_Part]:
        """Rulesets for these conditions: one if the core accepts it, else halves, recursively."""
        text = json.dumps(definition(self._tests, rules), ensure_ascii=False)
        try:
            handle = _core.create_ruleset(f"kyodo_rules_{next(_names)}", text)
        except _core.error as exc:
            code = _error_code(exc)
            if code in _SPLITTABLE and len(rules) > 1:
                half = len(rules) // 2
                return self._build(rules[:half]) + self._build(rules[half:])
            raise self._refuse(code, "build a ruleset", rules) from None
        self._handles.append(handle)
        part = _Part(handle, rules)
        self._warm_up(part)
        return [part]

    def _split(self, at: int) -> None:
        part = self._parts[at]
        half = len(part.conditions) // 2
        self._parts[at : at + 1] = self._build(part.conditions[:half]) + self._build(
            part.conditions[half:]
        )
        self._handles.remove(part.handle)
        _core.delete_ruleset(part.handle)

    def _matches(self, handle: int, text: str, sid: str = _SID) -> list[str]:
        """Assert one fact in its own session; the names of the rules it matched."""
        failed = True
        try:
            code, state = _core.assert_fact(handle, text)
            names: list[str] = []
            if code not in (_NOT_HANDLED, _OBSERVED):
                started = _core.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    names.append(_rule_name(message))
                    message = _core.complete_and_start_action(handle, state)
            failed = False
            return names
        finally:
            try:
                _core.delete_state(handle, sid)
            except _core.error:
                # A fact the core refused leaves no session behind to delete.
                if not failed:
                    raise

    def _warm_up(self, part: _Part) -> None:
        """Match one rule before the first real case.

        durable-rules 2.0.28 segfaults in `delete_state` when the very first
        session of a new ruleset matched nothing at all. After one match,
        empty sessions are harmless, so one throw-away session matching the
        `warm_up` rule avoids the crash.
        """
        self._matches(part.handle, '{"kind":"warm_up","id":"warm_up","sid":"0"}', "0")

    def _batch(self, handle: int, texts: Sequence[str]) -> list[list[str]]:
        """Assert several facts in one session; per fact, the names of the rules it matched.

        One session for many facts saves the per-session cost; every rule reads
        one fact, so a match names the fact it came from by its id.
        """
        names: list[list[str]] = [[] for _ in texts]
        failed = True
        try:
            code, state = _core.assert_facts(handle, "[" + ",".join(texts) + "]")
            # The code is the batch's as a whole: "not handled" as soon as one fact
            # matched no rule, while the other facts' matches are pending all the
            # same. So they are always read (issue 26: a batch of what-if changes
            # lost the matches of every change but the one that matched nothing).
            if code != _OBSERVED:
                started = _core.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    name = _rule_name(message)
                    at = message.index('"id":"', len(name) + 2) + 6
                    names[int(message[at : message.index('"', at)])].append(name)
                    message = _core.complete_and_start_action(handle, state)
            failed = False
            return names
        finally:
            try:
                _core.delete_state(handle, _SID)
            except _core.error:
                if not failed:
                    raise

    def _text(self, flat: FlatFacts, fid: str = "case") -> str:
        values = self._values
        pieces = ['{"kind":"case","id":"', fid, '","sid":"1"']
        for key, prefix in self._fact_keys:
            value = flat[key]
            piece = values.get(value)
            if piece is None:
                piece = json.dumps(value, ensure_ascii=False)
                if len(values) < 4096:
                    values[value] = piece
            pieces.append(prefix)
            pieces.append(piece)
        pieces.append("}")
        return "".join(pieces)

    def _over_parts(self, match: Callable[[int], list[list[str]]], n: int) -> list[list[str]]:
        """`match` on every ruleset, splitting one the core overflows; names per fact."""
        names: list[list[str]] = [[] for _ in range(n)]
        with self._lock:
            at = 0
            while at < len(self._parts):
                part = self._parts[at]
                try:
                    found = match(part.handle)
                except _core.error as exc:
                    code = _error_code(exc)
                    if code in _SPLITTABLE and len(part.conditions) > 1:
                        self._split(at)
                        continue  # the same facts again, on the halves
                    raise self._refuse(code, "match a case", part.conditions) from None
                for mine, more in zip(names, found, strict=True):
                    mine += more
                at += 1
        return names

    def _statuses(self, names: list[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        definite: set[int] = set()
        open_: set[int] = set()
        for name in names:
            # A rule whose condition has alternatives ($or) can match once per
            # alternative; a set keeps one.
            is_definite, members = self._decode[name]
            (definite if is_definite else open_).update(members)
        return tuple(sorted(definite)), tuple(sorted(open_))

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices of the rules definitely true, and of those still undecided."""
        text = self._text(flat)
        (names,) = self._over_parts(lambda handle: [self._matches(handle, text)], 1)
        return self._statuses(names)

    def evaluate_many(
        self, flats: Sequence[FlatFacts]
    ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """`evaluate` of each, in order, BATCH facts to a session (about half the cost each)."""
        out: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for start in range(0, len(flats), BATCH):
            texts = [self._text(f, str(n)) for n, f in enumerate(flats[start : start + BATCH])]
            found = self._over_parts(functools.partial(self._batch, texts=texts), len(texts))
            out += [self._statuses(names) for names in found]
        return out
