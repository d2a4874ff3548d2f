"""Registers the case-file plugin for the whole repository (see `tests/case_plugin.py`).

Here rather than in `tests/conftest.py` so that `pytest rules/cases/01_hayawakari.yaml`
and a pasted node id of a library case both work: pytest reads the root's conftest
for any path, `tests/` is on `sys.path` through `pythonpath` in pyproject.toml.
"""

from case_plugin import pytest_collect_file

__all__ = ["pytest_collect_file"]
