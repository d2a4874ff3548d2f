"""docs/rules.md and docs/cases.md must say what the rules and the case library say."""

from __future__ import annotations

from pathlib import Path

import pytest

from kyodo_rules.outputs import docs
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.loading import load_rulebase

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("name", ["rules.md", "cases.md", "vocabulary.md", "sources.md"])
def test_generated_docs_are_up_to_date(name: str) -> None:
    expected = docs.generate()[name]
    path = DOCS / name
    assert path.is_file(), f"{path} is missing; run `{docs.COMMAND}`"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path} is out of date with rules/; run `{docs.COMMAND}` and commit the result"
    )


def test_rules_page_quotes_every_rule_under_its_source() -> None:
    text = docs.generate()["rules.md"]
    rulebase = load_rulebase()
    issuers = {s.file: s.issuer.ja for s in rulebase.policy.sources}
    for rule in rulebase.rules:
        block = text[text.index(f"#### `{rule.id}`") :]
        heading = text[: text.index(f"#### `{rule.id}`")].rindex("\n## ")
        assert issuers[rule.source.split(" ", 1)[0]] in text[heading : heading + 80]
        assert rule.title.ja in block[:400]
        if rule.quote:
            assert f"> {rule.quote}" in block


def test_cases_page_shows_every_case() -> None:
    text = docs.generate()["cases.md"]
    for case in load_cases():
        assert f"`{case.id}`" in text
        assert case.title.ja in text


def test_check_fails_on_a_stale_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert docs.main(["--out", str(tmp_path)]) == 0
    assert docs.main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "rules.md").write_text("old\n", encoding="utf-8")
    assert docs.main(["--out", str(tmp_path), "--check"]) == 1
    assert docs.COMMAND in capsys.readouterr().err
