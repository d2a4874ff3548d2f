"""The one keyed cache: what a key gives, worked out once.

Answers are computed from a handful of things that come back again and again
(the same sets of rule statuses, the same trace entries, the same answers of a
field, the same parts of a result's JSON), so the decision layer (and the
result's JSON) remembers them by key. Every such memory is a `Memo`, so that
all of them are bounded the same way and can be told apart in a profile or a
memory count. It lives in the bottom layer so that any layer may use it.

A bounded memo starts afresh when it is full rather than evicting one entry at
a time: its keys come in waves (one case's answers, one inventory's projects),
and keeping an order would cost on every hit. The bound is this process's
(`bound_memos`; a batch worker lowers it) unless the memo has its own.
`unbounded` is for memos whose keys are few by construction (one per field,
one per form and language) and for those that live only as long as one search.

Thread safety: every operation is one operation on a dict, which the GIL makes
atomic; two threads that miss the same key both compute it and one value is
kept, which is harmless because a memo's values depend only on its key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: Entries a bounded memo keeps before it starts afresh. A process that meets the
#: same cases again (the wizard, a service, a benchmark's repeated mix) gains from
#: a large bound; a batch worker, whose rows rarely repeat a key, gains nothing
#: from it and pays about 1.3 KB an entry in each memo (130 MB a process at
#: 20,000), so it lowers the bound with `bound_memos`.
MEMO_SIZE = 20_000


def bound_memos(entries: int) -> None:
    """Bound every memo of this process that has no bound of its own (read at each
    insertion) to `entries`."""
    global MEMO_SIZE
    MEMO_SIZE = max(1, entries)


class Memo(Generic[K, V]):
    """A bounded map from keys to the values they give (see the module's docstring)."""

    __slots__ = ("_data", "_size", "get")

    def __init__(self, size: int | None = None, *, unbounded: bool = False) -> None:
        self._data: dict[K, V] = {}
        #: 0: no bound; None: the process's (`MEMO_SIZE`, read at each insertion)
        self._size = 0 if unbounded else size
        #: The value remembered for a key, or None (the dict's own `get`: the
        #: hottest memos are read hundreds of times in one call).
        self.get: Callable[[K], V | None] = self._data.get

    def put(self, key: K, value: V) -> V:
        """Remember `value` for `key` (starting afresh if the memo is full); `value`."""
        data = self._data
        size = MEMO_SIZE if self._size is None else self._size
        if size and len(data) >= size:
            data.clear()
        data[key] = value
        return value

    def of(self, key: K, make: Callable[[], V]) -> V:
        """The value of `key`, made by `make` the first time (and after the memo
        started afresh)."""
        found = self._data.get(key)
        if found is None:
            found = self.put(key, make())
        return found

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data
