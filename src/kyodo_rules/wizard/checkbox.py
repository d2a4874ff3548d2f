"""A multi-select whose 戻る・分からない・なぜ lines act on Enter, as in a select.

questionary's checkbox submits the ticked boxes on Enter wherever the cursor
is, so 「← 戻る」 went forward; an Enter on one of the `special` lines now
answers that line alone.
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
    from questionary.prompts.common import InquirerControl

    question = questionary.checkbox(
        message,
        choices=choices,
        instruction=instruction,
        validate=lambda xs: bool(xs) or invalid,
        **kw,
    )
    app = question.application
    control = next(
        w.content for w in app.layout.find_all_windows() if isinstance(w.content, InquirerControl)
    )

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
    return picked
