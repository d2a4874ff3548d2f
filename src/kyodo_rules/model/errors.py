"""One exception root, so that callers can catch everything the library raises.

    KyodoError
    ├── InputError        a case, group or answer file that does not fit the vocabulary
    ├── RuleError         a rule, profile or wizard file that does not fit its schema
    └── EngineError       a rule set beyond what the rule engine can hold (names the limit)

Both carry a message meant for the person who wrote the file: it names the file,
the line, the rule id or field, and what is allowed instead. The CLI prints it on
one line and exits with 2; no traceback from inside a library ever reaches a user.
"""

from __future__ import annotations


class KyodoError(Exception):
    """Base of every error that kyodo-rules raises on purpose."""


class InputError(KyodoError, ValueError):
    """Input facts (a case, a group, an answer file) are malformed."""


class RuleError(KyodoError):
    """A rule, profile or wizard data file is malformed."""


class EngineError(KyodoError):
    """The rule engine refused a rule set or a case: names the rule set and the limit."""
