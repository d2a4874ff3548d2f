"""docs/sources.md: every decision-bearing sentence of the guidance maps to a rule.

The inventory (`rules/sources/`) lists, section by section, the sentences of
the five guides; one that decides something must be encoded by some rule, one
that decides nothing must say why. These tests fail when a sentence is left
without a rule, when the inventory names a rule that does not exist, and (in
test_docs.py) when the page is stale.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kyodo_rules import RuleError
from kyodo_rules.analysis.sources import check_sources, load_inventory
from kyodo_rules.files.shipped import data_path
from kyodo_rules.outputs import docs
from kyodo_rules.rulebase.loading import load_rulebase


def test_every_decision_bearing_sentence_is_encoded_by_a_rule() -> None:
    _inventory, cover = check_sources(load_rulebase())
    assert cover.problems == ()
    assert cover.encoded_by and all(cover.encoded_by.values())


def test_every_source_document_has_an_inventory() -> None:
    files = {inv.file for inv in load_inventory().files}
    assert files == {s.file for s in load_rulebase().policy.sources}


def test_rules_are_found_through_their_quotes() -> None:
    # 事例1's answer is quoted by jirei1-outsourcing; the entry lists no rule itself.
    inventory, cover = check_sources(load_rulebase())
    inv = next(i for i in inventory.files if i.file.startswith("002_"))
    s = next(n for n, sec in enumerate(inv.sections) if sec.section.endswith("事例3"))
    n = next(
        n for n, x in enumerate(inv.sections[s].sentences) if x.text.startswith("すべて市が企画")
    )
    assert not inv.sections[s].sentences[n].rules
    # 事例3's answer is quoted by its rule, and by the see-also of the rule that keeps
    # 事例1's name off work nobody commissioned.
    assert cover.encoded_by[(inv.file, s, n)] == (
        "jirei1-not-commissioned",
        "jirei3-volunteer-labour",
    )


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(data_path("rules"), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unencoded_sentence_fails(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    _edit(
        rules / "sources" / "002_5706d2c9275a3206.yaml",
        "      - text: 市が、主導的に行う場合は、協働事業ではありません。\n",
        "      - text: 市が、主導的に行う場合は、協働事業ではありません。\n"
        "      - text: 市は、どんな依頼も断ってはならない。\n",
    )
    _inventory, cover = check_sources(load_rulebase(rules), rules)
    assert len(cover.problems) == 1
    assert "市は、どんな依頼も断ってはならない" in cover.problems[0]
    assert "no rule encodes it" in cover.problems[0]


def test_an_unknown_rule_id_fails(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    _edit(
        rules / "sources" / "004_988cdea14834beb0.yaml",
        "rules: [zone-citizen-led]",
        "rules: [zone-citizen-lead]",
    )
    _inventory, cover = check_sources(load_rulebase(rules), rules)
    assert any("no rule 'zone-citizen-lead'" in p for p in cover.problems)


def test_a_rule_that_stops_quoting_its_sentence_fails(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    _edit(
        rules / "hayawakari.yaml",
        "    quote: 商店街や商工会議所への運営費補助金は協働事業ではありません。\n",
        "",
    )
    _inventory, cover = check_sources(load_rulebase(rules), rules)
    assert any("商店街や商工会議所への運営費補助金" in p for p in cover.problems)


def test_a_malformed_entry_names_its_file_and_line(tmp_path: Path) -> None:
    rules = _copy(tmp_path)
    _edit(
        rules / "sources" / "003_0b8e634a7c02c92e.yaml",
        "        reason: attitude\n",
        "        reason: attitude\n        rules: [kyodo-as-goal]\n",
    )
    with pytest.raises(RuleError, match=r"sources/003_0b8e634a7c02c92e\.yaml:\d+"):
        load_inventory(rules)


def test_the_page_lists_each_sentence_with_its_rules() -> None:
    text = docs.generate()["sources.md"]
    assert "`jirei1-routine-contracted-work`" in text
    assert "庁舎管理やごみ収集など、既に、委託している事業も協働事業か。" in text
    assert "**（なし / none）**" not in text
