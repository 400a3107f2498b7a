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

import array
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.engine.bm25 import SparseBM25, Variant
from bot.engine.models import Article
from bot.engine.sentences import split_sentences
from bot.engine.tokens import tokenize, word_term, words


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
    semantic_lazy_depth: int = 20
    """Above ``semantic_eager_max``: how many of the best BM25 candidates are
    embedded (on demand) and re-ranked by meaning; the others follow them in
    BM25's order."""
    spelling: bool = True
    """Match misspelled names to the corpus's names."""
    related: bool = True
    """Let a word meet its related forms ("Syria" / "Syrian")."""


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
with the BM25 arrays by ``bot/engine/cache.py``)."""

TERMS_CACHE = 4096
"""Sentences whose set of terms is kept (see ``SentenceIndex.terms_of``)."""


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
    tokenizes only the changed ones (``SentenceIndex(..., reuse=)``)."""

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


class _Buffers:
    """Scratch space for one thread's questions (zero between questions)."""

    def __init__(self, n_sentences: int, n_paragraphs: int) -> None:
        self.sent = np.zeros(n_sentences, dtype=np.float32)
        self.para = np.zeros(n_paragraphs, dtype=np.float32)


FLOOR_POSTINGS = 10_000
"""``SentenceIndex.top`` scores up to this many of the shortest postings
first, to learn a floor for the k-th best score."""


def _best(
    ids: npt.NDArray[Any], scores: npt.NDArray[np.float32], k: int, repeats: int = 1
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float32]]:
    """The ``k`` best distinct ids (unordered), where ``ids`` may hold an
    id up to ``repeats`` times (always with the same score)."""
    if len(ids) > k * repeats:  # the k best ids are among the k × repeats best entries
        best = np.argpartition(-scores, k * repeats - 1)[: k * repeats]
        ids, scores = ids[best], scores[best]
    ids, first = np.unique(ids, return_index=True)
    scores = scores[first]
    if len(ids) > k:
        best = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[best], scores[best]
    return ids, scores


class SentenceIndex:
    """All sentences of a set of articles, with their BM25 scorers."""

    def __init__(
        self,
        articles: Sequence[Article],
        config: IndexConfig | None = None,
        *,
        digests: Sequence[bytes] | None = None,
        reuse: Reusable | None = None,
    ) -> None:
        """Index ``articles``.  ``digests``: their ``article_digest``s, when
        already computed.  ``reuse``: an earlier index's sentences, taken for
        every article it had unchanged instead of splitting and tokenizing
        it again (the result scores exactly as a fresh build)."""
        if not articles:
            raise ValueError("an index needs at least one article")
        self.config = config or IndexConfig()
        self.articles: tuple[Article, ...] = tuple(articles)
        found = [article_digest(a) for a in self.articles] if digests is None else list(digests)
        if len(found) != len(self.articles):
            raise ValueError("one digest per article")
        self.digests = np.frombuffer(b"".join(found), dtype=np.uint8).reshape(len(found), 32).copy()
        self.reused_articles = 0
        self._build(reuse)
        self._setup()

    def _build(self, reuse: Reusable | None = None) -> None:
        """Split, tokenize and index every sentence.

        Built for throughput (a million sentences is a normal corpus): each
        distinct word is analysed once (``tokens.word_term``) and mapped to a
        term id by one dictionary look-up; sentences and paragraphs share
        one list of term ids and one vocabulary; everything after that is
        numpy."""
        vocab: dict[str, int] = {}
        word_ids: dict[str, int] = {}  # a word as found -> term id, -1 for a stop word

        def learn(word: str) -> int:
            found = word_term(word)
            tid = vocab.setdefault(found, len(vocab)) if found else -1
            word_ids[word] = tid
            return tid

        # Every sentence's word ids, stop words as -1: a typed array, not a
        # list, so that numpy takes it without a long pass that holds the GIL
        # (the event loop runs beside a build; see tests/test_loop_lag.py).
        flat = array.array("q")
        ends = array.array("q")  # where each sentence's ids end in ``flat``
        sent_article = array.array("i")
        sent_paragraph = array.array("i")
        span_start = array.array("i")
        span_end = array.array("i")
        para_article = array.array("i")
        para_first_sentence = array.array("i")
        get = word_ids.get
        # An earlier index's term id -> this one's (-1: not met yet).
        new_ids = np.full(len(reuse.vocabulary) if reuse is not None else 0, -1, dtype=np.int64)

        def reused(a_idx: int, old: int) -> None:
            assert reuse is not None
            lo, hi = int(reuse.article_first_sentence[old]), int(reuse.article_first_sentence[old + 1])
            start, stop = int(reuse.token_offsets[lo]), int(reuse.token_offsets[hi])
            old_ids = reuse.term_ids[start:stop]
            distinct = np.unique(old_ids)
            for tid in distinct[new_ids[distinct] < 0].tolist():
                new_ids[tid] = vocab.setdefault(reuse.vocabulary[tid], len(vocab))
            base = len(flat)
            flat.frombytes(new_ids[old_ids].tobytes())
            ends.frombytes((reuse.token_offsets[lo + 1 : hi + 1] - start + base).tobytes())
            paragraphs = reuse.sent_paragraph[lo:hi]
            first = len(span_start)
            for p_no in range(1, len(self.articles[a_idx].paragraphs) + 1):
                para_first_sentence.append(first + int(np.searchsorted(paragraphs, p_no)))
                para_article.append(a_idx)
            span_start.frombytes(reuse.span_start[lo:hi].tobytes())
            span_end.frombytes(reuse.span_end[lo:hi].tobytes())
            sent_paragraph.frombytes(paragraphs.tobytes())
            sent_article.frombytes(np.full(hi - lo, a_idx, dtype=np.int32).tobytes())

        for a_idx, article in enumerate(self.articles):
            old = reuse.articles.get(bytes(self.digests[a_idx])) if reuse is not None else None
            if old is not None:
                reused(a_idx, old)
                self.reused_articles += 1
                continue
            for p_no, paragraph in enumerate(article.paragraphs, start=1):
                para_first_sentence.append(len(span_start))
                para_article.append(a_idx)
                for start, end in split_sentences(paragraph):
                    found = words(paragraph[start:end])
                    ids = [get(w, -2) for w in found]
                    if -2 in ids:
                        ids = [learn(w) if i == -2 else i for w, i in zip(found, ids, strict=True)]
                    flat.extend(ids)
                    ends.append(len(flat))
                    span_start.append(start)
                    span_end.append(end)
                    sent_article.append(a_idx)
                    sent_paragraph.append(p_no)
        if not span_start:
            raise ValueError("the articles have no sentences")
        para_first_sentence.append(len(span_start))

        self.sent_article = np.frombuffer(sent_article, dtype=np.int32).copy()
        self.sent_paragraph = np.frombuffer(sent_paragraph, dtype=np.int32).copy()
        self.span_start = np.frombuffer(span_start, dtype=np.int32).copy()
        self.span_end = np.frombuffer(span_end, dtype=np.int32).copy()
        self.para_article = np.frombuffer(para_article, dtype=np.int32).copy()
        self.para_first_sentence = np.frombuffer(para_first_sentence, dtype=np.int32).copy()
        sentences_per_para = np.diff(self.para_first_sentence)
        self.sent_para = np.repeat(np.arange(len(para_article), dtype=np.int32), sentences_per_para)

        all_ids = np.frombuffer(flat, dtype=np.int64).copy()
        flat = array.array("q")  # its memory back before the BM25 arrays are built
        kept = all_ids >= 0
        # (cast first: a cumulative sum that casts as it goes holds the GIL)
        counted = np.concatenate(([0], np.cumsum(kept.astype(np.int64))))
        bounds = np.concatenate(([0], np.frombuffer(ends, dtype=np.int64)))
        sent_len = counted[bounds[1:]] - counted[bounds[:-1]]
        term_ids = all_ids[kept]
        del all_ids, kept, counted
        sent_total = np.concatenate(([0], np.cumsum(sent_len, dtype=np.int64)))
        para_len = sent_total[self.para_first_sentence[1:]] - sent_total[self.para_first_sentence[:-1]]

        self.term_ids = term_ids.astype(np.int32)
        """Every sentence's terms, one sentence after the other (kept for
        ``reusable``)."""
        cfg = self.config
        # A paragraph's terms are its sentences' terms, in the same order.
        self.sentences = SparseBM25.from_term_ids(vocab, term_ids, sent_len, variant=cfg.variant, k1=cfg.k1, b=cfg.b)
        self.paragraphs = SparseBM25.from_term_ids(vocab, term_ids, para_len, variant=cfg.variant, k1=cfg.k1, b=cfg.b)

    def _setup(self) -> None:
        self._local = threading.local()
        self._terms_lock = threading.Lock()
        self._terms: OrderedDict[int, frozenset[str]] = OrderedDict()

    # -- saving and loading (see ``bot/engine/cache.py``) --------------------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every array of the index, by name (the vocabulary aside)."""
        out: dict[str, npt.NDArray[Any]] = {name: getattr(self, name) for name in LAYOUT_ARRAYS}
        out["term_ids"] = self.term_ids
        out["digests"] = self.digests
        out.update({f"sent_{k}": v for k, v in self.sentences.arrays().items()})
        out.update({f"para_{k}": v for k, v in self.paragraphs.arrays().items()})
        return out

    def reusable(self) -> Reusable:
        """This index's sentences, for a later index to take over."""
        return Reusable.of(
            self.digests,
            self.sent_article,
            self.sent_paragraph,
            self.span_start,
            self.span_end,
            self.sentences.doc_len,
            self.term_ids,
            self.vocabulary(),
        )

    def vocabulary(self) -> list[str]:
        """The terms in id order."""
        terms = [""] * len(self.sentences.vocab)
        for t, i in self.sentences.vocab.items():
            terms[i] = t
        return terms

    @classmethod
    def from_arrays(
        cls,
        articles: Sequence[Article],
        config: IndexConfig | None,
        vocabulary: Sequence[str],
        arrays: Mapping[str, npt.NDArray[Any]],
    ) -> SentenceIndex:
        """The index that ``arrays()`` and ``vocabulary()`` describe, over the
        same ``articles``; ``ValueError`` when they do not fit (a damaged
        or foreign file is refused, never half-trusted)."""
        self = cls.__new__(cls)
        self.config = config or IndexConfig()
        self.articles = tuple(articles)
        try:
            for name in LAYOUT_ARRAYS:
                setattr(self, name, np.asarray(arrays[name], dtype=np.int32))
            self.term_ids = np.asarray(arrays["term_ids"], dtype=np.int32)
            self.digests = np.asarray(arrays["digests"], dtype=np.uint8)
            self.reused_articles = 0
            vocab = {t: i for i, t in enumerate(vocabulary)}
            if len(vocab) != len(vocabulary):
                raise ValueError("the vocabulary repeats a term")
            cfg = self.config
            params: dict[str, Any] = {"variant": cfg.variant, "k1": cfg.k1, "b": cfg.b}
            sent = {k[5:]: v for k, v in arrays.items() if k.startswith("sent_") and k not in LAYOUT_ARRAYS}
            para = {k[5:]: v for k, v in arrays.items() if k.startswith("para_") and k not in LAYOUT_ARRAYS}
            self.sentences = SparseBM25.from_arrays(vocab, sent, **params)
            self.paragraphs = SparseBM25.from_arrays(vocab, para, **params)
        except KeyError as exc:
            raise ValueError(f"missing array {exc}") from None
        self._check()
        self._setup()
        return self

    def _check(self) -> None:
        """The layout fits the articles and the BM25 arrays."""
        n, n_para = self.sentences.n_docs, self.paragraphs.n_docs
        lengths = np.asarray([len(a.paragraphs) for a in self.articles])
        para_len = np.asarray([len(p) for a in self.articles for p in a.paragraphs])
        if (
            any(len(getattr(self, k)) != n for k in LAYOUT_ARRAYS[:5])
            or len(self.para_article) != n_para
            or len(self.para_first_sentence) != n_para + 1
            or n_para != int(lengths.sum())
            or not np.array_equal(self.para_article, np.repeat(np.arange(len(self.articles)), lengths))
            or self.para_first_sentence[0] != 0
            or self.para_first_sentence[-1] != n
            or np.any(np.diff(self.para_first_sentence) < 0)
            or not np.array_equal(self.sent_para, np.repeat(np.arange(n_para), np.diff(self.para_first_sentence)))
            or not np.array_equal(self.sent_article, self.para_article[self.sent_para])
            or np.any(self.span_start < 0)
            or np.any(self.span_end <= self.span_start)
            or np.any(self.span_end > para_len[self.sent_para])
            or self.digests.shape != (len(self.articles), 32)
            or len(self.term_ids) != int(self.sentences.doc_len.sum())
            or (len(self.term_ids) and int(self.term_ids.max()) >= len(self.sentences.vocab))
            or (len(self.term_ids) and int(self.term_ids.min()) < 0)
        ):
            raise ValueError("the index does not fit the articles")

    # -- sizes and text ------------------------------------------------------

    @property
    def n_sentences(self) -> int:
        return len(self.span_start)

    @property
    def n_paragraphs(self) -> int:
        return len(self.para_article)

    def article_of(self, sentence: int) -> Article:
        return self.articles[int(self.sent_article[sentence])]

    def paragraph_text(self, sentence: int) -> str:
        article = self.article_of(sentence)
        return article.paragraphs[int(self.sent_paragraph[sentence]) - 1]

    def sentence_text(self, sentence: int) -> str:
        return self.paragraph_text(sentence)[int(self.span_start[sentence]) : int(self.span_end[sentence])]

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

    def top(
        self, terms: Mapping[str, float], k: int, paragraph_weight: float | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences (ids, scores), best first; only sentences
        with a positive score.  ``paragraph_weight`` (default: the
        config's) 0 ranks by the sentence's own BM25 alone.

        The same as the best of ``scores`` (a property test checks it), to
        single precision, but without touching every sentence: a question's
        work is in proportion to its terms' postings, not to the corpus.

        * Scores gather in per-thread single-precision buffers that only the
          postings' entries touch.
        * The candidates are the sentences holding a question term.  The
          k-th best of the rarest terms' sentences is a floor for the k-th
          best of all: only candidates whose own score plus the largest
          paragraph share reaches it are looked at further (a comparison,
          not a selection, over the postings).
        * Equal scores keep corpus order.
        * A sentence without a question term scores only its paragraph's
          share, so the sentences of a paragraph join the candidates only
          when that share reaches the k-th best candidate's score."""
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        buffers = self._buffers()
        sent, para = buffers.sent, buffers.para
        pw = self.config.paragraph_weight if paragraph_weight is None else paragraph_weight
        sent_hits: list[npt.NDArray[np.int32]] = []
        para_hits: list[npt.NDArray[np.int32]] = []
        try:
            found = [(tid, w) for t, w in terms.items() if (tid := self.sentences.vocab.get(t)) is not None]
            # The longest postings first: the buffers are zero, so they are
            # written, not added to.
            found.sort(key=lambda tw: self.sentences.indptr[tw[0]] - self.sentences.indptr[tw[0] + 1])
            fields = [(self.sentences, sent_hits, sent)]
            if pw:
                fields.append((self.paragraphs, para_hits, para))
            for n, (tid, weight) in enumerate(found):
                for bm25, hits_of, buffer in fields:
                    docs, weights = bm25.postings32(tid)
                    hits_of.append(docs)
                    if weight != 1.0:
                        weights = np.float32(weight) * weights
                    if n == 0:
                        buffer[docs] = weights
                    else:
                        buffer[docs] += weights
            if not sent_hits:
                return np.zeros(0, dtype=np.int64), np.zeros(0)
            hits = np.concatenate(sent_hits)
            touched = np.concatenate(para_hits) if para_hits else np.zeros(0, dtype=np.int32)
            share = np.float32(pw) * para[touched]
            most = share.max() if len(share) else np.float32(0.0)  # the largest paragraph share
            # The shortest postings, as many as FLOOR_POSTINGS allow (one at
            # least): their k-th best sentence is a floor for the k-th best.
            shortest = sorted(sent_hits, key=len)
            n_lists = 1
            while n_lists < len(shortest) and sum(map(len, shortest[: n_lists + 1])) <= FLOOR_POSTINGS:
                n_lists += 1
            sample = np.concatenate(shortest[:n_lists]) if n_lists > 1 else shortest[0]
            # A sentence stands in the sample at most n_lists times: its
            # k × n_lists best entries hold k sentences at least.
            depth = k * n_lists
            if len(sample) >= depth and len(hits) > len(sample):
                sample_scores = self._blend(sample, sent, para, pw)
                floor = np.partition(sample_scores, len(sample) - depth)[len(sample) - depth]
                # A sentence's score is at most its own part plus the largest share.
                keep = hits[sent[hits] + most >= floor]
                kept = self._blend(keep, sent, para, pw)
                reached = kept >= floor
                cand, cand_scores = _best(keep[reached], kept[reached], k, len(sent_hits))
            else:
                cand, cand_scores = _best(hits, self._blend(hits, sent, para, pw), k, len(sent_hits))
            if len(touched):
                # The k-th best score so far; paragraphs whose share reaches it
                # may have sentences in the top k without a term of their own.
                bar = cand_scores.min() if len(cand) >= k else np.float32(0.0)
                strong = np.unique(touched[(share >= bar) & (share > 0)])
                if len(strong):
                    cand = np.unique(np.concatenate([cand, self._sentences_of(strong)]))
                    cand, cand_scores = _best(cand, self._blend(cand, sent, para, pw), k)
        finally:
            for docs in sent_hits:
                sent[docs] = 0.0
            for docs in para_hits:
                para[docs] = 0.0
        order = np.lexsort((cand, -cand_scores))
        order = order[cand_scores[order] > 0]
        return cand[order].astype(np.int64), cand_scores[order].astype(np.float64)

    def _blend(
        self, ids: npt.NDArray[Any], sent: npt.NDArray[np.float32], para: npt.NDArray[np.float32], pw: float
    ) -> npt.NDArray[np.float32]:
        """Scores of sentences ``ids`` from the filled buffers."""
        out: npt.NDArray[np.float32] = sent[ids]
        if pw:
            out = out + np.float32(pw) * para[self.sent_para[ids]]
        return out

    def _sentences_of(self, paragraphs: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
        """All sentence ids of ``paragraphs``."""
        first = self.para_first_sentence[paragraphs].astype(np.int64)
        counts = self.para_first_sentence[paragraphs + 1] - first
        starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
        out: npt.NDArray[np.int64] = starts + np.arange(int(counts.sum()), dtype=np.int64)
        return out

    def _buffers(self) -> _Buffers:
        found: _Buffers | None = getattr(self._local, "buffers", None)
        if found is None:
            found = self._local.buffers = _Buffers(self.n_sentences, self.n_paragraphs)
        return found

    def idf(self, term: str) -> float:
        """How rare ``term`` is among sentences; terms the corpus never uses
        count as rarer than any it does."""
        value = self.sentences.idf_of(term)
        return self.sentences.unseen_idf() if value is None else value

    def knows(self, term: str) -> bool:
        return term in self.sentences.vocab
