"""Keeping the question log open: opened at start-up, tried again every few
minutes when it could not be (a lock, a full disk, a folder made writable
later, a PostgreSQL database that refused), and pruned of old rows daily.
A PostgreSQL database that is down is the store's own matter: it keeps
writes in memory and reconnects (``bot/question_log/postgres.py``).  The log is a side feature: answering
never waits for it nor fails with it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from bot.question_log import QuestionStore, StoreError, open_question_log

log = logging.getLogger(__name__)

STORE_RETRY = 300.0
"""Seconds between attempts to open a question log that could not be opened."""
PRUNE_EVERY = 24 * 3600.0
"""Seconds between two prunings of the question log."""


class LogKeeper:
    """The question log (PostgreSQL at ``database_url`` when set, else
    SQLite at ``path``) while it can be opened (``store``)."""

    def __init__(self, path: Path, retention_days: float, database_url: str | None = None) -> None:
        self.path = path
        self.database_url = database_url
        self.retention_days = retention_days
        self.store: QuestionStore | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not await self._try_open(warn=True):
            log.warning("question log: trying to open it again every %g s", STORE_RETRY)
        self._task = asyncio.create_task(self._keep())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.store is not None:
            store, self.store = self.store, None
            await store.close()

    async def _try_open(self, *, warn: bool = False) -> bool:
        try:
            self.store = await open_question_log(self.database_url, self.path)
        except StoreError as exc:
            if warn:
                log.warning("question log is off (%s); answering goes on without it", exc)
            else:
                log.debug("question log still off (%s)", exc)
            return False
        return True

    async def _keep(self) -> None:
        while self.store is None:
            await asyncio.sleep(STORE_RETRY)
            if await self._try_open():
                log.info("question log is on again")
        while self.store is not None:
            removed = await self.store.prune(self.retention_days)
            if removed:
                log.info("question log: removed %d rows older than %g days", removed, self.retention_days)
            await asyncio.sleep(PRUNE_EVERY)
