"""`kyodo-rules check` of the NPO法人 rules (`rules/npo`): they load, each can fail, both
backends agree.

Reports into the same `Report` as the 協働 checks (`check()` runs both), so the
CLI prints one list.

Each rule is explored exactly as the 協働 rules are: every point of the
abstract domains of the fields it reads (see `kyodo_rules.analysis.check`),
every other field unknown. A rule that is definitely true on none of them can
never make a requirement fail; every input also goes through durable-rules.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from kyodo_rules.analysis.domains import domain, known
from kyodo_rules.analysis.findings import Defect, Facts, Report, dedupe, unreadable
from kyodo_rules.engines.python import Evaluator, PythonEngine
from kyodo_rules.model.errors import RuleError
from kyodo_rules.npo.eligibility import SCHEMA, NpoRule, load_npo_rules
from kyodo_rules.rulebase.readings import flatten


def _defect(kind: str, ja: str, en: str, rule: NpoRule, witness: Facts | None = None) -> Defect:
    where = f"{rule.file}:{rule.line}"
    return Defect(kind, "defect", ja, en, where, "npo", (rule.id,), witness)


def check_npo(rules_dir: Path | str | None, report: Report, *, differential: bool = True) -> Report:
    """Add the NPO rules' defects to `report` (and their inputs and time)."""
    start = time.perf_counter()
    if rules_dir is not None and not (Path(rules_dir) / "npo").is_dir():
        report.methods["npo"] = "no npo/ directory: no NPO rules to check"
        return report
    try:
        rules = load_npo_rules(rules_dir)
    except RuleError as exc:
        report.defects.extend(unreadable(exc))
        report.seconds += time.perf_counter() - start
        return report
    python = PythonEngine(rules, SCHEMA)
    other: Evaluator | None = None
    if differential:
        from kyodo_rules.engines.durable import DurableEngine

        other = DurableEngine(rules, SCHEMA, label="rules/npo")
    before = report.inputs
    disagreed = False
    for index, rule in enumerate(rules):
        fields = [f for f in SCHEMA if f in rule.fields]
        domains = [domain(f, [rule], schema=SCHEMA) for f in fields]
        fires = False
        for combo in itertools.product(*domains):
            report.inputs += 1
            facts = known(dict(zip(fields, combo, strict=True)))
            flat = flatten(facts, SCHEMA)
            mine = python.evaluate(flat)
            fires = fires or index in mine[0]
            if other is not None and not disagreed and other.evaluate(flat) != mine:
                disagreed = True
                report.defects.append(
                    _defect(
                        "backends_disagree",
                        "durable-rules と Python の評価が一致しません",
                        "the durable-rules and Python backends disagree",
                        rule,
                        witness=facts,
                    )
                )
        if not fires:
            report.defects.append(
                _defect(
                    "never_fires",
                    f"{rule.id}: どんな事実でも成り立たない条件です（発火しないルール）",
                    f"{rule.id}: its condition holds on no facts at all (the rule can never fire)",
                    rule,
                )
            )
    report.methods["npo"] = (
        f"{len(rules)} NPO rules: exact per rule; {report.inputs - before:,} inputs"
        + ("; each also through a second backend" if other is not None else "")
    )
    report.defects = dedupe(report.defects)
    report.seconds += time.perf_counter() - start
    return report
