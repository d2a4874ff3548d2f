"""The first open question found alone is the first of the ranked open questions.

An inventory shows only a row's first open question, so it asks for that one
alone (`Result.first_open_question`, `Asked.first`): the fields are asked in
the declared order until no field left could rank first. Ranked in full or
found alone, it must be the same question, on any case and any profile; and a
result whose what-if is not searched for gives its what-if parts without
working out the open questions (an inventory's settled rows read them).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kyodo_rules.decision import bound as bound_module
from kyodo_rules.decision.classify import Classifier, default_classifier
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.open_questions import rank, rank_key
from kyodo_rules.rulebase.case_library import load_cases
from strategies import any_cases, differential

CLASSIFIER = Classifier(answer_memo=0)
PROFILES = sorted(default_classifier().rulebase.profiles)
CASES = [(dict(c.facts), c.profile) for c in load_cases()]


def _first_alone(facts: dict[str, Any], profile: str) -> tuple[Any, Any]:
    bound = CLASSIFIER.bound(profile)
    given_facts = Given.of(facts)
    _, definite, undecided = bound.assess(given_facts, "python")
    asked = bound.asked(given_facts, definite, undecided)
    return asked.first(), asked.questions()


def _check(facts: dict[str, Any], profile: str, lang: str) -> None:
    first, ranked = _first_alone(facts, profile)
    assert first == (ranked[0] if ranked else None), (facts, profile)
    # The result's, before and after the others are worked out.
    result = CLASSIFIER.classify(facts, profile=profile, lang=lang, what_if=False)
    alone = result.first_open_question()
    whole = result.open_questions[0] if result.open_questions else None
    assert alone == whole, (facts, profile)
    assert result.first_open_question() == whole


@differential(max_examples=300, deadline=None)
@given(facts=any_cases(), profile=st.sampled_from(PROFILES), lang=st.sampled_from(["ja", "en"]))
def test_the_first_question_alone_is_the_first_ranked(
    facts: dict[str, Any], profile: str, lang: str
) -> None:
    _check(facts, profile, lang)


@pytest.mark.parametrize(("facts", "profile"), CASES)
def test_the_library_cases_first_question(facts: dict[str, Any], profile: str) -> None:
    _check(facts, profile, "ja")


def test_ranking_is_by_the_key_in_full() -> None:
    """`rank` orders by `rank_key` alone, and no two questions of a case share a key
    (so the least key is the first question, whatever the order they are found in)."""
    for facts, profile in CASES:
        _, ranked = _first_alone(facts, profile)
        keys = [rank_key(q) for q in ranked]
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)
        assert rank(list(reversed(ranked))) == list(ranked)


def test_the_what_if_parts_are_read_without_the_open_questions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    real = bound_module.Bound.questions

    def counted(self: bound_module.Bound, *args: Any, **kwargs: Any) -> Any:
        asked.append("questions")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(bound_module.Bound, "questions", counted)
    for facts, profile in CASES:
        result = CLASSIFIER.classify(facts, profile=profile, what_if=False)
        assert result.would_be_kyodo_if == ()
        assert result.what_if_blocked_by == ()
        assert asked == []
        # ... and are what the whole result holds.
        whole = result.model_dump()
        assert asked == ["questions"]
        assert whole["would_be_kyodo_if"] == () and whole["what_if_blocked_by"] == ()
        asked.clear()
