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

- 1,024 live sessions per ruleset, and the abort below: every ruleset has
  one session (`_SID`), created by the warm-up and kept for the ruleset's
  life. A case is asserted into it, its matches are all read, and it is
  retracted again, so the session holds no fact and no unread match between
  cases. durable-rules 2.0.28 aborts the whole process (`free(): invalid
  size`) when a session with unread matches is deleted while another
  session of the same ruleset is alive; with one session per ruleset,
  always drained, that cannot happen. A session is deleted only where it is
  its ruleset's only one: after a failure inside the core (its state is
  then unknown; the next case starts it afresh) and before the ruleset is
  freed (`delete_ruleset` frees none of a session's memory).
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
- a fact whose id is already in the session is "observed" and matches
  nothing: a case's fact is always retracted (or the session reset) before
  the next is asserted, and an "observed" answer resets the session and
  asks again.
- types: values are validated by pydantic and flattened to strings and counts
  before they reach the engine, so "5" never meets 5.
- threads: every use of an engine's rulesets (a case, a batch, a split, the
  warm-up) holds the engine's lock: the core is not re-entrant per ruleset,
  and a second thread asserting into the one session would read the other's
  matches.
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

What one evaluation costs, and why it is built this way: a session costs more
to create and delete than to match a case in (each zeroes about 8 KB per rule
node and frees hundreds of allocations), so the one session is kept and only
the fact comes and goes (0.6-0.7 of the cost). The fact is sent as one JSON
text assembled from pieces prepared once, with only the keys some rule reads,
each under a short name (`k0`, `k1`…) and each text value as a number
(`_Codec`): the core parses and hashes less (`json.dumps` of the whole flat
fact cost more than the session itself).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import weakref
from collections.abc import Mapping, Sequence
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
#: The one session of every ruleset: each case is asserted into it and retracted.
_SID = "1"
_CODE = re.compile(r"error code: (\d+)")


class _Codec:
    """The facts as the core sees them: short keys and numbers for text values.

    Every key some rule reads gets a short name (`k0`, `k1`…) and every text
    value a rule compares with gets a number; a text value no rule mentions
    becomes `OTHER`, which equals none of them (so `!=` still holds). Counts
    stay numbers. A key holds either texts or counts, never both (flattening
    decides by the field's kind), so codes and counts never meet.
    """

    OTHER = 0

    def __init__(self, keys: Sequence[str], tests: Sequence[Test]) -> None:
        self.names = {key: f"k{n}" for n, key in enumerate(keys)}
        texts: dict[str, None] = {}
        for test in tests:
            _texts(test, texts)
        self.codes = {text: n for n, text in enumerate(texts, start=1)}

    def value(self, value: str | int) -> int:
        return self.codes.get(value, self.OTHER) if isinstance(value, str) else value

    def json(self, test: Test) -> dict[str, Any]:
        if isinstance(test, Cmp):
            key, value = self.names[test.key], self.value(test.value)
            if test.op == "eq":
                return {key: value}
            return {_OPS[test.op]: {key: value}}
        key = "$and" if isinstance(test, TAll) else "$or"
        return {key: [self.json(t) for t in test.items]}


def _texts(test: Test, out: dict[str, None]) -> None:
    if isinstance(test, Cmp):
        if isinstance(test.value, str):
            out[test.value] = None
    else:
        for item in test.items:
            _texts(item, out)


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


def definition(
    tests: Sequence[tuple[Test, Test]], only: Sequence[int], codec: _Codec
) -> dict[str, Any]:
    """These conditions in durable-rules' declarative JSON form (rule name -> condition)."""
    out: dict[str, Any] = {}
    for index in only:
        for suffix, test in zip("du", tests[index], strict=True):
            out[f"c{index}{suffix}"] = {
                "all": [{"m": {"$and": [{"kind": "case"}, codec.json(test)]}}]
            }
    # See _warm_up: a rule only the warm-up fact can match.
    out["warm_up"] = {"all": [{"m": {"kind": "warm_up"}}]}
    return out


@dataclass(frozen=True)
class _Part:
    """One durable-rules ruleset holding some of the conditions (by index)."""

    handle: int
    conditions: tuple[int, ...]


def _free(handles: list[int]) -> None:
    """Free the rulesets, each session first (`delete_ruleset` leaves a session's
    memory behind; every session is drained, and its ruleset's only one)."""
    for handle in handles:
        _forget(handle)
        _core.delete_ruleset(handle)


def _forget(handle: int) -> None:
    """Delete the ruleset's one session, if it exists (its next case starts it afresh)."""
    with contextlib.suppress(_core.error):  # no session: nothing was left
        _core.delete_state(handle, _SID)


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
        order = [k for k in flatten({}, schema) if k in read]
        self._codec = _Codec(order, [t for pair in self._tests for t in pair])
        self._fact_keys = tuple((k, f',"{self._codec.names[k]}":') for k in order)
        self._values: dict[str | int, str] = {}
        # The same text straight from the facts, a field at a time: each field's
        # part of it kept by the field's value (`_fact_text`).
        #: field -> its part of the schema (kept: `flatten` plans each schema once)
        self._alone = {name: {name: kind} for name, kind in schema.items()}
        self._by_field: tuple[tuple[str, bool, dict[Any, str]], ...] = tuple(
            (name, kind == "codes", {})
            for name, (kind, _) in schema.items()
            if not read.keys().isdisjoint(flatten({}, self._alone[name]))
        )
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
        text = json.dumps(definition(self._tests, rules, self._codec), ensure_ascii=False)
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
        _free([part.handle])

    def _session(self, handle: int, text: str) -> list[str]:
        """Assert `text` into the ruleset's one session, read every match, retract it.

        Whatever happens in between (an error of the core, an interrupt), the
        session is left with no fact and no unread match: on the way out of a
        failure it is deleted (it is its ruleset's only session, so deleting it
        is safe, and the next case starts it afresh).
        """
        done = False
        try:
            code, state = _core.assert_fact(handle, text)
            if code == _OBSERVED:
                # A fact of that id is still there (an earlier case was cut short
                # before its retraction): start the session afresh and ask again.
                _forget(handle)
                code, state = _core.assert_fact(handle, text)
            messages: list[str] = []
            if code != _NOT_HANDLED:
                started = _core.start_action_for_state(handle, state)
                message = started[1] if started else None
                while message:
                    messages.append(message)
                    message = _core.complete_and_start_action(handle, state)
            _core.retract_fact(handle, text)
            done = True
            return messages
        finally:
            if not done:
                _forget(handle)

    def _matches(self, handle: int, text: str) -> list[str]:
        """The names of the rules one fact matches in one ruleset."""
        return [_rule_name(m) for m in self._session(handle, text)]

    def _warm_up(self, part: _Part) -> None:
        """Match one rule before the first real case.

        durable-rules 2.0.28 segfaults in `delete_state` when the very first
        session of a new ruleset matched nothing at all. The warm-up fact,
        which only the `warm_up` rule matches, starts the ruleset's one session
        with a match, so that it may be deleted later (after a failure, or
        when the ruleset is freed).
        """
        self._session(part.handle, '{"kind":"warm_up","id":"warm_up","sid":"' + _SID + '"}')

    def _text(self, flat: FlatFacts, fid: str = "case") -> str:
        values = self._values
        pieces = ['{"kind":"case","id":"', fid, '","sid":"', _SID, '"']
        for key, prefix in self._fact_keys:
            value = flat[key]
            piece = values.get(value)
            if piece is None:
                piece = str(self._codec.value(value))
                if len(values) < 4096:
                    values[value] = piece
            pieces.append(prefix)
            pieces.append(piece)
        pieces.append("}")
        return "".join(pieces)

    def _fact_text(self, facts: Mapping[str, Any]) -> str:
        """`_text(flatten(facts))`, without flattening: the part of the text each field
        gives is kept by its value (the same few values come back case after case)."""
        out = ['{"kind":"case","id":"case","sid":"', _SID, '"']
        for name, listed, pieces in self._by_field:
            value = facts.get(name)
            if listed and value is not None:
                value = tuple(value)
            piece = pieces.get(value)
            if piece is None:
                piece = self._piece(name, value)
                if len(pieces) < 4096:
                    pieces[value] = piece
            out.append(piece)
        out.append("}")
        return "".join(out)

    def _piece(self, name: str, value: Any) -> str:
        """The part of the fact's text that field `name` with `value` gives."""
        flat = flatten({name: list(value) if type(value) is tuple else value}, self._alone[name])
        return "".join(
            prefix + str(self._codec.value(flat[key]))
            for key, prefix in self._fact_keys
            if key in flat
        )

    def _matched(self, text: str) -> list[str]:
        """Every match of one fact on every ruleset (the lock held), splitting a ruleset
        the core overflows."""
        parts = self._parts
        if len(parts) == 1:
            with contextlib.suppress(_core.error):  # split or refused below
                return self._session(parts[0].handle, text)
        messages: list[str] = []
        at = 0
        while at < len(parts):
            part = parts[at]
            try:
                messages += self._session(part.handle, text)
            except _core.error as exc:
                code = _error_code(exc)
                if code in _SPLITTABLE and len(part.conditions) > 1:
                    self._split(at)
                    continue  # the same fact again, on the halves
                raise self._refuse(code, "match a case", part.conditions) from None
            at += 1
        return messages

    def _statuses(self, messages: list[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        decode = self._decode
        definite: set[int] = set()
        open_: set[int] = set()
        for message in messages:
            # `{"c12d": {"m": {...the fact...}}}`: only the rule's name is read (our
            # names are plain ASCII words, which `definition` guarantees). A rule
            # whose condition has alternatives ($or) can match once per
            # alternative; a set keeps one.
            is_definite, members = decode[message[2 : message.index('"', 2)]]
            (definite if is_definite else open_).update(members)
        return tuple(sorted(definite)), tuple(sorted(open_))

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Indices of the rules definitely true, and of those still undecided."""
        text = self._text(flat)
        with self._lock:
            messages = self._matched(text)
        return self._statuses(messages)

    def evaluate_facts(self, facts: Mapping[str, Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """`evaluate(flatten(facts))`, without flattening the facts."""
        text = self._fact_text(facts)
        with self._lock:
            messages = self._matched(text)
        return self._statuses(messages)

    def evaluate_many(
        self, flats: Sequence[FlatFacts]
    ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """`evaluate` of each, in order, holding the lock once.

        (Several facts asserted at once used to save a session each; with the
        one session kept, a fact at a time costs less: no fact's id to read
        back from every match.)
        """
        with self._lock:
            return [self._statuses(self._matched(self._text(flat))) for flat in flats]
