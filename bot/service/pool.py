"""Answering on every core: a fixed pool of worker threads that the engine's
questions share, first come first served, and a question that waited too
long for a worker is refused (``Busy``) rather than answered late.

Threads, not processes: the engine is shared read-only, reloads swap it in
one assignment, and the heavy parts of an answer (BM25's numpy scoring, the
sentence embedding's matrix products) release the GIL.  numpy's own BLAS
threads are held to one per process (``single_threaded_math``), so that
workers do not fight BLAS threads for the same cores.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


class Busy(Exception):
    """A question waited longer than the pool's ``max_wait`` for a worker."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"waited {waited:.1f} s for a free worker")
        self.waited = waited


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class AnswerPool:
    """``workers`` threads answering questions oldest first."""

    def __init__(self, workers: int, max_wait: float) -> None:
        self.workers = workers
        self.max_wait = max_wait
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")
        self.waiting = 0
        """Questions queued or being answered now."""

    async def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` in a worker; ``Busy`` if no worker was free within
        ``max_wait`` seconds (the queue is first in, first out, so a flood
        is answered in order, and the oldest are refused first)."""
        queued = time.monotonic()

        def job() -> T:
            waited = time.monotonic() - queued
            if waited > self.max_wait:
                raise Busy(waited)
            return fn()

        self.waiting += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, job)
        finally:
            self.waiting -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
