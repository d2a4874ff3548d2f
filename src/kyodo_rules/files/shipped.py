"""Where the shipped data (`rules/`, `wizard/`) is, installed or in a checkout.

In a wheel the data sits inside the package (`kyodo_rules/rules`). An editable
install ignores hatchling's force-include, so there the data is found at the top
of the source tree instead. Everything that reads shipped data asks here, and
also accepts an explicit directory so that tests can load broken rulebases.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    packaged = resources.files("kyodo_rules") / "data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / name
    if checkout.is_dir():
        return checkout
    return Path(str(packaged))
