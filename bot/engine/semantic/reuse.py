"""Vectors already computed, reused: a reload (or a server's index, built from
the shared articles and its own) embeds only the sentences and words that
are new.

A sentence's vector depends on its text alone (it is embedded without its
context), and a word's on its surface form alone, so a vector the engine
being replaced (or the shared engine) holds for the same text is the vector
the model would give: reusing it changes nothing but the time.  After a
restart there is no engine replaced: the vectors saved for the corpus as it
was are found by their texts' hashes (``SavedVectors``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from bot.engine.index.cache import IndexCache
from bot.engine.semantic.encoder import SentenceEncoder
from bot.engine.semantic.neighbours import WordNeighbours
from bot.engine.semantic.scorer import Known, SemanticScorer, Vectors


def known_sentences(scorer: SemanticScorer | None, sentence_text: Callable[[int], str]) -> dict[str, Vectors]:
    """Sentence text -> vector, for every sentence ``scorer`` embedded."""
    if scorer is None or scorer.matrix is None:
        return {}
    return {sentence_text(i): scorer.matrix[i] for i in range(scorer.n_sentences)}


def known_words(neighbours: WordNeighbours | None) -> dict[str, Vectors]:
    """Surface word -> vector, for every word ``neighbours`` embedded."""
    if neighbours is None:
        return {}
    return dict(zip(neighbours.surfaces, neighbours.matrix, strict=True))


def embed(encoder: SentenceEncoder, texts: Sequence[str], known: Known) -> Vectors:
    """Each text's vector: taken from ``known`` when there, else embedded
    (all missing ones in one batch)."""
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    got = {t: v for t in dict.fromkeys(texts) if (v := known.get(t)) is not None}
    missing = [t for t in dict.fromkeys(texts) if t not in got]
    if missing:
        got.update(zip(missing, encoder.encode(missing), strict=True))
    return np.stack([got[t] for t in texts]).astype(np.float32, copy=False)


def text_hashes(texts: Iterable[str]) -> npt.NDArray[np.uint64]:
    """Each text's 64-bit BLAKE2b hash: the same in every process (unlike
    ``hash``), saved beside the vectors (``IndexCache.save_vectors``)."""
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            for t in texts
        ),
        dtype=np.uint64,
    )


class SavedVectors:
    """Sentence vectors saved for an earlier corpus (or an earlier version
    of the index), found by their text's hash: a restart after articles
    changed embeds only the sentences that are new.  Two texts of one 64-bit
    hash would share a vector: about one chance in 10^7 at 1,000,000
    sentences, and the cost a slightly worse ranked sentence."""

    def __init__(self, hashes: npt.NDArray[np.uint64], vectors: npt.NDArray[np.floating]) -> None:
        order = np.argsort(hashes, kind="stable")
        self._sorted = hashes[order]
        self._rows = order
        self._vectors = vectors

    def __len__(self) -> int:
        return len(self._sorted)

    def get(self, text: str) -> Vectors | None:
        """The text's saved vector (float32), or None (not saved, or not finite)."""
        h = text_hashes([text])[0]
        i = int(np.searchsorted(self._sorted, h))
        if i == len(self._sorted) or self._sorted[i] != h:
            return None
        vector = np.asarray(self._vectors[int(self._rows[i])], dtype=np.float32)
        return vector if bool(np.isfinite(vector).all()) else None


def saved_by_text(cache: IndexCache | None, model: str | None, dim: int) -> SavedVectors | None:
    """The most recently used saved sentence vectors of ``model`` in
    ``cache``, by text (``IndexCache.vectors_by_text``), or None."""
    if cache is None or model is None:
        return None
    found = cache.vectors_by_text(model, dim)
    return SavedVectors(*found) if found is not None and len(found[0]) else None
