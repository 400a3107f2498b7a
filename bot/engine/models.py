"""The engine's plain data: articles, load failures, answers, and why a
question was declined."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

SECOND_ANSWER_RATIO = 0.9
"""A second sentence is shown when it scores at least this share of the best."""


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the corpus.

    ``paragraphs`` are the body paragraphs (title and byline are not
    paragraphs); paragraph numbers shown to readers count them from 1.
    """

    id: str
    title: str
    paragraphs: tuple[str, ...]
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    published: str | None = None
    source: str = ""
    """Where the article came from: the file's path inside the corpus folder,
    with ``:LINE`` for a line of a ``.jsonl`` file."""
    credit: str | None = None
    """The authors as the byline wrote them ("Albert Aji And Daria
    Litvinova"), for quoting; None when the authors came from metadata."""

    @property
    def key(self) -> str:
        """A short, stable key for the article (from its id), for places
        with little room such as a button's custom id."""
        return hashlib.sha1(self.id.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]

    def source_parts(self, paragraph: int, escape: Callable[[str], str] = str) -> list[str]:
        """What a quote's source line names: the title in quotes, the byline
        if any, and where ("paragraph 6", or "byline" for paragraph 0);
        ``escape`` is applied to the article's own text."""
        parts = [f"\u201c{escape(self.title)}\u201d"]
        if self.byline:
            parts.append(escape(self.byline))
        parts.append(f"paragraph {paragraph}" if paragraph else "byline")
        return parts

    @property
    def byline(self) -> str:
        """Publisher and authors as one line, e.g. ``The Associated Press
        (Albert Aji and Daria Litvinova)``; empty when neither is known."""
        who = (
            " and ".join(self.authors)
            if len(self.authors) <= 2
            else (", ".join(self.authors[:-1]) + " and " + self.authors[-1])
        )
        if self.publisher and who:
            return f"{self.publisher} ({who})"
        return self.publisher or who


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A corpus file (or one line of a ``.jsonl`` file) that was not loaded."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(slots=True)
class Corpus:
    """What loading a corpus folder gave: the articles, and what failed."""

    articles: list[Article] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer:
    """One sentence of the corpus offered as an answer."""

    text: str
    """The sentence exactly as the corpus has it."""
    article: Article
    paragraph: int
    """Body paragraph number from 1; 0 for the title or byline."""
    sentence: int | None
    """Index of the sentence in the index; None for an answer from the
    title or byline, which are not sentences of the index."""
    score: float
    matched: frozenset[str] = frozenset()
    """Index terms of the question that the sentence contains."""


class Reason(StrEnum):
    """Why a question was declined."""

    NO_CONTENT = "no-content"
    """The question asks nothing: no content word left, or only greetings
    and acknowledgements ("hi", "thanks!")."""
    NO_MATCH = "no-match"
    """No sentence shares anything with the question."""
    NOT_COVERED = "not-covered"
    """The best sentence does not hold enough of the question (coverage, or
    meaning with embeddings) to count as its answer."""
    CLOSE = "close"
    """Not answered: the engine's own rule would have answered, the
    answerability decider doubts it; the best sentence is quoted as the
    closest the story comes (``judge.answerability``)."""


@dataclass(frozen=True, slots=True)
class Result:
    """The engine's reply to one question."""

    question: str
    answered: bool
    answers: tuple[Answer, ...]
    """Best first.  When ``answered`` is false these are the closest
    sentences, for inspection, not answers."""
    took_ms: float
    reason: Reason | None = None
    """Why the question was declined (None when answered)."""
    context: Answer | None = None
    """The sentence just before the best one, when the best one depends on
    it ("He helped seize key cities" needs to say who "he" is)."""
    confidence: float = 0.0
    """The probability, as the engine judges it, that the first answer
    answers the question (0 to 1): the answerability decider's when it
    decides, else the engine's own confidence capped to 0-1."""

    def shown(self) -> tuple[Answer, ...]:
        """The sentences worth showing a reader, in the order shown: the one
        the best depends on (``context``), the best, and the second best when
        it scores nearly as well and is another sentence (it adds something,
        rather than repeating less well).  Empty when declined."""
        if not self.answered or not self.answers:
            return ()
        best = self.answers[0]
        out: tuple[Answer, ...] = (best,) if self.context is None else (self.context, best)
        if best.paragraph and len(self.answers) > 1:
            second = self.answers[1]
            if second.score >= SECOND_ANSWER_RATIO * best.score and second.text not in {a.text for a in out}:
                out += (second,)
        return out

    @property
    def answers_shown(self) -> int:
        """How many of ``answers`` a reply shows (the next best comes after)."""
        shown = self.shown()
        return len(shown) - (1 if self.context is not None and shown else 0)

    def passages(self) -> list[tuple[Answer, ...]]:
        """``shown`` in runs of sentences that follow each other in one
        paragraph: each run is quoted together, under one source line."""
        runs: list[tuple[Answer, ...]] = []
        for answer in self.shown():
            last = runs[-1][-1] if runs else None
            if (
                last is not None
                and last.article is answer.article
                and last.paragraph == answer.paragraph
                and last.sentence is not None
                and answer.sentence == last.sentence + 1
            ):
                runs[-1] += (answer,)
            else:
                runs.append((answer,))
        return runs


class Judged(NamedTuple):
    """``Engine._judged``'s candidates and, when the judge decides, its decision."""

    ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]
    answered: bool | None = None
    confidence: float = 0.0
