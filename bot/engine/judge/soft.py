"""How much of a question's words a sentence holds in meaning, not only in
form: each question word counts by its nearest word in the sentence
(cosine of the two words' vectors, ``neighbours.WordNeighbours``: the
corpus's words, each embedded once), weighted by its idf.  "died" meets
"death", "built" meets "construction"; the same word counts fully.

Available where the corpus's words are embedded (up to
``neighbours.MAX_TERMS`` distinct terms); elsewhere ``None``, and the judge
reads the exact share in its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bot.engine import Engine


def soft_shares(
    engine: Engine,
    own: frozenset[str],
    sentences: Sequence[frozenset[str]],
    similar: Mapping[str, Mapping[str, float]] | None = None,
) -> list[float] | None:
    """For each sentence's terms, the idf-weighted mean over the question's
    own terms of their best cosine to a term of the sentence (1 for the
    term itself; a question word the corpus never uses counts by the corpus
    words found near it, ``similar`` as ``QueryTerms.similar`` holds them,
    else 0)."""
    similar = similar or {}
    words = engine.reader.neighbours
    if words is None or not own:
        return None
    idx = engine.index
    q_terms = sorted(own)
    weights = np.array([idx.idf(t) for t in q_terms])
    q_rows = np.array(words.rows_of(q_terms))
    known = q_rows >= 0
    q_vecs = np.asarray(words.matrix[q_rows[known]], dtype=np.float32)
    total = float(weights.sum())
    out = []
    for terms in sentences:
        s_rows = np.array([r for r in words.rows_of(list(terms)) if r >= 0], dtype=np.int64)
        best = np.zeros(len(q_terms))
        if len(s_rows) and known.any():
            sims = q_vecs @ np.asarray(words.matrix[s_rows], dtype=np.float32).T
            best[known] = np.clip(sims.max(axis=1), 0.0, 1.0)
        for i, t in enumerate(q_terms):
            if t in terms:
                best[i] = 1.0
            elif t in similar:
                best[i] = max((c for u, c in similar[t].items() if u in terms), default=0.0)
        out.append(float(weights @ best) / total if total else 0.0)
    return out
