"""Where the handlers' work runs: never on the event loop, never without bounds.

The event loop only moves bytes: it reads requests and sends answers. Anything
that costs CPU (a classification, a page's interview logic and template, a
session file parsed, an inventory answered) runs in one of two bounded pools,
each call under a time limit, so that one large upload never holds up the
pages of everyone else:

- `page`: the light work of a page or an API call (milliseconds), on
  `LIGHT_THREADS` threads;
- `upload`: files (inventories, session files), on `HEAVY_THREADS` threads of
  their own, so that uploads wait for each other but never for pages, nor
  pages for them.

A call that passes its limit is answered 503 (`TimeLimit`); work that can stop
(an inventory, row by row) is told to through `Deadline`. Threads rather than
processes, measured (docs/architecture.md, "The web server"): with the
largest allowed inventory being answered, light requests had the same p99
(about 100 ms) in both, and processes cost twice the memory. The rule engine
keeps its own lock per rule set and releases it between batches of rows, so a
page's classification waits milliseconds for an inventory, never the whole of it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Threads for pages and API calls: several, so that a slow one never queues the rest.
LIGHT_THREADS = 8
#: Threads for uploads: two inventories answered at once at most; more wait their turn.
HEAVY_THREADS = 2
#: Seconds a page or an API call may take (a classification takes milliseconds).
LIGHT_SECONDS = 20.0
#: Seconds an upload may take: the largest allowed inventory takes under a minute here.
HEAVY_SECONDS = 300.0


class TimeLimit(Exception):
    """A request's work passed its time limit: answered 503, nothing half-written kept."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Deadline:
    """When work that can stop between steps must stop (`check()` raises `TimeLimit`)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self, *_progress: object) -> None:
        if time.monotonic() > self.at:
            raise TimeLimit(self.seconds)


_pools: dict[str, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(kind: str, threads: int) -> ThreadPoolExecutor:
    """One pool of each kind per process: the bound is the process's, whatever the number
    of applications in it (threads start when first needed)."""
    with _pools_lock:
        if kind not in _pools:
            _pools[kind] = ThreadPoolExecutor(threads, thread_name_prefix=f"kyodo-{kind}")
        return _pools[kind]


class Work:
    """The handlers' way to the pools."""

    async def page(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        pool = _pool("page", LIGHT_THREADS)
        return await _run(pool, LIGHT_SECONDS, fn, *args, **kwargs)

    async def upload(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        pool = _pool("upload", HEAVY_THREADS)
        return await _run(pool, HEAVY_SECONDS, fn, *args, **kwargs)


async def _run(
    pool: ThreadPoolExecutor,
    seconds: float,
    fn: Callable[P, T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    future = asyncio.wrap_future(pool.submit(fn, *args, **kwargs))
    try:
        return await asyncio.wait_for(future, seconds)
    except TimeoutError:
        # A call not yet started is dropped; one running finishes on its own (or
        # stops at its `Deadline`) and its answer is thrown away.
        raise TimeLimit(seconds) from None
