"""Sentence vectors of a large corpus, built in the background.

Up to ``IndexConfig.semantic_eager_max`` sentences (20,000) every sentence
is embedded when the engine is built.  Above it the engine answers at once,
embedding each question's best BM25 candidates on demand, while this
builder embeds every sentence in a thread of its own, saves the vectors
with the index (a restart loads them in seconds) and switches the engine
over (``Engine.build_vectors``).  A reload stops the build under way and
starts one for the new engine, which reuses the old engine's vectors: only
the articles that changed are embedded.

Its share of the machine: one thread, and numpy's matrix products use one
thread per process (``single_threaded_math``), so the build takes one core
and leaves the others to the answering workers (``ANSWER_WORKERS``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bot.engine import Engine

log = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 10.0
"""How long ``close`` waits for the batch under way (seconds at most)."""


class VectorBuilder:
    """Builds one engine's vectors at a time, in one thread of its own."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vectors")
        self._stop = threading.Event()
        self._task: asyncio.Task[bool] | None = None
        self.built = 0
        """Engines switched over to vectors built here (for tests and logs)."""

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, engine: Engine) -> None:
        """Stop the build under way (its engine was replaced) and, when
        ``engine`` embeds on demand, build its vectors."""
        self._stop.set()
        if not engine.vectors_pending:
            return
        stop = self._stop = threading.Event()
        self._task = asyncio.get_running_loop().create_task(self._build(engine, stop), name="sentence vectors")

    async def _build(self, engine: Engine, stop: threading.Event) -> bool:
        started = time.perf_counter()
        n = engine.n_sentences
        log.info("embedding %d sentences in the background; answering with vectors on demand meanwhile", n)
        loop = asyncio.get_running_loop()
        try:
            done = await loop.run_in_executor(self._executor, engine.build_vectors, stop)
        except Exception:
            log.exception("building the sentence vectors failed; answering goes on with vectors on demand")
            return False
        took = time.perf_counter() - started
        if done:
            self.built += 1
            log.info("%d sentence vectors built in %.0f s (%.0f a second) and saved", n, took, n / max(took, 1e-9))
        else:
            log.info("building sentence vectors stopped after %.0f s: the corpus was reloaded", took)
        return done

    async def wait(self) -> bool:
        """Until the build under way ends; whether it switched its engine over."""
        if self._task is None:
            return False
        return await asyncio.shield(self._task)

    async def close(self) -> None:
        self._stop.set()
        if self.running:
            assert self._task is not None
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_WAIT_SECONDS)
            except TimeoutError:
                log.warning("the sentence vectors' build did not stop within %.0f s", STOP_WAIT_SECONDS)
        self._executor.shutdown(wait=False, cancel_futures=True)
