"""One screen for several yes/no questions (questions.yaml `together`): the terminal side.

The definition's ア・イ・ウ are three questions that every 協働 case answers
"yes"; asking them on one screen saves two questions where they all hold, and
costs one where they do not (the user then answers them one by one, so no
answer is ever presumed). The flow decides when a group is offered
(`Flow.together`); this module only shows it, in the same form as any other
question (分からない, 戻る, なぜこの質問？ and 結果を見る included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import questionary
from questionary import Choice, Separator

from kyodo_rules.rulebase.questions import TogetherSpec
from kyodo_rules.wizard.checkbox import BACK, RESULT, UNKNOWN, WHY
from kyodo_rules.wizard.screens import quote_on_request

if TYPE_CHECKING:
    from kyodo_rules.wizard.ui import Wizard

ALL = "__all__"
EACH = "__each__"


def spec_of(wizard: Wizard, group: tuple[str, ...]) -> TogetherSpec:
    return next(g for g in wizard.data.together if g.fields == group)


def prompt(wizard: Wizard, group: tuple[str, ...]) -> tuple[str, Any]:
    """Ask the group: ("answer", True | None), ("each", None), or 戻る/なぜ/結果 as elsewhere."""
    lang = wizard.lang
    spec = spec_of(wizard, group)
    wizard.say("")
    for f in group:
        wizard.say(f"  ・{wizard.data.question(f).spec.text.get(lang)}")
    kept = [wizard.state.answers.get(f, UNKNOWN) for f in group]
    default = ALL if all(v is True for v in kept) else None
    if all(v is None for v in kept) and all(f in wizard.state.answers for f in group):
        default = UNKNOWN
    picked = questionary.select(
        wizard._number() + spec.text.get(lang),
        choices=[
            Choice(title=spec.all.get(lang), value=ALL),
            Choice(title=spec.each.get(lang), value=EACH),
            Separator("─" * 10),
            *wizard._extras(group[0]),
        ],
        default=default,
        instruction=wizard.t("select_hint"),
        **wizard.kw,
    ).unsafe_ask()
    actions = {ALL: ("answer", True), UNKNOWN: ("answer", None), EACH: ("each", None)}
    actions |= {BACK: ("back", None), WHY: ("why", None), RESULT: ("result", None)}
    return actions[picked]


def show_why(wizard: Wizard, group: tuple[str, ...]) -> None:
    """The group's short reason, then its quoted sentence and the rules on request."""
    lang = wizard.lang
    spec = spec_of(wizard, group)
    wizard.say("")
    wizard.say(f"■ {wizard.t('why')}")
    if spec.help.text is not None:
        wizard.say(f"  {spec.help.text.get(lang)}")
    seen: dict[str, Any] = {}
    for f in group:
        for rule in wizard.flow.why(wizard.state, f):
            seen.setdefault(rule.rule_id, rule)
    rules = list(seen.values())
    said = wizard.t("why_decides", n=len(rules)) if rules else wizard.t("why_none")
    wizard.say(f"  {said}")
    quote_on_request(wizard, spec.help, rules)
