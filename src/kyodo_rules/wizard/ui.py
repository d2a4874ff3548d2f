"""The terminal side of the wizard: questionary prompts over `flow`.

Only this module talks to the terminal. It asks, shows "why", the summary and
the result, and saves the session after every answer. Prompts use
`unsafe_ask()` so that Ctrl-C reaches the caller, which saves and tells the
user how to resume, instead of questionary quietly turning it into `None`.
Input and output can be injected, which is how the tests drive the real
prompts through a pipe without a terminal.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import questionary
from questionary import Choice, Separator

from kyodo_rules.decision.classify import Classifier
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import FIELD_KINDS, Lang, parse_lang
from kyodo_rules.rulebase.questions import TITLE, WizardData
from kyodo_rules.wizard import launch, screens, session, together
from kyodo_rules.wizard.checkbox import BACK, RESULT, UNKNOWN, WHY, checkbox
from kyodo_rules.wizard.flow import Flow, State
from kyodo_rules.wording import catalog

NONE = "__none__"
GROUP = "__group__:"


def width(text: str) -> int:
    """Columns a text takes in a terminal (wide East Asian characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Wizard:
    """One interactive interview, from the first question to the result."""

    def __init__(
        self,
        data: WizardData,
        classifier: Classifier | Callable[[], Classifier],
        state: State,
        session_path: Path | None,
        *,
        out: TextIO | None = None,
        prompt_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.data = data
        self._classifier = classifier
        self.state = state
        self.session_path = session_path
        self.out = out or sys.stdout
        #: Passed to every prompt (`input`, `output` in tests; `style`).
        self.kw: dict[str, Any] = dict(prompt_kwargs or {})
        self._flow: Flow | None = None
        #: Why the last save failed (None: the file on disk holds every answer).
        self.unsaved: str | None = None
        #: Where the printable report was saved from the result menu, if it was.
        self.report_path: Path | None = None
        #: The command that started the wizard, named in the session file's header.
        self.command = session.COMMAND

    # -- plumbing ---------------------------------------------------------------

    @property
    def lang(self) -> Lang:
        """The session's language, checked when the session was made or read."""
        return parse_lang(self.state.lang)

    @property
    def classifier(self) -> Classifier:
        if not isinstance(self._classifier, Classifier):
            self._classifier = self._classifier()
        return self._classifier

    @property
    def flow(self) -> Flow:
        if self._flow is None:
            self._flow = Flow(
                self.classifier.bound(self.state.profile), self.data.order, self.data.groups
            )
        return self._flow

    def t(self, key: str, **values: Any) -> str:
        return catalog.text("wizard", key, self.lang, **values)

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def save(self) -> bool:
        """Save the session; on failure keep the answers in memory, say so, retry next time.

        A full disk or a vanished folder must not end the interview: the answer
        just given is in `state`, and the next answer's save tries again.
        """
        if self.session_path is None:
            return True
        try:
            session.save(self.state, self.session_path, self.command)
        except OSError as exc:
            from kyodo_rules.files.edge import describe_os_error

            first = self.unsaved is None
            self.unsaved = describe_os_error(exc)
            if first:
                self.say(self.t("save_failed", reason=self.unsaved))
            return False
        if self.unsaved is not None:
            self.unsaved = None
            self.say(self.t("save_recovered", path=self.session_path))
        return True

    # -- the interview --------------------------------------------------------

    def ask_profile(self, profiles: list[tuple[str, str]]) -> str:
        question = launch.profile_question(
            self.t("profile_question"), self.t("select_hint"), profiles, **self.kw
        )
        return str(launch.ask(question))

    def take_title(self, value: str | None) -> None:
        """Record the project's title, asked before anything else (it needs no rules)."""
        self.state.answers[TITLE] = value
        self.state.asked.insert(0, TITLE)
        self.state.history.append(f"answer {TITLE}")
        self.save()

    def back(self) -> bool:
        """Back to the last question answered (later answers are kept); False at the first."""
        if self.flow.back(self.state) is None:
            self.say(self.t("no_back"))
            return False
        self.save()
        return True

    def run(self, *, summary_first: bool = False) -> Result:
        """Ask until nothing can change the answer, confirm, and classify.

        `summary_first`: start from the summary of the answers (the result
        screen's 「回答の確認・変更」)."""
        if summary_first and self.summary():
            return self.result()
        if TITLE in self.data.order and TITLE not in self.state.asked:
            # The title needs no rules: ask it while the rulebase is still loading.
            _action, value = self._prompt(TITLE)
            self.take_title(value)
        while True:
            name = self.flow.next_field(self.state)
            if name is None:
                self.save()
                if not self.state.details and self.flow.more(self.state):
                    chosen = self.go_on()
                    if chosen == "back":
                        self.back()
                        continue
                    if chosen == "details":
                        self.state.details = True
                        self.state.history.append("details")
                        self.save()
                        continue
                if self.summary():
                    break
                continue
            if not self.ask(name):
                break
        return self.result()

    def go_on(self) -> str:
        """The verdict can no longer change: see the result ("result"), shape the forms
        too ("details"), or go back to the last question ("back")."""
        unknown = screens.unknown_fields(self)
        if unknown:
            self.say(self.t("unknown_left", n=len(unknown)))
        picked = questionary.select(
            self.t("verdict_done"),
            choices=[
                Choice(title=self.t("see_result"), value=RESULT),
                Choice(title=self.t("continue_details"), value="details"),
                Separator("─" * 10),
                Choice(title=self.t("back"), value=BACK),
            ],
            instruction=self.t("select_hint"),
            **self.kw,
        ).unsafe_ask()
        return {RESULT: "result", BACK: "back"}.get(picked, "details")

    def ask(self, name: str) -> bool:
        """Put one question; handle 戻る and なぜ; record and save the answer.

        False when the user asked to see the result with the answers so far.
        """
        group = self.flow.together(self.state, name)
        while True:
            if group:
                action, value = together.prompt(self, group)
                if action == "each":
                    self.flow.split(self.state, group)
                    self.save()
                    group = ()
                    continue
                if action == "why":
                    together.show_why(self, group)
                    continue
            else:
                action, value = self._prompt(name)
            if action == "why":
                self.show_why(name)
                continue
            if action == "result":
                return False
            if action == "back":
                if not self.back():
                    continue
                return True
            if group:
                self.flow.answer_together(self.state, group, value)
            else:
                self.flow.answer(self.state, name, value)
            self.save()
            self.say(self.status_line())
            return True

    def status_line(self) -> str:
        """「いまの見込み: 協働（暫定）・確認すべき点 2」 after every answer (`status`)."""
        from kyodo_rules.wizard.status import status_line

        return status_line(self.flow, self.state, self.lang)

    def _select(self, message: str, choices: list[Any], default: Any = None) -> Any:
        """A single choice; once answered, one line 「? message answer」 stays (as
        questionary leaves it), whichever menus it took to get there."""
        question = questionary.select(
            message,
            choices=choices,
            default=default,
            instruction=self.t("select_hint"),
            **self.kw,
        )
        question.application.erase_when_done = True
        return question.unsafe_ask()

    def _answered(self, message: str, shown: str) -> None:
        self.say(f"? {message} {shown}")

    def _grouped(self, message: str, q: Any, choices: list[Any], default: Any) -> Any:
        """A long list in two steps: its group, then the choice within the group.

        あま市's 21 kinds of activity do not fit an 80×24 screen; grouped by the
        zone heading each belongs to, each step does. Choices with no group
        (「その他」) and 「分からない」 are in every menu, the group menu and each
        group's own; 「← 戻る」 in a group's menu returns to the group menu. The
        web shows the same groups under the same headings.
        """
        lang = self.lang
        groups: list[str] = []
        members: dict[str, list[Any]] = {}
        everywhere: list[Any] = []
        for spec, choice in zip(q.spec.choices, choices, strict=False):
            if spec.group is None:
                everywhere.append(choice)
                continue
            heading = spec.group.get(lang)
            if heading not in members:
                groups.append(heading)
                members[heading] = []
            members[heading].append(choice)
        start = next((g for g in groups if any(c.value == default for c in members[g])), None)
        if start is None and any(c.value == default for c in [*everywhere, *self._extras("")]):
            start = default
        unknown = Choice(title=self.t("unknown"), value=UNKNOWN)
        while True:
            picked = self._select(
                message,
                [
                    *(Choice(title=g + " …", value=GROUP + g) for g in groups),
                    *everywhere,
                    Separator("─" * 10),
                    *self._extras(q.spec.field),
                ],
                default=(GROUP + start if start in members else start),
            )
            if not (isinstance(picked, str) and picked.startswith(GROUP)):
                return picked
            group = picked.removeprefix(GROUP)
            inner = [*members[group], *everywhere]
            value = self._select(
                f"{message} — {group}",
                [*inner, Separator("─" * 10), unknown, Choice(title=self.t("back"), value=BACK)],
                default=default if any(c.value == default for c in [*inner, unknown]) else None,
            )
            if value != BACK:
                return value
            start = group

    def _number(self, name: str | None = None) -> str:
        if not self.state.asked:
            return launch.number(1)  # the first question waits for no rulebase
        if name is None:
            return launch.number(self.flow.screens(self.state) + 1)
        return launch.number(self.flow.number(self.state, name))

    def _extras(self, name: str) -> list[Choice]:
        extras = [Choice(title=self.t("unknown"), value=UNKNOWN)]
        if self.state.asked:
            extras.append(Choice(title=self.t("back"), value=BACK))
        extras.append(Choice(title=self.t("why"), value=WHY))
        if name != TITLE:
            extras.append(Choice(title=self.t("result_now"), value=RESULT))
        return extras

    def _previous(self, name: str) -> Any:
        """The answer kept for `name` (UNKNOWN if it was 分からない), or None if never given."""
        if name in self.state.answers and self.state.answers[name] is None:
            return UNKNOWN
        return self.state.answers.get(name)

    def _prompt(self, name: str) -> tuple[str, Any]:
        lang = self.lang
        q = self.data.question(name)
        message = self._number(name) + q.spec.text.get(lang)
        previous = self._previous(name)
        if q.kind == "text":
            kept = previous if isinstance(previous, str) else ""
            question = launch.text_question(message, self.t("text_hint"), kept, **self.kw)
            text = str(launch.ask(question))
            return "answer", text.strip() or None
        choices: list[Any] = []
        for c in q.spec.choices:
            title = c.label.get(lang)
            if c.example is not None:
                # Examples that do not fit on the line are shown under 「なぜこの質問？」.
                example = f"{self.t('example')}: {c.example.get(lang)}"
                if width(f"{title}{catalog.aside(example, lang)}") <= 74:
                    title = f"{title}{catalog.aside(example, lang)}"
            checked = q.kind == "codes" and isinstance(previous, list) and c.value in previous
            choices.append(Choice(title=title, value=c.value, checked=checked))
        if q.kind == "codes" and "none" not in FIELD_KINDS[name][1]:
            choices.append(
                Choice(title=self.t("none_of_these"), value=NONE, checked=previous == [])
            )
        if q.kind == "codes":
            choices.append(Separator("─" * 10))
            choices.extend(self._extras(name))
            picked = self._checkbox(message, choices, lang)
            for special, action in (
                (BACK, "back"),
                (WHY, "why"),
                (RESULT, "result"),
                (UNKNOWN, "answer"),
            ):
                if special in picked:
                    return action, None
            return "answer", [v for v in picked if v != NONE]
        if any(c.group for c in q.spec.choices):
            value = self._grouped(message, q, choices, previous)
        else:
            value = self._select(
                message, [*choices, Separator("─" * 10), *self._extras(name)], previous
            )
        titles = {c.value: c.title for c in [*choices, *self._extras(name)]}
        self._answered(message, str(titles.get(value, value)))
        if value == BACK:
            return "back", None
        if value == WHY:
            return "why", None
        if value == RESULT:
            return "result", None
        if value == UNKNOWN:
            return "answer", None
        return "answer", value

    def _checkbox(self, message: str, choices: list[Any], lang: Lang) -> list[Any]:
        picked = checkbox(
            message,
            choices,
            special={UNKNOWN, BACK, WHY, RESULT},
            instruction=self.t("checkbox_hint"),
            invalid=self.t("choose_one"),
            **self.kw,
        )
        titles = {c.value: c.title for c in choices if isinstance(c, Choice)}
        shown = catalog.join((str(titles.get(v, v)) for v in picked), lang)
        self.say(f"? {message} {shown}")
        return picked

    # -- the screens that are not questions (wizard/screens.py) ------------------

    def show_why(self, name: str) -> None:
        screens.show_why(self, name)

    def summary(self) -> bool:
        """Show every answer in force; True = see the result, False = an answer changed."""
        return screens.summary(self)

    def result(self) -> Result:
        facts = self.flow.facts(self.state)
        return self.classifier.classify(facts, profile=self.state.profile, lang=self.lang)

    def answers(self) -> dict[str, Any]:
        """The answers in force, in the order given; None where 分からない was chosen."""
        return {f: self.state.answers.get(f) for f in self.state.asked if f != TITLE}

    def show_result(self, result: Result) -> str:
        """The result screen; "done", "back" (to the last question) or "summary"."""
        return screens.show_result(self, result)
