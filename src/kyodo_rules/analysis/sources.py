"""Coverage you can see: each decision-bearing sentence of the guidance, and its rules.

A rule cites one sentence; nothing so far said which sentences of the five
guides decide something and are encoded by no rule. `rules/sources/` holds
that inventory as data, one file per source, section by section: each
sentence either names why it decides nothing (`reason`, a code of
`rules/sources/reasons.yaml`) or is decision-bearing and must be encoded by
at least one rule. The rules that encode a sentence are found through the
rules' own `quote` and `see_also` quotes (same source file, one text inside
the other, compared after NFKC and without spaces), plus the `rules` the entry
lists for a rule that encodes the sentence without quoting it (a zone rule
keyed on あま市's example activities, a checklist item).

`docs/sources.md` is generated from it (`python -m kyodo_rules.outputs.docs`), and
`tests/test_sources.py` fails when a decision-bearing sentence maps to no rule,
when a listed rule id does not exist, or when the page is stale. The sentences
are copied into the data, so nothing here reads the guidance texts themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import load_file
from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.rulebase.loading import Rulebase, RuleCore
from kyodo_rules.rulebase.schema import RULE_ID_PATTERN, Text, explain

REASONS_FILE = "reasons.yaml"
_RULE_ID = re.compile(RULE_ID_PATTERN)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sentence(_Strict):
    text: str = Field(min_length=1)
    #: Rules that encode the sentence without quoting it.
    rules: tuple[str, ...] = ()
    #: Why it decides nothing (a code of reasons.yaml); absent = decision-bearing.
    reason: str | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _one_or_the_other(self) -> Sentence:
        if self.reason is not None and self.rules:
            raise ValueError("a sentence with a 'reason' (decides nothing) lists no 'rules'")
        for rid in self.rules:
            if not _RULE_ID.fullmatch(rid):
                raise ValueError(f"rules: {rid!r} is not a rule id")
        return self


class Section(_Strict):
    section: str = Field(min_length=1)
    #: The whole section decides nothing, for this reason.
    reason: str | None = None
    sentences: tuple[Sentence, ...] = ()

    @model_validator(mode="after")
    def _reason_or_sentences(self) -> Section:
        if (self.reason is None) == (not self.sentences):
            raise ValueError("a section has either 'sentences' or a 'reason', not both or neither")
        return self


class SourceInventory(_Strict):
    file: str = Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")
    sections: tuple[Section, ...] = Field(min_length=1)


class _Reasons(_Strict):
    reasons: dict[str, Text]


@dataclass(frozen=True)
class Inventory:
    files: tuple[SourceInventory, ...]
    reasons: Mapping[str, Text]


def _folder(rules_dir: Path | str | None) -> Path:
    root = Path(rules_dir) if rules_dir is not None else data_path("rules")
    return root / "sources"


def load_inventory(rules_dir: Path | str | None = None) -> Inventory:
    """Load `<rules_dir>/sources/*.yaml`; every problem is one `file:line: problem` line."""
    folder = _folder(rules_dir)
    paths = sorted(p for p in folder.glob("*.yaml") if p.name != REASONS_FILE)
    if not paths:
        raise RuleError(f"{folder}: no source inventory (*.yaml) found")
    errors: list[str] = []

    def parse(path: Path, model: type[BaseModel]) -> BaseModel | None:
        name = f"sources/{path.name}"
        try:
            doc = load_file(path, name)
        except InputError as exc:
            errors.append(str(exc))
            return None
        try:
            return model.model_validate(doc)
        except ValidationError as exc:
            errors.extend(explain(exc, doc, model, name, None))
            return None

    reasons_path = folder / REASONS_FILE
    reasons = parse(reasons_path, _Reasons) if reasons_path.is_file() else None
    if not reasons_path.is_file():
        errors.append(f"sources/{REASONS_FILE}: missing")
    files = [f for f in (parse(p, SourceInventory) for p in paths) if f is not None]
    for path, inv in zip(paths, files, strict=False):
        if isinstance(inv, SourceInventory) and path.stem != inv.file.removesuffix(".txt"):
            errors.append(f"sources/{path.name}:1: file {inv.file!r} must match the file name")
    if errors:
        raise RuleError("\n".join(errors))
    assert isinstance(reasons, _Reasons)
    return Inventory(
        tuple(f for f in files if isinstance(f, SourceInventory)), dict(reasons.reasons)
    )


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _quotes(rules: Iterable[RuleCore]) -> list[tuple[str, str, str]]:
    """(source file, normalised quote, rule id) for every quote and see_also of the rules."""
    out = []
    for rule in rules:
        if rule.quote:
            out.append((rule.source.split(" ", 1)[0], _norm(rule.quote), rule.id))
        for also in getattr(rule, "see_also", ()):
            if also.quote:
                out.append((also.source.split(" ", 1)[0], _norm(also.quote), rule.id))
    return out


@dataclass(frozen=True)
class Coverage:
    """What the page shows and the test checks."""

    #: (file, section index, sentence index) -> rule ids encoding it, in rule order
    encoded_by: Mapping[tuple[str, int, int], tuple[str, ...]]
    problems: tuple[str, ...]


def all_rules(rulebase: Rulebase, npo_rules: Iterable[RuleCore] = ()) -> list[RuleCore]:
    """Every rule a sentence may be encoded by: shipped, profiles' own, and the NPO ruleset."""
    out: list[RuleCore] = list(rulebase.rules)
    for profile in rulebase.profiles.values():
        out.extend(profile.rules)
    out.extend(npo_rules)
    return out


def coverage(inventory: Inventory, rules: Iterable[RuleCore], sources: Iterable[str]) -> Coverage:
    rules = list(rules)
    order = {rule.id: n for n, rule in enumerate(rules)}
    quotes = _quotes(rules)
    problems: list[str] = []
    known = set(sources)
    seen_files = {inv.file for inv in inventory.files}
    for missing in sorted(known - seen_files):
        problems.append(f"sources/: no inventory for source document {missing}")
    encoded: dict[tuple[str, int, int], tuple[str, ...]] = {}
    for inv in inventory.files:
        where = f"sources/{inv.file.removesuffix('.txt')}.yaml"
        if inv.file not in known:
            problems.append(f"{where}: {inv.file} is not one of the policy's source documents")
        for s, section in enumerate(inv.sections):
            if section.reason is not None and section.reason not in inventory.reasons:
                problems.append(
                    f"{where}: {section.section}: unknown reason {section.reason!r}; "
                    f"allowed: {', '.join(sorted(inventory.reasons))}"
                )
            for n, sentence in enumerate(section.sentences):
                label = f"{where}: {section.section}: 「{sentence.text[:30]}」"
                for rid in sentence.rules:
                    if rid not in order:
                        problems.append(f"{label}: no rule {rid!r}")
                if sentence.reason is not None:
                    if sentence.reason not in inventory.reasons:
                        problems.append(
                            f"{label}: unknown reason {sentence.reason!r}; "
                            f"allowed: {', '.join(sorted(inventory.reasons))}"
                        )
                    continue
                text = _norm(sentence.text)
                found = {
                    rid
                    for file, quote, rid in quotes
                    if file == inv.file and quote and (quote in text or text in quote)
                }
                found |= {rid for rid in sentence.rules if rid in order}
                ids = tuple(sorted(found, key=order.__getitem__))
                encoded[(inv.file, s, n)] = ids
                if not ids:
                    problems.append(f"{label}: decides something but no rule encodes it")
    return Coverage(encoded, tuple(problems))


def render_sources(
    inventory: Inventory, cover: Coverage, issuers: Mapping[str, tuple[str, str]], header: str
) -> str:
    """docs/sources.md: per source and section, each sentence with its rules or its reason."""
    deciding = len(cover.encoded_by)
    mapped = sum(1 for ids in cover.encoded_by.values() if ids)
    silent = sum(
        1 for inv in inventory.files for sec in inv.sections for x in sec.sentences if x.reason
    )
    out = [header, "# 出典の文と規則 / Sentences of the guidance and their rules", ""]
    out.append(
        "手引きの節ごとに、判定を左右する文と、それを表す規則"
        "（`quote`・`see_also` で引用している規則、または `rules/sources/` が挙げる規則）を"
        "示します。判定に関わらない文や節には、その理由を示します。"
    )
    out.append("")
    out.append(
        "For each source, section by section: the sentences that decide something, with the rules "
        "that encode them, and the reason the others decide nothing. Data: `rules/sources/`."
    )
    out.append("")
    out.append(
        f"- 判定を左右する文 / decision-bearing sentences: {deciding}"
        f"（規則あり / encoded: {mapped}）"
    )
    out.append(f"- 判定に関わらない文 / sentences that decide nothing: {silent}")
    out.append("")
    for inv in inventory.files:
        issuer, title = issuers.get(inv.file, ("", ""))
        out += [f"## {issuer} {title}".rstrip(), "", f"`{inv.file}`", ""]
        for s, section in enumerate(inv.sections):
            out += [f"### {section.section}", ""]
            if section.reason is not None:
                why = inventory.reasons.get(section.reason)
                words = f"{why.ja} / {why.en}" if why else section.reason
                out += [f"*判定に関わらない / decides nothing:* {words}", ""]
                continue
            for n, sentence in enumerate(section.sentences):
                out.append(f"> {' '.join(sentence.text.split())}")
                out.append("")
                if sentence.reason is not None:
                    why = inventory.reasons.get(sentence.reason)
                    words = f"{why.ja} / {why.en}" if why else sentence.reason
                    out.append(f"- 判定に関わらない / decides nothing: {words}")
                else:
                    ids = cover.encoded_by.get((inv.file, s, n), ())
                    rules = ", ".join(f"`{rid}`" for rid in ids) or "**（なし / none）**"
                    out.append(f"- 規則 / rules: {rules}")
                if sentence.note is not None:
                    out.append(f"- 注 / note: {sentence.note.ja} / {sentence.note.en}")
                out.append("")
    return "\n".join(out).rstrip() + "\n"


def check_sources(
    rulebase: Rulebase, rules_dir: Path | str | None = None
) -> tuple[Inventory, Coverage]:
    """The inventory of `rules_dir` checked against its rules (and NPO rules)."""
    from kyodo_rules.npo.eligibility import load_npo_rules

    inventory = load_inventory(rules_dir)
    rules = all_rules(rulebase, load_npo_rules(rules_dir))
    files = [s.file for s in rulebase.policy.sources]
    return inventory, coverage(inventory, rules, files)


def sources_page(rulebase: Rulebase, header: str, rules_dir: Path | str | None = None) -> str:
    inventory, cover = check_sources(rulebase, rules_dir)
    issuers = {s.file: (s.issuer.ja, s.title) for s in rulebase.policy.sources}
    return render_sources(inventory, cover, issuers, header)
