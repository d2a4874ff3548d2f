"""Shared test set-up: hypothesis profiles (the case-file plugin is registered by the
repository's root `conftest.py`, see `case_plugin.py`).

`HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` runs the
properties with ten times more examples than the default CI profile.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    parent=settings.get_profile("ci"),
    max_examples=2000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_DATA_HOME = ""


def pytest_configure(config: Any) -> None:
    """No test writes into the real user's data folder: a wizard started without
    `--session` keeps its session in a temporary one (each worker its own)."""
    global _DATA_HOME
    _DATA_HOME = tempfile.mkdtemp(prefix="kyodo-data-home-")
    os.environ["XDG_DATA_HOME"] = _DATA_HOME


def pytest_unconfigure(config: Any) -> None:
    if _DATA_HOME:
        shutil.rmtree(_DATA_HOME, ignore_errors=True)
