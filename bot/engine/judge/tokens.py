"""Token match: how well each of the question's words is met, in context,
by some word of a candidate sentence.

The sentence vector (one per sentence, ``semantic/scorer.py``) averages a
sentence's words away; the encoder's last hidden states keep one vector per
word piece, each read in its sentence ("appointed" in the question near
"named" in "Debus was named the LOC's first Director").  A candidate's
``token_match`` is the mean, over the question's content word pieces, of
the best cosine to any of the sentence's (the recall side of BERTScore;
late interaction as in ColBERT, here with the sentence encoder's own
states, not a model trained for it); ``token_match_gap`` is its distance
to the best in the list.

The states are kept in ``PROJECTED`` dimensions (principal directions
fitted on the training sentences' states by ``training/token_projection.py`` and
shipped in the judge's model file), in float16: about 4 KB a sentence.
``TokenStore`` keeps them per sentence id, as the judge keeps its parses:
computed when a question first needs them, all of them during the idle
warm-up up to ``judge.WARM_PARSE`` sentences, and saved with the index.
Above that no sentence's are computed (the judge orders without them).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.engine.index.checks import all_finite
from bot.engine.judge.memo import SentenceMemo

if TYPE_CHECKING:
    from bot.engine.semantic.encoder import SentenceEncoder, TokenRows

log = logging.getLogger(__name__)

TOKEN_FEATURES = ("token_match", "token_match_gap")
"""The columns this module adds to ``features.FEATURES`` for the ranker."""

PROJECTED = 64
"""Dimensions a token's state is kept in."""

STOP = frozenset(
    "the a an of in on at to for by with from and or is are was were be been being what which who whom whose "
    "when where why how did do does that this these those it its as than into about".split()
)
"""Question word pieces not counted (the wh-words and function words every
question has: their best match says nothing about the sentence)."""

ENCODE_BATCH = 64
"""Sentences encoded at a time: their states are projected before the next
batch is encoded (a whole corpus's full-width states would be 0.5 GB at
10,000 sentences)."""

_WORD = re.compile(r"\w")

Rows = npt.NDArray[np.float16]


def project(vectors: npt.NDArray[np.float32], projection: npt.NDArray[np.float32]) -> Rows:
    """Token states (n x dim) on the projection's directions, L2-normalised, float16."""
    out = vectors @ projection
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), np.float32(1e-9))
    return out.astype(np.float16)


def question_rows(tokens: TokenRows, projection: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The question's content word pieces, projected (all of them when none is content)."""
    keep = [i for i, w in enumerate(tokens.words) if w not in STOP and _WORD.search(w)]
    vectors = tokens.vectors[keep] if keep else tokens.vectors
    return project(vectors, projection).astype(np.float32)


def token_columns(question: npt.NDArray[np.float32], sentences: Sequence[Rows]) -> npt.NDArray[np.float64]:
    """``TOKEN_FEATURES`` of each candidate (rows of ``sentences``)."""
    match = np.zeros(len(sentences))
    if len(question):
        for i, rows in enumerate(sentences):
            if len(rows):
                match[i] = float((question @ rows.astype(np.float32).T).max(axis=1).mean())
    gap = (match.max() - match) if len(match) else match
    return np.column_stack([match, gap])


class TokenStore:
    """Each sentence's projected token states, by sentence id (bounded)."""

    def __init__(self, encoder: SentenceEncoder, projection: npt.NDArray[np.float32], limit: int) -> None:
        self.encoder = encoder
        self.projection = projection
        self.memo: SentenceMemo[Rows] = SentenceMemo(self._encode, limit)

    def _encode(self, texts: list[str]) -> list[Rows]:
        out: list[Rows] = []
        for start in range(0, len(texts), ENCODE_BATCH):  # full-width states of a batch at a time, not of all
            _, tokens = self.encoder.encode_tokens(texts[start : start + ENCODE_BATCH])
            out.extend(project(states.vectors, self.projection) for states in tokens)
        return out

    def __len__(self) -> int:
        return len(self.memo)

    def known(self, text: Callable[[int], str]) -> dict[str, Rows]:
        """Sentence text -> rows, for every sentence kept."""
        return self.memo.known(text)

    def lend(self, rows: dict[str, Rows]) -> None:
        """Take another engine's rows, by sentence text."""
        self.memo.lent = rows

    def rows(self, ids: Sequence[int] | range, text: Callable[[int], str]) -> list[Rows]:
        """Each sentence's rows, encoding together those not kept."""
        return self.memo.get(ids, text)

    def dump(self, n: int) -> bytes | None:
        """Every sentence's rows (ids 0..n-1) as bytes, or None when not all are kept."""
        rows = self.memo.ordered(n)
        if rows is None:
            return None
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        data = np.concatenate(rows) if rows else np.zeros((0, PROJECTED), dtype=np.float16)
        buf = io.BytesIO()
        np.savez(buf, lengths=lengths, data=data)
        return buf.getvalue()

    def load(self, blob: bytes, n: int) -> bool:
        """Take ``dump``'s rows; False when they do not fit ``n`` sentences."""
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as saved:
                lengths, data = saved["lengths"], saved["data"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("the saved token states cannot be read (%s)", exc)
            return False
        width = self.projection.shape[1]
        if (
            lengths.shape != (n,)
            or (lengths < 0).any()
            or data.dtype != np.float16
            or data.shape != (int(lengths.sum()), width)
            or not all_finite(data)
        ):
            return False
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        self.memo.update((s, data[bounds[s] : bounds[s + 1]]) for s in range(n))
        return True
