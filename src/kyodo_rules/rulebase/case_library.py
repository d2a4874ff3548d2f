"""The case library: named, worked examples with the answer the guidance gives.

Each case reads like the guidance's own examples (a story in Japanese, the
facts, the expected answer) and serves three users at once: the test suite
(every case is a test item), trainers (`kyodo-rules cases`, `demo`) and the
wizard's flow tests. Files live in `rules/cases/*.yaml` (shipped) and may be
added anywhere else for tests (`tests/cases/`).

    cases:
      - id: jirei1-outsourcing
        title: {ja: ..., en: ...}
        story: {ja: ..., en: ...}
        source: 002_5706d2c9275a3206.txt (7) 事例1
        profile: generic           # optional
        facts: {spec_author: city, city_supervises: true, ...}
        expect:
          verdict: not_kyodo
          category: outsourcing
          zone: government_led        # null asserts "no zone"
          forms: [commission]         # exact codes, best first
          provisional_forms: [...]    # the provisional answer's forms, best first
          flags: [city_fixed_spec]    # exact set
          rules: [jirei1-outsourcing] # must be in the trace (fired, in force or not)
          not_rules: [...]            # must not be in the trace
          set_aside: {zone-citizen-led: benefit-private}  # rule -> the exception that sets it aside
          checklist: planning         # the stage whose checklist is given (null: none)
          presumptions: [...]         # what the provisional answer presumes, in its order
          stated_by: {definition-a-not-equal: [evidence-co-hosting]}  # a form's sentence states it
          would_be_kyodo_if: [[{field: prior_consultation, value: true}]]  # must be among them
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import load_file
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import (
    Category,
    Document,
    FlagCode,
    FormCode,
    Stage,
    Subsidiarity,
    Verdict,
    Zone,
)
from kyodo_rules.rulebase.schema import SOURCE_PATTERN, Text, explain

_UNSET: Any = "__unset__"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChangeSpec(_Strict):
    field: str
    value: Any


class Expectation(_Strict):
    """What the guidance says the answer is. Only the keys given are checked."""

    verdict: Verdict
    #: The answer shown (`Result.answer`): its verdict, and its status
    #: (settled / provisional / undetermined). A case of a few facts says these.
    answer: Verdict | None = None
    status: Literal["settled", "provisional", "undetermined"] | None = None
    category: Category | None = _UNSET
    zone: Zone | None = _UNSET
    subsidiarity: Subsidiarity | None = _UNSET
    forms: tuple[FormCode, ...] | None = None
    #: The forms of the provisional answer (`Result.provisional.forms`), best first:
    #: where the strict answer is still open, a rule it keeps open (a contested
    #: reading) may add to them.
    provisional_forms: tuple[FormCode, ...] | None = None
    flags: tuple[FlagCode, ...] | None = None
    required_documents: tuple[Document, ...] | None = None
    missing_facts: tuple[str, ...] | None = None
    #: The open question asked first (the one whose answers most often change the
    #: answer shown).
    first_question: str | None = None
    rules: tuple[str, ...] = ()
    not_rules: tuple[str, ...] = ()
    #: Rules that hold but are set aside, each with the exception that sets it aside
    #: (the trace's `overridden_by`): an exception is part of the reasoning shown.
    set_aside: dict[str, str] = Field(default_factory=dict)
    #: What the provisional answer presumes (`Result.provisional.presumptions`), by
    #: rule id, most decisive first; and, for some of them, the rules in force whose
    #: own sentence states it (`stated_by`; an empty list: a bare presumption).
    presumptions: tuple[str, ...] | None = None
    stated_by: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    #: The stage whose checklist the answer gives (its items in Japanese, from the
    #: case's profile); null: no checklist.
    checklist: Stage | None = _UNSET
    would_be_kyodo_if: tuple[tuple[ChangeSpec, ...], ...] = ()
    form_labels: tuple[str, ...] | None = None
    principles: tuple[str, ...] | None = None


class LibraryCase(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    story: Text
    source: str = Field(pattern=SOURCE_PATTERN)
    profile: str = "generic"
    facts: dict[str, Any]
    expect: Expectation
    file: str = ""
    line: int = 0

    def checked_fields(self) -> dict[str, Any]:
        """The expected values of the scalar keys that the case actually states."""
        return {
            k: v
            for k, v in self.expect.model_dump().items()
            if k in ("verdict", "category", "zone", "subsidiarity") and v != _UNSET
        }


def load_case_file(path: Path, label: str | None = None) -> list[LibraryCase]:
    name = label or str(path)
    doc = load_file(path, name)
    items = doc.get("cases") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise RuleError(f"{name}:1: expected a top-level 'cases:' list")
    out: list[LibraryCase] = []
    errors: list[str] = []
    for raw in items:
        line = getattr(raw, "line", 0)
        try:
            case = LibraryCase.model_validate(raw)
        except ValidationError as exc:
            cid = raw.get("id") if isinstance(raw, dict) else None
            errors.extend(explain(exc, raw, LibraryCase, name, cid))
            continue
        out.append(case.model_copy(update={"file": name, "line": line}))
    if errors:
        raise RuleError("\n".join(errors))
    return out


def load_cases(directory: Path | str | None = None) -> list[LibraryCase]:
    """Every case of the library (default: the shipped `rules/cases/`), in file order."""
    base = Path(directory) if directory is not None else data_path("rules") / "cases"
    cases: list[LibraryCase] = []
    seen: set[str] = set()
    for path in sorted(base.glob("*.yaml")):
        for case in load_case_file(path, f"{base.name}/{path.name}"):
            if case.id in seen:
                raise RuleError(f"{case.file}:{case.line}: {case.id}: duplicate case id")
            seen.add(case.id)
            cases.append(case)
    return cases


def _checklist(case: LibraryCase, stage: str | None, rulebase: Any) -> tuple[str, ...]:
    """The items (Japanese) of the case's profile's checklist for `stage`."""
    if stage is None:
        return ()
    if rulebase is None:
        from kyodo_rules.rulebase.loading import load_rulebase

        rulebase = load_rulebase()
    profile = rulebase.profiles[case.profile].spec
    generic = rulebase.profiles["generic"].spec
    items = profile.checklists.get(stage) or generic.checklists.get(stage) or ()
    return tuple(item.get("ja") for item in items)


def mismatches(case: LibraryCase, result: Any, rulebase: Any = None) -> list[str]:
    """How `result` (a `Result`, in Japanese) differs from what the case expects; empty when
    it agrees. `rulebase` (a `Rulebase`) gives the checklists' texts when the case states
    one (default: the shipped rulebase)."""
    problems: list[str] = []
    for key, expected in case.checked_fields().items():
        # A case that states the answer shown names that answer's reason.
        shown = key == "category" and case.expect.answer is not None
        actual = result.answer.category if shown else getattr(result, key)
        if actual != expected:
            problems.append(f"{key}: expected {expected!r}, got {actual!r}")
    exp = case.expect
    if exp.answer is not None and result.answer.verdict != exp.answer:
        problems.append(f"answer: expected {exp.answer!r}, got {result.answer.verdict!r}")
    if exp.status is not None and result.status != exp.status:
        problems.append(f"status: expected {exp.status!r}, got {result.status!r}")
    if exp.forms is not None:
        got = tuple(f.code for f in result.forms)
        if got != exp.forms:
            problems.append(f"forms: expected {list(exp.forms)}, got {list(got)}")
    if exp.provisional_forms is not None:
        got_forms = tuple(result.provisional.forms) if result.provisional is not None else ()
        if got_forms != exp.provisional_forms:
            problems.append(
                f"provisional forms: expected {list(exp.provisional_forms)}, got {list(got_forms)}"
            )
    if exp.form_labels is not None:
        got_labels = tuple(f.label for f in result.forms)
        if got_labels != exp.form_labels:
            problems.append(
                f"form labels: expected {list(exp.form_labels)}, got {list(got_labels)}"
            )
    if exp.flags is not None:
        got_flags = {f.code for f in result.flags}
        if got_flags != set(exp.flags):
            problems.append(f"flags: expected {sorted(exp.flags)}, got {sorted(got_flags)}")
    if (
        exp.required_documents is not None
        and tuple(result.required_documents) != exp.required_documents
    ):
        problems.append(
            f"required_documents: expected {list(exp.required_documents)}, "
            f"got {list(result.required_documents)}"
        )
    if exp.missing_facts is not None and tuple(result.missing_facts) != exp.missing_facts:
        problems.append(
            f"missing_facts: expected {list(exp.missing_facts)}, got {list(result.missing_facts)}"
        )
    if exp.first_question is not None:
        first = result.missing_facts[0] if result.missing_facts else None
        if first != exp.first_question:
            problems.append(f"first question: expected {exp.first_question!r}, got {first!r}")
    if exp.principles is not None:
        got_p = {p.code for p in result.principles_violated}
        if got_p != set(exp.principles):
            problems.append(f"principles: expected {sorted(exp.principles)}, got {sorted(got_p)}")
    fired = {t.rule_id for t in result.trace}
    for rid in exp.rules:
        if rid not in fired:
            problems.append(f"rule {rid} did not fire (fired: {sorted(fired)})")
    for rid in exp.not_rules:
        if rid in fired:
            problems.append(f"rule {rid} fired but should not")
    set_aside = {t.rule_id: t.overridden_by for t in result.trace}
    for rid, overrider in exp.set_aside.items():
        if set_aside.get(rid) != overrider:
            now = "not in the trace" if rid not in set_aside else f"set aside by {set_aside[rid]!r}"
            problems.append(f"rule {rid}: expected set aside by {overrider!r}, {now}")
    presumed = result.provisional.presumptions if result.provisional is not None else ()
    if exp.presumptions is not None:
        got_ids = tuple(p.rule_id for p in presumed)
        if got_ids != exp.presumptions:
            problems.append(f"presumptions: expected {list(exp.presumptions)}, got {list(got_ids)}")
    stated = {p.rule_id: p.stated_by for p in presumed}
    for rid, by in exp.stated_by.items():
        if rid not in stated:
            problems.append(f"presumption {rid}: expected, not presumed")
        elif tuple(stated[rid]) != tuple(by):
            problems.append(
                f"presumption {rid}: expected stated by {list(by)}, got {list(stated[rid])}"
            )
    if exp.checklist != _UNSET and tuple(result.checklist) != _checklist(
        case, exp.checklist, rulebase
    ):
        problems.append(f"checklist: expected the checklist of {exp.checklist!r}, got another")
    listed = [{(c.field, repr(c.value)) for c in change} for change in result.would_be_kyodo_if]
    for expected_change in exp.would_be_kyodo_if:
        wanted = {(c.field, repr(c.value)) for c in expected_change}
        if wanted not in listed:
            problems.append(f"would_be_kyodo_if lacks {sorted(wanted)}")
    return problems
