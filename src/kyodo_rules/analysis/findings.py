"""What `kyodo-rules check` finds: defects and warnings with their witnesses, and the report.

Kept apart from the searches so that every check (the 協働 rules, the wizard's
questions, the NPO法人 rules) reports in the same shape and the CLI prints
one kind of thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["defect", "warning"]
Facts = dict[str, Any]


@dataclass(frozen=True)
class Defect:
    kind: str
    severity: Severity
    ja: str
    en: str
    where: str = ""
    profile: str | None = None
    rules: tuple[str, ...] = ()
    #: A facts mapping that shows the defect (None where none can exist).
    witness: Facts | None = None
    #: For a rule that never fires: the smallest set of conditions that contradict.
    core: Any = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "where": self.where,
            "profile": self.profile,
            "rules": list(self.rules),
            "ja": self.ja,
            "en": self.en,
            "witness": self.witness,
            "core": self.core,
        }


@dataclass
class Report:
    defects: list[Defect] = field(default_factory=list)
    #: Inputs evaluated by the engine (every point of every enumeration and search).
    inputs: int = 0
    seconds: float = 0.0
    #: Per profile: how its space was explored.
    methods: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    #: Per rule set: the condition coverage's summary line (`analysis/coverage.py`).
    coverage: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(d.severity == "defect" for d in self.defects)

    def as_json(self) -> dict[str, Any]:
        return {
            "clean": self.clean,
            "inputs_explored": self.inputs,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
            "methods": self.methods,
            "coverage": self.coverage,
            "defects": [d.as_json() for d in self.defects],
        }


def dedupe(defects: list[Defect]) -> list[Defect]:
    """A shipped rule's defect shows in every profile that keeps it: say it once."""
    out: list[Defect] = []
    seen: dict[tuple[Any, ...], Defect] = {}
    for d in defects:
        key = (d.kind, d.rules, d.en)
        if key in seen and d.kind not in ("gap", "incomplete"):
            continue
        seen[key] = d
        out.append(d)
    return out


def unreadable(exc: Exception) -> list[Defect]:
    """A rule file that does not load: one defect per line of the loader's message."""
    return [
        Defect(
            "invalid_file",
            "defect",
            f"読み込めません: {line}",
            f"invalid: {line}",
            where=line.split(": ", 1)[0],
        )
        for line in str(exc).splitlines()
    ]
