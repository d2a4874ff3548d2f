"""The terminal side of the wizard: questionary prompts over `flow`.

Only this module talks to the terminal. It asks, shows "why", the summary and
the result, and saves the session after every answer. Prompts use
`unsafe_ask()` so that Ctrl-C reaches the caller, which saves and tells the
user how to resume, instead of questionary quietly turning it into `None`.
Input and output can be injected, which is how the tests drive the real
prompts through a pipe without a terminal.
"""

from __future__ import annotations

import shutil
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import questionary
from questionary import Choice, Separator

from kyodo_rules.decision.classify import Classifier
from kyodo_rules.model.records import Result
from kyodo_rules.model.vocabulary import FIELD_KINDS
from kyodo_rules.rulebase.questions import TITLE, WizardData
from kyodo_rules.wizard import session, together
from kyodo_rules.wizard.flow import Flow, State

UNKNOWN = "__unknown__"
NONE = "__none__"
BACK = "__back__"
WHY = "__why__"
RESULT = "__result__"
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

    # -- plumbing ---------------------------------------------------------------

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
        return self.data.t(key, self.state.lang, **values)

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
            session.save(self.state, self.session_path)
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
        choices = [Choice(title=label, value=pid) for pid, label in profiles]
        answer: str = questionary.select(
            self.t("profile_question"),
            choices=choices,
            instruction=self.t("select_hint"),
            **self.kw,
        ).unsafe_ask()
        return answer

    def run(self) -> Result:
        """Ask until nothing can change the answer, confirm, and classify."""
        if TITLE in self.data.order and TITLE not in self.state.asked:
            # The title needs no rules: ask it while the rulebase is still loading.
            _action, value = self._prompt(TITLE)
            self.state.answers[TITLE] = value
            self.state.asked.insert(0, TITLE)
            self.state.history.append(f"answer {TITLE}")
            self.save()
        while True:
            name = self.flow.next_field(self.state)
            if name is None:
                self.save()
                if not self.state.details and self.flow.more(self.state) and self.go_on():
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

    def go_on(self) -> bool:
        """The verdict can no longer change: see the result, or shape the forms too?"""
        picked = questionary.select(
            self.t("verdict_done"),
            choices=[
                Choice(title=self.t("see_result"), value=RESULT),
                Choice(title=self.t("continue_details"), value="details"),
            ],
            instruction=self.t("select_hint"),
            **self.kw,
        ).unsafe_ask()
        return bool(picked == "details")

    def ask(self, name: str) -> bool:
        """Put one question; handle 戻る and なぜ; record and save the answer.

        False when the user asked to see the result with the answers so far.
        """
        group = self.flow.together(self.state, name)
        while True:
            if group:
                action, value = together.prompt(self, group)
                if action == "each":
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
                if self.flow.back(self.state) is None:
                    self.say(self.t("no_back"))
                    continue
                self.save()
                return True
            if group:
                self.flow.answer_together(self.state, group, value)
            else:
                self.flow.answer(self.state, name, value)
            self.save()
            self.say(self.status_line())
            return True

    def status_line(self) -> str:
        """「いまの見込み: 協働（暫定）・確認すべき点 2」 after every answer."""
        from kyodo_rules.outputs.text import label, verdict_phrase

        lang = self.state.lang
        now = self.flow.standing(self.state)
        status = (
            "settled"
            if now.settled
            else ("provisional" if now.provisional != "undetermined" else "undetermined")
        )
        verdict = now.verdict if now.settled else now.provisional
        return self.t(
            "status_line",
            verdict=verdict_phrase(verdict, None, lang),
            status=label("status", status, lang),
            points=len(now.deciding),
        )

    @staticmethod
    def _too_tall(lines: int) -> bool:
        """Would a list of `lines` choices push its question off a real terminal's screen?"""
        if not sys.stdout.isatty():
            return False
        return lines + 3 > shutil.get_terminal_size().lines

    def _grouped(self, message: str, q: Any, choices: list[Any], default: Any) -> Any:
        """A long list in two steps: its group, then the choice within the group.

        あま市's 21 kinds of activity do not fit an 80×24 screen; grouped by the
        zone heading each belongs to, each step does.
        """
        lang = self.state.lang
        groups: list[str] = []
        members: dict[str, list[Any]] = {}
        for spec, choice in zip(q.spec.choices, choices, strict=False):
            heading = spec.group.get(lang) if spec.group else self.t("other")
            if heading not in members:
                groups.append(heading)
                members[heading] = []
            members[heading].append(choice)
        start = next((g for g in groups if any(c.value == default for c in members[g])), None)
        while True:
            picked = questionary.select(
                message,
                choices=[
                    *(Choice(title=g, value=GROUP + g) for g in groups),
                    Separator("─" * 10),
                    *self._extras(q.spec.field),
                ],
                default=GROUP + start if start else None,
                instruction=self.t("select_hint"),
                **self.kw,
            ).unsafe_ask()
            if not (isinstance(picked, str) and picked.startswith(GROUP)):
                return picked
            group = picked.removeprefix(GROUP)
            inner = members[group]
            value = questionary.select(
                f"{message} — {group}",
                choices=[*inner, Separator("─" * 10), Choice(title=self.t("back"), value=BACK)],
                default=default if any(c.value == default for c in inner) else None,
                instruction=self.t("select_hint"),
                **self.kw,
            ).unsafe_ask()
            if value != BACK:
                return value
            start = group

    def _number(self) -> str:
        return f"[{len(self.state.asked) + 1}] "

    def _extras(self, name: str) -> list[Choice]:
        extras = [Choice(title=self.t("unknown"), value=UNKNOWN)]
        if self.state.asked:
            extras.append(Choice(title=self.t("back"), value=BACK))
        extras.append(Choice(title=self.t("why"), value=WHY))
        if name != TITLE:
            extras.append(Choice(title=self.t("result_now"), value=RESULT))
        return extras

    def _prompt(self, name: str) -> tuple[str, Any]:
        lang = self.state.lang
        q = self.data.question(name)
        message = self._number() + q.spec.text.get(lang)
        previous = self.state.answers.get(name, UNKNOWN if name in self.state.answers else None)
        if q.kind == "text":
            text: str = questionary.text(
                message, default=str(previous or ""), instruction=self.t("text_hint"), **self.kw
            ).unsafe_ask()
            return "answer", text.strip() or None
        choices: list[Any] = []
        for c in q.spec.choices:
            title = c.label.get(lang)
            if c.example is not None:
                # Examples that do not fit on the line are shown under 「なぜこの質問？」.
                example = f"{self.t('example')}: {c.example.get(lang)}"
                if width(f"{title}（{example}）") <= 74:
                    title = f"{title}（{example}）" if lang == "ja" else f"{title} ({example})"
            checked = q.kind == "codes" and isinstance(previous, list) and c.value in previous
            choices.append(Choice(title=title, value=c.value, checked=checked))
        if q.kind == "codes" and "none" not in FIELD_KINDS[name][1]:
            choices.append(
                Choice(title=self.t("none_of_these"), value=NONE, checked=previous == [])
            )
        choices.append(Separator("─" * 10))
        choices.extend(self._extras(name))
        if q.kind == "codes":
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
        default = previous if previous is not None else None
        if self._too_tall(len(choices)) and any(c.group for c in q.spec.choices):
            value = self._grouped(message, q, choices, default)
        else:
            value = questionary.select(
                message,
                choices=choices,
                default=default,
                instruction=self.t("select_hint"),
                **self.kw,
            ).unsafe_ask()
        if value == BACK:
            return "back", None
        if value == WHY:
            return "why", None
        if value == RESULT:
            return "result", None
        if value == UNKNOWN:
            return "answer", None
        return "answer", value

    def _checkbox(self, message: str, choices: list[Any], lang: str) -> list[Any]:
        """A multi-select whose 戻る・分からない・なぜ lines act on Enter, as in a select.

        questionary's checkbox submits the ticked boxes on Enter wherever the
        cursor is, so 「← 戻る」 went forward; an Enter on one of those lines
        now answers that line alone. Its English "done (2 selections)" is
        replaced by the choices in the user's language.
        """
        from prompt_toolkit.filters import Condition
        from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
        from questionary.prompts.common import InquirerControl

        question = questionary.checkbox(
            message,
            choices=choices,
            instruction=self.t("checkbox_hint"),
            validate=lambda xs: bool(xs) or self.t("choose_one"),
            **self.kw,
        )
        app = question.application
        control = next(
            w.content
            for w in app.layout.find_all_windows()
            if isinstance(w.content, InquirerControl)
        )
        special = {UNKNOWN, BACK, WHY, RESULT}

        def on_special() -> bool:
            pointed = control.get_pointed_at()
            return pointed is not None and pointed.value in special

        keys = KeyBindings()

        @keys.add("enter", eager=True, filter=Condition(on_special))
        def _answer_pointed(event: Any) -> None:
            value = control.get_pointed_at().value
            control.selected_options = [value]
            control.is_answered = True
            event.app.exit(result=[value])

        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), keys])
        app.erase_when_done = True
        picked: list[Any] = question.unsafe_ask()
        titles = {c.value: c.title for c in choices if isinstance(c, Choice)}
        sep = "、" if lang == "ja" else ", "
        shown = sep.join(str(titles.get(v, v)) for v in picked)
        self.say(f"? {message} {shown}")
        return picked

    # -- explanations ---------------------------------------------------------

    def show_why(self, name: str) -> None:
        """A short reason first (what the answer decides, in a sentence or two); the
        quoted guidance and the rules that wait for it only on request, so that
        either screen fits in 80×24."""
        lang = self.state.lang
        q = self.data.question(name)
        self.say("")
        self.say(f"■ {self.t('why')}")
        if q.spec.help is not None and q.spec.help.text is not None:
            self.say(f"  {q.spec.help.text.get(lang)}")
        rules = self.flow.why(self.state, name)
        if rules:
            self.say(f"  {self.t('why_decides', n=len(rules))}")
        else:
            self.say(f"  {self.t('why_none')}")
        for c in q.spec.choices:
            if c.example is not None:
                self.say(f"  ・{c.label.get(lang)} — {self.t('example')}: {c.example.get(lang)}")
        picked = questionary.select(
            self.t("why_more"),
            choices=[
                Choice(title=self.t("back_to_question"), value="back"),
                Choice(title=self.t("show_quote"), value="quote"),
            ],
            instruction=self.t("select_hint"),
            **self.kw,
        ).unsafe_ask()
        if picked != "quote":
            return
        if q.spec.help is not None:
            self.say(f"■ {self.t('help')}")
            self.say(f"  「{q.spec.help.quote}」")
            self.say(f"  （{q.spec.help.source}）")
        if rules:
            self.say(f"■ {self.t('why_title')}")
            for rule in rules[:6]:
                self.say(f"  ・{rule.title}（{rule.source}）")
            if len(rules) > 6:
                self.say(f"  {self.t('and_more', n=len(rules) - 6)}")
        self.say("")

    # -- summary and result -----------------------------------------------------

    def summary(self) -> bool:
        """Show every answer in force; True = see the result, False = an answer changed."""
        lang = self.state.lang
        choices: list[Any] = [Choice(title=self.t("see_result"), value=RESULT)]
        choices.append(Separator("─" * 10))
        for name in self.state.asked:
            shown = self.data.value_label(name, self.state.answers.get(name), lang)
            if name == TITLE and self.state.answers.get(name) is None:
                shown = "—"
            choices.append(
                Choice(title=f"{self.data.field_label(name, lang)}: {shown}", value=name)
            )
        picked = questionary.select(
            self.t("summary_title"),
            choices=choices,
            instruction=self.t("select_hint"),
            **self.kw,
        ).unsafe_ask()
        if picked == RESULT:
            return True
        while True:
            action, value = self._prompt(picked)
            if action == "why":
                self.show_why(picked)
                continue
            break
        if action == "result":
            return True
        if action == "answer":
            self.flow.change(self.state, picked, value)
            self.save()
        return False

    def result(self) -> Result:
        facts = self.flow.facts(self.state)
        return self.classifier.classify(facts, profile=self.state.profile, lang=self.state.lang)

    def answers(self) -> dict[str, Any]:
        """The answers in force, in the order given; None where 分からない was chosen."""
        return {f: self.state.answers.get(f) for f in self.state.asked if f != TITLE}

    def show_result(self, result: Result, labels: dict[str, Any]) -> None:
        """The first screen (verdict, status, what to do next), then one section at a
        time on request: nothing scrolls the verdict away."""
        from kyodo_rules.outputs.text import DETAIL_SECTIONS, brief_lines, heading, section_items

        lang = self.state.lang
        for line in brief_lines(result, lang, **labels):
            self.say(line)
        answers = self.answers()
        sections = [
            key
            for key in DETAIL_SECTIONS
            if section_items(result, key, lang, answers=answers, **labels)
        ]
        while sections:
            self.say("")
            picked = questionary.select(
                self.t("result_menu"),
                choices=[
                    *(Choice(title=heading(key, lang), value=key) for key in sections),
                    Separator("─" * 10),
                    Choice(title=self.t("result_done"), value=RESULT),
                ],
                instruction=self.t("select_hint"),
                **self.kw,
            ).unsafe_ask()
            if picked == RESULT or picked is None:
                return
            self.say(f"■ {heading(picked, lang)}")
            for item in section_items(result, picked, lang, answers=answers, **labels):
                self.say(item if item.startswith("    ") else f"  ・{item}")
