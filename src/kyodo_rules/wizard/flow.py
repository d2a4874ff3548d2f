"""What to ask next: the interview derived from the rulebase, with no terminal.

The wizard keeps no list of "important" questions. After every answer it asks
the classifier for the open questions (each unknown fact that can change the
answer, with what it changes), and asks them in the classifier's own order:
first the question whose answers most often change the answer shown (its
verdict, its reason, or whether it is 確定/暫定/判定できない), ties in the
declared order (docs/answers.md). It looks two answers ahead before it settles:
a question that changes the reason only together with another unknown fact
(事例3's planner and what the partner brings, which together make 奉仕作業)
is asked too. When none is left the answer is as settled as the facts allow:
the user may see the result, or go on with the questions that only shape the
forms and the procedure. A new rule therefore changes the interview without any
wizard code being touched, and a field no rule reads is never asked.

Answers are never thrown away: going back, or changing an answer in the
summary, keeps every answer given so far; the interview is re-derived from
the start, and a kept answer whose question is (still) relevant is taken
again without asking, so only genuinely new questions reach the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kyodo_rules.decision.bound import Bound
from kyodo_rules.rulebase.questions import TITLE

#: History entries: a group answered on one screen, and a group the user chose to
#: answer one question at a time.
_TOGETHER = "together "
_EACH = "each "


@dataclass
class State:
    """Where one interview stands; everything a session file has to keep."""

    profile: str
    lang: str = "ja"
    #: Every answer ever given, by field; None = 「分からない」. Kept across back/changes.
    answers: dict[str, Any] = field(default_factory=dict)
    #: Fields whose answers are in force, in the order they were taken.
    asked: list[str] = field(default_factory=list)
    #: A field brought back by 「戻る」: asked again before anything else.
    reask: str | None = None
    #: What happened, in order ("answer title", "back planner", …); for the session file.
    history: list[str] = field(default_factory=list)
    #: The user chose to go on past the verdict, to the form and procedure questions.
    details: bool = False


@dataclass(frozen=True)
class Standing:
    """Where the answer stands after the answers so far: what the status line shows."""

    verdict: str
    provisional: str
    category: str | None
    #: Open questions that can still change the answer shown (its verdict, reason or
    #: status; alone, or with one more answer), most deciding first; and the rest.
    deciding: tuple[str, ...]
    others: tuple[str, ...]

    @property
    def settled(self) -> bool:
        return self.verdict != "undetermined"


@dataclass(frozen=True)
class WhyRule:
    rule_id: str
    title: str
    source: str
    quote: str | None


def _deciding(question: Any) -> bool:
    """Whether a question can change the answer shown: one of its answers does, or it
    reads an open rule that, with one more answer, changes the verdict or reason."""
    return bool(question.deciding) or not {"verdict", "category"}.isdisjoint(question.affects)


class Flow:
    """The interview logic for one profile's rules and one declared order."""

    def __init__(
        self,
        bound: Bound,
        order: tuple[str, ...],
        together: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        self.bound = bound
        self.order = order
        #: Yes/no questions that may be put on one screen (questions.yaml `together`).
        self.groups = together
        self._declared = {name: n for n, name in enumerate(order)}

    # -- what is known ---------------------------------------------------------

    @staticmethod
    def facts(state: State) -> dict[str, Any]:
        """The facts in force: answers to asked questions, unknowns left out."""
        return {
            f: state.answers[f]
            for f in state.asked
            if f != TITLE and state.answers.get(f) is not None
        }

    def standing(self, state: State) -> Standing:
        """The strict and provisional answer now, and the open questions left.

        Exactly the result's `open_questions`, in their order (docs/answers.md):
        `deciding` are those whose answers change the answer shown, or change
        its verdict or reason together with another unknown fact; `others` the
        rest (forms, flags, documents…).
        """
        decision, provisional, questions = self.bound.status(self.facts(state))
        deciding = tuple(q.field for q in questions if _deciding(q))
        others = tuple(q.field for q in questions if not _deciding(q))
        return Standing(
            decision.verdict, provisional.verdict, provisional.category, deciding, others
        )

    def relevant(self, state: State) -> tuple[str, ...]:
        """The fields worth asking now: the deciding ones, and the others once the
        user chose to go on past the verdict."""
        now = self.standing(state)
        return now.deciding + now.others if state.details else now.deciding

    # -- moving through the interview -----------------------------------------

    def _candidate(self, state: State) -> str | None:
        if TITLE in self.order and TITLE not in state.asked:
            return TITLE
        if state.details:
            # Everything that matters is asked: the declared order, verdict or not.
            missing = set(self.relevant(state))
            return next(
                (f for f in self.order if f in missing and f not in state.asked and f != TITLE),
                None,
            )
        now = self.standing(state)
        return next((f for f in now.deciding if f not in state.asked and f != TITLE), None)

    def more(self, state: State) -> bool:
        """Questions are left that shape the forms and the procedure, not the verdict."""
        return bool(set(self.standing(state).others) - set(state.asked))

    def next_field(self, state: State) -> str | None:
        """The next question to put to the user, or None when nothing can change the answer.

        Relevant questions that already have a kept answer are taken silently.
        """
        if state.reask is not None:
            return state.reask
        while True:
            candidate = self._candidate(state)
            if candidate is None or candidate not in state.answers:
                return candidate
            state.asked.append(candidate)

    def answer(self, state: State, field_name: str, value: Any) -> None:
        if isinstance(value, tuple):
            value = list(value)
        if value == "" and field_name == TITLE:
            value = None
        state.answers[field_name] = value
        if field_name not in state.asked:
            state.asked.append(field_name)
        if state.reask == field_name:
            state.reask = None
        state.history.append(f"answer {field_name}")

    def together(self, state: State, name: str) -> tuple[str, ...]:
        """The questions to put on one screen with `name`, or () to ask it alone.

        A group is offered only while every one of its questions is still open
        and worth asking, and none has an answer kept from before (unless the
        group itself is being asked again after 「戻る」); not right after the
        user chose to answer it one by one (`split`).
        """
        group = next((g for g in self.groups if name in g), ())
        if not group or any(f in state.asked for f in group):
            return ()
        if state.history and state.history[-1] == _EACH + ",".join(group):
            return ()
        if state.reask != name and any(f in state.answers for f in group):
            return ()
        relevant = set(self.relevant(state))
        return group if all(f in relevant or f == name for f in group) else ()

    def answer_together(self, state: State, fields: tuple[str, ...], value: Any) -> None:
        """One answer for a whole group (「はい、すべて」 or 「分からない」)."""
        for f in fields:
            state.answers[f] = value
            if f not in state.asked:
                state.asked.append(f)
        state.reask = None
        state.history.append(_TOGETHER + ",".join(fields))

    @staticmethod
    def split(state: State, group: tuple[str, ...]) -> None:
        """The user chose to answer the group one by one (「一つずつ答える」): its
        questions come alone from now on, and that screen counts as one."""
        state.history.append(_EACH + ",".join(group))

    @staticmethod
    def _how(state: State, name: str) -> tuple[str, tuple[str, ...]]:
        """How the answer to `name` in force was given: ("together", group) on one
        screen with its group, ("each", group) alone after 「一つずつ答える」, or
        ("alone", ())."""
        history = state.history
        for n in range(len(history) - 1, -1, -1):
            entry = history[n]
            if entry == f"answer {name}":
                before = history[n - 1] if n else ""
                if before.startswith(_EACH) and name in (group := before[len(_EACH) :].split(",")):
                    return "each", tuple(group)
                return "alone", ()
            if entry.startswith(_TOGETHER):
                group = entry[len(_TOGETHER) :].split(",")
                if name in group:
                    return "together", tuple(group)
        return "alone", ()

    def _together_with(self, state: State, name: str) -> tuple[str, ...]:
        """The group `name` was last answered with on one screen, or () if on its own."""
        how, group = self._how(state, name)
        return group if how == "together" else ()

    def _answered_together(self, state: State, last: str) -> tuple[str, ...]:
        """The group `last` was answered with in one go, if its answers are the last taken."""
        group = self._together_with(state, last)
        rest = set(group) - {last}
        tail = state.asked[len(state.asked) - len(rest) :] if rest else []
        return group if group and set(tail) == rest else ()

    def screens(self, state: State, upto: str | None = None) -> int:
        """The screens the answers in force took (before `upto`, if given): a group
        answered on one counts once, a group answered one by one counts its own
        screen too. What the wizard and the web number their questions by, so that
        no two screens carry one number."""
        asked = state.asked
        if upto is not None and upto in asked:
            asked = asked[: asked.index(upto)]
        n = 0
        counted: set[tuple[str, ...]] = set()
        for f in asked:
            how, group = self._how(state, f)
            if how == "together":
                if group not in counted:
                    n += 1
                counted.add(group)
            elif how == "each":
                n += 2
            else:
                n += 1
        if upto is None and state.history and state.history[-1].startswith(_EACH):
            n += 1  # 「一つずつ答える」 was the last screen: its first question is next
        return n

    def number(self, state: State, name: str) -> int:
        """The number shown on the screen of `name`: its place among the screens in
        force when it is asked again (from the summary), else the next one."""
        if name in state.asked:
            return self.screens(state, upto=name) + 1
        return self.screens(state) + 1

    def back(self, state: State) -> str | None:
        """Return to the previous question; later answers are kept for re-use.

        Returns the field to ask again, or None at the first question. A group
        answered on one screen is returned to as that screen; the first question
        after 「一つずつ答える」 returns to the group's screen it came from.
        """
        last = state.history[-1] if state.history else ""
        if last.startswith(_EACH):
            split = last[len(_EACH) :]
            state.history.append(f"back {split}")
            return state.reask or split.split(",")[0]
        if not state.asked:
            return None
        previous = state.asked.pop()
        group = self._answered_together(state, previous)
        if group:
            del state.asked[len(state.asked) - (len(group) - 1) :]
            previous = group[0]
        state.reask = previous
        state.history.append(f"back {previous}")
        return previous

    def back_from(self, state: State, name: str) -> str | None:
        """戻る in a question asked again (from the summary): to the question before
        `name`, as 戻る goes anywhere; later answers are kept for re-use. None (and
        nothing changed) when `name` is the first question."""
        if name not in state.asked or state.asked.index(name) == 0:
            return None
        del state.asked[state.asked.index(name) :]
        state.reask = None
        return self.back(state)

    def change(self, state: State, field_name: str, value: Any) -> None:
        """Change one answer (from the summary) and re-derive the whole interview."""
        self.answer(state, field_name, value)
        self.rederive(state)
        state.history.append(f"change {field_name}")

    def rederive(self, state: State) -> None:
        """Rebuild `asked` from scratch: kept answers are re-used only where still relevant."""
        state.asked = []
        state.reask = None
        self.next_field(state)

    def done(self, state: State) -> bool:
        return self.next_field(state) is None

    # -- explaining -----------------------------------------------------------

    def why(self, state: State, field_name: str) -> tuple[WhyRule, ...]:
        """The rules still undecided that read this field: what the answer will settle."""
        _decision, _definite, undecided = self.bound.assess(self.facts(state), "python")
        rules = self.bound.ruleset.rules
        return tuple(
            WhyRule(
                rule_id=rules[i].id,
                title=rules[i].title.get(state.lang),
                source=rules[i].source,
                quote=rules[i].quote,
            )
            for i in sorted(undecided)
            if field_name in rules[i].fields
        )


def replay(flow: Flow, state: State, given: Mapping[str, Any], *, details: bool = True) -> State:
    """Run the interview answering from `given` (absent = 分からない), without prompts.

    By default every question that matters is taken, past the verdict too: a
    file that gives the forms' facts should see them used. `details=False`
    stops where the interactive interview first offers the result.
    """
    state.details = details
    while (name := flow.next_field(state)) is not None:
        flow.answer(state, name, given.get(name))
    return state


def answer_from(flow: Flow, state: State, name: str, given: Mapping[str, Any]) -> int:
    """Answer the next question as a person who knows `given` would; the screens it took.

    A group is answered 「はい、すべて」 when every one of its facts is true and
    「分からない」 when none is known; otherwise the person picks 「一つずつ答える」
    and answers `name` on its own screen (two screens), as the terminal does.
    """
    group = flow.together(state, name)
    if not group:
        flow.answer(state, name, given.get(name))
        return 1
    values = [given.get(f) for f in group]
    if all(v is True for v in values) or all(v is None for v in values):
        flow.answer_together(state, group, values[0])
        return 1
    flow.split(state, group)
    flow.answer(state, name, given.get(name))
    return 2
