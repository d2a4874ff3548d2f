"""`case_facts` (validation's direct path) gives exactly what pydantic gives.

`classify()` validates every call; well-formed input is read directly, and
anything else goes through pydantic. Both must give the same facts for the
same input, or the same one-line refusal.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kyodo_rules.model.errors import InputError
from kyodo_rules.model.records import Case
from kyodo_rules.model.validation import case_facts, validate_case
from kyodo_rules.model.vocabulary import FIELD_KINDS
from strategies import random_facts

_ODD = st.one_of(
    st.none(),
    st.integers(-2, 2),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.sampled_from(["true", "1", 1, 0, 1.0, b"city", {"a": 1}, "city ", " npo", "CITY"]),
)


def _value(name: str) -> st.SearchStrategy[Any]:
    kind, codes = FIELD_KINDS[name]
    good = st.sampled_from(codes)
    if kind == "codes":
        code_lists = st.lists(st.one_of(good, _ODD), max_size=4)
        return st.one_of(code_lists, code_lists.map(tuple), st.lists(good, max_size=6), good, _ODD)
    return st.one_of(good, good, _ODD)


_FACTS = st.fixed_dictionaries(
    {},
    optional={name: _value(name) for name in FIELD_KINDS}
    | {"title": st.one_of(st.text(max_size=8), st.text(min_size=499, max_size=502), _ODD)},
)
_INPUT = st.one_of(
    _FACTS,
    _FACTS.map(lambda d: {**d, "planer": "city"}),
    st.sampled_from([[], "facts", 3, None]),
)


def _outcome(call: Any, data: Any) -> tuple[str, Any]:
    try:
        return "facts", call(data)
    except InputError as exc:
        return "refused", str(exc)


@settings(max_examples=600, deadline=None)
@given(_INPUT)
def test_the_direct_path_gives_what_pydantic_gives(data: Any) -> None:
    want = _outcome(lambda d: validate_case(d).facts(), data)
    got = _outcome(case_facts, data)
    assert got == want


def test_well_formed_cases_take_the_direct_path(monkeypatch: Any) -> None:
    import random

    from kyodo_rules.model import validation

    rng = random.Random(4)
    cases = [random_facts(rng) for _ in range(300)]
    cases.append({"actors": ["civic_group", "city", "civic_group"], "title": "  祭り "})
    want = [validate_case(facts).facts() for facts in cases]

    def refuse(_data: Any) -> Case:
        raise AssertionError("pydantic was asked")

    monkeypatch.setattr(validation, "validate_case", refuse)
    assert [case_facts(facts) for facts in cases] == want
    assert want[-1] == {"actors": ["city", "civic_group"]}
