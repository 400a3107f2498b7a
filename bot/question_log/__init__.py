"""The question log: what readers asked, whether it was answered, and the
votes on answers (no user ids).  Embedded SQLite (``sqlite.py``)."""

from bot.question_log.records import (
    MAX_QUESTION_CHARS,
    StoreError,
    UnansweredGroup,
    VotedAnswer,
    normalize_question,
)
from bot.question_log.sqlite import QuestionLog

__all__ = [
    "MAX_QUESTION_CHARS",
    "QuestionLog",
    "StoreError",
    "UnansweredGroup",
    "VotedAnswer",
    "normalize_question",
]
