"""Which question log: the embedded SQLite file (``DATABASE_PATH``) or
PostgreSQL (``DATABASE_URL``), behind one interface (``QuestionStore``)."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from bot.question_log.records import UnansweredGroup, VotedAnswer
from bot.question_log.server_settings import ServerSettings
from bot.question_log.sqlite import Clock, QuestionLog


class QuestionStore(Protocol):
    """What the bot asks of a question log, whatever the database.  Writes
    never raise (a failure is a logged warning); reads raise ``StoreError``."""

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
    ) -> None: ...

    async def record_vote(
        self, *, article_key: str, paragraph: int, sentence: int, helpful: bool, guild_id: int | None = None
    ) -> None: ...

    async def prune(self, older_than_days: float) -> int: ...

    async def unanswered(
        self, limit: int = 10, days: float = 30, *, guild_id: int | None = None
    ) -> list[UnansweredGroup]: ...

    async def least_helpful(
        self, limit: int = 5, days: float = 30, *, guild_id: int | None = None
    ) -> list[VotedAnswer]: ...

    async def server_settings(self, guild_id: int) -> ServerSettings: ...

    async def save_server_settings(self, settings: ServerSettings) -> None: ...

    async def claim_handoff(self, message_id: int, guild_id: int | None) -> bool: ...

    async def release_handoff(self, message_id: int) -> None: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


async def open_question_log(
    database_url: str | None, database_path: Path, *, clock: Clock | None = None
) -> QuestionStore:
    """PostgreSQL at ``database_url`` when it is set (``postgres.py``: a
    database that is down now is tried again in the background), else the
    SQLite file at ``database_path``.  ``StoreError`` when it cannot be used."""
    if database_url:
        from bot.question_log.postgres import PostgresQuestionLog  # asyncpg only where it is used

        return await PostgresQuestionLog.open(database_url, clock=clock)
    return await QuestionLog.open(database_path, clock=clock)
