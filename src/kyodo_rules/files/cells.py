"""Text that is safe to put in a spreadsheet cell, a terminal or a report.

The person who opens an answered inventory never saw the input, so a title
such as `=HYPERLINK("http://…")` must reach them as the words they can read,
not as a live formula (the OWASP rule for CSV injection: a leading `'` in CSV,
a string-typed cell in xlsx). Control characters (ESC, BEL, bidi overrides)
are escaped for the same reason: they rewrite what a terminal or a report
shows, so what the reader sees would not be what the file says.
"""

from __future__ import annotations

import re

#: A spreadsheet reads a cell starting with one of these as a formula (or, for
#: tab and carriage return, strips them and reads what follows).
FORMULA_START = frozenset("=+-@\t\r＝＋－＠")
_DASHES = "-－ \u3000"

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embeddings,
# overrides and isolates that reorder text ("Trojan Source").
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """`text` with line breaks made `\\n` and every other control character made visible."""
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub(_escape, text)


_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line_text(text: str) -> str:
    """`text` for one line of a terminal: every control character visible, line breaks too
    (a file name with a newline must not split a message, nor an ESC clear the screen)."""
    if text.isprintable():
        return text
    return _LINE_CONTROLS.sub(_escape_line, text)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_line(match: re.Match[str]) -> str:
    return _NAMED.get(match.group()) or _escape(match)


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this string as a formula (leading spaces do not hide it)?"""
    stripped = text.lstrip(" \u3000\n\t\r")
    if stripped != text and text[0] in "\t\r":
        return True
    if stripped and not stripped.strip(_DASHES):
        # A dash alone, 「－」 for "none" as offices write it, has nothing to evaluate:
        # left as the office wrote it, not prefixed.
        return False
    return bool(stripped) and stripped[0] in FORMULA_START


def inert_csv(text: str) -> str:
    """A CSV cell that no spreadsheet evaluates: cleaned, and `'`-prefixed if formula-like."""
    text = clean(text)
    return "'" + text if is_formula_like(text) else text


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text with the characters `json.dumps` leaves raw (DEL, C1, bidi) as `\\uXXXX`.

    Outside strings JSON is ASCII, so the escapes land inside strings: same data.
    """
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
