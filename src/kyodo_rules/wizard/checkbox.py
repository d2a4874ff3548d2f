"""A multi-select whose 分からない・戻る・なぜ・結果 lines are actions, not tick boxes.

questionary's checkbox draws a tick box before every line and submits the
ticked boxes on Enter wherever the cursor is, so 「← 戻る」 looked like a
choice and went forward. Here the `special` lines are drawn without a box, as
in a single-choice list: Enter on one answers that line alone, Space on one
ticks nothing, and 「a」 (all) / 「i」 (invert) tick only the real choices.
"""

from __future__ import annotations

from typing import Any

import questionary

#: The values of the lines every question offers besides its choices.
UNKNOWN = "__unknown__"
BACK = "__back__"
WHY = "__why__"
RESULT = "__result__"


def checkbox(
    message: str,
    choices: list[Any],
    *,
    special: set[str],
    instruction: str,
    invalid: str,
    **kw: Any,
) -> list[Any]:
    """The ticked values, or `[v]` for a special line `v` Enter was pressed on."""
    from prompt_toolkit.filters import Condition
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from questionary.prompts.common import InquirerControl, Separator

    question = questionary.checkbox(
        message,
        choices=choices,
        instruction=instruction,
        validate=lambda xs: bool([x for x in xs if x not in special]) or invalid,
        **kw,
    )
    app = question.application
    control = next(
        w.content for w in app.layout.find_all_windows() if isinstance(w.content, InquirerControl)
    )
    _draw_without_boxes(control, special)

    def on_special() -> bool:
        pointed = control.get_pointed_at()
        return pointed is not None and pointed.value in special

    def real() -> list[Any]:
        return [
            c.value
            for c in control.choices
            if not isinstance(c, Separator) and not c.disabled and c.value not in special
        ]

    keys = KeyBindings()

    @keys.add("enter", eager=True, filter=Condition(on_special))
    def _answer_pointed(event: Any) -> None:
        value = control.get_pointed_at().value
        control.selected_options = [value]
        control.is_answered = True
        event.app.exit(result=[value])

    @keys.add(" ", eager=True, filter=Condition(on_special))
    def _nothing_to_tick(_event: Any) -> None:
        """An action line has no box: Space there ticks nothing (Enter acts)."""

    @keys.add("a", eager=True)
    def _all(_event: Any) -> None:
        every = real()
        ticked = [v for v in control.selected_options if v not in special]
        control.selected_options = [] if set(ticked) >= set(every) else every

    @keys.add("i", eager=True)
    def _invert(_event: Any) -> None:
        control.selected_options = [v for v in real() if v not in control.selected_options]

    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), keys])
    app.erase_when_done = True
    picked: list[Any] = question.unsafe_ask()
    for value in special:
        if value in picked:
            return [value]
    return picked


def _draw_without_boxes(control: Any, special: set[str]) -> None:
    """Draw the `special` lines of `control` without the tick box questionary puts first."""
    from questionary.constants import INDICATOR_SELECTED, INDICATOR_UNSELECTED

    boxes = {INDICATOR_SELECTED + " ", INDICATOR_UNSELECTED + " "}
    drawn = control._get_choice_tokens

    def tokens() -> list[Any]:
        out: list[Any] = []
        line = 0
        shown = control.filtered_choices
        boxed = True
        for token in drawn():
            if token == ("", "\n"):
                line += 1
                boxed = True
                out.append(token)
                continue
            is_special = line < len(shown) and shown[line].value in special
            if is_special and boxed and token[1] in boxes:
                boxed = False  # the first box on the line only; the title follows
                continue
            out.append(token)
        return out

    control.text = tokens  # what prompt_toolkit's FormattedTextControl draws
