"""Checks that need no exploration: the catalogue, quotes, sources, the wizard's questions.

The wizard's file is read by the wizard's own loader (`rulebase.questions`):
a file the wizard would refuse is a defect here too, with the loader's words.
"""

from __future__ import annotations

from pathlib import Path

from kyodo_rules.analysis.findings import Defect, Report
from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase import questions
from kyodo_rules.rulebase.loading import Rule, Rulebase


def static_checks(rulebase: Rulebase, report: Report) -> None:
    sources = rulebase.source_files()
    every: dict[str, Rule] = {r.id: r for r in rulebase.rules}
    for profile in rulebase.profiles.values():
        every.update({f"{profile.id}:{r.id}": r for r in profile.rules})
    raised = {code for r in every.values() for code in r.then.flags}
    for code in rulebase.policy.flags:
        if code not in raised:
            report.defects.append(
                Defect(
                    "unused_flag",
                    "defect",
                    f"フラグ {code} はカタログにありますが、どのルールも立てません",
                    f"flag {code} is in the catalogue but no rule raises it",
                    where="policy.yaml",
                )
            )
    for rule in every.values():
        if not rule.quote:
            report.defects.append(
                Defect(
                    "no_quote",
                    "warning",
                    f"{rule.id}: 根拠の引用（quote）がありません",
                    f"{rule.id}: no quote of the source sentence it encodes",
                    where=f"{rule.file}:{rule.line}",
                    profile=rule.profile,
                    rules=(rule.id,),
                )
            )
    for profile in rulebase.profiles.values():
        spec = profile.spec
        cited = [("source", spec.source)] if spec.source else []
        for code, form in spec.forms.items():
            cited += [(f"forms.{code}.cautions", c.source) for c in form.cautions]
        cited += [(f"principles.{k}", p.source) for k, p in spec.principles.items()]
        for where, source in cited:
            doc = source.split(" ", 1)[0]
            if doc not in sources:
                report.defects.append(
                    Defect(
                        "unknown_source",
                        "defect",
                        f"{where}: 出典 {doc} は原典の一覧（policy.yaml sources）にありません",
                        f"{where}: source {doc} is not one of the policy's source documents",
                        where=profile.file,
                        profile=profile.id,
                    )
                )


def wizard_checks(wizard_dir: Path | None, read: set[str], report: Report) -> None:
    """The wizard's questions, loaded as the wizard loads them, against the fields read.

    `wizard_dir` None: the shipped interview data.
    """
    root = wizard_dir if wizard_dir is not None else questions.wizard_dir()
    here = "wizard/questions.yaml"

    def defect(kind: str, ja: str, en: str, where: str = here) -> None:
        report.defects.append(Defect(kind, "defect", ja, en, where=where))

    if not (root / "questions.yaml").is_file():
        defect("wizard", "質問ファイルがありません", "no wizard questions file")
        return
    try:
        data = questions.load(root)
    except (RuleError, InputError) as exc:
        # The wizard would refuse to start: each of the loader's lines is a defect.
        for line in str(exc).splitlines():
            defect(
                "invalid_file",
                f"ウィザードが読み込めません: {line}",
                f"the wizard cannot load it: {line}",
                where=line.split(": ", 1)[0],
            )
        return
    for name in data.order:
        if name in FIELD_KINDS and name not in read:
            defect(
                "wizard",
                f"どのルールも読まない項目 {name} を尋ねています",
                f"a question asks about {name}, which no rule reads",
            )
