"""Shared test set-up: hypothesis profiles (the case-file plugin is registered by the
repository's root `conftest.py`, see `case_plugin.py`).

`HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py` runs the
properties with ten times more examples than the default CI profile.
"""

from __future__ import annotations

import os

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
