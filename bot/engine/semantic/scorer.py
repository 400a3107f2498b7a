"""Meaning, not just words: sentence embeddings beside BM25.

BM25 only sees shared words, so "How many people have died in the war?"
misses "More than 400,000 people have been killed …" and "death toll?" meets
nothing at all.  A small sentence-embedding model (all-MiniLM-L6-v2, run in
numpy by ``encoder.SentenceEncoder``) puts a question and the sentences
that answer it near each other even when they share no word.

BM25 stays the core signal: it proposes the candidates and keeps most of the
weight; the embedding's cosine similarity re-ranks them (see
``rank.Ranker``).  On a small corpus every sentence is embedded when the
index is built, so a sentence that shares no word with the question can
still be found; on a large one only BM25's best candidates (20, see
``IndexConfig.semantic_lazy_depth``) are embedded, on demand, and kept in a
bounded cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.engine.index.checks import all_finite
from bot.engine.semantic.encoder import SentenceEncoder, TokenRows

Vectors = npt.NDArray[np.float32]

EAGER_MAX_SENTENCES = 20_000
"""Up to this many sentences, all are embedded at build time (about 100 s on
2 cores at the limit; the story takes a tenth of a second)."""

LAZY_CACHE_SENTENCES = 200_000
"""Above it, at most this many sentence vectors are kept (about 300 MB)."""

QUESTION_TOKENS = 96
"""A question is embedded by its first this many tokens (a question and the
one it follows up take 20 to 60): a 500-character question of strange
words is 256 tokens, whose embedding took 30 times a plain question's."""

COARSE_MIN_SENTENCES = 50_000
"""From this many sentences with every vector known, the vectors are kept in
float16 (half the memory) and a question is first matched against their
projection on ``COARSE_DIM`` principal directions (a sixth of the memory
read: 22 ms for 200,000 full vectors on one core, 110 ms for 1,000,000),
then its ``RESCORE`` × k best exactly (``_Coarse``)."""

COARSE_DIM = 64
"""Dimensions of the coarse projection."""

RESCORE = 10
"""The coarse match keeps this many times the sentences asked for, to be
scored exactly."""

COARSE_SAMPLE = 20_000
"""Sentences the projection is fitted on (evenly spaced: deterministic)."""


class _Coarse:
    """Every sentence's vector projected on the principal directions of
    the vectors (uncentred, so that inner products are kept as well as
    ``COARSE_DIM`` dimensions can keep them)."""

    def __init__(self, projection: Vectors, rows: Vectors) -> None:
        self.projection = projection
        self.rows = rows

    @classmethod
    def fit(cls, matrix: npt.NDArray[np.floating]) -> _Coarse:
        step = max(1, len(matrix) // COARSE_SAMPLE)
        sample = np.asarray(matrix[::step], dtype=np.float32)
        _, _, vt = np.linalg.svd(sample, full_matrices=False)
        projection: Vectors = np.ascontiguousarray(vt[:COARSE_DIM].T, dtype=np.float32)
        rows: Vectors = np.empty((len(matrix), projection.shape[1]), dtype=np.float32)
        for start in range(0, len(matrix), 65_536):  # bounded temporaries (a float16 block cast to float32)
            block = np.asarray(matrix[start : start + 65_536], dtype=np.float32)
            rows[start : start + len(block)] = block @ projection
        return cls(projection, rows)

    @classmethod
    def saved(cls, arrays: dict[str, npt.NDArray[Any]], n: int, dim: int) -> _Coarse | None:
        """The projection saved with the vectors (``arrays``), or None when
        it is not there or does not fit them."""
        projection, rows = arrays.get("coarse_projection"), arrays.get("coarse_rows")
        if projection is None or rows is None or projection.ndim != 2 or rows.ndim != 2:
            return None
        k = projection.shape[1]
        if projection.shape != (dim, k) or rows.shape != (n, k) or not 0 < k <= dim:
            return None
        if projection.dtype != np.float32 or rows.dtype not in (np.float16, np.float32):
            return None
        if not (all_finite(projection) and all_finite(rows)):
            return None
        # float32 as saved now (mapped from the file: no copy); float16 as
        # saved before (converting 1,000,000 rows took 0.5 s of a restart).
        return cls(np.ascontiguousarray(projection), np.asarray(rows, dtype=np.float32))

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """To be saved with the vectors (the rows in float32, as used:
        256 MB at 1,000,000 sentences, mapped on restart)."""
        return {"coarse_projection": self.projection, "coarse_rows": self.rows}

    def candidates(self, question: Vectors, k: int) -> npt.NDArray[np.int64]:
        """About the ``k`` sentences nearest the question, in no order."""
        sims = self.rows @ (question @ self.projection)
        k = min(k, len(sims))
        return np.argpartition(-sims, k - 1)[:k].astype(np.int64)


class Known(Protocol):
    """Vectors already computed, by their sentence's text (a dict, or
    ``reuse.SavedVectors``)."""

    def get(self, text: str, /) -> Vectors | None: ...


def first_copies(n: int, text: Callable[[int], str]) -> npt.NDArray[np.int64]:
    """For each sentence, the first sentence with the same text (itself
    when it is the first): found by hash, each match checked by its text."""
    hashes = np.fromiter((hash(text(i)) for i in range(n)), dtype=np.int64, count=n)
    _, where, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    first: npt.NDArray[np.int64] = where[inverse.reshape(-1)].astype(np.int64)
    for i in np.flatnonzero(first != np.arange(n)):
        if text(int(i)) != text(int(first[i])):  # two texts of one hash: each its own
            first[i] = i
    return first


class SemanticScorer:
    """Cosine similarities between questions and the sentences of one index."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        n_sentences: int,
        sentence_text: Callable[[int], str],
        *,
        eager_max: int = EAGER_MAX_SENTENCES,
        cache_size: int = LAZY_CACHE_SENTENCES,
        matrix: npt.NDArray[np.floating] | None = None,
        saved: dict[str, npt.NDArray[Any]] | None = None,
    ) -> None:
        """``matrix``: every sentence's vector, when already known (saved
        with the index, see ``index/cache.py``); else they are embedded here when
        there are at most ``eager_max`` sentences."""
        self.encoder = encoder
        self.n_sentences = n_sentences
        self.sentence_text = sentence_text
        """A sentence's text by its id."""
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, Vectors] = OrderedDict()
        self._cache_size = cache_size
        self.matrix: npt.NDArray[np.floating] | None = None
        """Every sentence's vector (float32; float16 from ``COARSE_MIN_SENTENCES``)."""
        self._coarse: _Coarse | None = None
        if matrix is None and n_sentences <= eager_max:
            matrix = encoder.encode([sentence_text(i) for i in range(n_sentences)])
        if matrix is not None:
            self._keep(matrix, saved)

    @property
    def eager(self) -> bool:
        return self.matrix is not None

    def question_tokens(self, text: str) -> tuple[Vectors, TokenRows]:
        """The question's vector (its first ``QUESTION_TOKENS`` tokens) and,
        from the same pass, its tokens' (the judge's token match)."""
        vectors, tokens = self.encoder.encode_tokens([text], max_tokens=QUESTION_TOKENS)
        return vectors[0], tokens[0]

    def similarities(self, question: Vectors, ids: Sequence[int] | npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Cosine similarity of the question to each sentence in ``ids``."""
        ids = [int(i) for i in ids]
        if not ids:
            return np.zeros(0, dtype=np.float32)
        if self.matrix is not None:
            sims: npt.NDArray[np.float32] = np.asarray(self.matrix[ids], dtype=np.float32) @ question
            return sims
        return self._vectors(ids) @ question

    def known_similarities(self, question: Vectors, ids: Sequence[int]) -> dict[int, float]:
        """Cosine of the question to those of ``ids`` whose vectors are at
        hand -- all of them once every sentence is embedded, else those
        embedded on demand and still kept; nothing is embedded here (a
        question's extra sentences would each cost an embedding)."""
        ids = [int(i) for i in ids]
        if self.matrix is not None:
            if not ids:
                return {}
            sims = np.asarray(self.matrix[ids], dtype=np.float32) @ question
            return dict(zip(ids, sims.tolist(), strict=True))
        with self._lock:
            found = {i: self._cache[i] for i in ids if i in self._cache}
        return {i: float(v @ question) for i, v in found.items()}

    def embed_all(
        self, stop: threading.Event | None = None, known: Known | None = None, batch: int | None = None
    ) -> npt.NDArray[np.floating] | None:
        """Every sentence's vector, embedded ``batch`` sentences at a time
        (those already embedded on demand, or in ``known`` by their text,
        are reused, and a sentence that repeats an earlier one's text takes
        its vector: a syndicated story copied into several articles is
        embedded once); None as soon as ``stop`` is set.  ``batch``: by
        default the encoder's ``batch_texts``.  The scorer goes on
        answering meanwhile; ``use_matrix`` switches it over."""
        known = known if known is not None else {}
        # A large corpus's vectors are kept in float16 (``_keep``): built so,
        # the float32 copy (1.5 GB at 1,000,000 sentences) never exists.
        dtype = np.float16 if self.n_sentences >= COARSE_MIN_SENTENCES else np.float32
        matrix = np.empty((self.n_sentences, self.encoder.dim), dtype=dtype)
        first = first_copies(self.n_sentences, self.sentence_text)
        batch = batch or self.encoder.batch_texts
        for start in range(0, self.n_sentences, batch):
            if stop is not None and stop.is_set():
                return None
            ids = range(start, min(self.n_sentences, start + batch))
            own = [i for i in ids if first[i] == i]
            with self._lock:
                done = {i: self._cache[i] for i in own if i in self._cache}
            texts = {i: self.sentence_text(i) for i in own if i not in done}
            done.update((i, v) for i, t in texts.items() if (v := known.get(t)) is not None)
            todo = [i for i in own if i not in done]
            if todo:
                done.update(zip(todo, self.encoder.encode([texts[i] for i in todo]), strict=True))
            if own:
                matrix[own] = np.stack([done[i] for i in own])
            copies = [i for i in ids if first[i] != i]
            if copies:
                matrix[copies] = matrix[first[copies]]
        return matrix

    def use_matrix(self, matrix: Vectors) -> None:
        """Every sentence's vector from now on (``embed_all``'s): questions
        are then scored against all sentences, as for a small corpus."""
        if matrix.shape != (self.n_sentences, self.encoder.dim):
            raise ValueError(f"{matrix.shape} vectors for {self.n_sentences} sentences")
        self._keep(matrix)
        with self._lock:
            self._cache.clear()

    def _keep(self, matrix: npt.NDArray[np.floating], saved: dict[str, npt.NDArray[Any]] | None = None) -> None:
        """Take every sentence's vector: as float32 for a small corpus; for a
        large one in float16 with the coarse projection (``saved`` with
        them, else fitted now: seconds at 1,000,000 sentences)."""
        if len(matrix) < COARSE_MIN_SENTENCES:
            self._coarse = None
            self.matrix = np.asarray(matrix, dtype=np.float32)
            return
        coarse = _Coarse.saved(saved, len(matrix), self.encoder.dim) if saved else None
        if coarse is None:
            coarse = _Coarse.fit(matrix)
        self._coarse, self.matrix = coarse, np.asarray(matrix, dtype=np.float16)

    def saved_with(self) -> dict[str, npt.NDArray[Any]]:
        """Arrays to save beside the vectors (the coarse projection of a
        large corpus; nothing for a small one)."""
        return self._coarse.arrays() if self._coarse is not None else {}

    def top(self, question: Vectors, k: int) -> npt.NDArray[np.int64]:
        """The ``k`` sentences nearest the question (only when all are embedded)."""
        if self.matrix is None or k <= 0:
            return np.zeros(0, dtype=np.int64)
        if self._coarse is None:
            sims = self.matrix @ question
            k = min(k, len(sims))
            top = np.argpartition(-sims, k - 1)[:k]
            return top[np.argsort(-sims[top], kind="stable")].astype(np.int64)
        near = np.sort(self._coarse.candidates(question, RESCORE * k))
        exact = self.similarities(question, near)
        best = np.lexsort((near, -exact))[:k]
        return near[best].astype(np.int64)

    def _vectors(self, ids: list[int]) -> Vectors:
        with self._lock:
            found = {i: self._cache[i] for i in ids if i in self._cache}
            for i in found:
                self._cache.move_to_end(i)
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            fresh = self.encoder.encode([self.sentence_text(i) for i in missing])
            with self._lock:
                for i, vec in zip(missing, fresh, strict=True):
                    found[i] = self._cache[i] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[i] for i in ids])
