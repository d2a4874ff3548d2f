"""Shared test set-up: the case-file plugin (see `case_plugin.py`) and hypothesis profiles.

`HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` runs the
properties with ten times more examples than the default CI profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from case_plugin import pytest_collect_directory

__all__ = ["pytest_collect_directory"]

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
