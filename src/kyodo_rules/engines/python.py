"""The plain-Python backend: the same rule data compiled to one Python function.

durable-rules costs about 16 µs per rule that fires; questions that need
thousands of evaluations for one answer (what-if search, the wizard's "could
this answer still matter?", the rulebase checker's exploration) use this
backend instead. It reads rules through the same `_readings` trees as the
durable-rules backend, and the test suite checks that both agree.

The function is generated as source text from validated data only: field keys
come from the vocabulary and values from its code lists, each written with
`repr()`. Nothing from a rule file is ever executed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.conditions import NNF, Schema
from kyodo_rules.rulebase.readings import Cmp, FlatFacts, TAll, Test, holds, reading

_PY_OPS = {"eq": "==", "ne": "!=", "le": "<=", "ge": ">="}


class CompiledRule(Protocol):
    """All an engine reads of a rule (協働 or NPO): its condition in negation normal form."""

    @property
    def nnf(self) -> NNF: ...


class Evaluator(Protocol):
    """What every backend offers: the rules definitely true, and those still undecided."""

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]: ...


Evaluate = Callable[[FlatFacts], tuple[list[int], list[int]]]


def _source(test: Test) -> str:
    if isinstance(test, Cmp):
        return f"f[{test.key!r}] {_PY_OPS[test.op]} {test.value!r}"
    joiner = " and " if isinstance(test, TAll) else " or "
    return "(" + joiner.join(_source(t) for t in test.items) + ")"


def compile_rules(
    rules: Sequence[CompiledRule],
    schema: Schema = FIELD_KINDS,
    only: Sequence[int] | None = None,
) -> tuple[str, Evaluate]:
    """One function that tests every rule (or those in `only`), by its index in `rules`."""
    lines = ["def evaluate(f):", "    d = []", "    u = []"]
    for index in range(len(rules)) if only is None else only:
        rule = rules[index]
        definite = _source(reading(rule.nnf, True, schema))
        possible = _source(reading(rule.nnf, False, schema))
        lines.append(f"    if {definite}:")
        lines.append(f"        d.append({index})")
        # Not definitely true, so its negation is possible: undecided if it is possible too.
        lines.append(f"    elif {possible}:")
        lines.append(f"        u.append({index})")
    lines.append("    return d, u")
    return _define(lines, "<kyodo-rules python backend>")


def _define(lines: list[str], filename: str) -> tuple[str, Any]:
    """The source of `evaluate` from its lines, and the function it defines (the
    source is built from validated data only: see the module's docstring)."""
    source = "\n".join(lines) + "\n"
    namespace: dict[str, object] = {}
    exec(compile(source, filename, "exec"), namespace)
    function = namespace["evaluate"]
    assert callable(function)
    return source, function


def _fold(test: Test, fixed: Mapping[str, str | int]) -> Test | bool:
    """`test` with the keys of `fixed` replaced by their values, simplified."""
    if isinstance(test, Cmp):
        return holds(test, fixed) if test.key in fixed else test
    conjunction = isinstance(test, TAll)
    items: list[Test] = []
    for item in test.items:
        folded = _fold(item, fixed)
        if folded is True or folded is False:
            if folded is not conjunction:  # False in an "all", True in an "any"
                return folded
            continue
        items.append(folded)
    if not items:
        return conjunction
    return items[0] if len(items) == 1 else type(test)(tuple(items))


def compile_answers(
    rules: Sequence[CompiledRule],
    only: Sequence[int],
    answers: Sequence[Mapping[str, str | int]],
    schema: Schema = FIELD_KINDS,
) -> tuple[str, Callable[[FlatFacts], list[tuple[int, int]]]]:
    """One function giving, for each of `answers` (the flat entries of one field's
    possible values) written over the facts, the definite and undecided rules of
    `only` as bit sets.

    Each answer's keys are folded into the conditions when the function is
    compiled, so a call tests only what the rest of the facts decide: the open
    questions put every answer of every unknown field to the rules that read it.
    """
    # Answers the rules tell apart only by constants, or not at all (most of the
    # 22 activities), fold to the same block: each block is evaluated once.
    blocks: dict[tuple[int, int, tuple[tuple[int, Test | bool, Test | bool], ...]], int] = {}
    of: list[int] = []
    for fixed in answers:
        definite_bits = undecided_bits = 0
        tests: list[tuple[int, Test | bool, Test | bool]] = []
        for index in only:
            rule = rules[index]
            definite = _fold(reading(rule.nnf, True, schema), fixed)
            possible = _fold(reading(rule.nnf, False, schema), fixed)
            if definite is True:
                definite_bits |= 1 << index
            elif definite is False and possible is True:
                undecided_bits |= 1 << index
            elif definite is not False or possible is not False:
                tests.append((index, definite, possible))
        of.append(blocks.setdefault((definite_bits, undecided_bits, tuple(tests)), len(blocks)))
    lines = ["def evaluate(f):"]
    for (definite_bits, undecided_bits, block), at in blocks.items():
        lines.append(f"    d = {definite_bits}")
        lines.append(f"    u = {undecided_bits}")
        for index, definite, possible in block:
            keyword = "if"
            if not isinstance(definite, bool):
                lines.append(f"    if {_source(definite)}:")
                lines.append(f"        d |= {1 << index}")
                keyword = "elif"
            if possible is True:
                lines.append("    else:")
            elif possible is False:
                continue
            else:
                lines.append(f"    {keyword} {_source(possible)}:")
            lines.append(f"        u |= {1 << index}")
        lines.append(f"    b{at} = (d, u)")
    lines.append(f"    return [{', '.join(f'b{at}' for at in of)}]")
    return _define(lines, "<kyodo-rules python backend: answers>")


class PythonEngine:
    name = "python"

    def __init__(self, rules: Sequence[CompiledRule], schema: Schema = FIELD_KINDS) -> None:
        self.source, self._evaluate = compile_rules(rules, schema)
        self._rules = rules
        self._schema = schema
        self._subsets: dict[tuple[int, ...], Evaluate] = {}

    def subset(self, only: Sequence[int]) -> Evaluate:
        """An evaluator of just these rules (compiled once): re-testing the few rules
        that read one changed fact is what open questions and the what-if do most."""
        key = tuple(only)
        function = self._subsets.get(key)
        if function is None:
            function = compile_rules(self._rules, self._schema, key)[1]
            self._subsets[key] = function
        return function

    def answers(
        self, only: Sequence[int], answers: Sequence[Mapping[str, str | int]]
    ) -> Callable[[FlatFacts], list[tuple[int, int]]]:
        """`compile_answers` of these rules (the caller keeps the function)."""
        return compile_answers(self._rules, only, answers, self._schema)[1]

    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]:
        definite, undecided = self._evaluate(flat)
        return tuple(definite), tuple(undecided)
