"""Reading case and group files (YAML or JSON, `-` for standard input)."""

from __future__ import annotations

import json
import sys
from typing import Any

from kyodo_rules._errors import InputError
from kyodo_rules._yaml import decode, loads, read_text


def read_mapping(path: str, what: str = "case") -> dict[str, Any]:
    """The mapping in a YAML/JSON file, or an InputError naming the file and the problem."""
    if path == "-":
        name = "<stdin>"
        text = decode(sys.stdin.buffer.read(), name)
    else:
        name = path
        text = read_text(path, name)
    if not text.strip():
        raise InputError(f"{name}: empty file; expected a {what} (field: value lines)")
    data: Any
    if path.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise InputError(f"{name}: not valid JSON: {exc}") from None
        except RecursionError:
            raise InputError(f"{name}: nested too deeply") from None
    else:
        data = loads(text, name)
    if not isinstance(data, dict):
        raise InputError(
            f"{name}: expected a {what} as a mapping of field: value, got {type(data).__name__}"
        )
    return dict(data)
