"""The wizard's screens that are not questions: why a question is asked, the summary
of the answers (with the 分からない ones to answer now), and the result one section
at a time (with 戻る to the last question and the answers to change).

Each is a function of the running `Wizard` (its state, words and prompts), kept
apart from the question prompts in `ui` so that each module has one job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import questionary
from questionary import Choice, Separator

from kyodo_rules.outputs.citation import cite
from kyodo_rules.rulebase.questions import TITLE
from kyodo_rules.wizard import documents
from kyodo_rules.wizard.answers import answer_words
from kyodo_rules.wizard.checkbox import BACK, RESULT
from kyodo_rules.wording import catalog

#: The result menu's entries that return to the summary, and that list the sections.
SUMMARY = "__summary__"
MORE = "__sections__"

if TYPE_CHECKING:
    from kyodo_rules.model.records import Result
    from kyodo_rules.wizard.ui import Wizard


def show_why(wizard: Wizard, name: str) -> None:
    """A short reason first (what the answer decides, in a sentence or two); the
    quoted guidance and the rules that wait for it only on request, so that
    either screen fits in 80×24."""
    lang = wizard.lang
    q = wizard.data.question(name)
    wizard.say("")
    wizard.say(f"■ {wizard.t('why')}")
    if q.spec.help is not None and q.spec.help.text is not None:
        wizard.say(f"  {q.spec.help.text.get(lang)}")
    rules = wizard.flow.why(wizard.state, name)
    if rules:
        wizard.say(f"  {wizard.t('why_decides', n=len(rules))}")
    else:
        wizard.say(f"  {wizard.t('why_none')}")
    for c in q.spec.choices:
        if c.example is not None:
            wizard.say(f"  ・{c.label.get(lang)} — {wizard.t('example')}: {c.example.get(lang)}")
    quote_on_request(wizard, q.spec.help, rules)


def quote_on_request(wizard: Wizard, help: Any, rules: Sequence[Any]) -> None:
    """After the short why: the guidance's sentence and the deciding rules, if asked for."""
    lang = wizard.lang
    picked = questionary.select(
        wizard.t("why_more"),
        choices=[
            Choice(title=wizard.t("back_to_question"), value="back"),
            Choice(title=wizard.t("show_quote"), value="quote"),
        ],
        instruction=wizard.t("select_hint"),
        **wizard.kw,
    ).unsafe_ask()
    if picked != "quote":
        return
    if help is not None:
        wizard.say(f"■ {wizard.t('help')}")
        wizard.say("  " + catalog.text("phrase", "quoted", lang, text=help.quote))
        wizard.say("  " + catalog.aside(cite(help.source, lang), lang).strip())
    if rules:
        wizard.say(f"■ {wizard.t('why_title')}")
        for rule in rules[:6]:
            wizard.say(f"  ・{rule.title}{catalog.aside(cite(rule.source, lang), lang)}")
        if len(rules) > 6:
            wizard.say(f"  {wizard.t('and_more', n=len(rules) - 6)}")
    wizard.say("")


def unknown_fields(wizard: Wizard) -> list[str]:
    """The questions in force answered 「分からない」, in the order they were asked."""
    answers = wizard.state.answers
    return [f for f in wizard.state.asked if f != TITLE and answers.get(f) is None]


#: The summary's entries besides the answers.
UNKNOWNS = "__unknowns__"


def summary(wizard: Wizard) -> bool:
    """Show every answer in force; True = see the result, False = go on asking (an
    answer changed, 戻る, or the 分からない ones answered now)."""
    lang = wizard.lang
    unknown = unknown_fields(wizard)
    choices: list[Any] = [Choice(title=wizard.t("see_result"), value=RESULT)]
    if unknown:
        wizard.say(wizard.t("summary_unknown", n=len(unknown)))
        choices.append(Choice(title=wizard.t("answer_unknown", n=len(unknown)), value=UNKNOWNS))
    choices.append(Separator("─" * 10))
    for name in wizard.state.asked:
        shown = answer_words(wizard.data, name, wizard.state.answers.get(name), lang)
        if name == TITLE and wizard.state.answers.get(name) is None:
            shown = "—"
        choices.append(Choice(title=f"{catalog.field_label(name, lang)}: {shown}", value=name))
    choices += [Separator("─" * 10), Choice(title=wizard.t("back"), value=BACK)]
    picked = questionary.select(
        wizard.t("summary_title"),
        choices=choices,
        instruction=wizard.t("select_hint"),
        **wizard.kw,
    ).unsafe_ask()
    if picked == RESULT:
        return True
    if picked == BACK:
        wizard.back()
        return False
    if picked == UNKNOWNS:
        return answer_unknown(wizard, unknown)
    while True:
        action, value = wizard._prompt(picked)
        if action == "why":
            wizard.show_why(picked)
            continue
        break
    if action == "result":
        return True
    if action == "back":
        # 戻る in a question asked again goes where it goes anywhere: the question before.
        if wizard.flow.back_from(wizard.state, picked) is None:
            wizard.say(wizard.t("no_back"))
        wizard.save()
        return False
    wizard.flow.change(wizard.state, picked, value)
    wizard.save()
    return False


def answer_unknown(wizard: Wizard, todo: list[str]) -> bool:
    """Ask the questions answered 「分からない」 again, one after another (each answer
    changes the interview as a change in the summary does); 戻る goes to the one
    before, or to the summary from the first. True = see the result."""
    i = 0
    while i < len(todo):
        name = todo[i]
        if name not in wizard.state.asked or wizard.state.answers.get(name) is not None:
            i += 1  # an earlier answer made it moot, or answered it
            continue
        action, value = wizard._prompt(name)
        if action == "why":
            wizard.show_why(name)
            continue
        if action == "result":
            return True
        if action == "back":
            i -= 1
            while i >= 0 and todo[i] not in wizard.state.asked:
                i -= 1
            if i < 0:
                return False
            continue
        if value is not None:
            wizard.flow.change(wizard.state, name, value)
            wizard.save()
            wizard.say(wizard.status_line())
        i += 1
    return False


def show_result(wizard: Wizard, result: Result) -> str:
    """The first screen (verdict, status, what to do next), then one section at a
    time on request: nothing scrolls the verdict away. "done" when the user is
    finished, "back" to go back to the last question, "summary" to the answers."""
    from kyodo_rules.outputs.text import DETAIL_SECTIONS, brief_lines, heading, section_items
    from kyodo_rules.wizard import report
    from kyodo_rules.wizard.ui import width

    lang = wizard.lang
    brief = brief_lines(result, lang)
    for line in brief:
        wizard.say(line)
    answers = wizard.answers()
    sections = [key for key in DETAIL_SECTIONS if section_items(result, key, lang, answers=answers)]
    offer = Choice(title=catalog.text("document_offer", "menu", lang), value=documents.OFFER)
    # The first screen must fit 80×24 with its menu: the sections go behind one entry
    # when listing them all would push the headline off the screen.
    rows = sum(max(1, -(-width(line) // 80)) for line in brief) + 2 + 1 + 5
    listed = sections if rows + len(sections) <= 24 else []
    more = [] if listed or not sections else [Choice(title=wizard.t("sections"), value=MORE)]
    while True:
        wizard.say("")
        picked = questionary.select(
            wizard.t("result_menu"),
            choices=[
                *(Choice(title=heading(key, lang), value=key) for key in listed),
                *more,
                Separator("─" * 10),
                Choice(title=wizard.t("report_offer"), value=report.OFFER),
                offer,
                Choice(title=wizard.t("change_answers"), value=SUMMARY),
                Choice(title=wizard.t("back_to_last"), value=BACK),
                Choice(title=wizard.t("result_done"), value=RESULT),
            ],
            instruction=wizard.t("select_hint"),
            **wizard.kw,
        ).unsafe_ask()
        if picked == RESULT or picked is None:
            return "done"
        if picked == BACK:
            return "back"
        if picked == SUMMARY:
            return "summary"
        if picked == documents.OFFER:
            documents.offer(wizard, result)
            continue
        if picked == report.OFFER:
            report.offer(wizard, result)
            continue
        if picked == MORE:
            picked = questionary.select(
                wizard.t("result_menu"),
                choices=[
                    *(Choice(title=heading(key, lang), value=key) for key in sections),
                    Separator("─" * 10),
                    Choice(title=wizard.t("back"), value=BACK),
                ],
                instruction=wizard.t("select_hint"),
                **wizard.kw,
            ).unsafe_ask()
            if picked == BACK:
                continue
        wizard.say(f"■ {heading(picked, lang)}")
        for item in section_items(result, picked, lang, answers=answers):
            wizard.say(item if item.startswith("    ") else f"  ・{item}")
