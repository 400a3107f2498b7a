"""Vectors already computed, reused: a reload (or a server's index, built from
the shared articles and its own) embeds only the sentences and words that
are new.

A sentence's vector depends on its text alone (it is embedded without its
context), and a word's on its surface form alone, so a vector the engine
being replaced (or the shared engine) holds for the same text is the vector
the model would give: reusing it changes nothing but the time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from bot.engine.semantic.encoder import SentenceEncoder
from bot.engine.semantic.neighbours import WordNeighbours
from bot.engine.semantic.scorer import SemanticScorer, Vectors


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


def embed(encoder: SentenceEncoder, texts: Sequence[str], known: dict[str, Vectors]) -> Vectors:
    """Each text's vector: taken from ``known`` when there, else embedded
    (all missing ones in one batch)."""
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    fresh = dict(zip(missing, encoder.encode(missing), strict=True)) if missing else {}
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([known[t] if t in known else fresh[t] for t in texts]).astype(np.float32, copy=False)
