"""`kyodo-rules check`: the rulebase checked like a compiler checks code.

Staff rely on the answer, so a rule that can never fire, two rules that
silently disagree, or facts on which the rulebase says nothing must be found
before a case meets them, each with a *witness*: the facts that show it.

What is a defect (exit 1) and what is a warning (reported, exit 0):

- **invalid file** (defect): a rule, policy or profile file the loader rejects
  (unknown source document, `disable:` of an unknown rule, missing source ...),
  or a wizard file that cannot be read or is absent.
- **never fires** (defect): no input makes the rule definitely true. Decided
  exactly (see "Why exploration is exact" below), so this is also the symbolic
  test of an unsatisfiable condition; the smallest set of conditions that
  contradict each other is shown.
- **never in force** (defect): the rule fires, but every time it does a
  declared exception sets it aside, so it can never be part of an answer.
- **conflict** (defect): two rules in force on the same facts conclude a
  different `zone`, `subsidiarity` or `checklist` (single-valued conclusions;
  the combiner would silently take the first). A declared override between them
  would have set one aside, so being in force together means none was declared.
  `kyodo` against `not_kyodo` is *not* a conflict: the combination policy
  (`_policy.py`) says one definition failure is decisive, and every
  `not_kyodo` rule co-fires with the general `definition-met` rule by design.
- **kyodo rule outvoted** (defect): a `kyodo` rule that never yields a `kyodo`
  answer on any fully-known input, because whenever it is in force some
  `not_kyodo` rule is too. That is the shape of an exception (事例2/3/4) whose
  author forgot `overrides:`; the policy would silently let the failure win.
- **gap** (defect): a fully-known input (every field the rules read is given)
  that still ends `undetermined`: no rule with a verdict is in force.
- **not monotone** (defect): a move toward collaboration declared in
  `policy.yaml` (`toward_collaboration`: the city → jointly as planner, an
  unknown fact learnt to have its most collaborative value, a document
  added…) after which the answer shown reads worse (協働ではない < 判定できない
  < 協働); the witness is the input before the move. Proved over the whole
  input space (`analysis/monotone.py` says how).
- **backends disagree** (defect): every explored input is evaluated by the
  Python backend (fast, for the search) and again by durable-rules (the engine
  of `classify()`); the first input on which they differ is the witness.
- **wizard** (defect): the questions file read by the wizard's own loader
  (`rulebase.questions`): anything it refuses (a field without a question, an
  unknown field, a missing help text…) is an invalid file, in the loader's
  words; a question about a field no rule reads is a defect too.
- **NPO rules** (`rules/npo`, `analysis/npo_checks.py`): they load, each rule
  can fire, and both backends agree on every input explored.
- **condition coverage** (`analysis/coverage.py`, the rulebase's MC/DC): every
  condition of every rule's `when`, every form weight and every declared
  exception is *pinned*: for each single edit of it (dropped, flipped, a count
  or a weight one off, an exception no longer declared) some library case
  (`rules/cases/`) no longer passes. A condition no case pins is a defect
  (a new rule comes with the cases that pin it), with its rule, file and
  line; one that no input can tell apart is declared *equivalent*, with the
  reason, in `rules/coverage/equivalent.yaml`, and counted apart. One summary
  line per rule set (profiles that share their rules share it). A rules
  directory without a case library is a warning: nothing to measure.
- **catalogue** (defect): a flag of the catalogue that no rule raises; a
  source cited by a profile (its own, a caution's, a principle's) that is not
  one of the policy's source documents. **No quote** (warning): a rule without
  the sentence of its source that it encodes.

Why exploration is exact, not sampled. A field's values matter to the rules
only through the atoms that read it, so each field gets an *abstract domain*
relative to a set of rules: "unknown", each code a rule names plus one
representative of the codes none names (they are indistinguishable), and for
list fields every subset of the named codes, padded with unnamed codes to
each count the `count_at_*` thresholds tell apart. Every real input behaves
like one point of the product of these domains, so enumerating the product is
a decision procedure. The product over *all* fields is astronomically large,
but each question needs only a cluster of fields:

- whether rule R fires or is in force depends only on the fields of R and of
  the rules that (transitively) override it: evaluated exhaustively over that
  cluster, every other field left unknown (no rule of the cluster reads them);
- whether two rules conflict depends on the union of their two clusters;
- gaps and outvoted `kyodo` rules depend on all verdict rules at once. These
  are searched by a branch-and-prune search over fully-known inputs: fields are
  assigned one at a time, and a partial assignment is evaluated in Kleene's
  three-valued logic, which is monotone (a definitely true rule stays true in
  every completion, a rule that is not possibly true stays false), once
  `unknown:` atoms, which are false on fully-known inputs, are replaced by
  conditions that are never definitely true. A subtree is cut only when that
  reading proves the property impossible in all of its completions (e.g. a
  verdict rule is definitely true and none of its overriders is possibly true),
  so no witness is ever missed.

Every check reads only the rules and the policy (the profile's forms and words
play no part), so a profile whose rules are those of a profile already
explored is not explored again: its findings are that profile's, under its own
name (the four shipped profiles share one rule set). Within one exploration an
input met again is neither evaluated nor put to the second backend again.

Budgets bound every enumeration; if one is exhausted the report says so (a
warning `incomplete`), never silently claims completeness. Besides these,
a seeded random sample of whole inputs (with unknowns) over every field
cross-checks conflicts and verdicts with the real combiner.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from kyodo_rules.analysis.coverage import check_coverage
from kyodo_rules.analysis.explorer import EXHAUSTIVE_LIMIT, MAX_WITNESSES, SEARCH_LIMIT
from kyodo_rules.analysis.findings import Defect, Report, Severity, dedupe, unreadable
from kyodo_rules.analysis.monotone import check_monotone
from kyodo_rules.analysis.npo_checks import check_npo
from kyodo_rules.analysis.rule_checks import RuleChecks
from kyodo_rules.analysis.static_checks import static_checks, wizard_checks
from kyodo_rules.engines.python import Evaluator
from kyodo_rules.model.errors import RuleError
from kyodo_rules.rulebase.loading import Rule, RuleSet, load_rulebase
from kyodo_rules.rulebase.settings import Policy

#: Random whole inputs per profile for the cross-check. The exact searches above
#: decide every check; the sample only cross-checks them through the real
#: combiner and both backends, and 5,000 a profile keeps `kyodo-rules check`
#: within 30 s on a 2-core machine (20,000 took 29–36 s, three quarters of it here).
SAMPLE = 5_000

__all__ = [
    "EXHAUSTIVE_LIMIT",
    "MAX_WITNESSES",
    "SAMPLE",
    "SEARCH_LIMIT",
    "Defect",
    "Report",
    "Severity",
    "check",
    "explore",
]


def explore(
    ruleset: RuleSet,
    policy: Policy,
    *,
    budget: int = EXHAUSTIVE_LIMIT,
    sample: int = SAMPLE,
    report: Report | None = None,
    differential: bool | Callable[[Sequence[Rule]], Evaluator] = True,
) -> Report:
    """Every exploration check of one profile's rule set (`budget` bounds each search).

    With `differential` (the default), every explored input is also evaluated
    by durable-rules (or by the given backend factory), and the first input on
    which it and the Python backend disagree is reported as a defect.
    """
    report = report if report is not None else Report()
    start = time.perf_counter()
    other: Evaluator | None = None
    if callable(differential):
        other = differential(ruleset.rules)
    elif differential:
        from kyodo_rules.engines.durable import DurableEngine

        other = DurableEngine(ruleset.rules)
    explorer = RuleChecks(ruleset, policy, report, budget, other)
    before = report.inputs
    explorer.check_rules()
    explorer.check_conflicts()
    explorer.check_gaps()
    explorer.check_outvoted()
    explorer.check_sample(min(sample, budget))
    explorer.settle()
    check_monotone(ruleset, policy, report)
    report.methods[ruleset.profile.id] = (
        f"{len(ruleset.rules)} rules, {len(ruleset.fields_read)} fields: exact per-rule and "
        f"per-pair clusters, branch-and-prune over fully-known inputs, "
        f"{min(sample, budget):,} random inputs, monotonicity proved per move; "
        f"{report.inputs - before:,} inputs"
        + ("; each also through a second backend" if other is not None else "")
    )
    report.seconds += time.perf_counter() - start
    return report


def _share(report: Report, source: RuleSet, found: list[Defect], profile: str) -> None:
    """A profile whose rules are those of one explored already: the same findings.

    Every exploration check, the seeded random sample included, is a function of
    the rules and the policy alone (the combiner and both backends read nothing
    of a profile but its rules), so exploring it again would evaluate the very
    same inputs with the very same results. Its findings are the explored
    profile's, under its own name (a gap is then reported for each, as before).
    """
    report.defects.extend(replace(d, profile=profile) for d in found)
    report.methods[profile] = (
        f"the same {len(source.rules)} rules as {source.profile.id}: "
        f"its exploration holds for this profile"
    )


def check(
    rules_dir: Path | str | None = None,
    wizard_dir: Path | str | None = None,
    *,
    budget: int = EXHAUSTIVE_LIMIT,
    sample: int = SAMPLE,
    differential: bool = True,
    coverage: bool = True,
) -> Report:
    """Validate and explore a rulebase; the report lists each defect with its witness.

    `coverage=False` leaves out the condition coverage (tests that plant another
    defect in a copy of the rules, whose planted rule no case pins).
    """
    start = time.perf_counter()
    report = Report()
    try:
        rulebase = load_rulebase(rules_dir)
    except RuleError as exc:
        report.defects.extend(unreadable(exc))
        report.seconds = time.perf_counter() - start
        return report
    static_checks(rulebase, report)
    read: set[str] = set()
    explored: list[tuple[RuleSet, list[Defect]]] = []
    for name in sorted(rulebase.profiles, key=lambda p: (p != "generic", p)):
        ruleset = rulebase.ruleset(name)
        read |= ruleset.fields_read
        same = next((e for e in explored if e[0].rules == ruleset.rules), None)
        if same is not None:
            _share(report, same[0], same[1], name)
            continue
        before = len(report.defects)
        explore(
            ruleset,
            rulebase.policy,
            budget=budget,
            sample=sample,
            report=report,
            differential=differential,
        )
        explored.append((ruleset, report.defects[before:]))
    wizard_checks(Path(wizard_dir) if wizard_dir is not None else None, read, report)
    if coverage:
        check_coverage(rulebase, report)
    check_npo(rules_dir, report, differential=differential)
    report.defects = dedupe(report.defects)
    report.seconds = time.perf_counter() - start
    return report
