"""`classify()`: facts in, a cited answer out.

The rulebase is loaded once, on the first call; after that a call does no I/O.
Each profile gets its own compiled engines the first time it is used. The
default engine is durable-rules; the plain-Python backend answers the many
small questions of the what-if search and the wizard's relevance test.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kyodo_rules.decision.bound import Bound, EngineName
from kyodo_rules.decision.decisions import Decision
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.decision.result import Answer, build_result
from kyodo_rules.decision.whatif import WhatIf, would_be_kyodo_if
from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import (
    Case,
    Result,
)
from kyodo_rules.model.validation import validate_case
from kyodo_rules.model.vocabulary import FACT_FIELDS
from kyodo_rules.rulebase.loading import Rulebase, load_rulebase


class Classifier:
    """A loaded rulebase and its engines; `classify()` uses a shared default one."""

    def __init__(self, rulebase: Rulebase | None = None, rules_dir: Path | str | None = None):
        self.rulebase = rulebase or load_rulebase(rules_dir)
        self._bound: dict[str, Bound] = {}
        self._lock = threading.Lock()

    def bound(self, profile: str) -> Bound:
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
        facts = validate_case(case).facts()
        bound = self.bound(profile)
        assessed = bound.assess(facts, engine)
        return _answer(bound, facts, assessed, lang, what_if, engine, questions_engine)

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

        For inventories: durable-rules matches the cases in shared sessions
        (`evaluate_many`), which costs about two thirds of a session a case;
        every answer is the one `classify` gives.
        """
        _check_lang(lang)
        bound = self.bound(profile)
        refused: dict[int, InputError] = {}
        valid: list[dict[str, Any]] = []
        for at, case in enumerate(cases):
            try:
                valid.append(validate_case(case).facts())
            except InputError as exc:
                refused[at] = exc
        answers = iter(
            _answer(bound, facts, one, lang, what_if, engine, "python")
            for facts, one in zip(valid, bound.assess_many(valid, engine), strict=True)
        )
        return [refused[at] if at in refused else next(answers) for at in range(len(cases))]


def _check_lang(lang: str) -> None:
    if lang not in ("ja", "en"):
        raise InputError(f"lang: unknown language {lang!r}; allowed: ja, en")


def _answer(
    bound: Bound,
    facts: dict[str, Any],
    assessed: tuple[Decision, frozenset[int], frozenset[int]],
    lang: str,
    what_if: bool,
    engine: EngineName,
    questions_engine: EngineName,
) -> Result:
    """The whole answer from the engine's rule statuses: provisional, presumptions,
    open questions, what-if, and the result in words."""
    decision, definite, undecided = assessed
    provisional = bound.provisional(decision, definite)
    # A settled verdict presumes nothing; what may still refine its category
    # is among the open questions.
    presumed: tuple[tuple[int, tuple[int, ...]], ...] = ()
    if decision.verdict == "undetermined":
        unknown = frozenset(f for f in FACT_FIELDS if facts.get(f) is None)
        presumed = bound.combiner.presumed(definite, undecided, unknown, provisional)
    questions = bound.questions(facts, definite, undecided, questions_engine)
    found = WhatIf(())
    if what_if and provisional.verdict != "kyodo":
        found = would_be_kyodo_if(bound, facts, confirm_with=engine, definite=definite)
    answer = Answer(decision, provisional, definite, presumed, questions, found)
    return build_result(bound, answer, facts, lang)


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
