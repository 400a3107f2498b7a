"""The SQLite question log's schema, and opening a database: the steps of
``MIGRATIONS`` are applied in order, in one transaction; ``PRAGMA
user_version`` counts those already applied, and a database written by a
newer version of the bot is refused."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from bot.question_log.records import StoreError
from bot.question_log.server_settings import SQLITE_STEP

log = logging.getLogger("bot.question_log")

MIGRATIONS: Sequence[Sequence[str]] = (
    # 1: the question log and the votes.  Times are unix seconds (UTC).
    (
        """
        CREATE TABLE questions (
            id          INTEGER PRIMARY KEY,
            asked_at    REAL    NOT NULL,
            guild_id    INTEGER,
            channel_id  INTEGER,
            question    TEXT    NOT NULL,
            normalized  TEXT    NOT NULL,
            answered    INTEGER NOT NULL CHECK (answered IN (0, 1)),
            quote       TEXT,
            article_key TEXT,
            paragraph   INTEGER,
            sentence    INTEGER
        )
        """,
        "CREATE INDEX questions_by_time ON questions (asked_at)",
        "CREATE INDEX questions_unanswered ON questions (answered, asked_at)",
        "CREATE INDEX questions_by_sentence ON questions (article_key, paragraph, sentence)",
        """
        CREATE TABLE votes (
            id          INTEGER PRIMARY KEY,
            voted_at    REAL    NOT NULL,
            article_key TEXT    NOT NULL,
            paragraph   INTEGER NOT NULL,
            sentence    INTEGER NOT NULL,
            helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1))
        )
        """,
        "CREATE INDEX votes_by_time ON votes (voted_at)",
        "CREATE INDEX votes_by_sentence ON votes (article_key, paragraph, sentence)",
    ),
    # 2: votes know their server, so each server's admins see their own.
    (
        "ALTER TABLE votes ADD COLUMN guild_id INTEGER",
        "CREATE INDEX votes_by_guild ON votes (guild_id, voted_at)",
        "CREATE INDEX questions_by_guild ON questions (guild_id, answered, asked_at)",
    ),
    # 3: each server's own settings (/settings), and the questions handed to people.
    SQLITE_STEP,
    # A future version appends its step here (never edit a released step).
)
"""Schema steps; step ``n`` (from 1) takes a database from ``user_version`` n-1 to n."""


def is_busy(exc: sqlite3.Error) -> bool:
    """Another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED, extended codes included)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """Open (creating folders and file as needed) and migrate; in the worker thread."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for the question log {path}: {one_line(exc)}") from exc
    try:
        # isolation_level IMMEDIATE: a write takes the write lock at its start
        # (waiting up to busy_timeout), and `with conn:` commits or rolls back.
        conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level="IMMEDIATE")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the question log {path}: {one_line(exc)}") from exc
    try:
        # Read the version first: this checks the file is a database, and a
        # newer one is refused before anything (even the journal mode) changes.
        _check_version(_user_version(conn), path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        _migrate(conn, path)
    except StoreError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise StoreError(f"cannot open the question log {path}: {one_line(exc)}") from exc
    return conn


def _user_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def _check_version(version: int, path: Path) -> None:
    if version > len(MIGRATIONS):
        raise StoreError(
            f"the question log {path} has schema version {version}, newer than this bot knows "
            f"({len(MIGRATIONS)}); upgrade the bot or use another file"
        )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the missing steps of ``MIGRATIONS`` in one transaction; nothing if up to date."""
    if _user_version(conn) == len(MIGRATIONS):
        return
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        version = _user_version(conn)  # again, under the write lock: another process may have migrated
        _check_version(version, path)
        for number in range(version + 1, len(MIGRATIONS) + 1):
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
    if version < len(MIGRATIONS):  # else another process has just migrated it
        log.info("question log %s: schema migrated from version %d to %d", path, version, len(MIGRATIONS))
