"""Imported by the batch's fork server: its workers start with the rule engine loaded.

The shipped rulebase is loaded and the default profile's engine built once,
in the server; every worker forked from it then starts answering at once,
sharing those pages.
"""

from __future__ import annotations

import gc
from contextlib import suppress

from kyodo_rules.model.errors import KyodoError

with suppress(KyodoError):
    from kyodo_rules.decision.classify import default_classifier

    default_classifier().classify({}, what_if=False)

# Frozen out of collection: a worker forked from here then never writes into
# these pages (the collector's bookkeeping would), so they stay shared.
gc.freeze()
