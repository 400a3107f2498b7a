"""Building a sentence index from articles: split, tokenize, index.

Built for throughput (a million sentences is a normal corpus): each distinct
word is analysed once (``tokens.word_term``) and mapped to a term id by one
dictionary look-up; sentences and paragraphs share one list of term ids and
one vocabulary; everything after that is numpy.

An earlier index's sentences can be taken over (``Reusable``): every article
it had unchanged (known by the sha256 of its paragraphs) keeps its sentences
and terms, and only the changed articles are split and tokenized again.  The
result scores exactly as a fresh build.
"""

from __future__ import annotations

import array
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.engine.index.bm25 import SparseBM25
from bot.engine.index.config import IndexConfig
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.models import Article
from bot.engine.text.sentences import split_sentences
from bot.engine.text.tokens import word_term, words


def article_digest(article: Article) -> bytes:
    """sha256 of an article's paragraphs: what its sentences and terms are
    made from (titles and bylines are not indexed)."""
    h = hashlib.sha256(len(article.paragraphs).to_bytes(8, "little"))
    for paragraph in article.paragraphs:
        data = paragraph.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


@dataclass(frozen=True, slots=True)
class Reusable:
    """What an earlier index knows of its articles' sentences, so that a new
    index over a corpus where most articles are unchanged splits and
    tokenizes only the changed ones (``build_index(..., reuse=)``)."""

    articles: dict[bytes, int]
    """Article digest -> the article's number in the earlier index."""
    article_first_sentence: npt.NDArray[np.int64]
    sent_paragraph: npt.NDArray[np.int32]
    span_start: npt.NDArray[np.int32]
    span_end: npt.NDArray[np.int32]
    token_offsets: npt.NDArray[np.int64]
    """Where each sentence's terms begin in ``term_ids`` (one more entry)."""
    term_ids: npt.NDArray[np.int32]
    vocabulary: Sequence[str]

    @classmethod
    def of(
        cls,
        digests: npt.NDArray[np.uint8],
        sent_article: npt.NDArray[np.int32],
        sent_paragraph: npt.NDArray[np.int32],
        span_start: npt.NDArray[np.int32],
        span_end: npt.NDArray[np.int32],
        sent_len: npt.NDArray[np.int64],
        term_ids: npt.NDArray[np.int32],
        vocabulary: Sequence[str],
    ) -> Reusable:
        """From an index's arrays; ``ValueError`` when they do not fit."""
        n_articles, n = len(digests), len(sent_article)
        if (
            digests.ndim != 2
            or digests.shape[1] != 32
            or any(len(a) != n for a in (sent_paragraph, span_start, span_end, sent_len))
            or (n and (int(sent_article.min()) < 0 or int(sent_article.max()) >= n_articles))
            or np.any(np.diff(sent_article) < 0)
            or int(sent_len.sum()) != len(term_ids)
            or (len(term_ids) and (int(term_ids.min()) < 0 or int(term_ids.max()) >= len(vocabulary)))
        ):
            raise ValueError("the earlier index's arrays do not fit together")
        first = np.searchsorted(sent_article, np.arange(n_articles + 1)).astype(np.int64)
        return cls(
            articles={bytes(d): i for i, d in enumerate(digests)},
            article_first_sentence=first,
            sent_paragraph=sent_paragraph,
            span_start=span_start,
            span_end=span_end,
            token_offsets=np.concatenate(([0], np.cumsum(sent_len, dtype=np.int64))),
            term_ids=term_ids,
            vocabulary=vocabulary,
        )


def reusable(index: SentenceIndex) -> Reusable:
    """``index``'s sentences, for a later index to take over."""
    return Reusable.of(
        index.digests,
        index.sent_article,
        index.sent_paragraph,
        index.span_start,
        index.span_end,
        index.sentences.doc_len,
        index.term_ids,
        index.vocabulary(),
    )


def build_index(
    articles: Sequence[Article],
    config: IndexConfig | None = None,
    *,
    digests: Sequence[bytes] | None = None,
    reuse: Reusable | None = None,
) -> SentenceIndex:
    """Index ``articles``.  ``digests``: their ``article_digest``s, when
    already computed.  ``reuse``: an earlier index's sentences, taken for
    every article it had unchanged instead of splitting and tokenizing it
    again (the result scores exactly as a fresh build)."""
    if not articles:
        raise ValueError("an index needs at least one article")
    config = config or IndexConfig()
    articles = tuple(articles)
    found = [article_digest(a) for a in articles] if digests is None else list(digests)
    if len(found) != len(articles):
        raise ValueError("one digest per article")
    digest_array = np.frombuffer(b"".join(found), dtype=np.uint8).reshape(len(found), 32).copy()
    sentences = _Sentences(reuse)
    for a_idx, article in enumerate(articles):
        old = reuse.articles.get(bytes(digest_array[a_idx])) if reuse is not None else None
        if old is not None:
            sentences.take_over(a_idx, old, len(article.paragraphs))
        else:
            sentences.split(a_idx, article)
    return sentences.index(articles, config, digest_array)


class _Sentences:
    """Every sentence's word ids and place, gathered article by article.

    The ids are in typed arrays, not lists, so that numpy takes them without
    a long pass that holds the GIL (the event loop runs beside a build; see
    tests/test_loop_lag.py)."""

    def __init__(self, reuse: Reusable | None) -> None:
        self.vocab: dict[str, int] = {}
        self.word_ids: dict[str, int] = {}
        """A word as found -> term id, -1 for a stop word."""
        self.flat = array.array("q")
        """Every sentence's word ids, stop words as -1."""
        self.ends = array.array("q")
        """Where each sentence's ids end in ``flat``."""
        self.sent_article = array.array("i")
        self.sent_paragraph = array.array("i")
        self.span_start = array.array("i")
        self.span_end = array.array("i")
        self.para_article = array.array("i")
        self.para_first_sentence = array.array("i")
        self.reuse = reuse
        self.reused_articles = 0
        self.new_ids = np.full(len(reuse.vocabulary) if reuse is not None else 0, -1, dtype=np.int64)
        """An earlier index's term id -> this one's (-1: not met yet)."""

    def _learn(self, word: str) -> int:
        found = word_term(word)
        tid = self.vocab.setdefault(found, len(self.vocab)) if found else -1
        self.word_ids[word] = tid
        return tid

    def split(self, a_idx: int, article: Article) -> None:
        """Split and tokenize ``article``, the ``a_idx``-th."""
        get = self.word_ids.get
        for p_no, paragraph in enumerate(article.paragraphs, start=1):
            self.para_first_sentence.append(len(self.span_start))
            self.para_article.append(a_idx)
            for start, end in split_sentences(paragraph):
                found = words(paragraph[start:end])
                ids = [get(w, -2) for w in found]
                if -2 in ids:
                    ids = [self._learn(w) if i == -2 else i for w, i in zip(found, ids, strict=True)]
                self.flat.extend(ids)
                self.ends.append(len(self.flat))
                self.span_start.append(start)
                self.span_end.append(end)
                self.sent_article.append(a_idx)
                self.sent_paragraph.append(p_no)

    def take_over(self, a_idx: int, old: int, n_paragraphs: int) -> None:
        """The earlier index's article ``old``, unchanged, as the ``a_idx``-th."""
        reuse = self.reuse
        assert reuse is not None
        new_ids = self.new_ids
        lo, hi = int(reuse.article_first_sentence[old]), int(reuse.article_first_sentence[old + 1])
        start, stop = int(reuse.token_offsets[lo]), int(reuse.token_offsets[hi])
        old_ids = reuse.term_ids[start:stop]
        distinct = np.unique(old_ids)
        for tid in distinct[new_ids[distinct] < 0].tolist():
            new_ids[tid] = self.vocab.setdefault(reuse.vocabulary[tid], len(self.vocab))
        base = len(self.flat)
        self.flat.frombytes(new_ids[old_ids].tobytes())
        self.ends.frombytes((reuse.token_offsets[lo + 1 : hi + 1] - start + base).tobytes())
        paragraphs = reuse.sent_paragraph[lo:hi]
        first = len(self.span_start)
        for p_no in range(1, n_paragraphs + 1):
            self.para_first_sentence.append(first + int(np.searchsorted(paragraphs, p_no)))
            self.para_article.append(a_idx)
        self.span_start.frombytes(reuse.span_start[lo:hi].tobytes())
        self.span_end.frombytes(reuse.span_end[lo:hi].tobytes())
        self.sent_paragraph.frombytes(paragraphs.tobytes())
        self.sent_article.frombytes(np.full(hi - lo, a_idx, dtype=np.int32).tobytes())
        self.reused_articles += 1

    def index(
        self, articles: tuple[Article, ...], config: IndexConfig, digests: npt.NDArray[np.uint8]
    ) -> SentenceIndex:
        """The index of the sentences gathered: their layout, and both BM25s
        (a paragraph's terms are its sentences' terms, in the same order)."""
        if not self.span_start:
            raise ValueError("the articles have no sentences")
        self.para_first_sentence.append(len(self.span_start))
        layout = {
            name: np.frombuffer(getattr(self, name), dtype=np.int32).copy()
            for name in ("sent_article", "sent_paragraph", "span_start", "span_end", "para_article")
        }
        para_first = layout["para_first_sentence"] = np.frombuffer(self.para_first_sentence, dtype=np.int32).copy()
        sentences_per_para = np.diff(para_first)
        layout["sent_para"] = np.repeat(np.arange(len(self.para_article), dtype=np.int32), sentences_per_para)
        term_ids, sent_len = self._terms()
        sent_total = np.concatenate(([0], np.cumsum(sent_len, dtype=np.int64)))
        para_len = sent_total[para_first[1:]] - sent_total[para_first[:-1]]
        kept_ids = term_ids.astype(np.int32)
        variant, k1, b = config.variant, config.k1, config.b
        return SentenceIndex(
            articles,
            config,
            layout=layout,
            term_ids=kept_ids,
            digests=digests,
            sentences=SparseBM25.from_term_ids(self.vocab, term_ids, sent_len, variant=variant, k1=k1, b=b),
            paragraphs=SparseBM25.from_term_ids(self.vocab, term_ids, para_len, variant=variant, k1=k1, b=b),
            reused_articles=self.reused_articles,
        )

    def _terms(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Every sentence's terms, one sentence after the other (stop words
        gone), and each sentence's number of terms."""
        all_ids = np.frombuffer(self.flat, dtype=np.int64).copy()
        self.flat = array.array("q")  # its memory back before the BM25 arrays are built
        kept = all_ids >= 0
        # (cast first: a cumulative sum that casts as it goes holds the GIL)
        counted = np.concatenate(([0], np.cumsum(kept.astype(np.int64))))
        bounds = np.concatenate(([0], np.frombuffer(self.ends, dtype=np.int64)))
        sent_len = counted[bounds[1:]] - counted[bounds[:-1]]
        term_ids = all_ids[kept]
        return term_ids, sent_len
