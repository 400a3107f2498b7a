"""BM25 as rank-bm25 defines it, computed the sparse way.

rank-bm25's ``get_scores`` walks every document in Python for each query
term.  ``SparseBM25`` computes the very same numbers (same idf, same length
normalisation, same parameters) but precomputes each term's weight in each
document once, into per-term postings, so a question only touches the
postings of its own terms.  ``tests/engine/index/test_bm25.py`` checks the scores
against rank-bm25's classes on random corpora.

Variants (``variant=``):

* ``"okapi"`` -- ``rank_bm25.BM25Okapi``: idf ``log((N - n + 0.5) / (n + 0.5))``
  with negative idfs floored to ``epsilon`` × the average idf.  On a small
  corpus this silences the words that matter most: in a 20-sentence story
  about Putin and Assad, "putin" and "assad" are in half the sentences and get
  an idf of about zero.
* ``"plus"`` -- ``rank_bm25.BM25Plus``: idf ``log((N + 1) / n)``, positive for
  every term however common, and ``delta`` added to each term's tf part.  The
  delta part is the same for every document of a query (rank-bm25 adds it
  whether or not the document has the term), so it is added as one constant.

The engine uses ``"plus"`` (see ``config.py`` for why).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, Unpack

import numpy as np
import numpy.typing as npt

Variant = Literal["okapi", "plus"]


class BM25Params(TypedDict, total=False):
    """Keyword parameters of every ``SparseBM25`` constructor; defaults as
    rank-bm25's (``SparseBM25._params``)."""

    variant: Variant
    k1: float
    b: float
    epsilon: float
    delta: float


class SparseBM25:
    """BM25 scores of a fixed collection of tokenised documents."""

    def __init__(
        self,
        docs: Sequence[Sequence[str]],
        **params: Unpack[BM25Params],
    ) -> None:
        if not docs:
            raise ValueError("BM25 needs at least one document")
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        for doc in docs:
            for tok in doc:
                tid = vocab.get(tok)
                if tid is None:
                    tid = vocab[tok] = len(vocab)
                term_ids.append(tid)
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        self._params(**params)
        self._index(vocab, np.asarray(term_ids, dtype=np.int64), lengths)

    @classmethod
    def from_term_ids(
        cls,
        vocab: dict[str, int],
        term_ids: npt.NDArray[np.integer[Any]],
        lengths: npt.NDArray[np.integer[Any]],
        **params: Unpack[BM25Params],
    ) -> SparseBM25:
        """The same index from documents already turned into term ids: the
        documents' ids one after the other (``term_ids``) and each
        document's length; ``vocab`` maps each term to its id."""
        if not len(lengths):
            raise ValueError("BM25 needs at least one document")
        if int(np.sum(lengths)) != len(term_ids):
            raise ValueError("the lengths do not add up to the number of term ids")
        self = cls.__new__(cls)
        self._params(**params)
        self._index(vocab, np.asarray(term_ids, dtype=np.int64), np.asarray(lengths, dtype=np.int64))
        return self

    def _params(
        self, variant: Variant = "plus", k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25, delta: float = 1.0
    ) -> None:
        """The parameters (``BM25Params``), with rank-bm25's defaults."""
        self.variant = variant
        self.k1, self.b, self.epsilon, self.delta = k1, b, epsilon, delta

    def _index(self, vocab: dict[str, int], tids: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> None:
        k1, b = self.k1, self.b
        self.n_docs = len(lengths)
        self.vocab = vocab
        self.doc_len = lengths
        total = int(lengths.sum())
        self.avgdl = total / self.n_docs

        n_terms = len(vocab)
        dids = np.repeat(np.arange(self.n_docs, dtype=np.int64), lengths)
        # One posting per (term, doc) pair, with the term's count in the doc.
        keys, tf = np.unique(tids * self.n_docs + dids, return_counts=True)
        post_terms = keys // self.n_docs
        post_docs = keys % self.n_docs
        del keys, dids
        # Postings are sorted by term: each term's count is where the next
        # begins (np.bincount would hold the GIL for a long corpus's postings).
        bounds = np.searchsorted(post_terms, np.arange(n_terms + 1, dtype=np.int64))
        df = np.diff(bounds).astype(np.float64)
        self.df = df
        self.idf = self._idf(df)

        norm = k1 * (1.0 - b + b * lengths / self.avgdl) if self.avgdl > 0 else np.full(self.n_docs, k1)
        weights = self.idf[post_terms] * (tf * (k1 + 1.0)) / (tf + norm[post_docs])
        self.indptr = bounds.astype(np.int64)
        self.post_docs = post_docs.astype(np.int32)
        self.post_weights = weights.astype(np.float64)
        self._single()

    # -- saving and loading (see ``arrays.py`` and ``cache.py``) -------------

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Everything that, with the vocabulary and the parameters, makes
        this index (for ``from_arrays``)."""
        return {
            "doc_len": self.doc_len,
            "df": self.df,
            "indptr": self.indptr,
            "post_docs": self.post_docs,
            "post_weights": self.post_weights,
        }

    @classmethod
    def from_arrays(
        cls,
        vocab: dict[str, int],
        arrays: Mapping[str, npt.NDArray[Any]],
        **params: Unpack[BM25Params],
    ) -> SparseBM25:
        """An index from ``arrays()``; ``ValueError`` if they do not fit
        together (a damaged file must not become wrong answers)."""
        self = cls.__new__(cls)
        self._params(**params)
        doc_len = np.asarray(arrays["doc_len"], dtype=np.int64)
        df = np.asarray(arrays["df"], dtype=np.float64)
        indptr = np.asarray(arrays["indptr"], dtype=np.int64)
        post_docs = np.asarray(arrays["post_docs"], dtype=np.int32)
        post_weights = np.asarray(arrays["post_weights"], dtype=np.float64)
        n_docs, n_terms = len(doc_len), len(vocab)
        if (
            n_docs == 0
            or df.shape != (n_terms,)
            or indptr.shape != (n_terms + 1,)
            or indptr[0] != 0
            or indptr[-1] != len(post_docs)
            or post_weights.shape != post_docs.shape
            or np.any(np.diff(indptr) != df)
            or (len(post_docs) and (int(post_docs.min()) < 0 or int(post_docs.max()) >= n_docs))
            or not np.all(np.isfinite(post_weights))
            or (len(vocab) and (min(vocab.values()) != 0 or max(vocab.values()) != n_terms - 1))
        ):
            raise ValueError("the BM25 arrays do not fit together")
        self.n_docs = n_docs
        self.vocab = vocab
        self.doc_len = doc_len
        self.avgdl = int(doc_len.sum()) / n_docs
        self.df = df
        self.idf = self._idf(df)
        self.indptr = indptr
        self.post_docs = post_docs
        self.post_weights = post_weights
        self._single()
        return self

    def _single(self) -> None:
        self.post_weights32 = self.post_weights.astype(np.float32)
        """The weights in single precision, for fast top-k selection
        (``top.top_sentences``): half the memory traffic of doubles, at a
        relative precision of 1e-7.  Derived, never saved."""

    def _idf(self, df: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        n = self.n_docs
        if self.variant == "plus":
            return np.log((n + 1) / df)
        idf = np.log(n - df + 0.5) - np.log(df + 0.5)
        if len(idf):
            eps = self.epsilon * float(idf.mean())
            idf = np.where(idf < 0, eps, idf)
        return idf

    # -- queries -----------------------------------------------------------

    def term_ids(self, query: Sequence[str]) -> list[int]:
        """Ids of the query's terms that the collection has (repeats kept)."""
        return [tid for tid in (self.vocab.get(q) for q in query) if tid is not None]

    def postings(self, tid: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        lo, hi = self.indptr[tid], self.indptr[tid + 1]
        return self.post_docs[lo:hi], self.post_weights[lo:hi]

    def postings32(self, tid: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """``postings`` with single-precision weights."""
        lo, hi = self.indptr[tid], self.indptr[tid + 1]
        return self.post_docs[lo:hi], self.post_weights32[lo:hi]

    def add_scores(self, out: npt.NDArray[np.float64], query: Sequence[str], scale: float = 1.0) -> None:
        """Add ``scale`` × the sparse part of each document's score into ``out``."""
        for tid in self.term_ids(query):
            docs, weights = self.postings(tid)
            if scale == 1.0:
                out[docs] += weights
            else:
                out[docs] += scale * weights

    def constant(self, query: Sequence[str]) -> float:
        """The part of every document's score that does not depend on it
        (BM25Plus's delta term; zero for Okapi)."""
        if self.variant != "plus" or not self.delta:
            return 0.0
        return self.delta * float(sum(self.idf[t] for t in self.term_ids(query)))

    def get_scores(self, query: Sequence[str]) -> npt.NDArray[np.float64]:
        """Scores of every document, equal to rank-bm25's ``get_scores``."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        self.add_scores(out, query)
        const = self.constant(query)
        if const:
            out += const
        return out

    def idf_of(self, term: str) -> float | None:
        tid = self.vocab.get(term)
        return None if tid is None else float(self.idf[tid])

    def unseen_idf(self) -> float:
        """The idf a term would have if it were in half a document: what
        scoring assumes for a question's words that the corpus never uses
        (``SentenceIndex.unseen_idf``; coverage weighs them differently, see
        ``SentenceIndex.missing_word_idf``)."""
        return math.log((self.n_docs + 1) / 0.5)
