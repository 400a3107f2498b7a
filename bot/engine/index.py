"""The sentence index: every sentence of the corpus, scored with BM25.

A sentence's score for a question is its own BM25 score plus a share of
the BM25 score of the paragraph it stands in.  The paragraph says what the
sentence is about when the sentence itself says "he" or "the visit": on the
SQuAD benchmark this context is worth several points of P@1 (see
``benchmarks/README.md``).

Scoring choices, and why:

* BM25Plus idf (``log((N + 1) / n)``), not BM25Okapi's.  Okapi's idf goes to
  zero or below for a term in half the documents, and rank-bm25 floors it to
  a quarter of the average idf: on the story (a few dozen sentences, most
  about Putin, Assad and Syria) the very names readers ask about would count
  for nothing.  BM25Plus keeps every term's idf positive and ordered by
  rarity.  Its ``delta`` adds the same amount to every sentence of a
  question, so it cannot change a ranking and is left out of the scores.
* ``k1 = 1.2`` and ``b = 0.75`` for sentences, the usual values; sentences
  are short, so term frequency saturates early anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.engine.bm25 import SparseBM25, Variant
from bot.engine.models import Article
from bot.engine.sentences import split_sentences
from bot.engine.tokens import tokenize


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """How sentences are scored and ranked (defaults are the engine's choice;
    the benchmarks switch parts off to measure them)."""

    variant: Variant = "plus"
    k1: float = 1.2
    b: float = 0.75
    paragraph_weight: float = 0.5
    """How much of the paragraph's BM25 score each of its sentences gets."""
    rerank_depth: int = 50
    """How many of the best BM25 sentences the cheap features re-rank."""
    phrase_weight: float = 0.5
    """Bonus per question phrase (two consecutive terms) found in a sentence,
    times the phrase's mean idf."""
    type_weight: float = 0.2
    """Relative bonus for a sentence holding the kind of thing the question
    asks for (a date for "when", a number for "how many", …)."""
    semantic_weight: float = 0.5
    """Share of the embedding's cosine similarity in a sentence's final score
    (the rest is its BM25 score, re-ranked and divided by the best one's);
    used when the sentence encoder is installed."""
    semantic_norm: str = "query"
    """How BM25 scores are scaled before adding cosine similarity: "max"
    divides by the best candidate's; "query" by what a perfect lexical
    match would score, so that weak lexical evidence counts for little."""
    semantic_depth: int = 20
    """How many sentences nearest the question in meaning join BM25's
    candidates (when every sentence is embedded)."""
    semantic_eager_max: int = 20_000
    """Embed every sentence at build time up to this many sentences; above,
    embed BM25's candidates on demand."""
    spelling: bool = True
    """Match misspelled names to the corpus's names."""
    related: bool = True
    """Let a word meet its related forms ("Syria" / "Syrian")."""


class SentenceIndex:
    """All sentences of a set of articles, with their BM25 scorers."""

    def __init__(self, articles: Sequence[Article], config: IndexConfig | None = None) -> None:
        if not articles:
            raise ValueError("an index needs at least one article")
        self.config = config or IndexConfig()
        self.articles: tuple[Article, ...] = tuple(articles)

        sent_article: list[int] = []
        sent_paragraph: list[int] = []
        sent_para_global: list[int] = []
        spans: list[tuple[int, int]] = []
        sent_tokens: list[list[str]] = []
        para_tokens: list[list[str]] = []
        para_article: list[int] = []
        para_first_sentence: list[int] = []
        for a_idx, article in enumerate(self.articles):
            for p_no, paragraph in enumerate(article.paragraphs, start=1):
                p_global = len(para_tokens)
                para_first_sentence.append(len(spans))
                tokens_here: list[str] = []
                for start, end in split_sentences(paragraph):
                    toks = tokenize(paragraph[start:end])
                    sent_tokens.append(toks)
                    tokens_here.extend(toks)
                    spans.append((start, end))
                    sent_article.append(a_idx)
                    sent_paragraph.append(p_no)
                    sent_para_global.append(p_global)
                para_tokens.append(tokens_here)
                para_article.append(a_idx)
        if not spans:
            raise ValueError("the articles have no sentences")
        para_first_sentence.append(len(spans))

        self.sent_article = np.asarray(sent_article, dtype=np.int32)
        self.sent_paragraph = np.asarray(sent_paragraph, dtype=np.int32)
        self.sent_para = np.asarray(sent_para_global, dtype=np.int32)
        self.spans = spans
        self.sent_terms: list[frozenset[str]] = [frozenset(t) for t in sent_tokens]
        self.para_article = np.asarray(para_article, dtype=np.int32)
        self.para_first_sentence = np.asarray(para_first_sentence, dtype=np.int32)

        cfg = self.config
        self.sentences = SparseBM25(sent_tokens, variant=cfg.variant, k1=cfg.k1, b=cfg.b)
        self.paragraphs = SparseBM25(para_tokens, variant=cfg.variant, k1=cfg.k1, b=cfg.b)

    # -- sizes and text ------------------------------------------------------

    @property
    def n_sentences(self) -> int:
        return len(self.spans)

    @property
    def n_paragraphs(self) -> int:
        return len(self.para_article)

    def article_of(self, sentence: int) -> Article:
        return self.articles[int(self.sent_article[sentence])]

    def paragraph_text(self, sentence: int) -> str:
        article = self.article_of(sentence)
        return article.paragraphs[int(self.sent_paragraph[sentence]) - 1]

    def sentence_text(self, sentence: int) -> str:
        start, end = self.spans[sentence]
        return self.paragraph_text(sentence)[start:end]

    def paragraph_sentences(self, sentence: int) -> range:
        """Indices of all sentences in the same paragraph as ``sentence``."""
        p = int(self.sent_para[sentence])
        return range(int(self.para_first_sentence[p]), int(self.para_first_sentence[p + 1]))

    def position_in_paragraph(self, sentence: int) -> int:
        """0 for a paragraph's first sentence, 1 for its second, …"""
        return sentence - int(self.para_first_sentence[int(self.sent_para[sentence])])

    # -- scoring -------------------------------------------------------------

    def scores(self, terms: Mapping[str, float]) -> npt.NDArray[np.float64]:
        """Every sentence's score for question terms weighted by ``terms``
        (1.0 for the question's own words, less for words borrowed from an
        earlier question or guessed from a misspelling)."""
        sent = np.zeros(self.n_sentences, dtype=np.float64)
        para = np.zeros(self.n_paragraphs, dtype=np.float64)
        for term, weight in terms.items():
            self.sentences.add_scores(sent, [term], weight)
            self.paragraphs.add_scores(para, [term], weight)
        if self.config.paragraph_weight:
            sent += self.config.paragraph_weight * para[self.sent_para]
        return sent

    def top(self, terms: Mapping[str, float], k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences (ids, scores), best first; only sentences
        with a positive score."""
        scores = self.scores(terms)
        k = min(k, len(scores))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cand = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        # Stable: equal scores keep corpus order (earlier sentences first).
        order = cand[np.lexsort((cand, -scores[cand]))]
        order = order[scores[order] > 0]
        return order.astype(np.int64), scores[order]

    def idf(self, term: str) -> float:
        """How rare ``term`` is among sentences; terms the corpus never uses
        count as rarer than any it does."""
        value = self.sentences.idf_of(term)
        return self.sentences.unseen_idf() if value is None else value

    def knows(self, term: str) -> bool:
        return term in self.sentences.vocab
