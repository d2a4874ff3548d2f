"""Loading the rulebase: rule files, the flag catalogue, the policy and the profiles.

Everything under `rules/` is data. This module turns it into typed, immutable
objects and rejects anything malformed with `file:line: rule-id: problem`
before a single case is evaluated, so that a broken file can never produce a
wrong answer at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import Located, load_file
from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.model.vocabulary import (
    CATEGORIES,
    FIELD_KINDS,
    FORMS,
    STAGES,
)
from kyodo_rules.rulebase import conditions as cond
from kyodo_rules.rulebase.schema import (
    Citation,
    Conclusion,
    RuleSpec,
    RuleSpecBase,
    Text,
    explain,
)
from kyodo_rules.rulebase.settings import (
    FormInfo,
    Policy,
    ProfileSpec,
)


@dataclass(frozen=True)
class RuleCore:
    """What every parsed rule has, whatever its ruleset concludes: the engines need no more."""

    id: str
    title: Text
    source: str
    quote: str | None
    condition: cond.Condition
    file: str
    line: int

    @cached_property
    def nnf(self) -> cond.NNF:
        return cond.to_nnf(self.condition)

    @cached_property
    def fields(self) -> frozenset[str]:
        return cond.fields_read(self.condition)


@dataclass(frozen=True)
class Rule(RuleCore):
    """One rule of the 協働 rulebase, validated and parsed, with where it came from."""

    then: Conclusion
    overrides: tuple[str, ...] = ()
    profile: str | None = None
    replaces: str | None = None
    see_also: tuple[Citation, ...] = ()
    #: parts of the definition the rule's sentence states (see `RuleSpec.states`)
    states: tuple[str, ...] = ()
    #: the other guide's reading, for a contested rule (see `RuleSpec.contested_by`)
    contested_by: Citation | None = None


@dataclass(frozen=True)
class Profile:
    spec: ProfileSpec
    rules: tuple[Rule, ...]
    file: str

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class RuleSet:
    """The rules in force under one profile, in a stable order."""

    profile: Profile
    rules: tuple[Rule, ...]
    by_id: Mapping[str, Rule] = field(repr=False)

    @cached_property
    def fields_read(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for rule in self.rules:
            out |= rule.fields
        return out


@dataclass(frozen=True)
class Rulebase:
    rules: tuple[Rule, ...]
    policy: Policy
    profiles: Mapping[str, Profile]
    root: Path

    def ruleset(self, profile: str) -> RuleSet:
        if profile not in self.profiles:
            raise InputError(
                f"profile: unknown profile {profile!r}; allowed: {', '.join(sorted(self.profiles))}"
            )
        return _ruleset(self, self.profiles[profile])

    def source_files(self) -> frozenset[str]:
        return frozenset(s.file for s in self.policy.sources)


def _ruleset(base: Rulebase, profile: Profile) -> RuleSet:
    replaced = {r.replaces for r in profile.rules if r.replaces}
    gone = set(profile.spec.disable) | replaced
    rules = tuple(r for r in base.rules if r.id not in gone) + profile.rules
    return RuleSet(profile, rules, {r.id: r for r in rules})


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load(path: Path, root: Path) -> Any:
    try:
        return load_file(path, _rel(path, root))
    except InputError as exc:
        raise RuleError(str(exc)) from None


def _line(node: Any, key: str) -> int:
    return node.line_of(key) if isinstance(node, Located) else 0


Spec = TypeVar("Spec", bound=RuleSpecBase)


def parse_rule(
    raw: Any,
    model: type[Spec],
    file: str,
    errors: list[str],
    schema: cond.Schema = FIELD_KINDS,
) -> tuple[Spec, cond.Condition, int] | None:
    """Validate one rule's data and parse its condition; problems go to `errors`.

    Shared by every ruleset (the 協働 rules, the NPO法人 rules): each error is
    `file:line: rule-id: problem`, at the line of the key that is wrong.
    """
    line = raw.line if isinstance(raw, Located) else 0
    if not isinstance(raw, dict):
        errors.append(f"{file}:{line}: a rule must be a mapping with id, title, source, when, then")
        return None
    rid = raw.get("id") if isinstance(raw.get("id"), str) else "(no id)"
    try:
        spec = model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(explain(exc, raw, model, file, rid))
        return None
    try:
        condition = cond.parse(spec.when, schema)
    except cond.ConditionSyntaxError as exc:
        when = raw.get("when")
        at = when.line_of(exc.key) if isinstance(when, Located) else _line(raw, "when")
        errors.append(f"{file}:{at}: {rid}: when: {exc}")
        return None
    return spec, condition, line


def _parse_rule(raw: Any, file: str, errors: list[str], profile: str | None = None) -> Rule | None:
    parsed = parse_rule(raw, RuleSpec, file, errors)
    if parsed is None:
        return None
    spec, condition, line = parsed
    if spec.replaces and profile is None:
        errors.append(f"{file}:{line}: {spec.id}: 'replaces' is only for rules in a profile")
    return Rule(
        id=spec.id,
        title=spec.title,
        source=spec.source,
        quote=spec.quote,
        condition=condition,
        file=file,
        line=line,
        then=spec.then,
        overrides=spec.overrides,
        profile=profile,
        replaces=spec.replaces,
        see_also=spec.see_also,
        states=spec.states,
        contested_by=spec.contested_by,
    )


def _rules_of(doc: Any, file: str, errors: list[str], profile: str | None = None) -> list[Rule]:
    items = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        errors.append(f"{file}:1: expected a top-level 'rules:' list")
        return []
    out = []
    for raw in items:
        rule = _parse_rule(raw, file, errors, profile)
        if rule is not None:
            out.append(rule)
    return out


def _check_references(
    rules: Iterable[Rule], known: set[str], sources: frozenset[str], errors: list[str]
) -> None:
    for rule in rules:
        for target in rule.overrides:
            if target not in known:
                errors.append(
                    f"{rule.file}:{rule.line}: {rule.id}: overrides unknown rule {target!r}"
                )
            if target == rule.id:
                errors.append(f"{rule.file}:{rule.line}: {rule.id}: a rule cannot override itself")
        if rule.replaces and rule.replaces not in known:
            errors.append(
                f"{rule.file}:{rule.line}: {rule.id}: replaces unknown rule {rule.replaces!r}"
            )
        for cited in (rule.source, *(c.source for c in rule.see_also)):
            if cited.split(" ", 1)[0] not in sources:
                errors.append(
                    f"{rule.file}:{rule.line}: {rule.id}: source {cited.split(' ', 1)[0]!r} "
                    f"is not one of the source documents ({', '.join(sorted(sources))})"
                )


def _ids_in(doc: Any) -> set[str]:
    items = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        return set()
    return {r["id"] for r in items if isinstance(r, dict) and isinstance(r.get("id"), str)}


def _check_cycles(rules: Iterable[Rule], errors: list[str]) -> None:
    by_id = {r.id: r for r in rules}
    graph = {rid: r.overrides for rid, r in by_id.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = " -> ".join([*path[path.index(nxt) :], nxt]) if nxt in path else nxt
                rule = by_id[node]
                errors.append(f"{rule.file}:{rule.line}: {node}: overrides form a cycle: {cycle}")
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for rid in graph:
        if rid not in state:
            visit(rid, [rid])


def load_rulebase(root: Path | str | None = None) -> Rulebase:
    """Load and validate every file under `root` (default: the shipped `rules/`)."""
    base = Path(root) if root is not None else data_path("rules")
    if not base.is_dir():
        raise RuleError(f"{base}: rules directory not found")
    errors: list[str] = []

    policy_path = base / "policy.yaml"
    policy_doc = _load(policy_path, base)
    try:
        policy = Policy.model_validate(policy_doc)
    except ValidationError as exc:
        raise RuleError(
            "\n".join(explain(exc, policy_doc, Policy, _rel(policy_path, base), None))
        ) from None
    missing = set(CATEGORIES) - set(policy.category_precedence)
    if missing:
        errors.append(f"{_rel(policy_path, base)}: category_precedence lacks {sorted(missing)}")
    sources = frozenset(s.file for s in policy.sources)

    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    #: ids of every rule written, valid or not: a broken rule is reported once,
    #: not again as "unknown" by each rule that overrides it.
    declared: set[str] = set()
    for path in sorted(base.glob("*.yaml")):
        if path.name == "policy.yaml":
            continue
        file = _rel(path, base)
        doc = _load(path, base)
        declared.update(_ids_in(doc))
        for rule in _rules_of(doc, file, errors):
            if rule.id in seen:
                first = seen[rule.id]
                errors.append(
                    f"{file}:{rule.line}: {rule.id}: duplicate rule id "
                    f"(first at {first.file}:{first.line})"
                )
                continue
            seen[rule.id] = rule
            rules.append(rule)
    _check_references(rules, set(seen) | declared, sources, errors)

    profiles: dict[str, Profile] = {}
    for path in sorted((base / "profiles").glob("*.yaml")):
        file = _rel(path, base)
        doc = _load(path, base)
        try:
            spec = ProfileSpec.model_validate(doc)
        except ValidationError as exc:
            errors.extend(explain(exc, doc, ProfileSpec, file, None))
            continue
        if spec.id != path.stem:
            errors.append(
                f"{file}:1: profile id {spec.id!r} must match the file name {path.stem!r}"
            )
        own = _rules_of({"rules": list(spec.rules)}, file, errors, profile=spec.id)
        for rule in own:
            if rule.id in seen and rule.replaces != rule.id:
                errors.append(
                    f"{file}:{rule.line}: {rule.id}: id already used by a shipped rule "
                    "(give a new id, or say replaces: it)"
                )
        own_ids = {r.id for r in own}
        for target in spec.disable:
            if target not in seen:
                errors.append(
                    f"{file}:{doc.line_of('disable') if isinstance(doc, Located) else 1}: "
                    f"disable: unknown rule {target!r}"
                )
        _check_references(own, set(seen) | own_ids, sources, errors)
        profiles[spec.id] = Profile(spec, tuple(own), file)

    if "generic" not in profiles:
        errors.append(f"{_rel(base / 'profiles', base)}: the generic profile is missing")
    _check_cycles(rules, errors)
    if errors:
        raise RuleError("\n".join(errors))
    generic = profiles["generic"].spec
    profiles = {k: _inherit(p, generic) for k, p in profiles.items()}
    return Rulebase(tuple(rules), policy, profiles, base)


def _inherit(profile: Profile, generic: ProfileSpec) -> Profile:
    """A city's profile says only what differs; the rest comes from the generic one."""
    if profile.spec is generic:
        return profile
    spec = profile.spec
    forms: dict[str, FormInfo] = {}
    for code in FORMS:
        own, common = spec.forms.get(code), generic.forms.get(code) or FormInfo()
        if own is None:
            forms[code] = common
        elif not own.cautions and own.shown_as is None:
            # A city that names a form but says nothing of its pitfalls still
            # deserves the cautions the other guides give (each keeps its source).
            forms[code] = own.model_copy(update={"cautions": common.cautions})
        else:
            forms[code] = own
    merged = spec.model_copy(
        update={
            "forms": forms,
            "principles": spec.principles or generic.principles,
            "checklists": {
                s: spec.checklists.get(s, generic.checklists.get(s, ())) for s in STAGES
            },
            # A city's own 様式 replaces that item whole; the others are the generic ones.
            "documents": {**generic.documents, **spec.documents},
        }
    )
    return Profile(merged, profile.rules, profile.file)
