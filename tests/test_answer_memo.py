"""The whole-answer memo: the same facts get the same answer back, bounded, thread-safe,
and off by a switch.

A classifier remembers its last answers by the validated facts (the title
aside), the profile, the language and the options; an inventory that lists
the same kind of project again is answered from memory. Nothing about an
answer may depend on it: every answer is the one a classifier without the
memo gives.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kyodo_rules.decision.classify import ANSWER_MEMO, Classifier
from kyodo_rules.model.errors import InputError
from strategies import JIREI1, random_facts


def test_the_same_facts_get_the_same_answer_object_whatever_the_title() -> None:
    classifier = Classifier(answer_memo=16)
    first = classifier.classify({**JIREI1, "title": "庁舎の清掃"})
    again = classifier.classify({"title": "別の名前", **dict(reversed(list(JIREI1.items())))})
    assert again is first
    # …and not across profiles, languages or options, which change the answer.
    assert classifier.classify(JIREI1, lang="en") is not first
    assert classifier.classify(JIREI1, profile="nichinan") is not first
    assert classifier.classify(JIREI1, what_if=False) is not first
    assert classifier.classify_many([JIREI1, {"actors": "city"}])[0] is first


def test_every_remembered_answer_is_the_answer_without_the_memo() -> None:
    rng = random.Random(5)
    cases = [random_facts(rng) for _ in range(60)]
    remembering, forgetting = Classifier(answer_memo=32), Classifier(answer_memo=0)
    for facts in cases * 3:
        got = remembering.classify(facts).model_dump_json()
        assert got == forgetting.classify(facts).model_dump_json()


def test_the_memo_is_bounded_and_starts_afresh_when_full() -> None:
    classifier = Classifier(answer_memo=3)
    cases = [{"actors": ["city", actor]} for actor in ("citizen", "business", "civic_group")]
    results = [classifier.classify(facts) for facts in cases]
    assert classifier.classify(cases[0]) is results[0]
    assert classifier._answers is not None and len(classifier._answers) == 3
    classifier.classify({"actors": ["city", "university"]})  # a fourth: the memo starts afresh
    assert len(classifier._answers) == 1
    assert classifier.classify(cases[0]) is not results[0]
    assert classifier.classify(cases[0]) == results[0]


def test_the_memo_is_off_by_a_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Classifier(answer_memo=0)._answers is None
    off = Classifier(answer_memo=0)
    assert off.classify(JIREI1) is not off.classify(JIREI1)
    monkeypatch.setenv("KYODO_ANSWER_MEMO", "0")
    assert Classifier()._answers is None
    monkeypatch.setenv("KYODO_ANSWER_MEMO", "5")
    classifier = Classifier()
    for stage in ("considering", "planning", "implementing", "reviewing"):
        for period in ("one_off", "fixed_period", "ongoing"):
            classifier.classify({"actors": ["city"], "stage": stage, "period": period})
            assert classifier._answers is not None and 1 <= len(classifier._answers) <= 5
    monkeypatch.delenv("KYODO_ANSWER_MEMO")
    assert Classifier()._answers is not None and ANSWER_MEMO > 0
    monkeypatch.setenv("KYODO_ANSWER_MEMO", "lots")
    with pytest.raises(InputError, match="KYODO_ANSWER_MEMO"):
        Classifier()


def test_threads_sharing_a_small_memo_get_the_answers_without_it() -> None:
    rng = random.Random(9)
    cases = [random_facts(rng) for _ in range(64)]
    expected = [Classifier(answer_memo=0).classify(f).model_dump_json() for f in cases]
    shared = Classifier(answer_memo=16)  # far fewer entries than cases: it empties often

    def worker(seed: int) -> list[tuple[int, Any]]:
        order = list(range(len(cases))) * 3
        random.Random(seed).shuffle(order)
        return [(i, shared.classify(cases[i]).model_dump_json()) for i in order]

    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(worker, range(8)))
    wrong = [i for output in outputs for i, got in output if got != expected[i]]
    assert not wrong, f"{len(wrong)} answers differ; first witness: {cases[wrong[0]]}"
