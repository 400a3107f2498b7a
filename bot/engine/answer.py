"""Answering a question from the index, or declining it honestly.

The steps, for one question:

1. The question's content words become index terms (``tokens.tokenize``).
   None left ("hi there", "ok", "!!!") -> declined.
2. Words the corpus never uses are matched to its vocabulary by edit
   distance when they look like a misspelling ("Solemani" -> "soleimani").
3. Questions about the story itself ("who wrote this?", "which outlet
   published it?", "what's the headline?", "what is the story about?") are
   answered from the article's title, byline and lead.
4. Otherwise the sentences are ranked (``index.SentenceIndex``) and the best
   one is checked: does it (with its paragraph's preceding sentence and its
   article's title) contain most of the question's weight?  Each question
   word weighs its idf, and words the corpus never uses weigh as much as the
   rarest word it has, so "What is Assad's favourite football team?" -- which
   shares only "Assad" with the story -- covers little of its weight and is
   declined, while "Where did Putin and Assad meet?" is answered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.engine.corpus import CorpusError, load_corpus
from bot.engine.index import IndexConfig, SentenceIndex
from bot.engine.models import Answer, Article, Corpus, LoadFailure, Result
from bot.engine.tokens import normalize, tokenize

MIN_COVERAGE = 0.5
"""Share of the question's weight the best sentence must contain to count as
an answer.  Chosen on the story question set (benchmarks/story.py): the
declined off-topic questions cover under a quarter, answerable ones mostly
over two thirds; 0.5 sits in the gap."""

FOLLOW_UP_WEIGHT = 0.5
"""Weight of an earlier question's words when a follow-up is asked."""

SPELLING_WEIGHT = 0.8
"""Weight of a word guessed from a misspelling."""


# Words that ask about the article rather than its content.
_META_GENERIC = frozenset(tokenize("story article piece news source text"))
_META_AUTHOR = frozenset(tokenize("wrote write writer writers author authors authored reporter reporters journalist journalists byline credit"))
_META_PUBLISHER = frozenset(tokenize("published publisher publish outlet agency newspaper paper"))
_META_TITLE = frozenset(tokenize("title headline"))
_META_SUMMARY = frozenset(tokenize("summary summarize summarise gist tldr overview happened main point"))
_META_ALL = _META_GENERIC | _META_AUTHOR | _META_PUBLISHER | _META_TITLE | _META_SUMMARY


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """A question's terms with their weights in scoring and in coverage."""

    weights: dict[str, float]
    own: frozenset[str]
    """Terms of the question itself (not of an earlier one)."""
    corrections: dict[str, str]
    """Misspelled term -> corpus term it was taken for."""


class Engine:
    """Answers questions from one corpus.  Immutable once built: a reload
    builds a new Engine and swaps it in."""

    def __init__(self, corpus: Corpus, config: IndexConfig | None = None) -> None:
        if not corpus.articles:
            raise CorpusError(_empty_message(corpus.failures))
        self.corpus = corpus
        self.index = SentenceIndex(corpus.articles, config)
        self._vocab_list: list[str] | None = None

    @classmethod
    def from_folder(cls, folder: str | Path, config: IndexConfig | None = None) -> Engine:
        """Load and index a corpus folder; ``CorpusError`` when nothing loads."""
        corpus = load_corpus(folder)
        if not corpus.articles:
            raise CorpusError(f"corpus folder {str(folder)!r}: " + _empty_message(corpus.failures))
        return cls(corpus, config)

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.index.articles

    @property
    def failures(self) -> list[LoadFailure]:
        return self.corpus.failures

    # -- the question -------------------------------------------------------

    def query_terms(self, question: str, previous: str | None = None) -> QueryTerms:
        weights: dict[str, float] = {}
        corrections: dict[str, str] = {}
        for term in tokenize(question):
            if term in weights:
                continue
            if not self.index.knows(term):
                fixed = self._correct(term)
                if fixed is not None:
                    corrections[term] = fixed
                    weights.setdefault(fixed, SPELLING_WEIGHT)
                    continue
            weights[term] = 1.0
        own = frozenset(weights)
        if previous:
            for term in tokenize(previous):
                if self.index.knows(term):
                    weights.setdefault(term, FOLLOW_UP_WEIGHT)
        return QueryTerms(weights, own, corrections)

    def _correct(self, term: str) -> str | None:
        """The corpus term that ``term`` is most likely a misspelling of."""
        if len(term) < 4 or not term.isalpha():
            return None
        if self._vocab_list is None:
            self._vocab_list = list(self.index.sentences.vocab)
        max_dist = 1 if len(term) <= 5 else 2
        hits = process.extract(
            term, self._vocab_list, scorer=Levenshtein.distance, score_cutoff=max_dist, limit=8
        )
        if not hits:
            return None
        df = self.index.sentences.df
        vocab = self.index.sentences.vocab
        # Closest first; among equals, the more common term.
        best = min(hits, key=lambda h: (h[1], -df[vocab[h[0]]]))
        return str(best[0])

    # -- answering ----------------------------------------------------------

    def ask(self, question: str, *, top: int = 3, previous: str | None = None) -> Result:
        """The best sentences for ``question``, and whether they answer it."""
        t0 = time.perf_counter()
        top = max(1, top)
        q = self.query_terms(question, previous)
        if not q.own:
            return self._result(question, False, (), t0, "no-content")

        meta = self._metadata_answers(question, q, top)
        if meta is not None:
            return self._result(question, True, meta, t0)

        ids, scores = self.rank(q, top)
        answers = tuple(self._answer(int(i), float(s), q) for i, s in zip(ids, scores, strict=True))
        if not answers:
            return self._result(question, False, (), t0, "no-match")
        if self.coverage(int(ids[0]), q) < MIN_COVERAGE:
            return self._result(question, False, answers, t0, "not-covered")
        return self._result(question, True, answers, t0)

    def rank(self, q: QueryTerms, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences for the question's terms, best first."""
        return self.index.top(q.weights, k)

    def coverage(self, sentence: int, q: QueryTerms) -> float:
        """Share of the question's own weight that ``sentence`` (with the
        sentence before it in its paragraph, and its article's title)
        contains."""
        context = set(self.index.sent_terms[sentence])
        if sentence > 0 and self.index.sent_para[sentence - 1] == self.index.sent_para[sentence]:
            context |= self.index.sent_terms[sentence - 1]
        context |= set(tokenize(self.index.article_of(sentence).title))
        total = found = 0.0
        for term in q.own:
            w = self.index.idf(term) * q.weights[term]
            total += w
            if term in context:
                found += w
        return found / total if total else 0.0

    def _answer(self, sentence: int, score: float, q: QueryTerms) -> Answer:
        return Answer(
            text=self.index.sentence_text(sentence),
            article=self.index.article_of(sentence),
            paragraph=int(self.index.sent_paragraph[sentence]),
            sentence=sentence,
            score=score,
            matched=frozenset(t for t in q.weights if t in self.index.sent_terms[sentence]),
        )

    def _result(
        self, question: str, answered: bool, answers: Sequence[Answer], t0: float, reason: str = ""
    ) -> Result:
        took = (time.perf_counter() - t0) * 1000.0
        return Result(question, answered, tuple(answers), took, reason)

    # -- questions about the article itself ----------------------------------

    def _metadata_answers(self, question: str, q: QueryTerms, top: int) -> tuple[Answer, ...] | None:
        if not q.own or not q.own <= _META_ALL:
            return None
        articles = self.articles[:top]
        text = normalize(question)
        out: list[Answer] = []
        for article in articles:
            answer: str | None
            if q.own & _META_AUTHOR:
                answer = article.credit or " and ".join(article.authors) or article.publisher
            elif q.own & _META_PUBLISHER and re.search(r"\bwhen\b", text):
                answer = article.published
            elif q.own & _META_PUBLISHER:
                answer = article.publisher
            elif q.own & _META_TITLE:
                answer = article.title
            else:  # what is it about: the title and the lead sentence
                first = self.index.paragraph_sentences(self._first_sentence(article))[0]
                out.append(self._answer(first, 1.0, q))
                continue
            if answer:
                out.append(Answer(answer, article, 0, -1, 1.0))
        return tuple(out) if out else None

    def _first_sentence(self, article: Article) -> int:
        a_idx = self.articles.index(article)
        return int(self.index.para_first_sentence[int((self.index.para_article == a_idx).argmax())])


def _empty_message(failures: Sequence[LoadFailure]) -> str:
    if not failures:
        return "no article found (add .txt, .md or .jsonl files)"
    shown = "; ".join(str(f) for f in failures[:5])
    more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
    return f"no article could be loaded: {shown}{more}"
