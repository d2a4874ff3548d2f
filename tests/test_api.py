"""The public door: `kyodo_rules.__all__` is exactly the documented names."""

from __future__ import annotations

import builtins
import pathlib
import types
from typing import Any

import pytest

import kyodo_rules

#: The public API (README "Library", vocabulary.md, the NPO ruleset).
DOCUMENTED = {
    "Case",
    "Classifier",
    "FactChange",
    "Flag",
    "FormRecommendation",
    "Group",
    "InputError",
    "KyodoError",
    "NpoResult",
    "Principle",
    "Result",
    "RuleError",
    "TraceEntry",
    "classify",
    "npo_eligibility",
}


def test_all_is_exactly_the_documented_names() -> None:
    assert sorted(kyodo_rules.__all__) == sorted(DOCUMENTED)
    assert len(kyodo_rules.__all__) == len(set(kyodo_rules.__all__))


def test_every_public_attribute_is_in_all() -> None:
    for name in kyodo_rules.__all__:  # loaded on first use; each must load
        getattr(kyodo_rules, name)
    public = {
        name
        for name, value in vars(kyodo_rules).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(kyodo_rules.__all__)


def test_the_readme_import_works() -> None:
    from kyodo_rules import Case, Result, classify

    result = classify(Case(actors=("city", "business"), spec_author="city", city_supervises=True))
    assert isinstance(result, Result)


def test_the_acceptance_example_of_issue_2() -> None:
    from kyodo_rules import classify

    result = classify(
        {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}
    ).model_dump(mode="json")
    assert (result["verdict"], result["category"]) == ("not_kyodo", "outsourcing")
    assert any("事例1" in entry["source"] for entry in result["trace"])


def test_errors_share_one_root() -> None:
    assert issubclass(kyodo_rules.InputError, kyodo_rules.KyodoError)
    assert issubclass(kyodo_rules.RuleError, kyodo_rules.KyodoError)
    with pytest.raises(kyodo_rules.InputError, match=r"spec_author.*allowed: city"):
        kyodo_rules.classify({"spec_author": "mayor"})
    with pytest.raises(kyodo_rules.InputError, match="unknown field 'spec_autor'"):
        kyodo_rules.classify({"spec_autor": "city"})


def test_classify_does_not_change_its_input() -> None:
    facts: dict[str, Any] = {"actors": ["business", "city", "city"], "spec_author": "city"}
    kyodo_rules.classify(facts)
    assert facts == {"actors": ["business", "city", "city"], "spec_author": "city"}


def test_no_file_is_read_after_the_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    classifier = kyodo_rules.decision.classify.default_classifier()
    profiles = list(classifier.rulebase.profiles)
    for profile in profiles:
        kyodo_rules.classify({}, profile=profile)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"I/O after the first call: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    monkeypatch.setattr(pathlib.Path, "read_text", refuse)
    for profile in profiles:
        for lang in ("ja", "en"):
            kyodo_rules.classify({"equal_footing": False}, profile=profile, lang=lang)


def test_a_classifier_takes_exactly_the_arguments_of_classify() -> None:
    import inspect

    def shape(function: Any) -> list[tuple[str, Any, Any]]:
        params = inspect.signature(function).parameters.values()
        return [(p.name, p.kind, p.default) for p in params if p.name != "self"]

    assert shape(kyodo_rules.Classifier.classify) == shape(kyodo_rules.classify)
    made = inspect.signature(kyodo_rules.Classifier)
    assert list(made.parameters) == ["rules_dir"]
    assert made.parameters["rules_dir"].default is None
    # Nothing internal on the public object: the engine and the bound rule sets are private.
    public = {n for n in dir(kyodo_rules.Classifier) if not n.startswith("_")}
    assert public == {"classify", "classify_many"}
    # Many cases at once take the same options, the cases in place of the case.
    many = shape(kyodo_rules.Classifier.classify_many)
    assert many[0][0] == "cases" and many[1:] == shape(kyodo_rules.classify)[1:]


def test_a_classifier_answers_as_classify(tmp_path: pathlib.Path) -> None:
    facts = {"actors": ["city", "business"], "spec_author": "city", "city_supervises": True}
    shipped = kyodo_rules.classify(facts, profile="nichinan", lang="en", what_if=False)
    mine = kyodo_rules.Classifier().classify(facts, profile="nichinan", lang="en", what_if=False)
    assert mine == shipped
    with pytest.raises(kyodo_rules.RuleError, match="rules directory not found"):
        kyodo_rules.Classifier(rules_dir=tmp_path / "nowhere")


def test_the_version_is_the_installed_distributions() -> None:
    from importlib import metadata

    assert kyodo_rules.__version__ == metadata.version("kyodo-rules")
    source = (pathlib.Path(kyodo_rules.__file__).parent / "__init__.py").read_text("utf-8")
    assert metadata.version("kyodo-rules") not in source.replace("0+unknown", "")
