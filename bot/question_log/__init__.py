"""The question log: what readers asked, whether it was answered, and the
votes on answers (no user ids).  Embedded SQLite (``sqlite.py``), or
PostgreSQL for several processes (``postgres.py``); ``open_question_log``
picks one (``store.py``)."""

from bot.question_log.records import (
    MAX_QUESTION_CHARS,
    StoreError,
    UnansweredGroup,
    VotedAnswer,
    normalize_question,
)
from bot.question_log.server_settings import ServerSettings
from bot.question_log.sqlite import QuestionLog
from bot.question_log.store import QuestionStore, open_question_log

__all__ = [
    "MAX_QUESTION_CHARS",
    "QuestionLog",
    "QuestionStore",
    "ServerSettings",
    "StoreError",
    "UnansweredGroup",
    "VotedAnswer",
    "normalize_question",
    "open_question_log",
]
