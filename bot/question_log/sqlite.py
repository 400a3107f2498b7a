"""The question log: questions asked and answer votes, in one SQLite file.

What is stored: each question's text (at most ``MAX_QUESTION_CHARS``), the
guild and channel it was asked in (``None`` in DMs), when (unix seconds,
UTC), whether it was answered and, if so, the quoted sentence and where it
is (article key, paragraph, sentence in paragraph); and each helpful /
not-helpful vote from the answer buttons, with the sentence it is about.
No user ids are stored anywhere.

The schema is created and migrated here: ``PRAGMA user_version`` counts the
steps of ``MIGRATIONS`` already applied; opening a database applies the
missing ones in order, in one transaction.  A database written by a newer
version of the bot is refused.

Every operation runs in one dedicated worker thread, which owns the only
connection, so the event loop never waits on the disk.  Each write is its
own transaction (WAL journal, ``synchronous=NORMAL``): a crash loses at
most the write in flight.  The log is a side feature, so a write that fails
(database locked, read-only, corrupt, disk full) logs a warning on the
``bot.store`` logger and returns normally; reads raise ``StoreError``, and
so does ``QuestionLog.open`` on an unusable path (the caller then runs
without a log).

Another connection's lock is waited for up to ``busy_timeout``.  Once an
operation has waited that long in vain, the operations that follow try once
without waiting, until ``busy_timeout`` passes with none failing on a lock:
a lock held for minutes costs one busy timeout, not one per queued write,
so the queue (and a read or ``close`` behind it) never piles up behind it,
and writes land again as soon as the lock is gone.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from bot.question_log.records import SECONDS_PER_DAY, StoreError, UnansweredGroup, VotedAnswer, question_row
from bot.question_log.schema import connect, is_busy, one_line
from bot.question_log.server_settings import ServerSettings

log = logging.getLogger("bot.question_log")

T = TypeVar("T")

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime (the default: ``datetime.now(UTC)``)."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _in_guild(guild_id: int | None, prefix: str = "") -> tuple[str, tuple[int, ...]]:
    """The SQL condition (and its argument) that keeps one server's rows."""
    if guild_id is None:
        return "", ()
    return f" AND {prefix}guild_id = ?", (guild_id,)


class QuestionLog:
    """The question log; make one with ``await QuestionLog.open(path)``, and ``close`` it."""

    def __init__(
        self,
        executor: ThreadPoolExecutor,
        conn: sqlite3.Connection,
        path: Path,
        clock: Clock,
        busy_timeout: float = 5.0,
    ) -> None:
        self._executor = executor
        self._conn = conn  # used in the executor's thread only
        self._path = path
        self._clock = clock
        self._closed = False
        self._busy_timeout = busy_timeout
        # In the executor's thread only: until when (time.monotonic) operations
        # do not wait for a lock, and whether the connection is set so.
        self._no_wait_until = 0.0
        self._not_waiting = False

    @classmethod
    async def open(cls, path: str | Path, *, clock: Clock | None = None, busy_timeout: float = 5.0) -> Self:
        """Open (or create) the log at ``path``, creating its folders and migrating its schema.

        ``busy_timeout`` is how long, in seconds, a write waits for another
        connection's lock before giving up.  Raises ``StoreError`` if the
        path cannot be used.
        """
        path = Path(path)
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bot-store")
        try:
            conn = await asyncio.get_running_loop().run_in_executor(executor, connect, path, busy_timeout)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, conn, path, clock or _utc_now, busy_timeout)

    @property
    def path(self) -> Path:
        return self._path

    async def close(self) -> None:
        """Finish the queued operations and close the database; later writes are dropped with a warning."""
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._conn.close)
        except sqlite3.Error as exc:
            log.warning("question log %s: error while closing: %s", self._path, one_line(exc))
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- writes: each one transaction; a failure is a warning, never an exception

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
        row = question_row(
            self._now(), guild_id, channel_id, question, answered, quote, article_key, paragraph, sentence
        )

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT INTO questions (asked_at, guild_id, channel_id, question, normalized, answered,"
                    " quote, article_key, paragraph, sentence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )

        await self._write("record a question", write)

    async def record_vote(
        self, *, article_key: str, paragraph: int, sentence: int, helpful: bool, guild_id: int | None = None
    ) -> None:
        """Log one helpful / not-helpful vote on the sentence at (article_key, paragraph, sentence)."""
        row = (self._now(), guild_id, article_key, paragraph, sentence, int(helpful))

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT INTO votes (voted_at, guild_id, article_key, paragraph, sentence, helpful)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )

        await self._write("record a vote", write)

    async def prune(self, older_than_days: float) -> int:
        """Delete questions, votes and hand-offs older than ``older_than_days``;
        return how many rows went (0 on failure)."""
        if older_than_days < 0:
            raise ValueError(f"older_than_days must be >= 0, not {older_than_days}")
        cutoff = self._now() - older_than_days * SECONDS_PER_DAY

        def delete(conn: sqlite3.Connection) -> int:
            with conn:
                questions = conn.execute("DELETE FROM questions WHERE asked_at < ?", (cutoff,)).rowcount
                votes = conn.execute("DELETE FROM votes WHERE voted_at < ?", (cutoff,)).rowcount
                handoffs = conn.execute("DELETE FROM handoffs WHERE handed_at < ?", (cutoff,)).rowcount
            return questions + votes + handoffs

        deleted = await self._write("prune", delete)
        if deleted:
            log.info("question log %s: pruned %d rows older than %g days", self._path, deleted, older_than_days)
        return deleted or 0

    # -- reads (for the admin commands): a failure raises StoreError

    async def unanswered(
        self, limit: int = 10, days: float = 30, *, guild_id: int | None = None
    ) -> list[UnansweredGroup]:
        """Unanswered questions of the last ``days``, grouped by ``normalize_question``;
        with ``guild_id``, those asked in that server only.

        Most frequent first, then most recently asked; each group has its
        count, its most recent wording and when it was last asked.
        """
        cutoff = self._cutoff(limit, days)
        where, args = _in_guild(guild_id)

        def query(conn: sqlite3.Connection) -> list[tuple[str, int, float]]:
            return conn.execute(
                f"""
                WITH recent AS (
                    SELECT id, asked_at, question, normalized FROM questions
                    WHERE answered = 0 AND asked_at >= ?{where}
                )
                SELECT
                    (SELECT latest.question FROM recent AS latest WHERE latest.normalized = grouped.normalized
                     ORDER BY latest.asked_at DESC, latest.id DESC LIMIT 1),
                    COUNT(*) AS times,
                    MAX(asked_at) AS last_asked
                FROM recent AS grouped
                GROUP BY normalized
                ORDER BY times DESC, last_asked DESC, MAX(id) DESC
                LIMIT ?
                """,
                (cutoff, *args, limit),
            ).fetchall()

        rows = await self._read("list unanswered questions", query)
        return [
            UnansweredGroup(question=question, count=count, last_asked=datetime.fromtimestamp(last, UTC))
            for question, count, last in rows
        ]

    async def least_helpful(
        self, limit: int = 5, days: float = 30, *, guild_id: int | None = None
    ) -> list[VotedAnswer]:
        """Sentences voted not helpful in the last ``days`` (with ``guild_id``,
        in that server), most not-helpful votes first.

        Only sentences with at least one not-helpful vote; ties go to the
        one with fewer helpful votes.  ``text`` is the sentence as last
        quoted in the question log (``None`` if no question quoting it is left).
        """
        cutoff = self._cutoff(limit, days)
        where, args = _in_guild(guild_id, "v.")

        def query(conn: sqlite3.Connection) -> list[tuple[str, int, int, str | None, int, int]]:
            return conn.execute(
                f"""
                SELECT
                    v.article_key, v.paragraph, v.sentence,
                    (SELECT q.quote FROM questions AS q
                     WHERE q.article_key = v.article_key AND q.paragraph = v.paragraph
                       AND q.sentence = v.sentence AND q.quote IS NOT NULL
                     ORDER BY q.asked_at DESC, q.id DESC LIMIT 1),
                    SUM(v.helpful = 0) AS not_helpful,
                    SUM(v.helpful = 1) AS helpful
                FROM votes AS v
                WHERE v.voted_at >= ?{where}
                GROUP BY v.article_key, v.paragraph, v.sentence
                HAVING not_helpful > 0
                ORDER BY not_helpful DESC, helpful ASC, MAX(v.voted_at) DESC, v.article_key, v.paragraph, v.sentence
                LIMIT ?
                """,
                (cutoff, *args, limit),
            ).fetchall()

        rows = await self._read("list the least helpful answers", query)
        return [
            VotedAnswer(
                article_key=key, paragraph=paragraph, sentence=sentence, text=text, not_helpful=bad, helpful=good
            )
            for key, paragraph, sentence, text, bad, good in rows
        ]

    # -- each server's settings, and hand-offs: a failure raises StoreError

    async def server_settings(self, guild_id: int) -> ServerSettings:
        """What the server's admins chose (nothing: the defaults)."""

        def query(conn: sqlite3.Connection) -> str | None:
            row = conn.execute("SELECT data FROM server_settings WHERE guild_id = ?", (guild_id,)).fetchone()
            return str(row[0]) if row else None

        return ServerSettings.from_json(guild_id, await self._read("read a server's settings", query))

    async def save_server_settings(self, settings: ServerSettings) -> None:
        row = (settings.guild_id, settings.to_json(), self._now())

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute(
                    "INSERT INTO server_settings (guild_id, data, updated_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                    row,
                )

        await self._read("save a server's settings", write)

    async def claim_handoff(self, message_id: int, guild_id: int | None) -> bool:
        """True the first time the question of ``message_id`` is handed off."""
        row = (message_id, guild_id, self._now())

        def write(conn: sqlite3.Connection) -> bool:
            with conn:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO handoffs (message_id, guild_id, handed_at) VALUES (?, ?, ?)", row
                )
            return cursor.rowcount == 1

        return await self._read("note a hand-off", write)

    async def release_handoff(self, message_id: int) -> None:
        """The hand-off failed: the question may be handed off again (a failure is a warning)."""

        def delete(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("DELETE FROM handoffs WHERE message_id = ?", (message_id,))

        await self._write("forget a failed hand-off", delete)

    # -- plumbing

    def _now(self) -> float:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the question log's clock must return an aware datetime")
        return now.timestamp()

    def _cutoff(self, limit: int, days: float) -> float:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, not {limit}")
        if days < 0:
            raise ValueError(f"days must be >= 0, not {days}")
        return self._now() - days * SECONDS_PER_DAY

    async def _call(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``operation(connection)`` in the store's thread (the only place the connection is used)."""
        if self._closed:
            raise StoreError(f"the question log {self._path} is closed")
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(self._run, operation))

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """``operation(connection)``, in the store's thread.  After a lock
        wait has failed, later operations do not wait for a lock (see the
        module's documentation) until ``busy_timeout`` has passed without
        another failing on one."""
        conn = self._conn
        no_wait = time.monotonic() < self._no_wait_until
        if no_wait != self._not_waiting:
            conn.execute(f"PRAGMA busy_timeout = {0 if no_wait else round(self._busy_timeout * 1000):d}")
            self._not_waiting = no_wait
        try:
            return operation(conn)
        except sqlite3.Error as exc:
            if is_busy(exc):
                self._no_wait_until = time.monotonic() + self._busy_timeout
            raise

    async def _write(self, what: str, operation: Callable[[sqlite3.Connection], T]) -> T | None:
        try:
            return await self._call(operation)
        except (sqlite3.Error, StoreError, OSError, OverflowError) as exc:
            log.warning("question log %s: could not %s: %s", self._path, what, one_line(exc))
            return None

    async def _read(self, what: str, operation: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return await self._call(operation)
        except sqlite3.Error as exc:
            raise StoreError(f"question log {self._path}: could not {what}: {one_line(exc)}") from exc
