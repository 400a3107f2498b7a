"""What the answerability cross-encoder reads for one candidate: the
question, then the candidate sentence, its article's title and the sentence
before it in its paragraph (``pair``), tokenized as one BERT pair
(``encode_pairs``).  Shared by the run-time model (``cross.py``) and its
training (``training/cross_rows.py``, ``training/train_cross.py``), so that
both read exactly the same tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tokenizers import Tokenizer  # type: ignore[import-not-found, unused-ignore]

MAX_TOKENS = 96
"""A pair's tokens at most, special tokens included: the longer side is cut
from its end, a token at a time (a candidate's context after the sentence
goes first; a question is cut only when longer than what is left of the
candidate)."""

MAX_QUESTION_CHARS = 1_000
"""A question's characters read at most (bounds the tokenizer's work)."""

SEPARATOR = " [SEP] "
"""Between the sentence and its context: the tokenizer reads it as BERT's separator."""


def pair(sentence: str, previous: str | None, title: str) -> str:
    """The candidate's side of the pair: the sentence first (it survives a
    cut), then where it stands: the title and the sentence before it."""
    context = title.strip()
    if previous:
        context = f"{context}: {previous.strip()}" if context else previous.strip()
    return f"{sentence.strip()}{SEPARATOR}{context}" if context else sentence.strip()


def configure(tokenizer: Tokenizer) -> Tokenizer:
    """``tokenizer`` set to cut pairs as the model was trained (and not to pad)."""
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


Batch = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]


def encode_pairs(tokenizer: Tokenizer, question: str, candidates: Sequence[str]) -> Batch:
    """Token ids, token types and attention mask (right-padded) of
    ``question`` paired with each candidate text (``pair``'s)."""
    short = question[:MAX_QUESTION_CHARS]
    encoded = tokenizer.encode_batch([(short, c) for c in candidates])
    width = max((len(e.ids) for e in encoded), default=0)
    ids = np.zeros((len(encoded), width), dtype=np.int64)
    types = np.zeros((len(encoded), width), dtype=np.int64)
    mask = np.zeros((len(encoded), width), dtype=np.float32)
    for row, e in enumerate(encoded):
        n = len(e.ids)
        ids[row, :n] = e.ids
        types[row, :n] = e.type_ids
        mask[row, :n] = 1.0
    return ids, types, mask
