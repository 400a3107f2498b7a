"""The question log in PostgreSQL (``DATABASE_URL=postgresql://…``), for
several processes sharing one log.  Same API, rows and answers as the SQLite
``QuestionLog`` (``sqlite.py``): no user ids; a write that fails logs a
warning on ``bot.question_log`` and returns; reads raise ``StoreError``.

The schema is created and migrated on open (``pg_schema.migrate``: a
``schema_version`` table, one transaction under an advisory lock).

The database down, at start or later (refused, dropped, restarting, timed
out): the bot answers on.  Questions and votes are kept in memory meanwhile
(``pending.PendingWrites``: at most ``BUFFER_ROWS`` = 10,000 rows, each at
most ``BUFFER_SECONDS`` = 1 hour; past that the oldest are dropped, and
counted in the log), each with the time it was asked; the connection is
tried again (after ``RETRY_MIN`` seconds, doubling up to ``RETRY_MAX``),
and once it is back the kept rows are written first, in the order they
came, then writes go straight to the database again.  Lost on the way: what
is kept when the process stops before the database is back, and what the
bounds drop.  A write cut off mid-way may have reached the database before
the connection broke: it is kept and written again (a duplicate rather
than a loss).  Reads (``/unanswered``) raise ``StoreError`` while the
database is down; pruning is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncpg  # type: ignore[import-untyped]

from bot.question_log.pending import BUFFER_ROWS, BUFFER_SECONDS, Kind, PendingWrites
from bot.question_log.pg_schema import COMMAND_TIMEOUT, CONNECT_TIMEOUT, is_down, migrate, one_line, redact
from bot.question_log.records import StoreError, UnansweredGroup, VotedAnswer, question_row
from bot.question_log.server_settings import PG_CLAIM, PG_READ, PG_RELEASE, PG_SAVE, ServerSettings

log = logging.getLogger("bot.question_log")

T = TypeVar("T")

RETRY_MIN = 1.0
"""Seconds before the first attempt to reach a database that went down."""
RETRY_MAX = 15.0
"""The longest wait between two attempts."""
POOL_SIZE = 4
"""Connections per process at most."""
FLUSH_BATCH = 500
"""Kept rows written back per transaction."""

INSERT: dict[Kind, str] = {
    "question": "INSERT INTO questions (asked_at, guild_id, channel_id, question, normalized, answered,"
    " quote, article_key, paragraph, sentence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    "vote": "INSERT INTO votes (voted_at, guild_id, article_key, paragraph, sentence, helpful)"
    " VALUES ($1, $2, $3, $4, $5, $6)",
}
WRITE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
    ValueError,
    OverflowError,
)
"""What a write may meet; never raised from one."""

UNANSWERED = """
    WITH recent AS (
        SELECT id, asked_at, question, normalized FROM questions
        WHERE NOT answered AND asked_at >= $1 AND ($3::bigint IS NULL OR guild_id = $3)
    )
    SELECT
        (SELECT latest.question FROM recent AS latest WHERE latest.normalized = grouped.normalized
         ORDER BY latest.asked_at DESC, latest.id DESC LIMIT 1),
        COUNT(*) AS times,
        MAX(asked_at) AS last_asked
    FROM recent AS grouped
    GROUP BY normalized
    ORDER BY times DESC, last_asked DESC, MAX(id) DESC
    LIMIT $2
"""
LEAST_HELPFUL = """
    SELECT
        v.article_key, v.paragraph, v.sentence,
        (SELECT q.quote FROM questions AS q
         WHERE q.article_key = v.article_key AND q.paragraph = v.paragraph
           AND q.sentence = v.sentence AND q.quote IS NOT NULL
         ORDER BY q.asked_at DESC, q.id DESC LIMIT 1),
        COUNT(*) FILTER (WHERE NOT v.helpful) AS not_helpful,
        COUNT(*) FILTER (WHERE v.helpful) AS helpful
    FROM votes AS v
    WHERE v.voted_at >= $1 AND ($3::bigint IS NULL OR v.guild_id = $3)
    GROUP BY v.article_key, v.paragraph, v.sentence
    HAVING COUNT(*) FILTER (WHERE NOT v.helpful) > 0
    ORDER BY not_helpful DESC, helpful ASC, MAX(v.voted_at) DESC,
             v.article_key COLLATE "C", v.paragraph, v.sentence
    LIMIT $2
"""

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _text(value: str | None) -> str | None:
    """PostgreSQL's text holds no NUL character (SQLite's does): drop them."""
    return value.replace("\x00", "") if value is not None else None


class PostgresQuestionLog:
    """The question log in PostgreSQL; ``await PostgresQuestionLog.open(url)``, and ``close`` it."""

    def __init__(
        self,
        url: str,
        clock: Clock,
        *,
        buffer: PendingWrites | None = None,
        retry_min: float | None = None,
        retry_max: float | None = None,
    ) -> None:
        self._url = url
        self.where = redact(url)
        """The database, as messages name it (no password)."""
        self._clock = clock
        self.pending = PendingWrites(BUFFER_ROWS, BUFFER_SECONDS) if buffer is None else buffer
        self._retry_min = RETRY_MIN if retry_min is None else retry_min
        self._retry_max = RETRY_MAX if retry_max is None else retry_max
        self._pool: Any = None  # an asyncpg.Pool while the database is up and nothing is pending
        self._closed = False
        self._reconnecting: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        clock: Clock | None = None,
        buffer: PendingWrites | None = None,
        retry_min: float | None = None,
        retry_max: float | None = None,
    ) -> Self:
        """Connect and migrate.  A database that is down now is tried again
        in the background (writes kept meanwhile); one that refuses (bad
        password, no such database, newer schema) raises ``StoreError``."""
        store = cls(url, clock or _utc_now, buffer=buffer, retry_min=retry_min, retry_max=retry_max)
        try:
            store._pool = await store._connect()
        except StoreError:
            raise
        except Exception as exc:
            if not is_down(exc):
                raise
            store._went_down(exc)
        else:
            log.info("question log: PostgreSQL at %s", store.where)
        return store

    @property
    def up(self) -> bool:
        """Writes go straight to the database (it is up, nothing is pending)."""
        return self._pool is not None

    async def close(self) -> None:
        """Close the connections; rows still kept in memory are lost (logged)."""
        if self._closed:
            return
        self._closed = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconnecting
        if len(self.pending):
            log.warning(
                "question log %s: closing with %d questions and votes not written (the database was down)",
                self.where,
                len(self.pending),
            )
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), CONNECT_TIMEOUT)
            except (TimeoutError, *WRITE_ERRORS):
                pool.terminate()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- writes ----------------------------------------------------------------

    async def record_question(
        self,
        *,
        question: str,
        guild_id: int | None,
        channel_id: int | None,
        answered: bool,
        quote: str | None = None,
        article_key: str | None = None,
        paragraph: int | None = None,
        sentence: int | None = None,
    ) -> None:
        """Log a question (cut to ``MAX_QUESTION_CHARS``) and, if answered, the sentence quoted."""
        text = _text(question) or ""
        row = question_row(
            self._now(), guild_id, channel_id, text, answered, _text(quote), _text(article_key), paragraph, sentence
        )
        await self._write("record a question", "question", row)

    async def record_vote(
        self, *, article_key: str, paragraph: int, sentence: int, helpful: bool, guild_id: int | None = None
    ) -> None:
        """Log one helpful / not-helpful vote on the sentence at (article_key, paragraph, sentence)."""
        row = (self._now(), guild_id, _text(article_key), paragraph, sentence, bool(helpful))
        await self._write("record a vote", "vote", row)

    async def prune(self, older_than_days: float) -> int:
        """Delete questions, votes and hand-offs older than ``older_than_days``;
        return how many rows went (0 on failure)."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must be >= 0, not {older_than_days}")
        cutoff = self._clock_now() - timedelta(days=older_than_days)

        async def delete(conn: Any) -> int:
            async with conn.transaction():
                questions = await conn.execute("DELETE FROM questions WHERE asked_at < $1", cutoff)
                votes = await conn.execute("DELETE FROM votes WHERE voted_at < $1", cutoff)
                handoffs = await conn.execute("DELETE FROM handoffs WHERE handed_at < $1", cutoff)
            return sum(int(done.split()[-1]) for done in (questions, votes, handoffs))

        try:
            deleted = await self._use("prune", delete)
        except StoreError as exc:
            log.warning("%s", exc)
            return 0
        if deleted:
            log.info("question log %s: pruned %d rows older than %g days", self.where, deleted, older_than_days)
        return deleted

    async def _write(self, what: str, kind: Kind, row: tuple[Any, ...]) -> None:
        if self._closed:
            log.warning("question log %s: could not %s: the question log is closed", self.where, what)
            return
        pool = self._pool
        if pool is None:  # down, or the rows kept meanwhile are being written
            self.pending.keep(kind, row)
            return
        try:
            await pool.execute(INSERT[kind], *row)
        except WRITE_ERRORS as exc:
            if is_down(exc):
                self.pending.keep(kind, row)
                self._went_down(exc)
            else:
                log.warning("question log %s: could not %s: %s", self.where, what, one_line(exc))

    # -- reads -----------------------------------------------------------------

    async def unanswered(
        self, limit: int = 10, days: float = 30, *, guild_id: int | None = None
    ) -> list[UnansweredGroup]:
        """Unanswered questions of the last ``days`` (with ``guild_id``, of that
        server), grouped by ``normalize_question``, most frequent first, then
        most recently asked (as ``QuestionLog.unanswered``)."""
        cutoff = self._cutoff(limit, days)
        rows = await self._use(
            "list unanswered questions", lambda conn: conn.fetch(UNANSWERED, cutoff, limit, guild_id)
        )
        return [UnansweredGroup(question=q, count=n, last_asked=last.astimezone(UTC)) for q, n, last in rows]

    async def least_helpful(
        self, limit: int = 5, days: float = 30, *, guild_id: int | None = None
    ) -> list[VotedAnswer]:
        """Sentences voted not helpful in the last ``days`` (as ``QuestionLog.least_helpful``)."""
        cutoff = self._cutoff(limit, days)
        rows = await self._use(
            "list the least helpful answers", lambda conn: conn.fetch(LEAST_HELPFUL, cutoff, limit, guild_id)
        )
        return [
            VotedAnswer(article_key=key, paragraph=par, sentence=sen, text=text, not_helpful=bad, helpful=good)
            for key, par, sen, text, bad, good in rows
        ]

    # -- each server's settings, and hand-offs: a failure raises StoreError ----

    async def server_settings(self, guild_id: int) -> ServerSettings:
        data = await self._use("read a server's settings", lambda conn: conn.fetchval(PG_READ, guild_id))
        return ServerSettings.from_json(guild_id, data)

    async def save_server_settings(self, settings: ServerSettings) -> None:
        args = (settings.guild_id, settings.to_json())
        await self._use("save a server's settings", lambda conn: conn.execute(PG_SAVE, *args))

    async def claim_handoff(self, message_id: int, guild_id: int | None) -> bool:
        """True the first time the question of ``message_id`` is handed off."""
        done = await self._use("note a hand-off", lambda c: c.execute(PG_CLAIM, message_id, guild_id, self._now()))
        return str(done).endswith(" 1")

    async def release_handoff(self, message_id: int) -> None:
        try:
            await self._use("forget a hand-off", lambda c: c.execute(PG_RELEASE, message_id))
        except StoreError as exc:
            log.warning("%s", exc)

    # -- plumbing --------------------------------------------------------------

    def _clock_now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the question log's clock must return an aware datetime")
        return now

    def _now(self) -> datetime:
        return self._clock_now()

    def _cutoff(self, limit: int, days: float) -> datetime:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        if days < 0:
            raise ValueError(f"days must be >= 0, not {days}")
        return self._clock_now() - timedelta(days=days)

    async def _use(self, what: str, operation: Callable[[Any], Awaitable[T]]) -> T:
        """``operation(connection)`` on a pooled connection; ``StoreError`` on any failure."""
        if self._closed:
            raise StoreError(f"the question log {self.where} is closed")
        pool = self._pool
        if pool is None:
            raise StoreError(f"question log {self.where}: could not {what}: the database is unreachable now")
        try:
            async with pool.acquire() as conn:
                return await operation(conn)
        except WRITE_ERRORS as exc:
            if is_down(exc):
                self._went_down(exc)
            raise StoreError(f"question log {self.where}: could not {what}: {one_line(exc)}") from exc

    async def _connect(self) -> Any:
        """A new pool, the schema migrated; ``StoreError`` if the database refuses."""
        try:
            pool = await asyncpg.create_pool(
                self._url,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=CONNECT_TIMEOUT,
                command_timeout=COMMAND_TIMEOUT,
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
            if is_down(exc):
                raise
            raise StoreError(f"cannot open the question log {self.where}: {one_line(exc)}") from exc
        try:
            async with pool.acquire() as conn:
                await migrate(conn, self.where)
        except BaseException:
            pool.terminate()
            raise
        return pool

    def _went_down(self, exc: BaseException) -> None:
        """The database stopped answering: keep writes in memory and try again."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.terminate()
        if self._reconnecting is None or self._reconnecting.done():
            log.warning(
                "question log %s: the database is unreachable (%s); answering goes on, and up to %d questions "
                "and votes are kept in memory (for up to %g s) until it is back",
                self.where,
                one_line(exc),
                self.pending.max_rows,
                self.pending.max_seconds,
            )
            self._reconnecting = asyncio.create_task(self._reconnect())

    async def _reconnect(self) -> None:
        """Try again until the database is back, write what was kept, then let writes through."""
        delay = self._retry_min
        while not self._closed:
            await asyncio.sleep(delay)
            try:
                pool = await self._connect()
            except Exception as exc:
                if is_down(exc):
                    log.debug("question log %s still unreachable (%s)", self.where, one_line(exc))
                    delay = min(delay * 2, self._retry_max)
                else:  # refused (a password changed, the schema is newer): an operator's matter
                    log.warning("question log %s: %s; trying again in %g s", self.where, one_line(exc), self._retry_max)
                    delay = self._retry_max
                continue
            try:
                await self._flush(pool)
            except WRITE_ERRORS as exc:
                pool.terminate()
                log.debug("question log %s: lost again while writing back (%s)", self.where, one_line(exc))
                delay = self._retry_min
                continue
            self._pool = pool  # nothing pending: writes go straight to the database again
            kept, dropped = self.pending.reset_counts()
            log.info(
                "question log %s: the database is back; %d questions and votes kept meanwhile were written%s",
                self.where,
                kept - dropped,
                f", {dropped} dropped (over {self.pending.max_rows} rows or {self.pending.max_seconds:g} s)"
                if dropped
                else "",
            )
            return

    async def _flush(self, pool: Any) -> None:
        """Write the kept rows, oldest first, in batches, until none is left."""
        while batch := self.pending.head(FLUSH_BATCH):
            async with pool.acquire() as conn:
                try:
                    async with conn.transaction():
                        for item in batch:
                            await conn.execute(INSERT[item.kind], *item.row)
                except WRITE_ERRORS as exc:
                    if is_down(exc):
                        raise
                    await self._flush_one_by_one(conn, batch)
            self.pending.done(len(batch))

    async def _flush_one_by_one(self, conn: Any, batch: list[Any]) -> None:
        """A batch that failed for a row's sake: write the others, drop that row (logged)."""
        for item in batch:
            try:
                await conn.execute(INSERT[item.kind], *item.row)
            except WRITE_ERRORS as exc:
                if is_down(exc):
                    raise
                log.warning("question log %s: could not write a kept %s: %s", self.where, item.kind, one_line(exc))
