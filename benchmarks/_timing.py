"""Timing shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(runs: int, fn: Callable[[], object], reset: Callable[[], object] | None = None):
    """Best wall time in seconds of `runs` calls of `fn` (after `reset` each time, untimed)."""
    best = float("inf")
    for _ in range(runs):
        if reset:
            reset()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
