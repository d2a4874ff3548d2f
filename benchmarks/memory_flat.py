"""Is memory flat over 100,000 default `classify()` calls? (RSS every 20,000 calls)

    python benchmarks/memory_flat.py

Each call is a different generated case, so the policy's memos fill up to
their bound (`MEMO_SIZE` entries each) and then start afresh: RSS should rise
while they fill and stay level after.
"""

from __future__ import annotations

import random
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kyodo_rules import classify
from strategies import random_facts


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def main(calls: int = 100_000, every: int = 20_000) -> int:
    rng = random.Random(77)
    for n in range(1, calls + 1):
        classify(random_facts(rng))
        if n % every == 0:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{n:>7,} calls: RSS {rss_mb():.0f} MB, peak {peak:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
