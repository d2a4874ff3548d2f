"""The package's layers import only downward (see docs/architecture.md).

Each subpackage of `kyodo_rules` is one layer. A module may import its own
layer and the layers below it, never one above: that is what keeps deciding
free of words and terminals, and lets each layer be tested, and replaced,
without the ones above it. Lazy imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kyodo_rules

#: Bottom first.
LAYERS = (
    "model",
    "files",
    "rulebase",
    "engines",
    "decision",
    "npo",
    "analysis",
    "wording",
    "outputs",
    "wizard",
    "web",
    "cli",
)
#: Libraries that talk to a terminal or a browser: only these layers may use them.
PRESENTATION = {
    "questionary": {"wizard", "cli"},
    "prompt_toolkit": {"wizard", "cli"},
    "starlette": {"web", "cli"},
    "uvicorn": {"web", "cli"},
}
#: The root modules: the public facade and `python -m kyodo_rules`.
ROOT_MODULES = {"__init__", "__main__"}
PACKAGE = Path(kyodo_rules.__file__).parent


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return None if len(parts) == 1 else parts[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kyodo_rules":
                found += [(node.lineno, f"kyodo_rules.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def test_every_subpackage_is_a_known_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages <= set(LAYERS), packages - set(LAYERS)
    roots = {p.stem for p in PACKAGE.glob("*.py")}
    assert roots <= ROOT_MODULES | {"_version"}, roots


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_only(path: Path) -> None:
    layer = _layer(path)
    if layer is None:
        return
    rank = LAYERS.index(layer)
    wrong = []
    for line, name in _imports(path):
        parts = name.split(".")
        if parts[0] == "kyodo_rules":
            target = parts[1] if len(parts) > 1 else ""
            if target in LAYERS and LAYERS.index(target) > rank:
                wrong.append(f"line {line}: {name} ({target} is above {layer})")
            elif target not in LAYERS and target != "__version__":
                wrong.append(f"line {line}: {name} (the public facade, from inside {layer})")
        elif parts[0] in PRESENTATION and layer not in PRESENTATION[parts[0]]:
            wrong.append(f"line {line}: {name} (a presentation library in {layer})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "path",
    [p for p in _modules() if (_layer(p) or "cli") in LAYERS[: LAYERS.index("outputs")]],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_nothing_below_outputs_prints(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    prints = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
    ]
    assert not prints, f"print() at lines {prints}"
