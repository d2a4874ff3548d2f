"""The orders an answer is read in: the open questions, the presumptions, the reasons, the
first screen, and the order the rule files load in (which no answer may depend on).

Each test states the documented rule and checks it against classify()'s own output,
over random cases (hypothesis) and on named inputs kept as @example: the inputs on
which a plausible slip of the code (a key swapped, a bound one off) changes the
order, found by scripts/mutation_check.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings

from kyodo_rules import Result, classify
from kyodo_rules.decision.classify import Classifier, default_classifier
from kyodo_rules.files.shipped import data_path
from kyodo_rules.files.yaml import load_file
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.outputs import text
from kyodo_rules.rulebase.case_library import load_cases
from kyodo_rules.rulebase.loading import load_rulebase
from kyodo_rules.wording import catalog
from strategies import ISSUE_26_CASE, cases

CASES = {c.id: c for c in load_cases()}
FESTIVAL = {
    "actors": ["city", "business"],
    "funding": ["project_subsidy"],
    "benefit": "public",
    "organizer": "partner",
}

# --- the open questions ---------------------------------------------------------------

#: docs/answers.md: ties between questions deciding equally often go to the one that
#: changes the most important part (the verdict, then the category, then the forms,
#: then the rest), then to the interview's declared order.
PART = {"verdict": 0, "category": 1, "forms": 2}


def _status(verdict: str, settled: bool) -> str:
    if settled:
        return "settled"
    return "provisional" if verdict != "undetermined" else "undetermined"


def documented_order(result: Result) -> list[str]:
    """The open questions in the documented order, worked out from their own outcomes."""
    now = (result.answer.verdict, result.answer.category, result.answer.status)

    def key(q: Any) -> tuple[Any, ...]:
        changed = sum(
            (o.verdict, o.category, _status(o.verdict, o.settled)) != now for o in q.outcomes
        )
        share = changed / len(q.outcomes)
        return (-share, min(PART.get(a, 3) for a in q.affects), FACT_FIELDS.index(q.field))

    return [q.field for q in sorted(result.open_questions, key=key)]


@settings(max_examples=200, deadline=None)
@given(cases())
# A question that changes the category ties with one that changes the verdict: the
# verdict's comes first, whatever the declared order says.
@example(
    {
        "several_of_one_kind": False,
        "spec_author": "joint",
        "scheme": "none",
        "period": "one_off",
        "partner_depends_on_subsidy": True,
        "evaluation_planned": True,
    }
)
# A question that changes the forms ties with one that changes only other advice:
# the forms' comes first.
@example(
    {
        "actors": ["civic_group"],
        "several_of_one_kind": True,
        "city_supervises": False,
        "scheme": "agreement",
        "planner": "joint",
        "prior_consultation": True,
        "roles_shared": True,
        "activity": "community_revitalisation",
        "commissioning_raises_cost": False,
        "evaluation_planned": True,
        "disclosed": False,
    }
)
@example({})
def test_the_open_questions_come_in_the_documented_order(facts: dict[str, Any]) -> None:
    result = classify(facts, what_if=False)
    assert [q.field for q in result.open_questions] == documented_order(result), facts
    assert list(result.missing_facts) == [q.field for q in result.open_questions]


# --- the first screen --------------------------------------------------------------------


def test_the_headline_of_a_provisional_answer_is_the_provisional_verdict() -> None:
    """Issue 26: the first screen read 「判定できない（暫定）」 where it should read
    「協働（暫定）」: the headline says the answer shown, with its status."""
    result = classify(FESTIVAL)
    assert result.status == "provisional" and result.answer.verdict == "kyodo"
    for lang, words in (("ja", "協働（暫定）"), ("en", "協働 (provisional)")):
        lines = text.brief_lines(result, lang)  # type: ignore[arg-type]
        verdict = catalog.text("heading", "verdict", lang)  # type: ignore[arg-type]
        assert lines[2] == f"{verdict}: {words}", lines
    assert not any("判定できない" in line for line in text.brief_lines(result))
    # The best form, where there is no category to name.
    assert text.brief_lines(result)[4].endswith(result.forms[0].label)


def test_the_headline_of_a_settled_answer_names_its_category() -> None:
    result = classify(CASES["jirei1-building-management"].facts)
    lines = text.brief_lines(result)
    # The headline names the reason after the verdict and its status.
    assert lines[2] == "判定: " + text.headline(result)
    assert lines[2].startswith("判定: 協働ではない（確定）")
    assert lines[2].endswith(catalog.label("category", "outsourcing", "ja"))


def test_up_to_three_deciding_questions_are_the_next_steps() -> None:
    result = classify({})
    deciding = [q for q in result.open_questions if "verdict" in q.affects]
    assert len(deciding) > 3
    steps = text.next_steps(result, "ja")
    assert len(steps) == 3
    for step, question in zip(steps, deciding, strict=False):
        assert catalog.field_label(question.field, "ja") in step


def test_only_questions_that_change_the_verdict_are_next_steps() -> None:
    """A question that changes only the category is no next step while some change
    the verdict (here the first three of each differ)."""
    facts = {
        "spec_author": "none",
        "scheme": "none",
        "benefit": "public",
        "prior_consultation": False,
        "equal_footing": True,
        "roles_shared": True,
        "partner_treated_as_free_labour": True,
        "evaluation_planned": False,
    }
    result = classify(facts)
    deciding = [q.field for q in result.open_questions if "verdict" in q.affects][:3]
    by_category = [q.field for q in result.open_questions if "category" in q.affects][:3]
    assert deciding != by_category
    steps = text.next_steps(result, "ja")
    assert [s.split(" — ")[0] for s in steps] == [
        f"{catalog.text('heading', 'confirm', 'ja')}: {catalog.field_label(f, 'ja')}"
        for f in deciding
    ]


def test_a_settled_answer_offers_two_changes_at_most() -> None:
    result = classify({"scheme": "designated_manager"})
    assert result.status == "settled" and len(result.would_be_kyodo_if) >= 3
    steps = text.next_steps(result, "ja")
    assert len(steps) == 2
    assert all(s.startswith(catalog.text("heading", "change", "ja")) for s in steps)


def test_a_blocked_answer_names_two_reasons() -> None:
    result = classify({"self_solvable": True, "activity": "permits"})
    assert len(result.what_if_blocked_by) == 2 and not result.would_be_kyodo_if
    steps = text.next_steps(result, "ja")
    assert [s.split(": ", 1)[1] for s in steps] == [b.title for b in result.what_if_blocked_by]


def test_a_settled_answer_with_nothing_to_do_has_no_next_step() -> None:
    """Settled 協働, the three items in hand: what is left (the stage) only refines the
    advice, and the details list it; the first screen asks nothing."""
    facts = dict(CASES["reference-kyodo-every-fact"].facts)
    facts.pop("stage")
    result = classify(facts)
    assert result.status == "settled" and result.missing_facts == ("stage",)
    assert text.next_steps(result, "ja") == []


# --- the reasons -------------------------------------------------------------------------


def test_the_rule_that_names_the_category_leads_the_reasons() -> None:
    result = classify(CASES["jirei1-building-management"].facts)
    used, _ = text.split_trace(result)
    assert used[0].rule_id == "jirei1-outsourcing"
    assert "category" in used[0].contributes
    # Then those that give the verdict, then the rest, each group in rule order.
    ranks = [
        0 if "category" in t.contributes else 1 if "verdict" in t.contributes else 2 for t in used
    ]
    assert ranks == sorted(ranks) and 1 in ranks


# --- the order rule files load in ------------------------------------------------------------


def test_rules_load_file_by_file_in_name_order_each_in_its_own_order() -> None:
    """What the trace, the docs and a tie between forms' reasons are listed in."""
    rulebase = load_rulebase()
    files = [rule.file for rule in rulebase.rules]
    assert files == sorted(files)
    for name in dict.fromkeys(files):
        written = [r["id"] for r in load_file(rulebase.root.parent / name)["rules"]]
        assert [r.id for r in rulebase.rules if r.file == name] == written


def test_no_answer_depends_on_the_order_rule_files_load_in(tmp_path: Path) -> None:
    """The zone comes from the rules in force, not from whichever rule loads first: with
    benefit.yaml loading after zones.yaml, a private festival still reads 市民主体, the
    festival's zone set aside by 私益."""
    target = tmp_path / "rules"
    shutil.copytree(data_path("rules"), target)
    (target / "benefit.yaml").rename(target / "zz_benefit.yaml")
    facts = CASES["private-shop-sale-festival"].facts
    shipped = classify(facts)
    moved = Classifier(rules_dir=target).classify(facts)
    assert moved.zone == shipped.zone == "citizen_independent"
    set_aside = {t.rule_id: t.overridden_by for t in moved.trace}
    assert set_aside["zone-equal-partnership"] == "benefit-private"
    assert (moved.verdict, moved.category, moved.flags) == (
        shipped.verdict,
        shipped.category,
        shipped.flags,
    )


# --- the what-if -----------------------------------------------------------------------------

#: Issue 26's input: durable-rules once dropped one of these changes.
CITY_LABOUR_NONE = ISSUE_26_CASE


def _changes(result: Result) -> list[list[tuple[str, Any]]]:
    return [[(c.field, c.value) for c in change] for change in result.would_be_kyodo_if]


def test_the_what_if_lists_every_smallest_move_toward_collaboration() -> None:
    """Each value above the partner's contribution (labour only, then expertise) is a
    move of its own; the sets of three facts come after those of two; nothing else
    (no set containing another, no relabelled money, nothing away from 協働)."""
    for engine in ("durable", "python"):
        result = default_classifier().classify(CITY_LABOUR_NONE, engine=engine)
        assert _changes(result) == [
            [("prior_consultation", True), ("partner_contribution", "expertise")],
            [("prior_consultation", True), ("partner_contribution", "labour_only")],
            [("spec_author", "joint"), ("planner", "joint"), ("partner_contribution", "expertise")],
            [
                ("spec_author", "joint"),
                ("planner", "joint"),
                ("partner_contribution", "labour_only"),
            ],
        ], engine


def test_the_what_if_of_a_designated_manager_is_the_route_the_guide_gives() -> None:
    """事例5 → 事例4: a commission (whose terms are agreed, or planned together, or
    confirmed beforehand); never the designated-manager system itself."""
    assert _changes(classify({"scheme": "designated_manager"})) == [
        [("spec_author", "joint"), ("scheme", "contract")],
        [("scheme", "contract"), ("planner", "joint")],
        [("scheme", "contract"), ("prior_consultation", True)],
    ]


#: Two different NPOs (a reading the guides contest) planning together, where the
#: partner brings nothing and equal footing and roles fail: the provisional answer
#: follows the contested reading, so the single actor is no obstacle to lift.
TWO_NPOS = {
    "actors": ["civic_group"],
    "several_of_one_kind": True,
    "spec_author": "partner",
    "planner": "joint",
    "partner_contribution": "none",
    "equal_footing": False,
    "roles_shared": False,
    "evaluation_planned": False,
    "disclosed": False,
}


@settings(max_examples=150, deadline=None)
@given(cases())
@example(TWO_NPOS)
@example(
    {
        "community_solvable": True,
        "actors": ["civic_group"],
        "several_of_one_kind": True,
        "funding": ["name_only", "cost_share"],
        "prior_consultation": True,
        "shared_purpose": False,
        "organizer": "city",
        "city_stays_out": True,
        "disclosed": True,
    }
)
def test_what_blocks_the_what_if_is_in_force_in_the_answer_shown(facts: dict[str, Any]) -> None:
    """A change counts when the provisional answer becomes 協働, so only the not-協働
    rules in force in that reading stand in its way: a rule the answer shown sets
    aside (by a contested reading, say) never blocks, and never hides a change."""
    result = classify(facts)
    set_aside = {t.rule_id: t.overridden_by for t in result.trace}
    for blocker in result.what_if_blocked_by:
        assert set_aside.get(blocker.rule_id) is None, (blocker.rule_id, facts)
    if result.what_if_blocked_by:
        assert not result.would_be_kyodo_if, facts


def test_two_npos_of_one_kind_can_be_made_kyodo() -> None:
    """Issue 26 (found by the mutation check): the what-if counted the single actor,
    which the provisional answer sets aside, as an obstacle no design can lift, and
    said so, although equal footing and divided roles would make it 協働."""
    result = classify(TWO_NPOS)
    assert result.what_if_blocked_by == ()
    assert _changes(result) == [
        [("partner_contribution", "expertise"), ("equal_footing", True), ("roles_shared", True)],
        [("partner_contribution", "labour_only"), ("equal_footing", True), ("roles_shared", True)],
    ]
