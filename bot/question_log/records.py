"""What the question log holds and returns, whatever the database: its
errors, the groups of unanswered questions and the voted answers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

MAX_QUESTION_CHARS = 2000
"""Longer questions are cut to this many characters before they are stored."""

SECONDS_PER_DAY = 86_400.0


class StoreError(Exception):
    """The question log cannot be opened or read; the message is one line."""


@dataclass(frozen=True)
class UnansweredGroup:
    """Unanswered questions that normalise to the same text."""

    question: str
    """The most recent wording."""
    count: int
    last_asked: datetime
    """Aware, UTC."""


@dataclass(frozen=True)
class VotedAnswer:
    """Votes on one quoted sentence."""

    article_key: str
    paragraph: int
    sentence: int
    text: str | None
    """The sentence as last quoted in the question log, if it is still there."""
    not_helpful: int
    helpful: int


def question_row(
    at: object,
    guild_id: int | None,
    channel_id: int | None,
    question: str,
    answered: bool,
    quote: str | None,
    article_key: str | None,
    paragraph: int | None,
    sentence: int | None,
) -> tuple[object, ...]:
    """A row of the ``questions`` table, in its columns' order (``asked_at``,
    ``guild_id``, ``channel_id``, ``question``, ``normalized``, ``answered``,
    ``quote``, ``article_key``, ``paragraph``, ``sentence``): the question cut
    to ``MAX_QUESTION_CHARS``, and its normalized form for grouping."""
    text = question[:MAX_QUESTION_CHARS]
    normalized = normalize_question(text)
    return (at, guild_id, channel_id, text, normalized, bool(answered), quote, article_key, paragraph, sentence)


def normalize_question(text: str) -> str:
    """Case-folded, without punctuation, words separated by single spaces.

    ``"Who is  Putin?"`` and ``"who is putin"`` both give ``"who is putin"``.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("P"))
    return " ".join(kept.split())
