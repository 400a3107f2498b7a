"""The sentence index: every sentence of the corpus, where it stands, and its
BM25 scorers (one over sentences, one over paragraphs).

A sentence's score for a question is its own BM25 score plus a share of
the BM25 score of the paragraph it stands in (``IndexConfig``).  This module
holds the index and answers look-ups on it (a sentence's text, its
paragraph, its terms, a term's idf); ``build.py`` makes one from articles,
``cache.py`` saves and loads one, ``top.py`` finds the best sentences.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from bot.engine.index.bm25 import SparseBM25
from bot.engine.index.config import IndexConfig
from bot.engine.index.top import Buffers, top_sentences
from bot.engine.models import Article
from bot.engine.text.tokens import tokenize

LAYOUT_ARRAYS = (
    "sent_article",
    "sent_paragraph",
    "sent_para",
    "span_start",
    "span_end",
    "para_article",
    "para_first_sentence",
)
"""The arrays that place each sentence in its paragraph and article (saved
with the BM25 arrays by ``cache.py``)."""

TERMS_CACHE = 4096
"""Sentences whose set of terms is kept (see ``SentenceIndex.terms_of``)."""


class SentenceIndex:
    """All sentences of a set of articles, with their BM25 scorers (made by
    ``build.build_index`` or loaded by ``cache.IndexCache.load``)."""

    def __init__(
        self,
        articles: Sequence[Article],
        config: IndexConfig,
        *,
        layout: Mapping[str, npt.NDArray[np.int32]],
        term_ids: npt.NDArray[np.int32],
        digests: npt.NDArray[np.uint8],
        sentences: SparseBM25,
        paragraphs: SparseBM25,
        reused_articles: int = 0,
    ) -> None:
        """``layout``: the ``LAYOUT_ARRAYS`` by name; ``term_ids``: every
        sentence's terms, one sentence after the other; ``digests``: each
        article's ``build.article_digest``."""
        self.config = config
        self.articles: tuple[Article, ...] = tuple(articles)
        self.sent_article = layout["sent_article"]
        """Sentence -> its article's number."""
        self.sent_paragraph = layout["sent_paragraph"]
        """Sentence -> its paragraph's number in its article, from 1."""
        self.sent_para = layout["sent_para"]
        """Sentence -> its paragraph's number in the index, from 0."""
        self.span_start = layout["span_start"]
        self.span_end = layout["span_end"]
        """Where each sentence stands in its paragraph's text."""
        self.para_article = layout["para_article"]
        self.para_first_sentence = layout["para_first_sentence"]
        """Paragraph -> its first sentence (one more entry: the sentence count)."""
        self.term_ids = term_ids
        """Every sentence's terms, one sentence after the other (kept for
        ``build.reusable``)."""
        self.digests = digests
        self.sentences = sentences
        self.paragraphs = paragraphs
        self.reused_articles = reused_articles
        """Articles whose sentences were taken over from an earlier index."""
        self._local = threading.local()
        self._terms_lock = threading.Lock()
        self._terms: OrderedDict[int, frozenset[str]] = OrderedDict()

    # -- sizes and text ------------------------------------------------------

    @property
    def n_sentences(self) -> int:
        return len(self.span_start)

    @property
    def n_paragraphs(self) -> int:
        return len(self.para_article)

    @property
    def n_terms(self) -> int:
        return len(self.sentences.vocab)

    def article_of(self, sentence: int) -> Article:
        return self.articles[int(self.sent_article[sentence])]

    def sentence_text(self, sentence: int) -> str:
        paragraph = self.article_of(sentence).paragraphs[int(self.sent_paragraph[sentence]) - 1]
        return paragraph[int(self.span_start[sentence]) : int(self.span_end[sentence])]

    def span(self, sentence: int) -> tuple[int, int]:
        """Where the sentence stands in its paragraph's text."""
        return int(self.span_start[sentence]), int(self.span_end[sentence])

    def terms_of(self, sentence: int) -> frozenset[str]:
        """The sentence's terms (tokenized again when asked: a few sentences
        per question need them, and keeping a set for every sentence of a
        large corpus would cost more memory than the index itself)."""
        with self._terms_lock:
            found = self._terms.get(sentence)
            if found is not None:
                self._terms.move_to_end(sentence)
                return found
        found = frozenset(tokenize(self.sentence_text(sentence)))
        with self._terms_lock:
            self._terms[sentence] = found
            if len(self._terms) > TERMS_CACHE:
                self._terms.popitem(last=False)
        return found

    def paragraph_sentences(self, sentence: int) -> range:
        """Indices of all sentences in the same paragraph as ``sentence``."""
        p = int(self.sent_para[sentence])
        return range(int(self.para_first_sentence[p]), int(self.para_first_sentence[p + 1]))

    def position_in_paragraph(self, sentence: int) -> int:
        """0 for a paragraph's first sentence, 1 for its second, …"""
        return sentence - int(self.para_first_sentence[int(self.sent_para[sentence])])

    def vocabulary(self) -> list[str]:
        """The terms in id order."""
        terms = [""] * len(self.sentences.vocab)
        for t, i in self.sentences.vocab.items():
            terms[i] = t
        return terms

    # -- terms ---------------------------------------------------------------

    def knows(self, term: str) -> bool:
        return term in self.sentences.vocab

    def idf(self, term: str) -> float:
        """How rare ``term`` is among sentences; terms the corpus never uses
        count as rarer than any it does (``unseen_idf``)."""
        value = self.sentences.idf_of(term)
        return self.unseen_idf() if value is None else value

    # A word the corpus never uses has no idf of its own, and two parts of
    # the engine give it one, for two purposes.  They are two values on
    # purpose: making either the other moves measured figures (below), so
    # both stay as they were tuned, defined side by side here.

    def unseen_idf(self) -> float:
        """For scoring: the BM25Plus idf of a term in half a sentence,
        ``log((N + 1) / 0.5)``, rarer than any term the corpus has.  Used by
        ``idf`` and by the lexical score a perfect match would have
        (``rank.Ranker._ideal_score``), which scales BM25 before it is fused
        with cosine similarity.  With ``missing_word_idf`` there instead,
        SQuAD dev's R@5 drops from 0.9006 to 0.9005 (P@1 and MRR and the
        story set unchanged)."""
        return self.sentences.unseen_idf()

    def missing_word_idf(self) -> float:
        """For coverage (``rank.Ranker.coverage``): the idf of a term in a
        single sentence, ``log(N + 1)``, as rare as a corpus term can be: a
        question word the corpus lacks weighs as much as its rarest word, so
        "What is Assad's favourite football team?" covers little of its
        weight and is declined.  With ``unseen_idf`` here instead, the
        missing word weighs more and more questions are declined: on the
        story set with BM25 alone, P@1 0.276 -> 0.224 and answerable
        questions declined 0.655 -> 0.724 (with embeddings unchanged)."""
        return math.log(self.sentences.n_docs + 1)

    # -- scoring -------------------------------------------------------------

    def top(
        self, terms: Mapping[str, float], k: int, paragraph_weight: float | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences (ids, scores), best first; only sentences
        with a positive score (``top.top_sentences``).  ``paragraph_weight``
        (default: the config's) 0 ranks by the sentence's own BM25 alone."""
        return top_sentences(self, terms, k, paragraph_weight)

    def scratch(self) -> Buffers:
        """This thread's scoring buffers for this index (zero between questions)."""
        found: Buffers | None = getattr(self._local, "buffers", None)
        if found is None:
            found = self._local.buffers = Buffers(self.n_sentences, self.n_paragraphs)
        return found
