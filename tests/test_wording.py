"""The wording catalog: every code and field has words in both languages, defined once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kyodo_rules.model.errors import InputError, RuleError
from kyodo_rules.model.records import AFFECTS, FactChange
from kyodo_rules.model.vocabulary import (
    CATEGORIES,
    FACT_FIELDS,
    FIELD_KINDS,
    FLAGS,
    FORMS,
    LANGS,
    STAGES,
    SUBSIDIARITIES,
    VERDICTS,
    ZONES,
    Lang,
    parse_lang,
)
from kyodo_rules.wording import catalog
from kyodo_rules.wording.catalog import Entry, load_catalog

#: Every code list of the vocabulary, and the catalog section that words it.
CODE_SECTIONS: dict[str, tuple[str, ...]] = {
    "verdict": VERDICTS,
    "verdict_short": VERDICTS,
    "category": CATEGORIES,
    "zone": ZONES,
    "subsidiarity": SUBSIDIARITIES,
    "status": ("settled", "provisional", "undetermined"),
    "form": FORMS,
    "flag": FLAGS,
    "affect": AFFECTS,
}


def _both(entry: Entry) -> bool:
    return all(entry.get(lang).strip() for lang in LANGS)


@pytest.mark.parametrize("section", sorted(CODE_SECTIONS))
def test_every_result_code_has_both_labels(section: str) -> None:
    table = catalog.section(section)
    missing = [c for c in CODE_SECTIONS[section] if c not in table or not _both(table[c])]
    assert not missing, f"{section}: no ja/en label for {missing}"
    extra = sorted(set(table) - set(CODE_SECTIONS[section]))
    assert not extra, f"{section}: labels for codes the vocabulary lacks: {extra}"


def test_every_field_and_fact_code_has_both_labels() -> None:
    fields = catalog.section("field")
    assert set(fields) == {"title", *FACT_FIELDS}
    assert all(_both(e) for e in fields.values())
    values = catalog.section("value")
    codes = {str(c) for kind, cs in FIELD_KINDS.values() if kind != "bool" for c in cs}
    assert set(values) == codes
    assert all(_both(values[c]) for c in codes)


def test_npo_codes_have_both_labels() -> None:
    from kyodo_rules.npo.eligibility import GROUP_FIELDS, REQUIREMENTS

    assert set(catalog.section("npo_requirement")) >= set(REQUIREMENTS)
    assert set(catalog.section("npo_field")) == set(GROUP_FIELDS)


def test_fact_labels_are_distinct_and_never_hold_a_list_separator() -> None:
    """A list of values is joined with 「、」 or ", ", and an inventory cell is split on them."""
    for section in ("field", "value"):
        for lang in LANGS:
            shown = [e.get(lang) for e in catalog.section(section).values()]
            assert len(set(shown)) == len(shown), (section, lang)
            bad = [s for s in shown if re.search(r"[,、，;；\n]", s)]
            assert not bad, (section, lang, bad)


def test_generic_form_names_are_the_generic_profiles() -> None:
    from kyodo_rules.decision.classify import default_classifier

    profile = default_classifier().rulebase.profiles["generic"].spec
    for code, entry in catalog.section("form").items():
        label = profile.forms[code].label
        assert label is not None
        assert (entry.ja, entry.en) == (label.ja, label.en), code


def test_a_fact_change_reads_the_same_whatever_asks() -> None:
    change = [FactChange(field="planner", value="partner"), FactChange(field="stage", value=None)]
    ja = catalog.describe_change(change, "ja")
    assert ja == "企画立案者 = 相手方 かつ 現在の段階 = 分からない"
    en = catalog.describe_change(change, "en")
    assert en == "Who planned it = the partner and Stage = unknown"
    assert catalog.value_label("actors", ["city", "business"], "ja") == "市、事業者"
    assert catalog.value_label("documents", [], "en") == "none"
    assert catalog.value_label("disclosed", True, "ja") == "はい"
    assert catalog.aside("事例1", "ja") == "（事例1）" and catalog.aside("x", "en") == " (x)"
    assert catalog.label("category", "custom_code", "en") == "custom_code"
    assert catalog.text("demo", "rule", "en", n=1, total=2, rule="r") == "Rule 1/2: r"


def test_parse_lang_names_the_field_and_the_allowed_values() -> None:
    assert parse_lang("en") == "en"
    with pytest.raises(InputError, match=r"^lang: unknown language 'fr'; allowed: ja, en$"):
        parse_lang("fr")
    with pytest.raises(InputError, match=r"^answers\.json: lang: "):
        parse_lang(None, "answers.json: lang")


def test_stages_are_worded_for_checklists() -> None:
    assert all(catalog.has("value", s) for s in STAGES)


def test_a_broken_catalog_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("field:\n  x: {ja: エックス}\n  y: {ja: a, en: b, fr: c}\n")
    (tmp_path / "b.yaml").write_text("field:\n  z: {ja: a, en: b}\n")
    with pytest.raises(RuleError) as info:
        load_catalog(tmp_path)
    lines = str(info.value).splitlines()
    assert lines[0] == "wording/words/a.yaml:2: field.x: no en text (every word exists in ja, en)"
    assert lines[1].startswith("wording/words/a.yaml:3: field.y: unknown property 'fr'")
    assert lines[2] == (
        "wording/words/b.yaml:1: field: section already defined in wording/words/a.yaml"
    )


def test_the_catalog_refuses_yaml_aliases(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x:\n  a: &w {ja: a, en: b}\n  b: *w\n")
    with pytest.raises(InputError, match=r"a\.yaml:3: .*aliases"):
        load_catalog(tmp_path)


def test_the_shipped_catalog_loads_and_covers_each_lang() -> None:
    assert LANGS == ("ja", "en")
    shipped = load_catalog()
    assert shipped.keys() == catalog.catalog().keys()


_SRC = Path(catalog.__file__).resolve().parents[1]


def test_every_word_the_code_asks_for_is_in_the_catalog() -> None:
    """A misspelt key would be a KeyError on someone's screen; found here instead."""
    code = "\n".join(p.read_text("utf-8") for p in _SRC.rglob("*.py"))
    pages = "\n".join(p.read_text("utf-8") for p in _SRC.rglob("templates/*.html"))
    asked = set(re.findall(r'catalog\.text\(\s*"([a-z_]+)",\s*"([a-z_]+)"', code))
    asked |= {("wizard", k) for k in re.findall(r'(?:self\.t|_words)\(\s*"([a-z_]+)"', code)}
    asked |= {("heading", k) for k in re.findall(r'heading\(\s*"([a-z_]+)"', code)}
    assert len(asked) > 40, "the patterns above still find the code's lookups"
    missing = sorted((s, k) for s, k in asked if not catalog.has(s, k))
    assert not missing
    in_pages = set(re.findall(r"\bt\('([a-z_]+)'\)", pages))
    assert in_pages, "the templates ask for words with t('key')"
    unknown = sorted(k for k in in_pages if not (catalog.has("web", k) or catalog.has("wizard", k)))
    assert not unknown
    for key in re.findall(r"\b[wh]\.([a-z_]+)", pages):
        assert catalog.has("report", key) or catalog.has("heading", key), key


def test_no_language_is_chosen_inline_in_the_code() -> None:
    """Words are looked up by language in the catalog; the code never picks one itself."""
    pattern = re.compile(r'(lang|language) *== *"(ja|en)"|if ja else')
    offenders = [
        f"{p.relative_to(_SRC)}:{n}"
        for p in _SRC.rglob("*.py")
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders


def test_no_html_tags_in_python_code() -> None:
    """HTML is built from autoescaped templates only (outputs/templates, web/templates)."""
    names = "html|head|body|main|nav|p|a|div|span|ul|ol|li|h[1-6]|table|tr|td|br"
    tag = re.compile(rf"</?({names})\b[^>]*>")
    offenders = [
        f"{p.relative_to(_SRC)}:{n}"
        for p in _SRC.rglob("*.py")
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if tag.search(line)
    ]
    assert not offenders


@pytest.mark.parametrize(
    ("lang", "words"), [("ja", "企画立案者 = 共同"), ("en", "Who planned it = both together")]
)
def test_a_what_if_change_reads_the_same_in_every_output(lang: Lang, words: str) -> None:
    """事例3 becomes 協働 if it is planned together: the terminal, Markdown, HTML, the
    inventory's "to confirm" cell and the demo all say that change alike."""
    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.outputs.demo import demo_steps
    from kyodo_rules.outputs.html import render_html
    from kyodo_rules.outputs.inventory import RowOutcome, result_cells
    from kyodo_rules.outputs.text import render_markdown, render_text
    from kyodo_rules.rulebase.case_library import load_cases

    case = next(
        c
        for c in load_cases()
        if "事例3" in c.source
        and [[(x.field, x.value) for x in ch] for ch in c.expect.would_be_kyodo_if]
        == [[("prior_consultation", True)]]
    )
    classifier = default_classifier()
    result = classifier.classify(case.facts, profile=case.profile, lang=lang)
    first = result.would_be_kyodo_if[0]
    assert [(x.field, x.value) for x in first] == [("planner", "joint")]
    demo = "\n".join(line for step in demo_steps(case, classifier, lang) for line in step.lines)
    outputs = {
        "terminal": render_text(result, lang),
        "markdown": render_markdown(result, lang),
        "html": render_html(result, lang),
        "inventory": "\n".join(result_cells(RowOutcome(2, (), result), lang)),
        "demo": demo,
    }
    assert {name: words in text for name, text in outputs.items()} == dict.fromkeys(outputs, True)


def test_the_demo_prints_words_not_codes() -> None:
    """A trainer reads the screen aloud: no category, flag, form, zone or principle code
    appears, only its label (rule ids and the cases' own titles are names, not codes)."""
    from kyodo_rules.decision.classify import default_classifier
    from kyodo_rules.outputs.demo import demo_steps
    from kyodo_rules.rulebase.case_library import load_cases

    classifier = default_classifier()
    base = classifier.rulebase
    principles = {p for prof in base.profiles.values() for p in prof.spec.principles}
    codes = {*CATEGORIES, *FLAGS, *FORMS, *ZONES, *SUBSIDIARITIES, *principles} - {"subsidy"}
    word = re.compile(r"(?<![\w-])[a-z]+(?:_[a-z]+)+(?![\w-])")
    raw = set()
    # The guidance's own worked examples (早わかり問答, あるある): every kind of code occurs.
    shown = [c for c in load_cases() if c.file.endswith(("01_hayawakari.yaml", "02_aruaru.yaml"))]
    assert len(shown) > 10
    for case in shown:
        for step in demo_steps(case, classifier, "ja")[2:]:  # after the story and the facts
            for line in step.lines:
                raw |= {(case.id, m) for m in word.findall(line) if m in codes}
    assert not raw
