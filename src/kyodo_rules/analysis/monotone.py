"""Monotonicity, proved: a design more collaborative never reads worse.

The answer shown (the strict verdict when it is settled, the provisional one
otherwise) is ordered 協働ではない < 判定できない < 協働. For every move toward
collaboration that `toward_collaboration` in policy.yaml declares (a step such
as `planner: city → joint`, an unknown fact learnt to have its most
collaborative value, a document added), the check proves over the whole input
space that no input reads worse after the move than before it, or prints the
input that does.

How it is exact. The answer shown depends only on the rules that conclude a
verdict and the rules that set one aside (`V`), so only their fields matter,
each over its abstract domain (`analysis/domains.py`, with "unknown" as a
value). A depth-first search assigns those fields one at a time, the moved
field first fixed to its value before and after the move. Each rule of `V` is
read on a partial assignment as an interval of statuses (false < undecided <
definitely true) that contains its status in every completion (Kleene's logic
is monotone, so a field not yet assigned only widens an interval). A subtree is
left only when one of these holds in all of its completions:

- before the move the answer is already 協働ではない (a not-協働 rule definitely
  true, none of its exceptions possible): nothing can read worse;
- after the move the answer is 協働 (a 協働 rule definitely true and in force,
  no not-協働 rule possible): nothing can read better;
- the move changes no rule's status: the answer is the same;
- the move can only put 協働 rules in force and take not-協働 rules out of
  force (a rule is in force when it is definitely true and no rule in force
  sets it aside): then the policy (docs/policy.md §3) gives an answer at least
  as good in both readings. Only being *in force* matters: an undecided rule
  only keeps the strict verdict open, which leaves the answer shown to the
  provisional reading, and that reads the rules in force alone (the argument is
  written out in docs/policy.md §10). A verdict rule that reads the moved field
  and that no moved rule sets aside is in force exactly when it is definitely
  true; whether its definiteness moves the right way on *every* input is
  decided once, over its own fields, and such a rule needs no search at all.

Everywhere else the search goes down to fully assigned inputs and compares the
two answers the combiner gives. Nothing is sampled: the search is a decision
procedure, bounded by a node budget that, if exhausted, is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kyodo_rules.analysis.domains import domain
from kyodo_rules.analysis.findings import Defect, Report
from kyodo_rules.decision.decisions import bits
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.model.vocabulary import FACT_FIELDS, FIELD_KINDS
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.directions import Directions
from kyodo_rules.rulebase.loading import RuleSet
from kyodo_rules.rulebase.settings import Policy

#: The answer shown, ordered: a move toward collaboration may only go up.
RANK = {"not_kyodo": 0, "undetermined": 1, "kyodo": 2}
#: Nodes one move's search may visit before it says it is incomplete.
NODE_LIMIT = 400_000
F, U, T = 0, 1, 2
Interval = tuple[int, int]
_FREE: Interval = (F, T)


def _atom(atom: cond.Atom, assign: Mapping[str, Any]) -> Interval:
    name = atom.field
    if name not in assign:
        return _FREE
    value = assign[name]
    if isinstance(atom, cond.Unknown):
        x = T if value is None else F
        return x, x
    if value is None:
        return U, U
    kind = FIELD_KINDS[name][0]
    if isinstance(atom, cond.Eq):
        if kind == "codes":
            hit = atom.value in value
        else:
            hit = value == atom.value and type(value) is type(atom.value)
    else:
        n = len(value) if kind == "codes" else int(value)
        hit = n <= atom.n if atom.op == "at_most" else n >= atom.n
    x = T if hit else F
    return x, x


def _status(nnf: cond.NNF, assign: Mapping[str, Any]) -> Interval:
    """The interval of a rule's status over every completion of `assign`."""
    if isinstance(nnf, cond.Literal_):
        lo, hi = _atom(nnf.atom, assign)
        return (T - hi, T - lo) if nnf.negated else (lo, hi)
    parts = [_status(item, assign) for item in nnf.items]
    if isinstance(nnf, cond.NAll):
        return min(p[0] for p in parts), min(p[1] for p in parts)
    return max(p[0] for p in parts), max(p[1] for p in parts)


class MonotoneCheck:
    """The proof for one profile's rule set; `run` reports each move that reads worse."""

    def __init__(
        self,
        ruleset: RuleSet,
        policy: Policy,
        combiner: Combiner,
        report: Report,
        node_limit: int = NODE_LIMIT,
    ) -> None:
        self.rules = ruleset.rules
        self.profile = ruleset.profile.id
        self.combiner = combiner
        self.report = report
        self.node_limit = node_limit
        self.directions = Directions(policy.toward_collaboration)
        rules = self.rules
        index = {r.id: i for i, r in enumerate(rules)}
        self.overriders: dict[int, set[int]] = {i: set() for i in range(len(rules))}
        for j, rule in enumerate(rules):
            for target in rule.overrides:
                if target in index:
                    self.overriders[index[target]].add(j)
        verdict = {i for i, r in enumerate(rules) if r.then.verdict is not None}
        members = set(verdict)
        todo = list(verdict)
        while todo:
            i = todo.pop()
            for j in self.overriders[i]:
                if j not in members:
                    members.add(j)
                    todo.append(j)
        #: the rules the answer shown can depend on, in rule order
        self.members = tuple(sorted(members))
        self.kyodo = {i for i in members if rules[i].then.verdict == "kyodo"}
        self.verdict = verdict
        self.not_kyodo = {i for i in members if rules[i].then.verdict == "not_kyodo"}
        held = {i for i in members if _reads_unknown(rules[i].nnf)}
        #: rules the strict reading does not take as they are: held while a fact is
        #: unknown (the prunes that read the strict answer leave them out)
        self.held = held
        self.targets: dict[int, set[int]] = {
            i: {index[t] for t in rules[i].overrides if t in index and index[t] in members}
            for i in members
        }
        #: the rules in an order where every rule comes after those that set it aside
        self.topo: list[int] = []
        placed: set[int] = set()

        def place(i: int) -> None:
            if i in placed:
                return
            placed.add(i)
            for j in self.overriders[i]:
                if j in members:
                    place(j)
            self.topo.append(i)

        for i in self.members:
            place(i)
        read: set[str] = set()
        for i in members:
            read |= rules[i].fields
        self.fields = [f for f in FACT_FIELDS if f in read]
        chosen = [rules[i] for i in members]
        self.domains = {f: domain(f, chosen) for f in self.fields}
        self.readers = {f: [i for i in members if f in rules[i].fields] for f in self.fields}

    # -- the answer shown

    def statuses(self, assign: Mapping[str, Any]) -> dict[int, Interval]:
        return {i: _status(self.rules[i].nnf, assign) for i in self.members}

    def shown(self, assign: Mapping[str, Any]) -> int:
        """The rank of the answer shown for a fully assigned input."""
        status = self.statuses(assign)
        d = bits(i for i, s in status.items() if s[0] == T)
        u = bits(i for i, s in status.items() if s[0] == U)
        unknown = frozenset(f for f in FACT_FIELDS if assign.get(f) is None)
        strict = self.combiner.verdict_bits(d, u, unknown)[0]
        if strict != "undetermined":
            return RANK[strict]
        return RANK[self.combiner.provisional_verdict_bits(d)]

    def in_force(self, status: Mapping[int, Interval]) -> dict[int, tuple[bool, bool]]:
        """Per rule, (surely in force, possibly in force) over every completion: definitely
        true and set aside by no rule in force."""
        out: dict[int, tuple[bool, bool]] = {}
        for i in self.topo:
            lo, hi = status[i]
            by = [out[j] for j in self.overriders[i] if j in out]
            surely = lo == T and not any(possibly for _, possibly in by)
            possibly = hi == T and not any(sure for sure, _ in by)
            out[i] = (surely, possibly)
        return out

    def surely_not_kyodo(
        self, status: Mapping[int, Interval], force: Mapping[int, tuple[bool, bool]]
    ) -> bool:
        """The strict answer is 協働ではない in every completion: a not-協働 rule surely in
        force that no exception can set aside even possibly."""
        return any(
            force[n][0]
            and n not in self.held
            and all(status[j][1] == F for j in self.overriders[n])
            for n in self.not_kyodo
        )

    def surely_kyodo(
        self, status: Mapping[int, Interval], force: Mapping[int, tuple[bool, bool]]
    ) -> bool:
        """The strict answer is 協働 in every completion: a 協働 rule surely in force, and
        no not-協働 rule even possibly true."""
        if any(status[n][1] != F for n in self.not_kyodo):
            return False
        return any(force[k][0] and k not in self.held for k in self.kyodo)

    # -- the search

    def run(self) -> int:
        """Check every declared move; report each that reads worse. Returns nodes visited."""
        visited = 0
        for name in self.fields:
            for before, after in self.directions.moves(name, self.domains[name]):
                visited += self.check_move(name, before, after)
        return visited

    def check_move(self, name: str, before: Any, after: Any) -> int:
        readers = set(self.readers[name])
        # The rules whose being in force the move can change: those that read the
        # field, and every rule they set aside, directly or not.
        affected = set(readers)
        todo = list(readers)
        while todo:
            for t in self.targets[todo.pop()]:
                if t not in affected:
                    affected.add(t)
                    todo.append(t)
        # The lemma reads the rules' own statuses (the provisional reading's); it holds
        # with rules held while a fact is unknown and contested readings too: the strict
        # reading only turns some definite rules into open ones, and an open exception
        # keeps a not-協働 rule from deciding (docs/policy.md §10).
        lemma = True
        # A verdict rule that reads the field, with no affected rule setting it aside,
        # is in force exactly when it is definitely true: if its definiteness moves
        # the right way on every input (decided on its own fields), it needs no search.
        settled = {
            i
            for i in readers
            if lemma
            and i in self.verdict
            and not self.overriders[i] & affected
            and self.always_right(i, name, before, after)
        }
        watch = [i for i in affected if i in self.verdict and i not in settled]
        if lemma and not watch:
            return 1
        # The fields of the rules still to settle first: they decide the prunes.
        near = {f for i in watch for f in self.rules[i].fields} - {name}
        for i in watch:
            for j in self.overriders[i]:
                near |= self.rules[j].fields
        order = sorted(
            (f for f in self.fields if f != name),
            key=lambda f: (f not in near, -len(self.readers[f]), FACT_FIELDS.index(f)),
        )
        nodes = 0
        found: list[dict[str, Any]] = []
        exhausted = False

        def visit(assign: dict[str, Any], depth: int) -> bool:
            nonlocal nodes, exhausted
            nodes += 1
            if nodes > self.node_limit:
                exhausted = True
                return False
            s0 = self.statuses({**assign, name: before})
            f0 = self.in_force(s0)
            if self.surely_not_kyodo(s0, f0):
                return True
            s1 = self.statuses({**assign, name: after})
            f1 = self.in_force(s1)
            if self.surely_kyodo(s1, f1):
                return True
            if all(s0[i][0] == s0[i][1] and s1[i] == s0[i] for i in readers):
                return True  # the move changes no status: the same answer
            if lemma and all(
                (not f0[i][1] or f1[i][0]) if i in self.kyodo else (not f1[i][1] or f0[i][0])
                for i in watch
            ):
                return True
            if depth == len(order):
                if self.shown({**assign, name: after}) < self.shown({**assign, name: before}):
                    found.append({**assign, name: before})
                    return False
                return True
            field = order[depth]
            return all(visit({**assign, field: v}, depth + 1) for v in self.domains[field])

        visit({}, 0)
        self.report.inputs += nodes
        if found:
            witness = self.minimise(found[0], name, after)
            self.add_defect(name, before, after, witness)
        elif exhausted:
            self.report.complete = False
            self.report.defects.append(
                Defect(
                    "incomplete",
                    "warning",
                    f"単調性の検査（{name}）が上限に達し、完了していません",
                    f"the monotonicity proof for {name} ran out of budget and is incomplete",
                    profile=self.profile,
                )
            )
        return nodes

    def always_right(self, i: int, name: str, before: Any, after: Any) -> bool:
        """Whether rule `i`'s definiteness moves the way of its verdict on every input
        (a 協働 rule definitely true before stays so; a not-協働 rule definitely true
        after was so before) when `name` moves. Decided on its own fields alone."""
        rule = self.rules[i]
        others = [f for f in FACT_FIELDS if f in rule.fields and f != name]
        up = i in self.kyodo

        def walk(assign: dict[str, Any], depth: int) -> bool:
            if depth == len(others):
                s0 = _status(rule.nnf, {**assign, name: before})
                s1 = _status(rule.nnf, {**assign, name: after})
                return _right_way(up, s0, s1)
            f = others[depth]
            return all(walk({**assign, f: v}, depth + 1) for v in domain(f, [rule]))

        return walk({}, 0)

    def minimise(self, facts: dict[str, Any], name: str, after: Any) -> dict[str, Any]:
        """Leave out every fact the witness does not need (left out: unknown)."""
        out = {k: v for k, v in facts.items() if v is not None}

        def worse(trial: dict[str, Any]) -> bool:
            full = {f: trial.get(f) for f in self.fields}
            moved = {**full, name: after}
            return self.shown(moved) < self.shown(full)

        for key in list(out):
            if key == name:
                continue
            trial = {k: v for k, v in out.items() if k != key}
            if worse(trial):
                out = trial
        return out

    def add_defect(self, name: str, before: Any, after: Any, witness: dict[str, Any]) -> None:
        full = {f: witness.get(f) for f in self.fields}
        moved = {**full, name: after}
        words = {0: "協働ではない", 1: "判定できない", 2: "協働"}
        was, now = self.shown(full), self.shown(moved)
        # The verdict rules whose being in force moved the wrong way on the witness.
        f0 = self.in_force(self.statuses(full))
        f1 = self.in_force(self.statuses(moved))
        culprits = [
            i
            for i in self.members
            if i in self.verdict
            and f0[i][0] != f1[i][0]
            and (f1[i][0] < f0[i][0] if i in self.kyodo else f1[i][0] > f0[i][0])
        ]
        first = self.rules[culprits[0]] if culprits else None
        self.report.defects.append(
            Defect(
                "not_monotone",
                "defect",
                f"{name} を {_show(before)} から {_show(after)} へ協働に近づけると、答えが"
                f"「{words[was]}」から「{words[now]}」に悪くなります",
                f"moving {name} from {_show(before)} to {_show(after)} (toward collaboration) "
                f"makes the answer worse: {list(RANK)[was]} -> {list(RANK)[now]}",
                where=f"{first.file}:{first.line}" if first else "",
                profile=self.profile,
                rules=tuple(self.rules[i].id for i in culprits),
                witness=witness,
            )
        )


def _right_way(kyodo: bool, before: Interval, after: Interval) -> bool:
    """Whether a rule's move is harmless in every completion: a 協働 rule definitely
    true before stays so; a not-協働 rule definitely true after was so before.

    Only definite rules count in the provisional reading, and an undecided one
    in the strict reading only keeps a verdict open (an undecided not-協働 rule
    blocks a strict 協働, an undecided exception a strict not-協働), which
    leaves the answer shown to the provisional reading: so what must not move
    the wrong way is definiteness alone (docs/policy.md §10).
    """
    if kyodo:
        return before[1] < T or after[0] == T
    return after[1] < T or before[0] == T


def _show(value: Any) -> str:
    return "unknown" if value is None else repr(value)


def _reads_unknown(nnf: cond.NNF) -> bool:
    if isinstance(nnf, cond.Literal_):
        return isinstance(nnf.atom, cond.Unknown)
    return any(_reads_unknown(item) for item in nnf.items)


def check_monotone(
    ruleset: RuleSet, policy: Policy, report: Report, node_limit: int = NODE_LIMIT
) -> int:
    """Prove monotonicity for one profile's rule set (see the module docstring)."""
    return MonotoneCheck(ruleset, policy, Combiner(ruleset, policy), report, node_limit).run()


__all__ = ["NODE_LIMIT", "RANK", "MonotoneCheck", "check_monotone"]
