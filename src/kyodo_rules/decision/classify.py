"""`classify()`: facts in, a cited answer out.

The rulebase is loaded once, on the first call; after that a call does no I/O.
Each profile gets its own compiled engines the first time it is used. The
default engine is durable-rules; the plain-Python backend answers the many
small questions of the what-if search and the wizard's relevance test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kyodo_rules.decision.bound import Bound, EngineName
from kyodo_rules.decision.given import Given
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.decision.result import Answer, Rest, build_result
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.memo import Memo
from kyodo_rules.model.records import Case, Result
from kyodo_rules.model.validation import case_facts
from kyodo_rules.rulebase.loading import Rulebase, load_rulebase

#: Answers the whole-answer memo of a classifier keeps by default (see `Classifier`).
ANSWER_MEMO = 2_048


def _answer_memo_size() -> int:
    """`KYODO_ANSWER_MEMO` (entries; 0 turns the memo off), else `ANSWER_MEMO`: a switch
    that reaches every process, the batch command's workers included."""
    text = os.environ.get("KYODO_ANSWER_MEMO", "").strip()
    if not text:
        return ANSWER_MEMO
    try:
        return max(0, int(text))
    except ValueError:
        raise InputError(
            f"KYODO_ANSWER_MEMO: {text!r} is not a number of entries (0 turns the memo off)"
        ) from None


class Classifier:
    """A loaded rulebase and its engines; `classify()` uses a shared default one.

    `answer_memo` bounds the whole-answer memo: the same facts (the title aside)
    asked again under the same profile, language and options get the same
    `Result` object back, without any evaluation (an inventory lists the same
    kind of project many times; a service is asked the same case again). It
    keeps at most that many answers and starts afresh when full; 0 turns it
    off. By default it is `KYODO_ANSWER_MEMO` from the environment, else
    `ANSWER_MEMO`.
    """

    def __init__(
        self,
        rulebase: Rulebase | None = None,
        rules_dir: Path | str | None = None,
        *,
        answer_memo: int | None = None,
    ):
        self.rulebase = rulebase or load_rulebase(rules_dir)
        self._bound: dict[str, Bound] = {}
        self._lock = threading.Lock()
        size = _answer_memo_size() if answer_memo is None else max(0, answer_memo)
        self._answers: Memo[tuple[Any, ...], Result] | None = Memo(size) if size else None

    def bound(self, profile: str) -> Bound:
        found = self._bound.get(profile)
        if found is not None:
            return found
        with self._lock:
            if profile not in self._bound:
                ruleset = self.rulebase.ruleset(profile)
                self._bound[profile] = Bound(
                    ruleset,
                    Combiner(ruleset, self.rulebase.policy),
                    self.rulebase.profiles["generic"],
                    self.rulebase.policy,
                )
            return self._bound[profile]

    def classify(
        self,
        case: Case | Mapping[str, Any],
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
        engine: EngineName = "durable",
        questions_engine: EngineName = "python",
    ) -> Result:
        _check_lang(lang)
        facts = case_facts(case)
        memo = self._answers
        key: tuple[Any, ...] = ()
        if memo is not None:
            key = (profile, lang, what_if, engine, questions_engine, *_frozen(facts))
            found = memo.get(key)
            if found is not None:
                return found
        bound = self.bound(profile)
        given = Given.of(facts)
        statuses = bound.statuses(given, engine)
        result = _answer(bound, given, statuses, lang, what_if, engine, questions_engine)
        return result if memo is None else memo.put(key, result)

    def classify_many(
        self,
        cases: Sequence[Case | Mapping[str, Any]],
        *,
        profile: str = "generic",
        lang: str = "ja",
        what_if: bool = True,
        engine: EngineName = "durable",
    ) -> list[Result | InputError]:
        """`classify` of each case, in order, with a case's `InputError` in its place.

        For inventories: every answer is the one `classify` gives (a case met
        before is answered from the memo, as `classify` answers it), and a bad
        case does not stop the others.
        """
        _check_lang(lang)
        bound = self.bound(profile)
        memo = self._answers
        out: list[Result | InputError | None] = []
        todo: list[tuple[int, Given, tuple[Any, ...]]] = []
        for case in cases:
            try:
                facts = case_facts(case)
            except InputError as exc:
                out.append(exc)
                continue
            key: tuple[Any, ...] = ()
            if memo is not None:
                key = (profile, lang, what_if, engine, "python", *_frozen(facts))
                found = memo.get(key)
                if found is not None:
                    out.append(found)
                    continue
            todo.append((len(out), Given.of(facts), key))
            out.append(None)
        if todo:
            # (durable-rules holds its lock for each case, not for the whole
            # batch: the cases are matched one after the other either way.)
            for at, given, key in todo:
                statuses = bound.statuses(given, engine)
                result = _answer(bound, given, statuses, lang, what_if, engine, "python")
                out[at] = result if memo is None else memo.put(key, result)
        return [one for one in out if one is not None]


def _frozen(facts: Mapping[str, Any]) -> tuple[Any, ...]:
    """Validated facts as a memo key: (field, value) pairs by field name, a list as a
    tuple (validated lists are already in the vocabulary's order)."""
    return tuple(sorted([(k, tuple(v) if type(v) is list else v) for k, v in facts.items()]))


def _check_lang(lang: str) -> None:
    if lang not in ("ja", "en"):
        raise InputError(f"lang: unknown language {lang!r}; allowed: ja, en")


def _answer(
    bound: Bound,
    given: Given,
    statuses: tuple[Sequence[int], Sequence[int]],
    lang: str,
    what_if: bool,
    engine: EngineName,
    questions_engine: EngineName,
) -> Result:
    """The answer from the engine's rule statuses: the verdict, provisional answer and
    presumptions at once, the open questions and the what-if when first read
    (`Result.later`), and the result in words."""
    decision, definite, undecided = bound.decided(given, statuses)
    provisional = bound.provisional(decision, definite)
    # A settled verdict presumes nothing; what may still refine its category
    # is among the open questions.
    presumed: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if decision.verdict == "undetermined":
        presumed = bound.combiner.presumed(definite, undecided, given.unknown, provisional)
    answer = Answer(decision, provisional, definite, presumed)
    decided = (decision, definite, undecided)
    rest = Rest(bound, given, decided, provisional, lang, what_if, engine, questions_engine)
    return build_result(bound, answer, given.facts, lang, rest.later())


_default_lock = threading.Lock()
_default: Classifier | None = None


def default_classifier() -> Classifier:
    global _default
    with _default_lock:
        if _default is None:
            _default = Classifier()
        return _default


def classify(
    case: Case | Mapping[str, Any],
    *,
    profile: str = "generic",
    lang: str = "ja",
    what_if: bool = True,
) -> Result:
    """Is this project 協働, and why? Pure and deterministic; no I/O after the first call.

    `case` is a `Case` or a mapping in the vocabulary's field names (unknown
    fields and codes raise `InputError` naming the field and the allowed values).
    `profile` chooses whose names, forms, principles and checklists the answer
    uses; `lang` the language of its texts; `what_if=False` skips the search for
    `would_be_kyodo_if` (the only part that costs more than a single evaluation).
    """
    return default_classifier().classify(case, profile=profile, lang=lang, what_if=what_if)


# Bound, EngineName, Answer and build_result are re-exported: callers name the
# engine, and the benchmarks time the result's building on its own.
__all__ = [
    "Answer",
    "Bound",
    "Classifier",
    "EngineName",
    "build_result",
    "classify",
    "default_classifier",
]
