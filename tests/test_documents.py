"""The three items drafted from the answers, read back as Word reads them (python-docx).

Each item gets a test of which answer lands in which row of its 様式, and of the
blank (「（記入してください）」 with the sentence that asks) where the answer was
分からない. Every file, for every profile and for 協働, not-協働 and undetermined
projects, must carry the project's title, the partners and the recommended form
in Japanese, and no code, rule id, field name or file name. The command is
checked for what every output must do: nothing over an input, nothing over an
earlier draft unless asked, one line and exit 2 for bad input.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.files.shipped import data_path
from kyodo_rules.model.errors import RuleError
from kyodo_rules.model.vocabulary import DOCUMENTS, FACT_FIELDS, FIELD_KINDS
from kyodo_rules.outputs.documents import document_files, drafts_for, file_name
from kyodo_rules.rulebase.loading import load_rulebase
from strategies import JIREI1, cases

#: A 協働 project with every answer: co-hosted with a civic group, planned together.
KYODO: dict[str, Any] = {
    "title": "子育て応援ひろば",
    "self_solvable": False,
    "community_solvable": False,
    "actors": ["city", "civic_group"],
    "planner": "joint",
    "spec_author": "joint",
    "city_supervises": False,
    "equal_footing": True,
    "shared_purpose": True,
    "roles_shared": True,
    "partner_contribution": "expertise",
    "prior_consultation": True,
    "benefit": "public",
    "activity": "care_support",
    "organizer": "joint",
    "funding": ["cost_share"],
    "scheme": "agreement",
    "period": "fixed_period",
    "motives": ["problem_solving"],
    "responsible_department": True,
    "partner_depends_on_subsidy": False,
    "documents": ["pre_confirmation_sheet"],
    "evaluation_planned": True,
    "disclosed": True,
}

NAMES = {code: file_name(code) for code in DOCUMENTS}


def _facts(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {f: v for f, v in answers.items() if f != "title" and v is not None}


def files_for(answers: Mapping[str, Any], profile: str = "generic") -> dict[str, bytes]:
    result = default_classifier().classify(_facts(answers), profile=profile)
    return document_files(result, answers)


@cache
def kyodo_files() -> dict[str, bytes]:
    return files_for(KYODO)


def read(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def rows(doc: Any) -> dict[str, list[str]]:
    """Label -> the texts beside it, from every two-column table (as a reader sees them)."""
    out: dict[str, list[str]] = {}
    for table in doc.tables:
        for row in table.rows:
            cells = row.cells
            if len(cells) == 2:
                out.setdefault(cells[0].text, []).append(cells[1].text)
    return out


def all_text(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.footer.paragraphs]
    props = doc.core_properties
    parts += [props.title or "", props.subject or ""]
    return "\n".join(parts)


BLANK = "（記入してください）"
UNKNOWN = "回答では「分からない」でした。"


# ------------------------------------------------------------------- which answer lands where


def test_the_pre_confirmation_sheet_takes_step_4s_answers() -> None:
    got = rows(read(kyodo_files()[NAMES["pre_confirmation_sheet"]]))
    assert got["事業名"] == ["子育て応援ひろば"]
    assert got["協働の相手方"][0].startswith("市民活動団体\n" + BLANK)
    assert "相手方の団体名と代表者の氏名を書いてください。" in got["協働の相手方"][0]
    assert got["活動の種類"] == ["生活支援・子育て支援"]
    assert got["受益"][0].startswith("公益")
    # The overview and part 6 (with its points): the best form, then the others that fit.
    assert got["協働の形"] == ["共催\nほかに合う形: 事業協力、実行委員会・協議会"] * 2
    assert got["目的が共通であるか"] == [
        "市と相手方は、地域や市全体の課題を解決するという共通の目的をもっている。"
    ]
    assert got["協働で取り組む理由"] == ["課題解決"]
    assert got["企画・立案"] == ["市と相手方が、企画段階から共同で企画・立案する。"]
    assert got["仕様書"] == ["仕様書は市と相手方が共同で作成する。"]
    assert got["主催"] == ["市と相手方が共同で主催する。"]
    assert got["事前の話し合い"][0].startswith("作業内容・日時・役割分担を事前に相手方と確認し")
    assert got["収支の状況"][0].startswith("相手方の資金は補助金に頼っていない。\n" + BLANK)
    assert got["経費・物品"][0].startswith("負担金\n" + BLANK)
    # What only people can write: a blank, and the sentence that asks for it.
    for label, asks in (
        ("これまでの活動実績", "相手方がこれまでに行ってきた活動と、その成果を書いてください。"),
        ("市の目標", "市がこの事業で目指すことを書いてください。"),
        ("相手方の役割", "相手方が受け持つことを書いてください。"),
    ):
        assert got[label] == [f"{BLANK} {asks}"], label
    text = all_text(read(kyodo_files()[NAMES["pre_confirmation_sheet"]]))
    # Step 4's three points, each quoted with its guide in words, and あま市's checklists.
    assert "市民のこれまでの活動実績や、会員の状況、収支状況を確認する。" in text
    assert "日南市『市民協働の手引き』Ⅲ-2 市役所の取組み ステップ４ 【ポイント】(1)" in text
    assert "双方の役割分担を事前に確認する。※事前確認書の双方作成" in text
    assert "□ 手間をかけても協働で取り組む意義や効果がある" in text
    assert "□ 経費負担や、資金の運用・管理方法を話し合う" in text
    assert "あま市『協働のためのルールブック 素案』第4章" in text
    # The item's purpose sentence (日南 Ⅲ 1) and the form's own point (共催's 財政面の協力).
    assert "目的が共通であるかなど、市と市民であらかじめ確認するために" in text
    assert "共催の場合は、市も負担金を支出するなど、財政面の協力を行います。" in text


def test_the_agreement_takes_step_5s_answers() -> None:
    doc = read(kyodo_files()[NAMES["agreement_document"]])
    got = rows(doc)
    text = all_text(doc)
    assert got["協働の形"][0].startswith("共催\n")
    assert (
        "市民活動団体と市は、「子育て応援ひろば」を協働で実施するにあたり、次のとおり確認します。"
        in text
    )
    assert got["対等な立場"] == ["市と相手方は対等な立場で、自由に意見を出し合える。"]
    assert got["指導・監督"] == ["市は相手方を指導・監督しない。"]
    assert got["制度・契約"][0].startswith("協定書・確認書\n" + BLANK)
    assert got["期間"][0].startswith("期間を定めて行う。\n" + BLANK)
    assert "事業の開始日と終了日を書いてください。" in got["期間"][0]
    assert got["ふりかえり"][0].startswith("事業の後に、双方でふりかえり（評価）を行う予定である。")
    assert got["過程と結果の公開"] == ["協働の過程と結果を公開する。"]
    assert got["意見交換の頻度"] == [f"{BLANK} 意見交換を行う頻度（毎月1回など）を書いてください。"]
    for sentence in (
        "事業開始前に、必要に応じ事業確認書（協定書）と委託契約書を交わす。",
        "「協働の９つの形」から選択した分担で、市民と市の役割を果たす。",
        "協働事業は、主従関係や上下関係はなく、市民の意見を尊重し、共通理解を図る。",
        "定期的（毎月1回など）に、意見交換を行い、事業期間の途中でも、中間評価を行う。",
        "事業実施前に、市民が行政に依存したり、市が事業を押しつけたりしないように",
        "□ 言いたいことを言える対等な関係で事業を進める",
    ):
        assert sentence in text, sentence
    # Both sides sign: a table with a row for each, to be filled in.
    signed = [t for t in doc.tables if t.rows[0].cells[0].text == "区分"][-1]
    assert [r.cells[0].text for r in signed.rows[1:]] == ["市", "相手方"]


def test_the_review_sheet_takes_step_6s_answers_and_leaves_the_evaluation_to_both_sides() -> None:
    doc = read(kyodo_files()[NAMES["review_sheet"]])
    got = rows(doc)
    text = all_text(doc)
    assert got["作成済みの書類"] == ["事前確認シート"]
    assert got["役割の分担"] == ["市と相手方が、それぞれの能力等を持ち寄り、役割を分担する。"]
    assert got["経費・物品"] == ["負担金"]
    assert got["ふりかえり"] == ["事業の後に、双方でふりかえり（評価）を行う予定である。"]
    assert got["改善点"] == [f"{BLANK} 次年度以降の事業に反映する改善点を書いてください。"]
    assert got["評価の相違と話し合った結果"][0].startswith(BLANK)
    assert got["申し送り"][0].startswith(BLANK)
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "観点")
    assert [c.text for c in grid.rows[0].cells] == ["観点", "市の評価", "相手方の評価"]
    assert all(c.text == "" for row in grid.rows[1:] for c in row.cells[1:])
    for sentence in (
        "ふりかえりシートにより、互いが評価を行う。",
        "作成したシートに基づき、双方で確認。場合によっては、評価の相違もある。",
        "改善点を確認し、次年度以降の事業に反映する。",
        "協働事業の評価で明らかになった改善点を、確実に反映する。",
        "失敗した経験をもとに、過ちを繰り返さないためのマニュアルを作成する。",
        "市が、協働事例を積極的に公表し、新たな協働の芽を育てる。",
        "「ふりかえり」「改善点」「申し送り」の項目などを、ふりかえりシートに記入します。",
    ):
        assert sentence in text, sentence
    assert "次の段階へステップアップ (3)" in text


#: For each item, answers it shows, given as 分からない (None) in the interview.
UNKNOWN_IN = {
    "pre_confirmation_sheet": ("planner", "企画・立案", "事業を企画・立案したのは誰ですか？"),
    "agreement_document": ("period", "期間", "相手方との関係はどのくらい続きますか？"),
    "review_sheet": ("evaluation_planned", "ふりかえり", "事業の終了後に"),
}


@pytest.mark.parametrize("code", DOCUMENTS)
def test_an_answer_of_wakaranai_is_a_marked_blank_with_its_question(code: str) -> None:
    field, label, question = UNKNOWN_IN[code]
    answers = {**KYODO, field: None}
    got = rows(read(files_for(answers)[NAMES[code]]))
    cell = got[label][0]
    assert cell.startswith(f"{BLANK} {UNKNOWN}"), cell
    assert question in cell
    # Not asked at all (a case file that leaves it out): a blank, without 分からない.
    missing = {k: v for k, v in KYODO.items() if k != field}
    cell = rows(read(files_for(missing)[NAMES[code]]))[label][0]
    assert cell.startswith(BLANK) and UNKNOWN not in cell


def test_the_wizard_questions_exist_that_the_blanks_quote() -> None:
    from kyodo_rules.rulebase.questions import default_data

    data = default_data()
    for field, _label, question in UNKNOWN_IN.values():
        assert data.question(field).spec.text.get("ja").startswith(question)


# --------------------------------------------------------------------------- every file


#: (answers, what the project is) for the headline checks.
PROJECTS = {
    "kyodo": KYODO,
    "not_kyodo": {**JIREI1, "title": "庁舎管理の委託"},
    "undetermined": {
        "title": "防災訓練",
        "actors": ["city", "community_org"],
        "organizer": "joint",
        "funding": ["cost_share"],
    },
}


@cache
def _codes() -> frozenset[str]:
    """Every rule id and every code a case or result can carry."""
    from kyodo_rules.model import vocabulary

    rulebase = load_rulebase()
    words: set[str] = {r.id for r in rulebase.rules}
    for profile in rulebase.profiles.values():
        words |= {r.id for r in profile.rules}
    words |= set(FACT_FIELDS)
    for _kind, codes in FIELD_KINDS.values():
        words |= {c for c in codes if isinstance(c, str)}
    for name in ("CATEGORIES", "ZONES", "FORMS", "FLAGS", "VERDICTS", "SUBSIDIARITIES"):
        words |= set(getattr(vocabulary, name))
    return frozenset(words)


#: Latin words a Japanese draft may hold: the guides' own (あま市's chapter on PDCA).
ALLOWED_LATIN = {"PDCA", "NPO"}


@pytest.mark.parametrize("profile", ["generic", "nichinan", "ama", "ogi"])
@pytest.mark.parametrize("kind", sorted(PROJECTS))
def test_every_file_carries_title_partners_and_form_in_japanese_and_no_codes(
    kind: str, profile: str
) -> None:
    answers = PROJECTS[kind]
    result = default_classifier().classify(_facts(answers), profile=profile)
    files = document_files(result, answers)
    assert list(files) == ["事前確認シート.docx", "協働事業確認書.docx", "ふりかえりシート.docx"]
    partners = {"kyodo": "市民活動団体", "not_kyodo": "事業者", "undetermined": "地域組織"}[kind]
    for name, data in files.items():
        doc = read(data)
        text = all_text(doc)
        assert answers["title"] in rows(doc)["事業名"][0], name
        assert partners in rows(doc)["協働の相手方"][0], name
        if result.forms:
            assert result.forms[0].label in rows(doc)["協働の形"][0], name
        assert not re.search(r"\d{3}_[0-9a-f]{16}", text), "a source file name"
        latin = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", text)) - ALLOWED_LATIN
        assert not latin, (name, sorted(latin))
        assert not (set(re.findall(r"[a-z][a-z0-9_.-]+", text)) & _codes())
        section = doc.sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_a_project_that_is_not_kyodo_says_so_at_the_top_with_its_reason() -> None:
    files = files_for(PROJECTS["not_kyodo"])
    for name, data in files.items():
        doc = read(data)
        first = doc.tables[0].rows[0].cells[0].text  # the box before everything else
        assert "ご注意：回答からは、この事業は協働ではありません。" in first, name
        assert "判定: 協働ではない（確定）" in first
        assert "理由: 協働ではない（アウトソーシング（一般的な外部委託））" in first
        assert "仕様書などは、すべて市が作り、市が指導・監督するからです。" in first
        assert "日南市『市民協働の手引き』(7) 事例1" in first
        assert "協働にするには" in first  # what would make it 協働, as the report says


def test_a_kyodo_project_has_no_warning_and_states_the_settled_answer() -> None:
    first = read(kyodo_files()[NAMES["agreement_document"]]).tables[0].rows[0].cells[0].text
    assert "ご注意" not in first
    assert "判定: 協働（確定）" in first


def test_english_drafts_keep_the_same_structure() -> None:
    result = default_classifier().classify(_facts(KYODO), lang="en")
    drafts = drafts_for(result, KYODO, lang="en")
    assert [d.title for d in drafts] == [
        "Pre-confirmation sheet (draft)",
        "Project agreement (協定書) (draft)",
        "Review sheet (draft)",
    ]
    text = drafts[0].text()
    assert "Nichinan City (Miyazaki), 市民協働の手引き, Ⅲ-2" in text
    assert "The city and the partner plan it together, from the planning stage on." in text


def test_a_title_with_control_characters_is_shown_not_written_raw() -> None:
    answers = {**KYODO, "title": "ひろば\x1b[2J\x07"}
    doc = read(files_for(answers)[NAMES["review_sheet"]])
    assert rows(doc)["事業名"] == ["ひろば\\x1b[2J\\x07"]


# --------------------------------------------------------------------------- a city's own 様式


_OWN = """\

documents:
  review_sheet:
    title: {ja: 協働事業評価シート, en: Evaluation sheet}
    purpose:
      text: {ja: ふりかえりシートにより、互いが評価を行う。, en: Both evaluate.}
      source: 002_5706d2c9275a3206.txt Ⅲ-2 市役所の取組み ステップ６ 【ポイント】(1)
    sections:
      - heading: {ja: 1 事業, en: 1 Project}
        rows:
          - {label: {ja: 事業の名称, en: Name}, fill: title}
          - {label: {ja: 団体, en: Partner}, fill: partners}
          - {label: {ja: 協働形態, en: Form}, fill: form}
          - label: {ja: 成果, en: Results}
            ask: {ja: 成果を書いてください。, en: Write the results.}
"""


def test_a_city_puts_its_own_form_in_its_profile_and_inherits_the_others(tmp_path: Path) -> None:
    from kyodo_rules.decision.classify import Classifier

    root = tmp_path / "rules"
    shutil.copytree(data_path("rules"), root)
    profile = root / "profiles" / "nichinan.yaml"
    profile.write_text(profile.read_text("utf-8") + _OWN, encoding="utf-8")
    classifier = Classifier(rules_dir=root)
    result = classifier.classify(_facts(KYODO), profile="nichinan")
    drafts = drafts_for(result, KYODO, classifier=classifier)
    assert [d.title for d in drafts] == [
        "事前確認シート（下書き）",
        "協働事業確認書（協定書）（下書き）",
        "協働事業評価シート（下書き）",
    ]
    own = drafts[2].sections[0].rows
    assert [(r.label, (r.answer or "").split("\n")[0]) for r in own[:3]] == [
        ("事業の名称", "子育て応援ひろば"),
        ("団体", "市民活動団体"),
        ("協働形態", "③共催"),
    ]
    assert own[3].blank is not None and own[3].blank.asks == ("成果を書いてください。",)


def test_a_broken_form_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(data_path("rules"), root)
    profile = root / "profiles" / "ama.yaml"
    broken = _OWN.replace("fill: partners", "fill: partner_names")
    profile.write_text(profile.read_text("utf-8") + broken, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rulebase(root)
    message = str(caught.value)
    assert re.search(r"profiles/ama\.yaml:\d+: .*unknown fill 'partner_names'", message), message
    line = int(re.search(r"ama\.yaml:(\d+)", message).group(1))  # type: ignore[union-attr]
    assert "partner_names" in profile.read_text("utf-8").splitlines()[line - 1]


def test_the_generic_checklists_quote_amas_own() -> None:
    """The 様式 quotes あま市's PDCA checklists; they must stay the profile's words."""
    rulebase = load_rulebase()
    ama = rulebase.profiles["ama"].spec.checklists
    generic = rulebase.profiles["generic"].spec.documents
    stages = {"協働を考えている": "considering", "計画段階において": "planning"}
    stages["実施段階において"] = "implementing"
    seen = 0
    for form in generic.values():
        for section in form.sections:
            for checks in section.checks:
                stage = stages[checks.source.rsplit(" ", 1)[1]]
                assert [i.ja for i in checks.items] == [i.ja for i in ama[stage]]
                seen += 1
    assert seen == 4


# --------------------------------------------------------------------------- the command


def _cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kyodo_rules", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_the_command_writes_the_three_files_and_never_over_a_draft_or_an_input(
    tmp_path: Path,
) -> None:
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(KYODO, allow_unicode=True), encoding="utf-8")
    done = _cli("documents", "case.yaml", "-o", "書類", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "書類"
    assert sorted(p.name for p in folder.iterdir()) == sorted(NAMES.values())
    assert done.stdout.count("書類/") == 3
    for path in folder.iterdir():
        assert "子育て応援ひろば" in all_text(Document(str(path)))
    # Drafts already there (maybe filled in by hand since): refused unless --force.
    (folder / "事前確認シート.docx").write_bytes(b"edited by hand")
    again = _cli("documents", "case.yaml", "-o", "書類", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "--force" in again.stderr
    assert (folder / "事前確認シート.docx").read_bytes() == b"edited by hand"
    forced = _cli("documents", "case.yaml", "-o", "書類", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (folder / "事前確認シート.docx").read_bytes().startswith(b"PK")
    # An input that has a draft's name is never written over, --force or not.
    named = folder / "協働事業確認書.docx"
    named.write_text(yaml.safe_dump(KYODO, allow_unicode=True), encoding="utf-8")
    before = named.read_bytes()
    clash = _cli("documents", str(named), "-o", "書類", "--force", cwd=tmp_path)
    assert clash.returncode == 2 and "入力ファイル" in clash.stderr
    assert named.read_bytes() == before


def test_the_command_reads_a_session_and_its_wakaranai(tmp_path: Path) -> None:
    from kyodo_rules.wizard import session
    from kyodo_rules.wizard.flow import State

    answers = {**KYODO, "planner": None}
    state = State(profile="nichinan", lang="ja", answers=dict(answers), asked=list(answers))
    path = tmp_path / "s.session.yaml"
    session.save(state, path)
    done = _cli("documents", "s.session.yaml", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = rows(Document(str(tmp_path / "out" / "事前確認シート.docx")))
    assert got["企画・立案"][0].startswith(f"{BLANK} {UNKNOWN}")
    # The session's profile: 日南市's numbering of the forms.
    assert got["協働の形"][0].startswith("③共催\nほかに合う形: ⑨事業協力")


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["-", "-o", "out"], "actors: [dragon]\n", "actors[0]: 'dragon' is not allowed"),
        (["case.yaml", "-o", "out", "--profile", "atlantis"], None, "unknown profile 'atlantis'"),
        (["case.yaml", "-o", "missing/out"], None, "missing"),
        (["case.yaml", "-o", "case.yaml"], None, "フォルダではありません"),
        (["/dev/zero", "-o", "out"], None, "not a regular file"),
    ],
)
def test_bad_input_is_one_line_and_makes_no_folder(
    tmp_path: Path, args: list[str], stdin: str | None, says: str
) -> None:
    (tmp_path / "case.yaml").write_text("actors: [city, civic_group]\n", encoding="utf-8")
    done = _cli("documents", *args, cwd=tmp_path, stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_the_command_is_listed_in_the_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kyodo_rules", "documents", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert "-o DIR" in done.stdout and "--force" in done.stdout


# --------------------------------------------------------------------------- properties


@st.composite
def _answers(draw: st.DrawFn) -> dict[str, Any]:
    """Answers as an interview leaves them: some known, some 分からない (None), some not asked."""
    facts = draw(cases())
    unknown = draw(st.sets(st.sampled_from(FACT_FIELDS), max_size=8))
    return {"title": "港の清掃", **facts, **{f: None for f in unknown if f not in facts}}


@settings(max_examples=60, deadline=None)
@given(answers=_answers(), profile=st.sampled_from(["generic", "nichinan", "ama", "ogi"]))
def test_any_answers_land_in_words_or_in_a_marked_blank(
    answers: dict[str, Any], profile: str
) -> None:
    result = default_classifier().classify(_facts(answers), profile=profile, what_if=False)
    for draft in drafts_for(result, answers):
        text = draft.text()
        latin = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", text)) - ALLOWED_LATIN
        assert not latin, (draft.code, sorted(latin))
        assert "港の清掃" in text
        for section in draft.sections:
            for row in section.rows:
                if row.fill in FIELD_KINDS:
                    value = answers.get(row.fill)
                    if value is None:
                        assert row.answer is None and row.blank is not None
                        assert row.blank.unknown == (row.fill in answers)
                        assert row.blank.asks, row.label
                    else:
                        assert row.answer, row.label
                elif row.fill is None:
                    assert row.blank is not None and row.blank.asks


def test_python_docx_leaves_openpyxl_on_its_own_writer() -> None:
    """lxml comes with python-docx; the inventory's fast xlsx writer needs openpyxl's own."""
    probe = "import kyodo_rules, openpyxl, lxml; print(openpyxl.LXML)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env={}
    )
    assert done.stdout.strip() == "False", done.stderr
