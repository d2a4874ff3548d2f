"""The policy on bit sets (what the open questions and the what-if compare, hundreds of
times a case) against the policy that builds the decision record: the same answer for
any set of rule statuses, not only those the library's cases reach."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules.decision.classify import default_classifier
from kyodo_rules.decision.decisions import bits, indices
from kyodo_rules.decision.policy import Combiner
from kyodo_rules.model.vocabulary import FACT_FIELDS

PROFILES = ("generic", "nichinan", "ogi", "ama")


def fresh(profile: str) -> Combiner:
    """A combiner with empty memos: each answer below is worked out, not remembered."""
    classifier = default_classifier()
    return Combiner(classifier.bound(profile).ruleset, classifier.rulebase.policy)


@st.composite
def statuses(draw: st.DrawFn) -> tuple[str, int, int, int]:
    """A profile, two definite sets a few rules apart, and an undecided set."""
    profile = draw(st.sampled_from(PROFILES))
    count = len(default_classifier().bound(profile).ruleset.rules)
    rule = st.integers(0, count - 1)
    near = bits(draw(st.sets(rule, max_size=count)))
    moved = bits(draw(st.sets(rule, max_size=4)))
    undecided = bits(draw(st.sets(rule, max_size=12)))
    return profile, near, near ^ moved, undecided & ~(near ^ moved)


@settings(max_examples=600)
@given(statuses())
def test_signatures_on_bit_sets_are_the_decisions_signatures(
    drawn: tuple[str, int, int, int],
) -> None:
    profile, near, definite, _ = drawn
    combiner = fresh(profile)
    expected = combiner.provisional(indices(definite)).signature()
    near_sig = combiner.provisional(indices(near)).signature()
    near_force = combiner.force_bits(near)
    assert combiner.signature_near(definite, near, near_force, near_sig) == expected
    assert fresh(profile).signature_bits(definite) == expected
    assert combiner.provisional_verdict_bits(definite) == expected[0]


@settings(max_examples=600)
@given(statuses())
def test_strict_verdicts_on_bit_sets_are_the_decisions_verdicts(
    drawn: tuple[str, int, int, int],
) -> None:
    profile, _, definite, undecided = drawn
    combiner = fresh(profile)
    # The strict reading (a contested reading kept open) on sets, then the policy.
    decision = combiner.decide(*combiner.strict(indices(definite), indices(undecided), frozenset()))
    assert combiner.verdict_bits(definite, undecided, frozenset()) == (
        decision.verdict,
        decision.category,
    )


@settings(max_examples=600)
@given(statuses(), statuses(), st.sampled_from(FACT_FIELDS), st.sets(st.sampled_from(FACT_FIELDS)))
def test_an_answer_that_moves_no_verdict_rule_keeps_the_strict_verdict(
    drawn: tuple[str, int, int, int],
    other: tuple[str, int, int, int],
    learnt: str,
    unknown: set[str],
) -> None:
    profile, near, definite, near_undecided = drawn
    combiner = fresh(profile)
    # The answer's undecided rules: the case's, or some other set.
    undecided = near_undecided if other[1] & 1 else other[3] & ~definite
    unknown_now = frozenset(unknown | {learnt})
    if combiner.same_strict_verdict(definite, undecided, near, near_undecided, learnt):
        assert combiner.verdict_bits(definite, undecided, unknown_now - {learnt}) == (
            combiner.verdict_bits(near, near_undecided, unknown_now)
        )
