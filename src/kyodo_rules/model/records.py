"""`Case` (the facts of a project) and `Result` (the answer), as in the vocabulary.

Both are frozen pydantic models so that a result can be cached, compared and
shared between threads. A missing fact is `None`, never `False`: the engine
must be able to tell "the city does not supervise" from "nobody said".
Lists of codes are normalised (deduplicated, in vocabulary order) so that the
same facts in any order are the same `Case`.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    computed_field,
    field_validator,
    model_serializer,
)
from pydantic_core import to_json

from kyodo_rules.model.memo import Memo
from kyodo_rules.model.vocabulary import (
    ACTIVITIES,
    ACTORS,
    DOCUMENTS,
    FUNDINGS,
    MOTIVES,
    Activity,
    Actor,
    Benefit,
    Category,
    Contribution,
    Document,
    FlagCode,
    FormCode,
    Funding,
    Motive,
    Organizer,
    Party,
    Period,
    Scheme,
    SpecAuthor,
    Stage,
    Subsidiarity,
    Verdict,
    Zone,
)

StrictBool = Annotated[bool, Field(strict=True)]
M = TypeVar("M", bound=BaseModel)

_ORDER: dict[str, tuple[str, ...]] = {
    "actors": ACTORS,
    "funding": FUNDINGS,
    "motives": MOTIVES,
    "documents": DOCUMENTS,
    "activity": ACTIVITIES,
}


class Case(BaseModel):
    """The facts of one planned project. Every fact is optional: `None` means unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    # Strict: a title is text, never bytes decoded on the way (a `!!binary` title
    # reached the web's store as bytes) nor a number turned into text.
    title: Annotated[str, Field(max_length=500, strict=True)] | None = None
    actors: tuple[Actor, ...] | None = None
    #: Two or more different organisations of one kind take part (two different
    #: NPOs, say): the guides disagree whether they are different actors.
    several_of_one_kind: StrictBool | None = None
    planner: Party | None = None
    spec_author: SpecAuthor | None = None
    city_supervises: StrictBool | None = None
    equal_footing: StrictBool | None = None
    shared_purpose: StrictBool | None = None
    roles_shared: StrictBool | None = None
    partner_contribution: Contribution | None = None
    prior_consultation: StrictBool | None = None
    benefit: Benefit | None = None
    activity: Activity | None = None
    organizer: Organizer | None = None
    funding: tuple[Funding, ...] | None = None
    scheme: Scheme | None = None
    hands_over_whole_project: StrictBool | None = None
    commissioning_raises_cost: StrictBool | None = None
    period: Period | None = None
    motives: tuple[Motive, ...] | None = None
    partner_treated_as_free_labour: StrictBool | None = None
    city_stays_out: StrictBool | None = None
    responsible_department: StrictBool | None = None
    partner_depends_on_subsidy: StrictBool | None = None
    city_runs_partner_secretariat: StrictBool | None = None
    self_solvable: StrictBool | None = None
    community_solvable: StrictBool | None = None
    documents: tuple[Document, ...] | None = None
    evaluation_planned: StrictBool | None = None
    disclosed: StrictBool | None = None
    stage: Stage | None = None

    @field_validator("title", mode="after")
    @classmethod
    def _nfc(cls, value: str | None) -> str | None:
        # Japanese text typed on different systems differs in normalisation form;
        # NFC makes equal-looking titles equal.
        return None if value is None else unicodedata.normalize("NFC", value)

    @field_validator("actors", "funding", "motives", "documents", mode="before")
    @classmethod
    def _reject_scalar(cls, value: Any) -> Any:
        # A bare string would otherwise be read as a sequence of characters.
        if isinstance(value, str | bytes | dict):
            raise ValueError("must be a list of codes")
        return value

    @field_validator("actors", "funding", "motives", "documents", mode="after")
    @classmethod
    def _canonical(cls, value: tuple[str, ...] | None, info: Any) -> tuple[str, ...] | None:
        if value is None:
            return None
        order = _ORDER[info.field_name]
        return tuple(code for code in order if code in set(value))

    def facts(self) -> dict[str, Any]:
        """The known facts only, as plain JSON values (lists for code sets)."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"title"})


class FormRecommendation(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: FormCode
    label: str
    reasons: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    #: The profile's own form this one is shown under, when the profile has no such form.
    shown_as: str | None = None


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: FlagCode
    message: str
    source: str


class FactChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: str
    value: Any


class TraceEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str
    source: str
    quote: str | None = None
    #: The rule that set this one aside (a declared exception), if any.
    overridden_by: str | None = None
    #: The profile that contributed or replaced this rule, if any.
    profile: str | None = None
    #: Which parts of the answer this rule gave (verdict, category, zone,
    #: subsidiarity, forms, flags, required_documents, checklist); empty for a
    #: rule that held but whose conclusion the answer does not show (set aside,
    #: outranked, or advice that a not_kyodo answer leaves out).
    contributes: tuple[str, ...] = ()
    #: Other guides that say the same, as `<seed file> <section>`.
    see_also: tuple[str, ...] = ()
    #: The rule decides the answer shown (the verdict, or the category): the
    #: strict answer when it is settled, the provisional one otherwise.
    decides: bool = False


class Presumption(BaseModel):
    """An open rule, presumed not to apply, that would change the provisional answer.

    `facts` are the unknown fields it reads: answering them settles the rule.
    The same shape names the rules that stand in the way of every change a
    project's design could make (`Result.what_if_blocked_by`).
    """

    model_config = ConfigDict(frozen=True)

    rule_id: str
    title: str
    source: str
    quote: str | None = None
    facts: tuple[str, ...] = ()
    #: The rules in force whose own sentence states what is presumed here (a
    #: form of 協働 whose definition states a part of the definition); empty for
    #: a bare presumption.
    stated_by: tuple[str, ...] = ()
    #: The answer follows this rule (it holds while a fact is unknown, or it is a
    #: reading the guides dispute); otherwise it is presumed not to apply.
    holds: bool = False
    #: For a reading the guides dispute: the other guide's place and sentence.
    contested_by: str | None = None
    contested_quote: str | None = None


class Provisional(BaseModel):
    """The answer when every rule still open is presumed not to apply (default logic)."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    category: Category | None = None
    presumptions: tuple[Presumption, ...] = ()
    zone: Zone | None = None
    subsidiarity: Subsidiarity | None = None
    #: The recommended forms of the provisional answer, best first (codes; the
    #: result's `forms` gives their labels, reasons and cautions).
    forms: tuple[FormCode, ...] = ()


Affect = Literal[
    "verdict",
    "category",
    "zone",
    "subsidiarity",
    "forms",
    "flags",
    "required_documents",
    "checklist",
]
#: The parts in the order of `Decision.signature()`.
AFFECTS: tuple[str, ...] = get_args(Affect)
Status = Literal["settled", "provisional", "undetermined"]


class Outcome(BaseModel):
    """Where one answer to an open question would lead."""

    model_config = ConfigDict(frozen=True)

    value: Any
    verdict: Verdict
    category: Category | None = None
    #: The strict verdict would be settled (確定) with this answer.
    settled: bool = False


class OpenQuestion(BaseModel):
    """An unknown fact that can change the answer, with what it changes and how."""

    model_config = ConfigDict(frozen=True)

    field: str
    affects: tuple[Affect, ...]
    outcomes: tuple[Outcome, ...]


class Principle(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    label: str
    source: str


class ShownAnswer(BaseModel):
    """The answer shown: a verdict, whether it is 確定/暫定/判定できない, and why not 協働."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    status: Status
    category: Category | None = None


#: model -> every field with its default, in the model's order (see `assemble`)
_TEMPLATES: dict[type[BaseModel], dict[str, Any]] = {}


def assemble(model: type[M], /, **values: Any) -> M:
    """An instance of a frozen model from parts that are already valid, not validated again.

    What `model_construct` does, for the result's parts (a result is assembled from
    a few dozen of them, each call): every field not given takes its default,
    and the fields keep the model's order (pydantic serialises them in the
    order they are stored). The property tests validate generated results
    against the models, so a part that does not fit is found there.
    """
    template = _TEMPLATES.get(model) or _template(model)
    private = {name: p.get_default() for name, p in model.__private_attributes__.items()}
    return _made(model, template, values, set(values), private or None)


def _template(model: type[BaseModel], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    template = {
        name: info.get_default(call_default_factory=True)
        for name, info in model.model_fields.items()
        if name not in leave_out
    }
    if not leave_out:
        _TEMPLATES[model] = template
    return template


def _made(
    model: type[M],
    template: dict[str, Any],
    values: dict[str, Any],
    fields_set: set[str],
    private: dict[str, Any] | None,
) -> M:
    data = dict(template)
    data.update(values)
    if len(data) != len(template):
        unknown = sorted(set(values) - set(template))
        raise TypeError(f"{model.__name__} has no field {', '.join(unknown)}")
    made = model.__new__(model)
    object.__setattr__(made, "__dict__", data)
    object.__setattr__(made, "__pydantic_fields_set__", fields_set)
    object.__setattr__(made, "__pydantic_extra__", None)
    object.__setattr__(made, "__pydantic_private__", private)
    return made


class Later:
    """Parts of a result worked out when first read, once, whichever thread reads first.

    `make` gives the parts (field -> value); it is dropped once called, with
    everything it held (the facts, the rule set), so a result kept for long
    keeps only its answer. `known` are parts already known (the same values
    `make` gives: the what-if's when it is not searched for), read without the
    others; `first_question` gives the first open question alone, for a reader
    who shows only that one (an inventory's row).
    """

    __slots__ = ("_first", "_lock", "_made", "_make", "known")

    def __init__(
        self,
        make: Callable[[], Mapping[str, Any]],
        *,
        known: Mapping[str, Any] | None = None,
        first_question: Callable[[], OpenQuestion | None] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._make: Callable[[], Mapping[str, Any]] | None = make
        self._made: Mapping[str, Any] | None = None
        self._first = first_question
        self.known: Mapping[str, Any] = known or {}

    def __call__(self) -> Mapping[str, Any]:
        made = self._made
        if made is None:
            with self._lock:
                if self._made is None:
                    assert self._make is not None
                    self._made = self._make()
                    self._make = self._first = None
                made = self._made
        return made

    def first_question(self) -> OpenQuestion | None:
        """`open_questions[0]` (None if there are none), the others worked out only if
        they are already or there is no `first_question`."""
        first = self._first
        if first is not None and self._made is None:
            return first()
        questions: tuple[OpenQuestion, ...] = self()["open_questions"]
        return questions[0] if questions else None


#: id of a part of a result -> (the part, its JSON): parts are frozen and shared
#: between results (`decision/result.py` builds each once), so each is turned into
#: JSON once; the part is kept with its JSON so that its id is not reused.
_JSON: Memo[int, tuple[Any, str]] = Memo()


def _fragment(part: BaseModel) -> str:
    """A model's JSON, as pydantic writes it inside the result, made once per object."""
    found = _JSON.get(id(part))
    if found is None or found[0] is not part:
        found = _JSON.put(id(part), (part, part.__pydantic_serializer__.to_json(part).decode()))
    return found[1]


def _value_json(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
        return "[" + ",".join(_fragment(part) for part in value) + "]"
    if isinstance(value, Provisional):  # one a result: its fields, its presumptions shared
        return "{" + _fields_json(value) + "}"
    return to_json(value).decode()


def _fields_json(model: BaseModel) -> str:
    """`"field":value` for every field, in the order pydantic writes them (the order
    they are stored in) and as it writes them."""
    return ",".join(f'"{name}":{_value_json(value)}' for name, value in model.__dict__.items())


#: model -> its template without the `LATER` parts (`Result.later`)
_EAGER: dict[type[BaseModel], dict[str, Any]] = {}

#: The parts of a `Result` that a caller may leave unread: the open questions and
#: the what-if, which cost more than the verdict (see `Result.later`).
LATER: tuple[str, ...] = (
    "missing_facts",
    "would_be_kyodo_if",
    "open_questions",
    "what_if_blocked_by",
)


class Result(BaseModel):
    """The answer for one case; `model_dump(mode="json")` is the vocabulary's JSON."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    category: Category | None = None
    zone: Zone | None = None
    subsidiarity: Subsidiarity | None = None
    forms: tuple[FormRecommendation, ...] = ()
    flags: tuple[Flag, ...] = ()
    required_documents: tuple[Document, ...] = ()
    checklist: tuple[str, ...] = ()
    missing_facts: tuple[str, ...] = ()
    would_be_kyodo_if: tuple[tuple[FactChange, ...], ...] = ()
    trace: tuple[TraceEntry, ...] = ()
    principles_violated: tuple[Principle, ...] = ()
    profile: str = "generic"
    provisional: Provisional | None = None
    open_questions: tuple[OpenQuestion, ...] = ()
    #: When a not-協働 case has no change in `would_be_kyodo_if`: the rules in the
    #: way whose facts are not the project's design to change (e.g. 自助で足りる).
    what_if_blocked_by: tuple[Presumption, ...] = ()
    #: The parts of `LATER` not worked out yet (None: the result is whole).
    _later: Later | None = PrivateAttr(default=None)

    @classmethod
    def later(cls, later: Later, /, **values: Any) -> Result:
        """A result whose `LATER` parts are worked out by `later` when first read.

        `classify()` answers a caller who reads the verdict for the price of the
        verdict; whoever reads the open questions or the what-if (an attribute,
        `model_dump`, `model_dump_json`, equality, a copy, pickling, a model that
        holds the result) gets them then, the same as if they had been computed
        at once: the result is whole wherever it is read.
        """
        template = _EAGER.get(cls)
        if template is None:
            template = _EAGER[cls] = _template(cls, LATER)
        return _made(cls, template, values, set(cls.model_fields), {"_later": later})

    def _whole(self) -> None:
        """Work out the `LATER` parts if they are not yet (they keep the fields' order)."""
        private = self.__pydantic_private__
        later = private.get("_later") if private else None
        if later is None:
            return
        parts = later()
        mine = self.__dict__
        fields = type(self).model_fields
        whole = {name: mine[name] if name in mine else parts[name] for name in fields}
        object.__setattr__(self, "__dict__", whole)
        assert private is not None
        private["_later"] = None

    def __getattr__(self, name: str) -> Any:
        # Reached only when `name` is not in the instance's dict: a part not worked out.
        if name in LATER:
            private = self.__pydantic_private__
            later = private.get("_later") if private else None
            if later is not None and name in later.known:
                return later.known[name]
            self._whole()
            return self.__dict__[name]
        return super().__getattr__(name)  # type: ignore[misc]

    def first_open_question(self) -> OpenQuestion | None:
        """`open_questions[0]` (None if there are none), without working out the other
        questions when they are not yet (an inventory shows the first alone); the
        same question either way (`tests/test_first_question.py`)."""
        private = self.__pydantic_private__
        later: Later | None = private.get("_later") if private else None
        if later is None:
            return self.open_questions[0] if self.open_questions else None
        return later.first_question()

    @model_serializer(mode="wrap")
    def _serialize(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # However the result is serialised (alone, or inside another model), whole.
        # (No return annotation: pydantic would take it for the schema of the JSON.)
        self._whole()
        return handler(self)

    def model_dump_json(self, **options: Any) -> str:
        """pydantic's JSON of the result. Without options (what `classify --json` and the
        API print) it is put together from the JSON of the result's parts, each part
        shared between results (a trace entry, a form, an open question…) turned
        into JSON once: the same text, a third of the cost
        (`tests/test_result_later.py` compares it with pydantic's own)."""
        if options:
            return super().model_dump_json(**options)
        self._whole()
        return "".join(
            (
                "{",
                _fields_json(self),
                ',"answer":',
                to_json(self.answer).decode(),
                ',"status":"',
                self.status,
                '"}',
            )
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Result):
            self._whole()
            other._whole()
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._whole()
        return hash(tuple(self.__dict__.values()))

    def __iter__(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        self._whole()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._whole()
        return super().__repr_args__()

    def __getstate__(self) -> dict[Any, Any]:
        self._whole()
        return super().__getstate__()

    def __copy__(self) -> Result:
        self._whole()
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Result:
        self._whole()
        return super().__deepcopy__(memo)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def answer(self) -> ShownAnswer:
        """The answer to show, in one key: the verdict shown (the strict one when it is
        settled, the provisional one otherwise), its status and its reason. What every
        output opens with, so that a caller need not read three keys together."""
        if self.verdict != "undetermined" or self.provisional is None:
            return ShownAnswer(verdict=self.verdict, status=self.status, category=self.category)
        p = self.provisional
        return ShownAnswer(verdict=p.verdict, status=self.status, category=p.category)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> Status:
        """確定 (settled), 暫定 (provisional) or 判定できない (undetermined)."""
        if self.verdict != "undetermined":
            return "settled"
        if self.provisional is not None and self.provisional.verdict != "undetermined":
            return "provisional"
        return "undetermined"
