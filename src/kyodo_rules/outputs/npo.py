"""The NPO法人 answer as a person reads it (`kyodo-rules npo`'s default output)."""

from __future__ import annotations

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.npo.eligibility import NpoResult
from kyodo_rules.wording import catalog

_VERDICT = {True: "eligible", False: "not_eligible", None: "undecided"}


def render_npo(result: NpoResult, lang: Lang = "ja") -> str:
    w = catalog.words("npo", lang)
    lines = [catalog.text("npo", "answer", lang, verdict=w[_VERDICT[result.eligible]])]
    if result.failed:
        lines.append(w["failed"])
        lines += [f"  - {catalog.label('npo_requirement', r, lang)}" for r in result.failed]
    if result.undecided:
        lines.append(w["may_fail"] if result.failed else w["open"])
        lines += [f"  - {catalog.label('npo_requirement', r, lang)}" for r in result.undecided]
    if result.missing_facts:
        lines.append(w["missing"])
        lines += [f"  - {f}: {catalog.label('npo_field', f, lang)}" for f in result.missing_facts]
    if result.trace:
        lines.append(w["why"])
        for entry in result.trace:
            lines.append(f"  - {entry.title}{catalog.aside(entry.source, lang)}")
            if entry.quote:
                lines.append(f"    「{entry.quote}」")
    if result.eligible is True:
        lines.append(w["note"])
    return "\n".join(lines) + "\n"
