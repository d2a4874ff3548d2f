"""The running answer after each answer, one line said the same way in the terminal
and on the web: 「いまの見込み: 協働（暫定）・確認すべき点 2（ほかに「分からない」と答えた点 1）」.

The headline is the one every output opens with (`outputs.text.headline_words`).
The points to confirm are the questions still to be asked that can change the
answer shown; those answered 「分からない」 could change it too but are not asked
again, so they are counted apart: the line never promises questions that the
next screen says are over.
"""

from __future__ import annotations

from kyodo_rules.model.vocabulary import Lang
from kyodo_rules.wizard.flow import Flow, State
from kyodo_rules.wording import catalog


def status_line(flow: Flow, state: State, lang: Lang) -> str:
    from kyodo_rules.outputs.text import headline_words

    now = flow.standing(state)
    if now.settled:
        status, verdict = "settled", now.verdict
    else:
        status = "provisional" if now.provisional != "undetermined" else "undetermined"
        verdict = now.provisional
    pending = [f for f in now.deciding if f not in state.asked]
    unknown = [f for f in now.deciding if f in state.asked]
    line = catalog.text(
        "wizard",
        "status_line",
        lang,
        headline=headline_words(verdict, status, now.category, lang),
        points=len(pending),
    )
    if unknown:
        line += catalog.text("wizard", "status_unknown", lang, n=len(unknown))
    return line
