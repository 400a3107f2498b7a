"""Reloads that reach every process: with ``DATABASE_URL`` (PostgreSQL),
an admin's reload in one process (``/reload``, ``/corpus add``, ``/corpus
remove``: ``StoryService.reload_articles``) is served by every process that
shares the database and ``CORPUS_DIR``, within about a second.

The database keeps a version per scope (``corpus_versions``: ``shared``, or
a guild id).  After a reload, the process bumps that scope's version and
sends a notification (``NOTIFY story_bot_corpus``, in the same transaction)
naming the scope, the version and the process.  Every other process
``LISTEN``\\s on one connection of its own and reloads that scope from the
folder: the shared articles (which drops the servers' engines, built again
on demand), or a server's own articles when its engine is in memory (one
that is not is read from the folder when next asked anyway).

Notifications are not stored: a process whose connection dropped would miss
them.  So each process reads every version when it connects (first before
its corpus loads, so nothing between is missed) and every ``CHECK_EVERY``
seconds, and reloads each scope whose version moved past the last it saw.
A process whose first connection came only after its corpus loaded reloads
the shared articles then, to be safe.  A reload made here while the
database was down is announced once it is back.  Without ``DATABASE_URL``
nothing of this runs: one process, nothing to tell.

A server's own settings (``/settings``) travel the same way, as the scope
``settings:<guild id>``: the processes told forget their copy
(``on_settings``) and read the settings again from the database.

Indexes saved by several processes at once are safe: the index cache writes
each file under a unique temporary name and renames it into place
(``bot/engine/index/cache.py``), so a reader sees a whole file, old or new.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from bot.engine import CorpusError
from bot.question_log.pg_schema import CONNECT_TIMEOUT, connect, migrate, one_line, redact
from bot.service.corpora import Corpora

log = logging.getLogger(__name__)

CHANNEL = "story_bot_corpus"
"""The notification channel."""
SHARED = "shared"
"""The scope of the shared articles (a server's is its id)."""
SETTINGS = "settings:"
"""The scope of a server's settings: this and its id."""
CHECK_EVERY = 30.0
"""Seconds between two reads of every version (for missed notifications)."""
RETRY_MIN = 1.0
"""Seconds before connecting again after the connection was lost, doubling..."""
RETRY_MAX = 15.0
"""...up to this."""
ANNOUNCE_TIMEOUT = 3.0
"""Seconds an admin's reload waits to tell the others; later, it is told when the database answers."""

BUMP = """
    INSERT INTO corpus_versions (scope, version) VALUES ($1, 1)
    ON CONFLICT (scope) DO UPDATE SET version = corpus_versions.version + 1, updated_at = now()
    RETURNING version
"""


def scope_of(guild_id: int | None) -> str:
    return SHARED if guild_id is None else str(guild_id)


class CorpusSync:
    """Tells the other processes of this one's reloads, and follows theirs."""

    def __init__(self, url: str, corpora: Corpora, *, check_every: float | None = None) -> None:
        self._url = url
        self.where = redact(url)
        self.corpora = corpora
        self.check_every = CHECK_EVERY if check_every is None else check_every
        self.origin = uuid.uuid4().hex
        """This process, in notifications (its own are ignored)."""
        self.seen: dict[str, int] | None = None
        """The latest version of each scope this process has served (None: not read yet)."""
        self._unannounced: set[str] = set()
        self._todo: set[str] = set()
        self._wake = asyncio.Event()
        self._serving = asyncio.Event()
        self._first_try = asyncio.Event()
        self._lost = asyncio.Event()
        self._conn: Any = None  # the asyncpg connection listening
        self._conn_lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []
        self._up = False
        self.reloads = 0
        """Reloads made here for other processes (for tests and logs)."""
        self.on_settings: Callable[[int], None] | None = None
        """Told when another process changed a server's settings."""

    # -- life ------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and read the versions, before the corpus loads (waits for
        one attempt at most; later ones go on in the background)."""
        self._tasks = [asyncio.create_task(self._follow()), asyncio.create_task(self._apply())]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_try.wait(), CONNECT_TIMEOUT + 1)

    def serving(self) -> None:
        """The corpus is loaded: reloads asked by others may run now."""
        self._serving.set()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._drop()

    # -- this process reloaded -------------------------------------------------

    async def announce(self, guild_id: int | None) -> None:
        """This process has reloaded a scope: bump its version and tell the
        others.  Never raises: with the database down it is told later."""
        await self._announce(scope_of(guild_id))

    async def announce_settings(self, guild_id: int) -> None:
        """This process changed a server's settings: tell the others (never raises)."""
        await self._announce(f"{SETTINGS}{guild_id}")

    async def _announce(self, scope: str) -> None:
        try:
            await asyncio.wait_for(self._bump(scope), ANNOUNCE_TIMEOUT)
        except Exception as exc:
            self._unannounced.add(scope)
            log.warning(
                "corpus sync: could not tell the other processes of the %s change (%s); telling them "
                "when the database answers",
                scope,
                one_line(exc),
            )

    async def _bump(self, scope: str) -> None:
        conn = self._conn
        if conn is None:
            raise ConnectionError(f"not connected to {self.where}")
        async with self._conn_lock, conn.transaction():
            version = int(await conn.fetchval(BUMP, scope))
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, f"{scope} {version} {self.origin}")
        if self.seen is not None:
            self.seen[scope] = max(version, self.seen.get(scope, 0))
        log.info("corpus sync: %s reload announced (version %d)", scope, version)

    # -- following the others --------------------------------------------------

    async def _follow(self) -> None:
        """Keep one connection listening; on losing it, connect again."""
        delay = RETRY_MIN
        warned = False
        while True:
            self._up = False
            try:
                await self._listen()
            except Exception as exc:
                if self._up:
                    delay, warned = RETRY_MIN, False
                if not warned:
                    log.warning(
                        "corpus sync: no connection to %s (%s); reloads elsewhere are caught up once it is back",
                        self.where,
                        one_line(exc),
                    )
                    warned = True
            finally:
                self._first_try.set()
                await self._drop()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _listen(self) -> None:
        conn = await connect(self._url)
        self._conn = conn
        self._lost.clear()
        conn.add_termination_listener(lambda _conn: self._lost.set())
        await migrate(conn, self.where)
        await conn.add_listener(CHANNEL, self._notified)
        for scope in sorted(self._unannounced):
            self._unannounced.discard(scope)
            await self._announce(scope)
        await self._check()
        self._up = True
        self._first_try.set()
        log.info("corpus sync: following reloads through %s", self.where)
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.check_every)
            if not self._lost.is_set():
                await self._check()
        raise ConnectionError("the connection was closed")

    async def _check(self) -> None:
        """Read every version; reload the scopes that moved."""
        async with self._conn_lock:
            rows = await self._conn.fetch("SELECT scope, version FROM corpus_versions")
        versions = {str(scope): int(version) for scope, version in rows}
        if self.seen is None:
            self.seen = versions
            if self._serving.is_set():  # connected only after the corpus loaded: anything may have changed
                self._queue(SHARED)
            return
        for scope, version in versions.items():
            if version > self.seen.get(scope, 0):
                log.info("corpus sync: %s changed elsewhere (version %d), caught up", scope, version)
                self.seen[scope] = version
                self._queue(scope)

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            scope, version_text, origin = payload.split(" ")
            version = int(version_text)
        except ValueError:
            log.warning("corpus sync: ignored a malformed notification %r", payload[:100])
            return
        if origin == self.origin or self.seen is None or version <= self.seen.get(scope, 0):
            return
        self.seen[scope] = version
        self._queue(scope)

    def _queue(self, scope: str) -> None:
        self._todo.add(scope)
        self._wake.set()

    async def _apply(self) -> None:
        """Reload what others reloaded, one scope at a time (the shared one first)."""
        await self._serving.wait()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._todo:
                scope = SHARED if SHARED in self._todo else min(self._todo)
                self._todo.discard(scope)
                await self._reload(scope)

    async def _reload(self, scope: str) -> None:
        try:
            if scope.startswith(SETTINGS):
                if self.on_settings is not None:
                    self.on_settings(int(scope.removeprefix(SETTINGS)))
                log.info("corpus sync: %s changed by another process", scope)
                return
            if scope == SHARED:
                await self.corpora.reload(None)
                log.info("corpus sync: shared articles reloaded, as another process did")
            else:
                guild_id = int(scope)
                if not self.corpora.is_loaded(guild_id):
                    self.corpora.forget(guild_id)
                    return
                await self.corpora.reload(guild_id)
                log.info("corpus sync: server %d's articles reloaded, as another process did", guild_id)
            self.reloads += 1
        except CorpusError as exc:
            log.warning("corpus sync: reloading %s failed, the previous corpus keeps serving: %s", scope, exc)
        except Exception:
            log.exception("corpus sync: reloading %s failed", scope)

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), CONNECT_TIMEOUT)
            if not conn.is_closed():
                conn.terminate()
