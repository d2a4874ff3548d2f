"""Reading case and group files (YAML or JSON, `-` for standard input).

Both formats are read strictly and the same way: through one bounded read
(`_safeio.read_bounded`), and with duplicate keys refused at their line, since
"the last one wins" silently drops an answer someone typed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kyodo_rules.files.yaml import loads, read_text
from kyodo_rules.model.errors import InputError


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _line_of_second(text: str, key: str) -> int | None:
    """The line of the second `"key":` in the text (json gives no position for a hook's error)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    found = list(pattern.finditer(text))
    if len(found) < 2:
        return None
    return text.count("\n", 0, found[1].start()) + 1


def loads_json(text: str, name: str) -> Any:
    """Strict JSON: duplicate keys, NaN and Infinity are refused with the line."""

    def constant(word: str) -> Any:
        raise ValueError(f"{word} is not a number JSON allows")

    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=constant)
    except _DuplicateKey as exc:
        line = _line_of_second(text, exc.key)
        where = f"{name}:{line}" if line else name
        shown = exc.key if len(exc.key) <= 60 else exc.key[:57] + "..."
        raise InputError(
            f"{where}: キー {shown!r} が重複しています / duplicate key {shown!r}"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply") from None


def read_mapping(path: str, what: str = "case") -> dict[str, Any]:
    """The mapping in a YAML/JSON file, or an InputError naming the file and the problem."""
    name = "<stdin>" if path == "-" else path
    text = read_text(path, name)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected a {what} (field: value lines)")
    data: Any = loads_json(text, name) if path.endswith(".json") else loads(text, name)
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: expected a {what} as a mapping of field: value, got {type(data).__name__}"
        )
    return dict(data)
