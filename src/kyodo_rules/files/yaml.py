"""Safe YAML loading that remembers where every mapping and key came from.

Error messages must point at `file:line`, so mappings are loaded as `Located`
dicts carrying their own line and the line of each key. Only plain data is
accepted: custom tags are refused by the safe loader, and aliases are refused
outright (no data file needs them, and they are how "billion laughs" bombs are
built). Duplicate keys are an error at their line instead of silently winning.

Plain data means text, numbers, true/false, null, lists and mappings: what
JSON has. The safe loader's other types are not plain data to anything that
reads these files (a `!!binary` title reached the web's JSON store as bytes),
so `!!binary`, `!!set`, `!!omap` and `!!pairs` are refused at their line, and a
date (`2024-04-01`, or `!!timestamp`) stays the text it was written as.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import yaml

from kyodo_rules.model.errors import InputError

#: Input files beyond this size are refused before parsing: no case or rule
#: file is anywhere near it, and parsing megabytes of YAML is slow.
MAX_BYTES = 1_000_000


class Located(dict[str, Any]):
    """A mapping loaded from YAML, with the 1-based line of itself and of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str | int | None) -> int:
        if isinstance(key, str) and key in self.key_lines:
            return self.key_lines[key]
        return self.line


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = cast(Any, self).peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in kyodo-rules files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        result = Located()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) or key is None:
                raise yaml.MarkedYAMLError(
                    None, None, "mapping keys must be plain words", key_node.start_mark
                )
            key = str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                raise yaml.MarkedYAMLError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result


def _construct_located(loader: _Loader, node: Any) -> Any:
    return loader.construct_mapping(node, deep=True)


def _as_text(loader: _Loader, node: Any) -> str:
    """A date is kept as the text it was written as: a title or a note, never a `date`."""
    return str(loader.construct_scalar(node))


def _refuse(loader: _Loader, node: Any) -> Any:
    name = str(node.tag).rsplit(":", 1)[-1]
    raise yaml.MarkedYAMLError(
        None,
        None,
        f"!!{name} is not allowed in kyodo-rules files; write text, numbers, true/false, "
        "lists and mappings",
        node.start_mark,
    )


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)


#: libyaml's parser, where PyYAML was built with it: ten times faster than the
#: pure-Python one, which is most of what loading the rulebase costs.
_CLoader: Any = getattr(yaml, "CSafeLoader", None)


def _load(text: str) -> Any:
    """The document, parsed by libyaml when it can be, and built by `_Loader`.

    libyaml composes the nodes; `_Loader` builds them, so the values, the
    lines and the refusals are the same. A text with an alias (`*name`, which
    needs a `*`) or a syntax error goes through the pure-Python parser
    instead, which refuses it at the right line in the same words.
    """
    if _CLoader is not None and "*" not in text:
        try:
            node = yaml.compose(text, Loader=_CLoader)
        except yaml.YAMLError:
            pass
        else:
            if node is None:
                return None
            builder = _Loader("")
            try:
                return builder.construct_document(node)
            finally:
                builder.dispose()
    return yaml.load(text, Loader=_Loader)


def _describe(exc: yaml.YAMLError) -> tuple[int | None, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return line, " ".join(str(problem).split())


def loads(text: str, name: str) -> Any:
    """Parse one YAML (or JSON) document; errors become `InputError('name:line: ...')`."""
    if "\x00" in text:
        raise InputError(f"{name}: not a text file (contains NUL bytes)")
    try:
        return _load(text)
    except yaml.YAMLError as exc:
        line, problem = _describe(exc)
        where = f"{name}:{line}" if line else name
        raise InputError(f"{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise InputError(f"{name}: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError(f"{name}: not valid YAML: {exc}") from None


def read_text(path: Path | str, name: str | None = None) -> str:
    """Read a data file as UTF-8 text, refusing huge, binary or device files with a clear message.

    The size is checked while reading (`_safeio.read_bounded`), never from
    `st_size`, which is 0 for devices, FIFOs and /proc.
    """
    from kyodo_rules.files.safeio import read_bounded

    label = name or str(path)
    return decode(read_bounded(path, MAX_BYTES, name=label), label)


def decode(data: bytes, label: str) -> str:
    from kyodo_rules.files.safeio import decode_utf8

    if len(data) > MAX_BYTES:
        raise InputError(f"{label}: input too large ({len(data):,} bytes; at most {MAX_BYTES:,})")
    return decode_utf8(data, label)


def load_file(path: Path | str, name: str | None = None) -> Any:
    label = name or str(path)
    return loads(read_text(path, label), label)
