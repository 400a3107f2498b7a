"""The sentence encoder on every core, for preparing a corpus
(``python -m bot index``), when nothing else runs.

``ParallelEncoder`` is the same model (it shares the loaded weights and
tokenizer: the vectors are the ones ``SentenceEncoder`` gives), and a large
``encode`` is cut into chunks embedded on ``workers`` threads: numpy's
matrix products release the GIL, so with one BLAS thread each
(``single_threaded_math``) the threads fill the cores without fighting for
them.  Texts are ordered by length before they are cut, so that each
chunk pads little.  ``progress(done, total)`` is told after each chunk of
a large call (the command line shows it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import numpy.typing as npt

from bot.engine.semantic.encoder import SentenceEncoder, TokenRows

Progress = Callable[[int, int], None]
"""Told ``(texts embedded, texts in the call)`` as a large call goes on."""

MIN_SHARE = 8
"""Fewest texts of an ``encode_tokens`` call given to one thread."""

CHUNK = 128
"""Texts per task: small enough to share out evenly and to report often,
large enough that a task's overhead is nothing beside its matrix products."""


class ParallelEncoder(SentenceEncoder):
    """``encoder``, with large calls embedded on ``workers`` threads."""

    batch_texts = 1 << 40
    """A whole corpus at once: its chunks are shared out here."""

    def __init__(self, encoder: SentenceEncoder, workers: int, progress: Progress | None = None) -> None:
        super().__init__(encoder._model, encoder._tokenizer, encoder.max_seq_length, encoder.model_dir)
        self.identity = encoder.identity
        self.workers = max(1, workers)
        self.progress = progress

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> npt.NDArray[np.float32]:
        if isinstance(texts, str) or len(texts) <= CHUNK:
            return super().encode(texts, batch_size, max_tokens)
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        chunks = [order[i : i + CHUNK] for i in range(0, len(order), CHUNK)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)

        def one(chunk: list[int]) -> npt.NDArray[np.float32]:
            return SentenceEncoder.encode(self, [texts[i] for i in chunk], batch_size, max_tokens)

        done = 0
        if self.progress is not None:
            self.progress(0, len(texts))
        with ThreadPoolExecutor(self.workers, thread_name_prefix="embed") as pool:
            for chunk, vectors in zip(chunks, pool.map(one, chunks), strict=True):
                out[chunk] = vectors
                done += len(chunk)
                if self.progress is not None:
                    self.progress(done, len(texts))
        return out

    def encode_tokens(
        self, texts: Sequence[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> tuple[npt.NDArray[np.float32], list[TokenRows]]:
        """``encode_tokens``, a call's texts shared out among the threads
        (the judge's token states: a call of 64 texts at a time)."""
        if isinstance(texts, str) or self.workers == 1 or len(texts) < 2 * MIN_SHARE:
            return super().encode_tokens(texts, batch_size, max_tokens)
        texts = list(texts)
        size = max(MIN_SHARE, -(-len(texts) // self.workers))
        shares = [texts[i : i + size] for i in range(0, len(texts), size)]

        def one(share: list[str]) -> tuple[npt.NDArray[np.float32], list[TokenRows]]:
            return SentenceEncoder.encode_tokens(self, share, batch_size, max_tokens)

        with ThreadPoolExecutor(len(shares), thread_name_prefix="embed") as pool:
            parts = list(pool.map(one, shares))
        return np.concatenate([vectors for vectors, _ in parts]), [rows for _, share in parts for rows in share]
