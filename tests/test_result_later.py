"""The open questions and the what-if are worked out when first read, and the result
is whole wherever it is read.

`classify()` leaves `missing_facts`, `would_be_kyodo_if`, `open_questions` and
`what_if_blocked_by` to be worked out on first access (`Result.later`): a
caller who reads the verdict pays for the verdict. Every way of reading a
result (an attribute, a dump, JSON, equality, hashing, a copy, pickling, a
model or an adapter that holds it, several threads at once) must see the
whole answer, the same as one built at once.
"""

from __future__ import annotations

import copy
import pickle
import random
import threading
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from kyodo_rules.decision import bound as bound_module
from kyodo_rules.decision.classify import Classifier, _answer
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.result import Answer, build_result
from kyodo_rules.decision.whatif import WhatIf, would_be_kyodo_if
from kyodo_rules.model.records import LATER, Result
from kyodo_rules.rulebase.case_library import load_cases
from strategies import random_facts

CASES = [(dict(c.facts), c.profile) for c in load_cases()]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(answer_memo=0)


def _whole(classifier: Classifier, facts: dict[str, Any], profile: str, lang: str) -> Result:
    """The answer with every part computed at once (how every result was built before)."""
    bound = classifier.bound(profile)
    given = Given.of(facts)
    decision, definite, undecided = bound.decided(given, bound.durable.evaluate(given.flat))
    provisional = bound.provisional(decision, definite)
    presumed: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if decision.verdict == "undetermined":
        presumed = bound.combiner.presumed(definite, undecided, given.unknown, provisional)
    questions = bound.questions(given, definite, undecided)
    found = WhatIf(())
    if provisional.verdict != "kyodo":
        found = would_be_kyodo_if(bound, given, "durable", definite, undecided)
    answer = Answer(decision, provisional, definite, presumed, questions, found)
    return build_result(bound, answer, facts, lang)


def _pending(result: Result) -> bool:
    private = result.__pydantic_private__
    return bool(private and private.get("_later") is not None)


def test_later_results_are_the_results_built_at_once(classifier: Classifier) -> None:
    rng = random.Random(24)
    cases = CASES + [(random_facts(rng), "generic") for _ in range(150)]
    for n, (facts, profile) in enumerate(cases):
        lang = "en" if n % 3 == 0 else "ja"
        result = classifier.classify(facts, profile=profile, lang=lang)
        assert _pending(result)
        whole = _whole(classifier, facts, profile, lang)
        assert result.model_dump_json() == whole.model_dump_json(), (facts, profile)
        assert not _pending(result)
        assert result == whole


def test_reading_the_verdict_works_out_nothing_else(
    classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = bound_module.Bound.questions

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append("questions")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(bound_module.Bound, "questions", counted)
    facts = {"actors": ["city", "civic_group"], "funding": ["project_subsidy"]}
    result = classifier.classify(facts)
    seen = (result.verdict, result.status, result.provisional, result.answer, result.trace)
    assert seen[0] == "undetermined" and not asked and _pending(result)
    assert result.missing_facts  # the first read works the parts out, once
    assert asked == ["questions"] and not _pending(result)
    assert result.open_questions and result.would_be_kyodo_if is not None
    assert asked == ["questions"]


def _fresh(classifier: Classifier) -> Result:
    facts = {"actors": ["city", "business"], "spec_author": "city", "benefit": "public"}
    result = classifier.classify(facts)
    assert _pending(result)
    return result


def _hash(result: Result) -> Any:
    # A result holds lists (an outcome's value), so it has never been hashable:
    # the same TypeError, after the parts are worked out.
    with pytest.raises(TypeError, match="unhashable"):
        hash(result)
    return result


class _Holder(BaseModel):
    result: Result


@pytest.mark.parametrize(
    "read",
    [
        lambda r: r.model_dump(),
        lambda r: r.model_dump(mode="json"),
        lambda r: r.model_dump_json(),
        lambda r: dict(r),
        lambda r: repr(r),
        lambda r: _hash(r),
        lambda r: pickle.loads(pickle.dumps(r)).model_dump(),
        lambda r: copy.copy(r).model_dump(),
        lambda r: copy.deepcopy(r).model_dump(),
        lambda r: r.model_copy().model_dump(),
        lambda r: _Holder(result=r).model_dump_json(),
        lambda r: TypeAdapter(Result).dump_json(r),
        lambda r: TypeAdapter(list[Result]).dump_python([r], mode="json"),
    ],
    ids=[
        "dump",
        "dump-json-mode",
        "json",
        "dict",
        "repr",
        "hash",
        "pickle",
        "copy",
        "deepcopy",
        "model_copy",
        "inside-a-model",
        "adapter",
        "adapter-list",
    ],
)
def test_every_way_of_reading_sees_the_whole_answer(classifier: Classifier, read: Any) -> None:
    whole = _fresh(classifier)
    whole.model_dump()  # worked out: the reference
    assert all(whole.model_dump()[name] for name in LATER if name != "what_if_blocked_by")
    lazy = _fresh(classifier)
    read(lazy)
    assert not _pending(lazy)
    assert lazy == whole
    assert list(lazy.__dict__) == list(Result.model_fields)  # in the fields' order
    assert lazy.model_dump_json() == whole.model_dump_json()


def test_threads_reading_one_result_work_it_out_once(
    classifier: Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = bound_module.Bound.questions

    def slow(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(bound_module.Bound, "questions", slow)
    result = _fresh(classifier)
    barrier = threading.Barrier(8)
    seen: list[Any] = []

    def reader() -> None:
        barrier.wait()
        seen.append(result.open_questions)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert all(s is seen[0] for s in seen) and seen[0]


def test_a_result_built_through_the_answer_step_alone_is_whole_too() -> None:
    # `_answer` is what classify() and classify_many() share.
    classifier = Classifier(answer_memo=0)
    bound = classifier.bound("generic")
    given = Given.of({"actors": ["city"]})
    result = _answer(
        bound, given, bound.durable.evaluate(given.flat), "ja", True, "durable", "python"
    )
    assert result.model_dump() == classifier.classify({"actors": ["city"]}).model_dump()


def test_the_json_put_together_from_parts_is_pydantics_own(classifier: Classifier) -> None:
    """`model_dump_json()` assembles the JSON from parts made once; it must be the text
    pydantic writes, for every kind of result (lazy or whole, parts shared or not)."""
    rng = random.Random(7)
    results = [
        classifier.classify(facts, profile=profile, lang=lang, what_if=what_if)
        for (facts, profile), lang, what_if in zip(
            CASES + [(random_facts(rng), "generic") for _ in range(200)],
            ["ja", "en"] * 200,
            [True, True, False] * 100,
            strict=False,
        )
    ]
    results.append(Result(verdict="kyodo"))  # built and validated by pydantic
    results.append(Result.model_validate_json(results[0].model_dump_json()))
    for result in results:
        pydantic = Result.__pydantic_serializer__.to_json(result).decode()
        assert result.model_dump_json() == pydantic
        assert result.model_dump_json(indent=None) == pydantic  # options: pydantic's path
