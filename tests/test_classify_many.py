"""`Classifier.classify_many`: the answers `classify` gives, matched together.

Inventories and other programs send many cases at once; durable-rules then
matches them in shared sessions. Nothing of an answer may depend on which
other cases shared its session, and a case with bad input must not stop the
others.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from kyodo_rules import Classifier, InputError
from kyodo_rules.rulebase.case_library import load_cases
from strategies import random_facts


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier()


def _cases() -> list[dict[str, Any]]:
    rng = random.Random(1313)
    library = [dict(c.facts) for c in load_cases() if c.profile == "generic"]
    return [*library, *(random_facts(rng) for _ in range(150))]


@pytest.mark.parametrize("what_if", [False, True])
def test_many_answers_are_the_single_answers(classifier: Classifier, what_if: bool) -> None:
    cases = _cases()
    bad = {"activity": "juggling"}
    cases.insert(7, bad)
    many = classifier.classify_many(cases, what_if=what_if, lang="en")
    assert len(many) == len(cases)
    for facts, answer in zip(cases, many, strict=True):
        if facts is bad:
            assert isinstance(answer, InputError)
            assert "activity" in str(answer)
            continue
        assert not isinstance(answer, InputError)
        single = classifier.classify(facts, what_if=what_if, lang="en")
        assert answer.model_dump_json() == single.model_dump_json(), facts


def test_many_of_one_profile(classifier: Classifier) -> None:
    case = next(c for c in load_cases() if c.profile != "generic")
    (answer,) = classifier.classify_many([case.facts], profile=case.profile)
    assert not isinstance(answer, InputError)
    assert answer.profile == case.profile
    assert answer == classifier.classify(case.facts, profile=case.profile)


def test_an_unknown_language_is_refused_before_any_case(classifier: Classifier) -> None:
    with pytest.raises(InputError, match="lang"):
        classifier.classify_many([{}], lang="fr")
