"""Collects case files as tests: one `pytest.File` per YAML file, one item per case.

The case library (`rules/cases/*.yaml`) and the extra cases in
`tests/cases/*.yaml` are both collected (registered by the repository's root
`conftest.py`, so that a case file given on the command line is found too), as
OpenFisca's `test_runner` collects its YAML tests: each worked example is a
named test (`rules/cases/hayawakari.yaml::jirei1-building-management`), and a failure
shows the case's `file:line` and every way the answer differs from the one the
guidance gives, instead of a traceback.

Each item also evaluates the case on the plain-Python backend and requires the
same answer, so the whole library is a differential test of the two engines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kyodo_rules import KyodoError
from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.files.shipped import data_path
from kyodo_rules.rulebase.case_library import LibraryCase, load_case_file, mismatches

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Where case files are collected: the library as the repository keeps it (the
#: same files the package installs; `test_the_library_collected_is_the_one_installed`
#: checks) and our own extra cases.
CASE_DIRS = frozenset({ROOT / "rules" / "cases", HERE / "cases"})


def library_dir() -> Path:
    """The shipped case library, as the installed package sees it."""
    return data_path("rules") / "cases"


def _label(path: Path) -> str:
    """`rules/cases/x.yaml` for the shipped library, `tests/cases/x.yaml` for ours."""
    return f"{path.parent.parent.name}/{path.parent.name}/{path.name}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class CaseFailure(Exception):
    def __init__(self, case: LibraryCase, problems: list[str]) -> None:
        super().__init__(problems)
        self.case = case
        self.problems = problems


class CaseItem(pytest.Item):
    def __init__(self, *, case: LibraryCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        case = self.case
        try:
            result = default_classifier().classify(case.facts, profile=case.profile)
        except KyodoError as exc:
            raise CaseFailure(case, [f"classify raised {type(exc).__name__}: {exc}"]) from None
        problems = mismatches(case, result, default_classifier().rulebase)
        python = default_classifier().classify(case.facts, profile=case.profile, engine="python")
        ours, theirs = result.model_dump(mode="json"), python.model_dump(mode="json")
        if ours != theirs:
            keys = [k for k in ours if ours[k] != theirs[k]]
            for key in keys:
                durable, other = _json(ours[key]), _json(theirs[key])
                problems.append(f"backends disagree on {key}: durable {durable} / python {other}")
        if problems:
            raise CaseFailure(case, problems)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CaseFailure):
            case = excinfo.value.case
            lines = [f"{case.file}:{case.line}: {case.id}: the answer differs from the case"]
            lines += [f"    {p}" for p in excinfo.value.problems]
            lines.append(f"    facts: {json.dumps(case.facts, ensure_ascii=False)}")
            if case.profile != "generic":
                lines.append(f"    profile: {case.profile}")
            return "\n".join(lines)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, max(self.case.line - 1, 0), f"case {self.case.id}"


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        try:
            cases = load_case_file(self.path, _label(self.path))
        except KyodoError as exc:
            raise self.CollectError(str(exc)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.id, case=case)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """`rules/cases/*.yaml` and `tests/cases/*.yaml`, by their path in the repository.

    So the node id pytest prints (`rules/cases/01_hayawakari.yaml::jirei1-building-management`)
    can be pasted back, and `pytest rules/cases/01_hayawakari.yaml` runs one file. Compared
    resolved, so that a checkout reached through a symlink (scripts/mutation_check.py
    links the data into its copies) collects the same files.
    """
    if file_path.suffix == ".yaml" and file_path.resolve().parent in CASE_DIRS:
        return CaseFile.from_parent(parent, path=file_path)
    return None
