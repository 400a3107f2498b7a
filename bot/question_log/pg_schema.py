"""The PostgreSQL database's schema (``DATABASE_URL``), and telling a
database that is down from one that refuses.

``schema_version`` holds one row: how many steps of ``MIGRATIONS`` the
database has.  ``migrate`` applies the missing steps in order, in one
transaction, under a transaction-level advisory lock, so that processes
starting together migrate once, one after another; a database written by a
newer version of the bot is refused.  The same database holds the question
log (``postgres.py``) and the corpus versions that carry reloads between
processes (``bot/service/corpus_sync.py``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bot.question_log.records import StoreError
from bot.question_log.server_settings import POSTGRES_STEP

log = logging.getLogger("bot.question_log")

MIGRATION_LOCK = 0x53544F5259424F54  # "STORYBOT": the advisory lock key while migrating
"""Held (for the transaction) by the process migrating the schema."""

MIGRATIONS: Sequence[Sequence[str]] = (
    # 1: the question log and the votes, as in the SQLite file (no user ids).
    (
        """
        CREATE TABLE questions (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            asked_at    timestamptz NOT NULL,
            guild_id    bigint,
            channel_id  bigint,
            question    text    NOT NULL,
            normalized  text    NOT NULL,
            answered    boolean NOT NULL,
            quote       text,
            article_key text,
            paragraph   integer,
            sentence    integer
        )
        """,
        "CREATE INDEX questions_by_time ON questions (asked_at)",
        "CREATE INDEX questions_unanswered ON questions (answered, asked_at)",
        "CREATE INDEX questions_by_guild ON questions (guild_id, answered, asked_at)",
        "CREATE INDEX questions_by_sentence ON questions (article_key, paragraph, sentence)",
        """
        CREATE TABLE votes (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            voted_at    timestamptz NOT NULL,
            guild_id    bigint,
            article_key text    NOT NULL,
            paragraph   integer NOT NULL,
            sentence    integer NOT NULL,
            helpful     boolean NOT NULL
        )
        """,
        "CREATE INDEX votes_by_time ON votes (voted_at)",
        "CREATE INDEX votes_by_guild ON votes (guild_id, voted_at)",
        "CREATE INDEX votes_by_sentence ON votes (article_key, paragraph, sentence)",
    ),
    # 2: the corpus versions, one per scope ('shared' or a guild id): bumped
    # by a reload in one process, so that the others reload too.
    (
        """
        CREATE TABLE corpus_versions (
            scope      text        PRIMARY KEY,
            version    bigint      NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
    ),
    # 3: each server's own settings (/settings), and the questions handed to people.
    POSTGRES_STEP,
    # A future version appends its step here (never edit a released step).
)
"""Schema steps; step ``n`` (from 1) takes a database from version n-1 to n."""

CONNECT_TIMEOUT = 5.0
"""Seconds to connect (and to log in) before the database counts as down."""
COMMAND_TIMEOUT = 10.0
"""Seconds one statement may take before the database counts as down."""


def is_down(exc: BaseException) -> bool:
    """The database cannot be reached now (refused, dropped, shutting down,
    starting up, timed out, full), rather than refusing what was asked."""
    return isinstance(
        exc,
        OSError
        | TimeoutError
        | asyncio.TimeoutError
        | asyncpg.PostgresConnectionError
        | asyncpg.exceptions.OperatorInterventionError
        | asyncpg.exceptions.TooManyConnectionsError
        | asyncpg.exceptions.ConnectionDoesNotExistError
        # a connection the server closed while idle can be left in a state
        # where the next statement fails so: it is broken, as if dropped
        | asyncpg.exceptions.InternalClientError,
    ) or (isinstance(exc, asyncpg.InterfaceError) and "clos" in str(exc))  # closed, closing (the pool)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"^(postgres(?:ql)?://[^:@/]*):[^@/]*@", r"\1:***@", url)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


async def connect(url: str, **kwargs: Any) -> Any:
    """One connection (an ``asyncpg.Connection``) with the timeouts above."""
    return await asyncpg.connect(url, timeout=CONNECT_TIMEOUT, command_timeout=COMMAND_TIMEOUT, **kwargs)


async def migrate(conn: Any, where: str) -> None:
    """Bring the schema up to date (see the module's documentation).

    ``StoreError`` for a newer database or a failing step (rolled back);
    a connection failure is raised as it is."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
        version = await conn.fetchval("SELECT max(version) FROM schema_version")
        if version is None:
            await conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            version = 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the database {where} has schema version {version}, newer than this bot knows "
                f"({len(MIGRATIONS)}); upgrade the bot or use another database"
            )
        if version == len(MIGRATIONS):
            return
        for number in range(version + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[number - 1]:
                try:
                    await conn.execute(statement)
                except asyncpg.PostgresError as exc:
                    if is_down(exc):
                        raise
                    raise StoreError(f"the database {where}: schema step {number} failed: {one_line(exc)}") from exc
        await conn.execute("UPDATE schema_version SET version = $1", len(MIGRATIONS))
    log.info("database %s: schema migrated from version %d to %d", where, version, len(MIGRATIONS))
