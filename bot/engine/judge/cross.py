"""The answerability model: a cross-encoder that reads a question and one
candidate sentence together (with its article's title and the sentence
before it, ``cross_input.pair``) and gives the probability that the sentence
answers the question.

It is all-MiniLM-L6-v2's network fine-tuned on the training data
(``training/train_cross.py``), run in numpy by ``semantic.bert.forward`` as
the sentence encoder is; its [CLS] state is read by one linear unit.  The
shipped file (``cross_model.safetensors``, float16, checked by sha256)
leaves the word embeddings out: they were frozen in training, and the
sentence encoder's own are used.  Only the judge's first few candidates
are read (``judge.CROSS_DEPTH``): a pair of ~60 tokens costs about what
embedding a sentence does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.engine.judge.cross_input import configure, encode_pairs
from bot.engine.semantic.bert import Bert, EncoderUnavailable, build_bert, forward, load_json, read_safetensors

if TYPE_CHECKING:
    from tokenizers import Tokenizer  # type: ignore[import-not-found, unused-ignore]

    from bot.engine.semantic.encoder import SentenceEncoder

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).with_name("cross_model.safetensors")

MODEL_SHA256 = "7ce42a7af5b41f5eab62ae439353ba2dd157d84cc778c8a092482d5f5a0c9578"
"""sha256 of ``cross_model.safetensors`` as trained (``training/train_cross.py``)."""


class CrossModel:
    """The answerability cross-encoder (``load_cross``); thread-safe."""

    def __init__(
        self, bert: Bert, head_w: npt.NDArray[np.float32], head_b: float, tokenizer: Tokenizer, pooling: str = "cls"
    ) -> None:
        self.bert = bert
        self.pooling = pooling
        """What the head reads: the [CLS] state, or the mean of every token's."""
        self.head_w = head_w
        self.head_b = head_b
        self._tokenizer = tokenizer
        self._lock = threading.Lock()

    def logits(self, question: str, candidates: Sequence[str]) -> npt.NDArray[np.float64]:
        """The log-odds that each candidate text (``cross_input.pair``'s)
        answers ``question``."""
        if not candidates:
            return np.zeros(0)
        with self._lock:  # a Tokenizer's truncation settings are shared state
            ids, types, mask = encode_pairs(self._tokenizer, question, candidates)
        hidden = forward(self.bert, ids, types, mask)
        pooled: npt.NDArray[np.float32] = hidden[:, 0]
        if self.pooling == "mean":
            pooled = np.einsum("bsh,bs->bh", hidden, mask) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        logits: npt.NDArray[np.float64] = (pooled @ self.head_w + self.head_b).astype(np.float64)
        return logits

    def probabilities(self, question: str, candidates: Sequence[str]) -> npt.NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-self.logits(question, candidates)))


def _verify(path: Path) -> None:
    if not path.is_file():
        raise EncoderUnavailable(f"{path.name} is missing")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != MODEL_SHA256:
        raise EncoderUnavailable(f"{path.name} is not the trained answerability model (sha256 differs)")


def load_cross(encoder: SentenceEncoder, path: Path = MODEL_FILE, verify: bool = True) -> CrossModel | None:
    """The answerability model over ``encoder``'s word embeddings and
    tokenizer, or None (logged) when its file is missing or altered."""
    try:
        from tokenizers import Tokenizer

        if verify:
            _verify(path)
        tensors = read_safetensors(path)
        pooling = _metadata(path).get("pooling", "cls")
        if pooling not in ("cls", "mean"):
            raise ValueError(f"pooling {pooling!r} is not known")
        head_w = tensors.pop("classifier.weight").reshape(-1)
        head_b = float(tensors.pop("classifier.bias").reshape(-1)[0])
        tensors["embeddings.word_embeddings.weight"] = encoder.word_embeddings
        config = load_json(encoder.model_dir / "config.json")
        config["num_hidden_layers"] = sum(1 for k in tensors if k.endswith("attention.self.query.weight"))
        bert = build_bert(tensors, config, path)
        tokenizer = configure(Tokenizer.from_file(str(encoder.model_dir / "tokenizer.json")))
    except (EncoderUnavailable, KeyError, ValueError) as exc:
        log.warning("the answerability model is off (%s); the judge decides without it", exc)
        return None
    return CrossModel(bert, head_w.astype(np.float32), head_b, tokenizer, pooling)


def _metadata(path: Path) -> dict[str, str]:
    """The safetensors header's ``__metadata__`` (``read_safetensors`` checked the header)."""
    with path.open("rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    meta = header.get("__metadata__") or {}
    return {str(k): str(v) for k, v in meta.items()}
