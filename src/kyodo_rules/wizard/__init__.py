"""The wizard: an interview that asks only what can still change the answer.

`questions` loads the interview's data (`wizard/*.yaml`), `flow` decides what
to ask next from the rulebase itself, `session` keeps the answers safe on disk,
and `ui` is the only part that talks to a terminal (questionary). Keeping the
terminal out of the first three lets the whole interview be tested as plain
function calls, for every case of the library.
"""
