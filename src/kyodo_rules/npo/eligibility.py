"""May this group become an NPO法人? A second ruleset on the same engine.

日南市's 手引き lists the main requirements of an NPO法人 (Ⅱ-1 (3) ③ ア–キ) and
explains in a column why a 自治会 run as usual cannot become one. Those rules
live in `rules/npo/` as data, in the same condition language and read by the
same engines (durable-rules or the plain-Python backend) as `classify()`: the
point of this module is to show that the rule format is not hard-wired to the
協働 question. Only what differs is here: the `Group` facts, the conclusion
(`fails: <requirement>`), and how conclusions combine.

Combination, three-valued like `classify()`: a requirement fails when one of
its rules is definitely true; the group is eligible only when no rule is
definitely true *and* none is still possibly true. A fact nobody gave is
unknown, never "fine", so an incomplete group gets `eligible=None` with the
facts that would decide it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    computed_field,
    field_validator,
)

from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import load_file
from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.model.records import TraceEntry
from kyodo_rules.model.validation import validate
from kyodo_rules.model.vocabulary import parse_lang
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.loading import RuleCore, parse_rule
from kyodo_rules.rulebase.readings import FlatFacts, flatten
from kyodo_rules.rulebase.schema import RuleSpecBase
from kyodo_rules.rulebase.settings import Policy

PurposeField = Literal[
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "other"
]
MembershipUnit = Literal["individual", "household"]
Requirement = Literal[
    "purpose_field",
    "non_profit",
    "membership",
    "min_members",
    "paid_officers",
    "religion_politics",
    "candidates",
    "records_open",
]
REQUIREMENTS: tuple[Requirement, ...] = get_args(Requirement)

StrictBool = Annotated[bool, Field(strict=True)]
# Strict so that `true` is never read as 1 member; the upper bound only keeps
# absurd input from reaching the engines.
Count = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]

#: Each requirement and each fact in words: the wording catalog (`npo_requirement`,
#: `npo_field`), rendered by `outputs/npo.py`.


class Group(BaseModel):
    """The facts about a group. Every fact is optional: `None` means unknown.

    `paid_officers_over_third` is derived, not given: the requirement is a
    ratio (≤ 1/3), and rather than give the rule language arithmetic it gets
    one more fact, computed here from `officers` and `paid_officers` and
    unknown when either of them is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    purpose_field: PurposeField | None = None
    for_profit: StrictBool | None = None
    unfair_membership_conditions: StrictBool | None = None
    members: Count | None = None
    officers: Count | None = None
    paid_officers: Count | None = None
    religious_or_political_main_purpose: StrictBool | None = None
    supports_candidates_or_parties: StrictBool | None = None
    membership_unit: MembershipUnit | None = None
    records_open_to_inspection: StrictBool | None = None

    @field_validator("members", "officers", "paid_officers", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # pydantic would say "valid integer"; a person filling in a form needs this.
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValueError(f"{value!r} is not allowed; allowed: a whole number (0 or more)")
        return value

    @field_validator("paid_officers", mode="after")
    @classmethod
    def _not_more_than_officers(cls, value: int | None, info: ValidationInfo) -> int | None:
        # Caught here so that the ratio below is never computed from a typo.
        officers = info.data.get("officers")
        if value is not None and officers is not None and value > officers:
            raise ValueError(f"{value} paid officers but only {officers} officers")
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def paid_officers_over_third(self) -> bool | None:
        """More than a third of the officers are paid (要件オ); None if unknown."""
        if self.officers is None or self.paid_officers is None:
            return None
        return self.paid_officers * 3 > self.officers

    def facts(self) -> dict[str, Any]:
        """Known facts, derived ones included, as plain JSON values."""
        return self.model_dump(mode="json", exclude_none=True)


#: Input facts in vocabulary order (the derived fact is not one of them).
GROUP_FIELDS: tuple[str, ...] = tuple(Group.model_fields)
#: Which input facts a derived fact is computed from.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "paid_officers_over_third": ("officers", "paid_officers"),
}

_BOOL: tuple[object, ...] = (True, False)
#: The condition language's view of a group: field -> (kind, codes).
SCHEMA: cond.Schema = {
    "purpose_field": ("code", get_args(PurposeField)),
    "for_profit": ("bool", _BOOL),
    "unfair_membership_conditions": ("bool", _BOOL),
    "members": ("int", ()),
    "officers": ("int", ()),
    "paid_officers": ("int", ()),
    "paid_officers_over_third": ("bool", _BOOL),
    "religious_or_political_main_purpose": ("bool", _BOOL),
    "supports_candidates_or_parties": ("bool", _BOOL),
    "membership_unit": ("code", get_args(MembershipUnit)),
    "records_open_to_inspection": ("bool", _BOOL),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NpoConclusion(_Strict):
    fails: Requirement


class NpoRuleSpec(RuleSpecBase):
    then: NpoConclusion


@dataclass(frozen=True)
class NpoRule(RuleCore):
    """One requirement rule: when its condition holds, the requirement `fails`."""

    fails: str


class NpoResult(BaseModel):
    """The answer; `model_dump(mode="json")` is what `kyodo-rules npo --json` prints."""

    model_config = ConfigDict(frozen=True)

    #: True / False, or None when unknown facts could still decide it.
    eligible: bool | None
    #: Requirements definitely not met, in the order of the source (ア–キ).
    failed: tuple[Requirement, ...] = ()
    #: Requirements that may still fail, depending on the missing facts.
    undecided: tuple[Requirement, ...] = ()
    #: Unknown input facts that decide the requirements still open.
    missing_facts: tuple[str, ...] = ()
    #: Every rule that fired, in rule order.
    trace: tuple[TraceEntry, ...] = ()


def _parse_rule(raw: Any, file: str, errors: list[str]) -> NpoRule | None:
    parsed = parse_rule(raw, NpoRuleSpec, file, errors, SCHEMA)
    if parsed is None:
        return None
    spec, condition, line = parsed
    return NpoRule(
        spec.id, spec.title, spec.source, spec.quote, condition, file, line, spec.then.fails
    )


def _sources(root: Path) -> frozenset[str] | None:
    """The source documents rules may cite (policy.yaml), if this rules dir has one."""
    path = root / "policy.yaml"
    if not path.is_file():
        return None
    try:
        doc = load_file(path, f"{root.name}/policy.yaml")
        return frozenset(s.file for s in Policy.model_validate(doc).sources)
    except (InputError, ValidationError) as exc:
        raise RuleError(f"{root.name}/policy.yaml: {exc}") from None


def load_npo_rules(rules_dir: Path | str | None = None) -> tuple[NpoRule, ...]:
    """Load and check `<rules_dir>/npo/*.yaml`; every problem is `file:line: rule-id: problem`."""
    root = Path(rules_dir) if rules_dir is not None else data_path("rules")
    folder = root / "npo"
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise RuleError(f"{folder}: no NPO rule files (*.yaml) found")
    sources = _sources(root)
    errors: list[str] = []
    rules: list[NpoRule] = []
    seen: dict[str, NpoRule] = {}
    for path in paths:
        file = f"{root.name}/npo/{path.name}"
        try:
            doc = load_file(path, file)
        except InputError as exc:
            raise RuleError(str(exc)) from None
        items = doc.get("rules") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            errors.append(f"{file}:1: expected a top-level 'rules:' list")
            continue
        for raw in items:
            rule = _parse_rule(raw, file, errors)
            if rule is None:
                continue
            if rule.id in seen:
                first = seen[rule.id]
                errors.append(
                    f"{file}:{rule.line}: {rule.id}: duplicate rule id "
                    f"(first at {first.file}:{first.line})"
                )
                continue
            cited = rule.source.split(" ", 1)[0]
            if sources is not None and cited not in sources:
                errors.append(
                    f"{file}:{rule.line}: {rule.id}: source {cited!r} is not one of the "
                    f"source documents ({', '.join(sorted(sources))})"
                )
            seen[rule.id] = rule
            rules.append(rule)
    if not errors:
        # A requirement without a rule could never fail: every group would pass it.
        uncovered = [r for r in REQUIREMENTS if not any(rule.fails == r for rule in rules)]
        if uncovered:
            errors.append(f"{root.name}/npo: no rule decides requirement(s) {', '.join(uncovered)}")
    if errors:
        raise RuleError("\n".join(errors))
    return tuple(rules)


EngineName = Literal["durable", "python"]


class _Evaluator(Protocol):
    def evaluate(self, flat: FlatFacts) -> tuple[tuple[int, ...], tuple[int, ...]]: ...


class NpoChecker:
    """The NPO rules and their engines, loaded once; `npo_eligibility()` shares a default one."""

    def __init__(self, rules_dir: Path | str | None = None) -> None:
        self.rules = load_npo_rules(rules_dir)
        self._lock = threading.Lock()
        self._engines: dict[str, _Evaluator] = {}

    def _engine(self, name: EngineName) -> _Evaluator:
        with self._lock:
            if name not in self._engines:
                if name == "durable":
                    from kyodo_rules.engines.durable import DurableEngine

                    self._engines[name] = DurableEngine(self.rules, SCHEMA, label="rules/npo")
                else:
                    from kyodo_rules.engines.python import PythonEngine

                    self._engines[name] = PythonEngine(self.rules, SCHEMA)
            return self._engines[name]

    def check(
        self, group: Group | Mapping[str, Any], *, lang: str = "ja", engine: EngineName = "durable"
    ) -> NpoResult:
        language = parse_lang(lang)
        checked = validate(Group, group, what="group")
        facts = checked.facts()
        definite, undecided = self._engine(engine).evaluate(flatten(facts, SCHEMA))
        failed = {self.rules[i].fails for i in definite}
        # A requirement already failed is decided, whatever else is unknown.
        pending = {self.rules[i].fails for i in undecided} - failed
        unknown: set[str] = set()
        for i in undecided:
            if self.rules[i].fails not in pending:
                continue
            for name in self.rules[i].fields:
                for field in DERIVED_FROM.get(name, (name,)):
                    if facts.get(field) is None:
                        unknown.add(field)
        eligible = False if failed else (None if pending else True)
        return NpoResult(
            eligible=eligible,
            failed=tuple(r for r in REQUIREMENTS if r in failed),
            undecided=tuple(r for r in REQUIREMENTS if r in pending),
            missing_facts=tuple(f for f in GROUP_FIELDS if f in unknown),
            trace=tuple(
                TraceEntry(
                    rule_id=self.rules[i].id,
                    title=self.rules[i].title.get(language),
                    source=self.rules[i].source,
                    quote=self.rules[i].quote,
                )
                for i in sorted(definite)
            ),
        )


_default: NpoChecker | None = None
_default_lock = threading.Lock()


def _default_checker() -> NpoChecker:
    global _default
    with _default_lock:
        if _default is None:
            _default = NpoChecker()
        return _default


def npo_eligibility(group: Group | Mapping[str, Any], *, lang: str = "ja") -> NpoResult:
    """May this group become an NPO法人? Cited, three-valued, deterministic.

    `group` is a `Group` or a mapping in its field names; unknown fields and
    values raise `InputError` naming the field and what is allowed. Facts left
    out are unknown: the answer is then `eligible=None` unless a requirement
    already fails, and `missing_facts` says what to find out.
    """
    return _default_checker().check(group, lang=lang)
