"""Mutation check: single-edit mutants of the rule data and of the code, and how many are killed.

Two runs, each printing one line per mutant and the kill rate:

    python scripts/mutation_check.py rules [--sample N] [--seed S] [--cli] [--jobs J]
    python scripts/mutation_check.py code [--only NAME…] [--suite fast|targeted]

**rules**: every single edit of the rule data a careless author (or a mutation
tool) would make, applied to a copy of `rules/`, then the case library run on
the copy as `kyodo-rules test --rules-dir COPY COPY/cases` runs it. The edits:
a `when` key dropped; a boolean flipped; a code replaced by the next code of its
field; a code dropped from a list; a count one off; a form weight one off; an
exception (`overrides`) dropped; a conclusion changed (category, zone,
subsidiarity, checklist: the next code; a flag, a document, a principle
dropped); a part of the definition dropped from `states`. An edit the loader
refuses (a `when` left empty, a rule left concluding nothing) is *invalid*:
counted apart, not in the rate. By default the library runs in this process on
the Python backend (the library's own tests hold it to durable-rules' answers);
`--cli` runs the real command on durable-rules instead, one process a mutant.
The generated-docs snapshot (tests/test_docs.py) is not run: it fails on any
edit, whether it matters or not.

**code**: a fixed list of single edits of the code the reasoning issue added
(the order of the open questions, the presumptions and their order, the
what-if's lifting and candidate values, the first screen's headline and next
steps, the rule that leads the reasons, where the zone comes from, the order
rule files load in), each applied to a copy of `src/` and run against the
tests (`--suite targeted`, the default: the library and the test files that
exercise these modules; `--suite fast`: every test not marked slow, terminal or
browser). Killed when a test fails. A few edits are equivalent (no behaviour
changes); they are listed with the reason and left out of the rate.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kyodo_rules.model.vocabulary import (  # noqa: E402
    CATEGORIES,
    FIELD_KINDS,
    STAGES,
)

ZONES = ("citizen_independent", "citizen_led", "equal_partnership", "government_led",
         "government_independent")  # fmt: skip
LEVELS = ("self_help", "mutual_help", "public_help")


# --- rule data ------------------------------------------------------------------------


@dataclass(frozen=True)
class DataMutant:
    file: str
    rule: str
    what: str
    #: applied to a deep copy of the file's data
    edit: Callable[[Any], None]


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _next(values: tuple[Any, ...], current: Any) -> Any:
    return values[(values.index(current) + 1) % len(values)] if current in values else values[0]


def _show(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True)
    return text.replace("\n...\n", "").strip()


def _when_edits(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[str, Callable[[Any], None]]]:
    """Single edits of the conditions under `path` (a mapping of conditions)."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = (*path, key)
        text = f"{key}: {_show(value)}"

        def drop(doc: Any, here: tuple[Any, ...] = here) -> None:
            del _at(doc, here[:-1])[here[-1]]

        yield f"drop `{text}`", drop
        if key in ("any", "all") and isinstance(value, list):
            for n, item in enumerate(value):
                if len(value) > 1:

                    def drop_item(doc: Any, here: tuple[Any, ...] = here, n: int = n) -> None:
                        del _at(doc, here)[n]

                    yield f"drop item {n} of `{key}`", drop_item
                yield from _when_edits(item, (*here, n))
            continue
        if key == "not" and isinstance(value, dict):

            def unwrap(doc: Any, here: tuple[Any, ...] = here) -> None:
                parent = _at(doc, here[:-1])
                inner = parent.pop(here[-1])
                for k, v in inner.items():
                    parent.setdefault(k, v)

            yield f"remove `not` around {_show(value)}", unwrap
            yield from _when_edits(value, here)
            continue
        if key in ("unknown", "known"):

            def swap(doc: Any, here: tuple[Any, ...] = here) -> None:
                parent = _at(doc, here[:-1])
                parent["known" if here[-1] == "unknown" else "unknown"] = parent.pop(here[-1])

            yield f"flip `{text}`", swap
            continue
        _, codes = FIELD_KINDS.get(key, ("", ()))
        if isinstance(value, bool):

            def flip(doc: Any, here: tuple[Any, ...] = here) -> None:
                parent = _at(doc, here[:-1])
                parent[here[-1]] = not parent[here[-1]]

            yield f"flip `{text}`", flip
        elif isinstance(value, str) and codes:
            other = _next(tuple(str(c) for c in codes), value)

            def replace_code(doc: Any, here: tuple[Any, ...] = here, other: str = other) -> None:
                _at(doc, here[:-1])[here[-1]] = other

            yield f"`{text}` → {other}", replace_code
        elif isinstance(value, list):
            for n, code in enumerate(value):
                if len(value) > 1:

                    def drop_code(doc: Any, here: tuple[Any, ...] = here, n: int = n) -> None:
                        del _at(doc, here)[n]

                    yield f"drop {code} from `{key}`", drop_code
                if codes and isinstance(code, str):
                    other = _next(tuple(str(c) for c in codes), code)
                    if other not in value:

                        def swap_code(
                            doc: Any, here: tuple[Any, ...] = here, n: int = n, other: str = other
                        ) -> None:
                            _at(doc, here)[n] = other

                        yield f"{code} → {other} in `{key}`", swap_code
        elif isinstance(value, dict) and len(value) == 1:
            ((op, arg),) = value.items()
            if op in ("count_at_most", "count_at_least") and isinstance(arg, int):
                for step in (-1, 1):
                    if arg + step >= 0:

                        def count(
                            doc: Any, here: tuple[Any, ...] = here, op: str = op, step: int = step
                        ) -> None:
                            _at(doc, here)[op] += step

                        yield f"`{text}` {step:+d}", count
            elif op in ("in", "not_in") and isinstance(arg, list):
                for n, code in enumerate(arg):
                    if len(arg) > 1:

                        def drop_in(
                            doc: Any, here: tuple[Any, ...] = here, op: str = op, n: int = n
                        ) -> None:
                            del _at(doc, here)[op][n]

                        yield f"drop {code} from `{key}: {op}`", drop_in
            elif op == "is_not" and isinstance(arg, str) and codes:
                other = _next(tuple(str(c) for c in codes), arg)

                def is_not(doc: Any, here: tuple[Any, ...] = here, other: str = other) -> None:
                    _at(doc, here)["is_not"] = other

                yield f"`{text}` → is_not {other}", is_not


def _then_edits(then: dict[str, Any], path: tuple[Any, ...]) -> Iterator[tuple[str, Any]]:
    def setter(key: str, value: Any) -> Callable[[Any], None]:
        def edit(doc: Any) -> None:
            _at(doc, path)[key] = value

        return edit

    if then.get("category"):
        other = _next(CATEGORIES, then["category"])
        yield f"category {then['category']} → {other}", setter("category", other)
    if then.get("zone"):
        other = _next(ZONES, then["zone"])
        yield f"zone {then['zone']} → {other}", setter("zone", other)
    if then.get("subsidiarity"):
        other = _next(LEVELS, then["subsidiarity"])
        yield f"subsidiarity {then['subsidiarity']} → {other}", setter("subsidiarity", other)
    if then.get("checklist"):
        other = _next(STAGES, then["checklist"])
        yield f"checklist {then['checklist']} → {other}", setter("checklist", other)
    for key in ("flags", "documents_required", "violates"):
        for n, code in enumerate(then.get(key) or ()):

            def drop(doc: Any, key: str = key, n: int = n) -> None:
                del _at(doc, path)[key][n]

            yield f"drop {code} from {key}", drop
    for form, weight in (then.get("forms") or {}).items():
        for step in (-1, 1):

            def weigh(doc: Any, form: str = form, step: int = step) -> None:
                forms = _at(doc, path)["forms"]
                forms[form] += step
                if forms[form] <= 0:
                    del forms[form]

            yield f"weight {form}: {weight} {step:+d}", weigh


def data_mutants(rules_dir: Path = ROOT / "rules") -> list[DataMutant]:
    """Every single edit of the rule files (not the policy, profiles or cases)."""
    out: list[DataMutant] = []
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.name == "policy.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for r, rule in enumerate(doc.get("rules", [])):
            base = ("rules", r)
            edits = list(_when_edits(rule.get("when"), (*base, "when")))
            edits += list(_then_edits(rule.get("then") or {}, (*base, "then")))
            for key in ("overrides", "states"):
                for n, target in enumerate(rule.get(key) or ()):

                    def drop(doc: Any, key: str = key, n: int = n, base: Any = base) -> None:
                        del _at(doc, base)[key][n]

                    edits.append((f"drop {target} from {key}", drop))
            out.extend(DataMutant(path.name, rule["id"], what, edit) for what, edit in edits)
    return out


#: Edits of the rule data that no input tells apart, with the reason (not counted).
EQUIVALENT_DATA: dict[tuple[str, str], str] = {
    ("commission-without-joint-steps", "drop evaluation from violates"): (
        "no-evaluation (evaluation_planned: false, which this rule needs too) is always in "
        "force beside it and names the same principle"
    ),
    ("jirei1-outsourcing", "drop equality from violates"): (
        "definition-a-not-equal (city_supervises: true, which this rule needs too) is always "
        "in force beside it and names the same principle"
    ),
    ("subsidy-not-disclosed", "drop not_disclosed from flags"): (
        "not-disclosed (disclosed: false, which this rule needs too) is always in force "
        "beside it and raises the same flag, first in rule order"
    ),
    ("subsidy-not-disclosed", "drop transparency from violates"): (
        "not-disclosed is always in force beside it and names the same principle"
    ),
}


def _write_mutant(mutant: DataMutant, target: Path) -> None:
    shutil.copytree(ROOT / "rules", target)
    path = target / mutant.file
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edited = copy.deepcopy(doc)
    mutant.edit(edited)
    path.write_text(yaml.safe_dump(edited, allow_unicode=True, sort_keys=False), "utf-8")


def _run_library(rules_dir: Path) -> str:
    """'killed', 'survived' or 'invalid': the case library on the rules in `rules_dir`."""
    from kyodo_rules.decision.classify import Classifier
    from kyodo_rules.model.errors import KyodoError, RuleError
    from kyodo_rules.rulebase.case_library import load_cases, mismatches

    try:
        classifier = Classifier(rules_dir=rules_dir)
    except RuleError:
        return "invalid"
    for case in load_cases(rules_dir / "cases"):
        try:
            result = classifier.classify(
                case.facts, profile=case.profile, engine="python", questions_engine="python"
            )
        except KyodoError:
            return "killed"
        if mismatches(case, result, classifier.rulebase):
            return "killed"
    return "survived"


def _run_cli(rules_dir: Path) -> str:
    command = shutil.which("kyodo-rules") or str(Path(sys.executable).parent / "kyodo-rules")
    done = subprocess.run(
        [command, "test", "--rules-dir", str(rules_dir), str(rules_dir / "cases"), "-q"],
        capture_output=True,
        text=True,
    )
    if done.returncode == 2 or "invalid" in done.stderr:
        return "invalid"
    return "killed" if done.returncode == 1 else "survived"


def _one(args: tuple[int, bool]) -> tuple[int, str]:
    index, cli = args
    mutant = MUTANTS[index]
    with tempfile.TemporaryDirectory(prefix="kyodo-mutant-") as tmp:
        target = Path(tmp) / "rules"
        _write_mutant(mutant, target)
        return index, (_run_cli if cli else _run_library)(target)


MUTANTS: list[DataMutant] = []


def run_rules(args: argparse.Namespace) -> int:
    MUTANTS.extend(data_mutants())
    chosen = list(range(len(MUTANTS)))
    if args.sample:
        chosen = sorted(random.Random(args.seed).sample(chosen, min(args.sample, len(chosen))))
    start = time.perf_counter()
    results: dict[int, str] = {}
    jobs = [(i, args.cli) for i in chosen]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results.update(pool.map(_one, jobs))
    else:
        results.update(map(_one, jobs))
    counts = {"killed": 0, "survived": 0, "invalid": 0, "equivalent": 0}
    for i in chosen:
        m, outcome = MUTANTS[i], results[i]
        reason = EQUIVALENT_DATA.get((m.rule, m.what))
        if reason is not None:
            outcome = "equivalent" if outcome == "survived" else outcome
        counts[outcome] += 1
        if outcome == "equivalent":
            sys.stdout.write(f"equivalent {m.file} {m.rule}: {m.what}: {reason}\n")
            continue
        if outcome != "killed" or args.verbose:
            sys.stdout.write(f"{outcome:8} {m.file} {m.rule}: {m.what}\n")
    valid = counts["killed"] + counts["survived"]
    rate = 100.0 * counts["killed"] / valid if valid else 100.0
    how = "kyodo-rules test (durable-rules)" if args.cli else "the case library (Python backend)"
    sys.stdout.write(
        f"rule-data mutants: {counts['killed']} of {valid} killed ({rate:.1f} %) by {how}; "
        f"{counts['invalid']} refused by the loader, {counts['equivalent']} equivalent "
        f"(not counted); "
        f"{len(chosen)} of {len(MUTANTS)} mutants, seed {args.seed}, "
        f"{time.perf_counter() - start:.0f} s\n"
    )
    return 0


# --- code -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeMutant:
    name: str
    file: str
    old: str
    new: str
    #: why no test can kill it (no behaviour changes), if so
    equivalent: str | None = None


_OQ = "src/kyodo_rules/decision/open_questions.py"
_POLICY = "src/kyodo_rules/decision/policy.py"
_WHATIF = "src/kyodo_rules/decision/whatif.py"
_TEXT = "src/kyodo_rules/outputs/text.py"
_LOADING = "src/kyodo_rules/rulebase/loading.py"

CODE_MUTANTS: tuple[CodeMutant, ...] = (
    # The order of the open questions (`rank`) and what counts as deciding.
    CodeMutant(
        "rank: verdict and category swapped",
        _OQ,
        '_RANK = {"verdict": 0, "category": 1, "forms": 2}',
        '_RANK = {"verdict": 1, "category": 0, "forms": 2}',
    ),
    CodeMutant(
        "rank: forms no better than the rest",
        _OQ,
        '_RANK = {"verdict": 0, "category": 1, "forms": 2}',
        '_RANK = {"verdict": 0, "category": 1, "forms": 3}',
    ),
    CodeMutant(
        "rank: deciding questions not first",
        _OQ,
        "            0 if q.deciding else 1,\n",
        "            0,\n",
        equivalent="the next key, the share of deciding answers, is above 0 exactly when "
        "the question is deciding: it puts them first on its own",
    ),
    CodeMutant(
        "rank: smallest share first", _OQ, "            -q.share,\n", "            q.share,\n"
    ),
    CodeMutant(
        "rank: by the least part a question changes",
        _OQ,
        "min(_RANK.get(a, 3) for a in q.affects)",
        "max(_RANK.get(a, 3) for a in q.affects)",
    ),
    CodeMutant(
        "rank: declared order reversed",
        _OQ,
        "            _ORDER[q.field],\n",
        "            -_ORDER[q.field],\n",
    ),
    CodeMutant(
        "deciding: a change of category not counted",
        _OQ,
        "if (verdict, category, _status(verdict, settled)) != shown_now",
        "if (verdict, _status(verdict, settled)) != (shown_now[0], shown_now[2])",
    ),
    # The presumptions and their order.
    CodeMutant(
        "presumptions: those changing only the category dropped",
        _POLICY,
        "return (*verdict_first, *category_only)",
        "return (*verdict_first,)",
    ),
    CodeMutant(
        "presumptions: category-only first",
        _POLICY,
        "return (*verdict_first, *category_only)",
        "return (*category_only, *verdict_first)",
    ),
    CodeMutant(
        "presumed: stated ones first",
        _POLICY,
        "                bool(out[n][1]),\n",
        "                not out[n][1],\n",
    ),
    CodeMutant(
        "presumed: followed readings last",
        _POLICY,
        "                out[n][0] not in followed,\n",
        "                out[n][0] in followed,\n",
    ),
    CodeMutant(
        "presumed: several facts first",
        _POLICY,
        "                unknown_reads[out[n][0]] > 1,\n",
        "                unknown_reads[out[n][0]] <= 1,\n",
    ),
    CodeMutant(
        "presumed: readings the answer follows not named",
        _POLICY,
        "for i in (*self.presumptions(definite, undecided, provisional), *held):",
        "for i in self.presumptions(definite, undecided, provisional):",
    ),
    CodeMutant(
        "presumed: stated by a form for any rule",
        _POLICY,
        'out.append((i, stated if self.rules[i].then.verdict == "not_kyodo" else ()))',
        "out.append((i, stated))",
        equivalent="a rule presumed that is not a failure and reads a part of the "
        "definition would be definition-met, which is never presumed: established, it "
        "changes neither a provisional 協働 nor a provisional not-協働",
    ),
    # The what-if: lifting, _can_lift, candidate values, the search's bounds.
    CodeMutant(
        "_can_lift: < for <=", _WHATIF, "return len(apart) <= facts", "return len(apart) < facts"
    ),
    CodeMutant(
        "_can_lift: an obstacle with no field left is liftable",
        _WHATIF,
        "        if not fields:\n            return False\n",
        "        if not fields:\n            continue\n",
        equivalent="a shortcut: an obstacle none of whose fields is left to change cannot "
        "be lifted, so the search it saves finds nothing",
    ),
    CodeMutant(
        "candidate_values: only the first value",
        _WHATIF,
        "for value in bound.directions.above(field, current):",
        "for value in bound.directions.above(field, current)[:1]:",
    ),
    CodeMutant(
        "candidate_values: only the last value",
        _WHATIF,
        "for value in bound.directions.above(field, current):",
        "for value in bound.directions.above(field, current)[-1:]:",
    ),
    CodeMutant(
        "lifting: the others tried first",
        _WHATIF,
        "return lifting + others",
        "return others + lifting",
        equivalent="the search tries every single change in either order and keeps the "
        "minimal sets, sorted: only the order of the trials moves",
    ),
    CodeMutant(
        "lifting: the case's value not put back",
        _WHATIF,
        "            trial.update(kept)\n",
        "            pass\n",
        equivalent="only sorts the single changes into lifting and others; every one is "
        "still tried, on the case's own facts (flat_with), so the sets found are the same",
    ),
    CodeMutant("MAX_FACTS 3 → 2", _WHATIF, "MAX_FACTS = 3", "MAX_FACTS = 2"),
    CodeMutant("MAX_CHANGES 12 → 11", _WHATIF, "MAX_CHANGES = 12", "MAX_CHANGES = 11"),
    CodeMutant(
        "blocked: the liftable obstacles named",
        _WHATIF,
        "if not self.bound.reach[i] & self.design)",
        "if self.bound.reach[i] & self.design)",
    ),
    CodeMutant(
        "minimal: supersets kept",
        _WHATIF,
        "if not any(set(k) <= set(change) for k in kept):",
        "if not any(set(k) == set(change) for k in kept):",
    ),
    CodeMutant(
        "kyodo: a change that lifts no blocker tried",
        _WHATIF,
        "if any(reach.isdisjoint(touched) for reach in self.blockers):",
        "if all(reach.isdisjoint(touched) for reach in self.blockers) and self.blockers:",
        equivalent="a shortcut: a change that touches no field of a blocker leaves it in "
        "force, so the evaluation it skips says 'not 協働' too",
    ),
    # The first screen and the report.
    CodeMutant(
        "brief_lines: the provisional answer ignored",
        _TEXT,
        'shown = result.provisional if status == "provisional" and result.provisional else result',
        "shown = result",
    ),
    CodeMutant(
        "next_steps: two deciding questions",
        _TEXT,
        "for q in deciding[:3]",
        "for q in deciding[:2]",
    ),
    CodeMutant(
        "next_steps: questions that change the category count as deciding",
        _TEXT,
        'deciding = [q for q in result.open_questions if "verdict" in q.affects]',
        'deciding = [q for q in result.open_questions if "category" in q.affects]',
    ),
    CodeMutant(
        "next_steps: three changes",
        _TEXT,
        "result.would_be_kyodo_if[:2]",
        "result.would_be_kyodo_if[:3]",
    ),
    CodeMutant(
        "next_steps: one blocker",
        _TEXT,
        "result.what_if_blocked_by[:2]",
        "result.what_if_blocked_by[:1]",
    ),
    CodeMutant(
        "next_steps: open questions of a settled answer",
        _TEXT,
        '    if result.status == "settled":\n        return []',
        '    if result.status == "never":\n        return []',
    ),
    CodeMutant(
        "split_trace: weights swapped",
        _TEXT,
        'weight = {"category": 0, "verdict": 1}',
        'weight = {"category": 1, "verdict": 0}',
    ),
    CodeMutant(
        "split_trace: unsorted",
        _TEXT,
        "key=lambda t: min(weight.get(p, 2) for p in t.contributes),",
        "key=lambda t: 0,",
    ),
    CodeMutant(
        "brief_lines: no best form",
        _TEXT,
        "    elif result.forms:\n",
        "    elif False:\n",
    ),
    # Where the zone and the level come from, and the order rule files load in.
    CodeMutant(
        "zone from the definite rules (not those in force)",
        _POLICY,
        "zone_from = next((i for i in force if rules[i].then.zone), None)",
        "zone_from = next((i for i in sorted(definite) if rules[i].then.zone), None)",
    ),
    CodeMutant(
        "subsidiarity from the definite rules",
        _POLICY,
        "subsidiarity_from = next((i for i in force if rules[i].then.subsidiarity), None)",
        "subsidiarity_from = next("
        "(i for i in sorted(definite) if rules[i].then.subsidiarity), None)",
        equivalent="no exception sets aside a rule that concludes a level, so the definite "
        "ones are those in force",
    ),
    CodeMutant(
        "rule files loaded in reverse order",
        _LOADING,
        '    for path in sorted(base.glob("*.yaml")):\n        if path.name == "policy.yaml":',
        '    for path in sorted(base.glob("*.yaml"), reverse=True):\n'
        '        if path.name == "policy.yaml":',
    ),
)

#: The tests that exercise the mutated modules (`--suite targeted`).
TARGETED = (
    "rules/cases",
    "tests/test_reasoning.py",
    "tests/test_provisional.py",
    "tests/test_reasoning_order.py",
    "tests/test_properties.py",
    "tests/test_policy_bits.py",
    "tests/test_wizard_flow.py",
    "tests/test_rulefiles.py",
)


def _code_tree(tmp: Path, mutant: CodeMutant) -> Path:
    """A copy of the checkout with the mutant's file edited (data and tests linked)."""
    shutil.copytree(ROOT / "src", tmp / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("rules", "wizard", "tests", "conftest.py", "pyproject.toml", "docs"):
        (tmp / name).symlink_to(ROOT / name)
    path = tmp / mutant.file
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise SystemExit(f"{mutant.name}: the edit does not apply once to {mutant.file}")
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    return tmp


def run_code(args: argparse.Namespace) -> int:
    chosen = [m for m in CODE_MUTANTS if not args.only or any(o in m.name for o in args.only)]
    if args.suite == "fast":
        tests = ["rules/cases", "tests", "-m", "not slow and not terminal and not browser"]
    else:
        tests = [*(t for t in TARGETED if (ROOT / t).exists()), "-m", "not slow"]
    start = time.perf_counter()
    killed = survived = 0
    equivalent: list[CodeMutant] = []
    for mutant in chosen:
        if mutant.equivalent:
            equivalent.append(mutant)
            sys.stdout.write(f"equivalent {mutant.name}: {mutant.equivalent}\n")
            continue
        with tempfile.TemporaryDirectory(prefix="kyodo-code-mutant-") as tmp:
            root = _code_tree(Path(tmp), mutant)
            env = {**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-n",
                    str(args.jobs if args.jobs > 1 else 0),
                    *tests,
                ],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
            )
        if done.returncode not in (0, 1):
            # 2-5: pytest itself failed (an import error, no test collected): say so,
            # a mutant that breaks the import is killed, but not by a test's assertion.
            sys.stdout.write(done.stdout[-800:] + done.stderr[-800:])
        outcome = "killed" if done.returncode != 0 else "survived"
        if outcome == "killed":
            killed += 1
        else:
            survived += 1
        sys.stdout.write(f"{outcome:10} {mutant.name}\n")
        sys.stdout.flush()
    valid = killed + survived
    rate = 100.0 * killed / valid if valid else 100.0
    sys.stdout.write(
        f"code mutants: {killed} of {valid} killed ({rate:.1f} %) by the {args.suite} tests; "
        f"{len(equivalent)} equivalent (not counted); "
        f"{time.perf_counter() - start:.0f} s\n"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rules = sub.add_parser("rules", help="mutants of the rule data vs the case library")
    rules.add_argument("--sample", type=int, default=0, help="this many mutants (0: all)")
    rules.add_argument("--seed", type=int, default=26)
    rules.add_argument("--cli", action="store_true", help="run kyodo-rules test (durable-rules)")
    rules.add_argument("--jobs", type=int, default=1)
    rules.add_argument("-v", "--verbose", action="store_true", help="list killed mutants too")
    code = sub.add_parser("code", help="mutants of the code vs the tests")
    code.add_argument("--only", nargs="*", help="mutants whose name contains one of these")
    code.add_argument("--suite", choices=("targeted", "fast"), default="targeted")
    code.add_argument("--jobs", type=int, default=1, help="pytest-xdist workers (-n)")
    args = parser.parse_args()
    return run_rules(args) if args.what == "rules" else run_code(args)


if __name__ == "__main__":
    sys.exit(main())
