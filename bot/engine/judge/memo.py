"""What the judge keeps per sentence: its parse, its token states.

Both are computed from a sentence's text alone, a batch at a time, and kept
by sentence id up to a bound (the oldest forgotten first).  An engine built
beside another (a server's, beside the shared articles; a reload, beside
the engine it replaces) is lent the other's by text, so that a sentence
both hold is computed once.  ``ordered`` gives all of a corpus's at once,
for saving them with its index.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")

Ids = Sequence[int] | range | npt.NDArray[np.int64]


class SentenceMemo(Generic[T]):
    """Per-sentence results by sentence id, bounded, computed on demand."""

    def __init__(self, compute: Callable[[list[str]], list[T]], limit: int) -> None:
        """``compute``: the results of a batch of sentence texts, in order."""
        self.compute = compute
        self.limit = limit
        self.lent: dict[str, T] = {}
        """Another engine's results by sentence text."""
        self._kept: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def known(self, text: Callable[[int], str]) -> dict[str, T]:
        """Sentence text -> result, for every sentence kept (to lend)."""
        with self._lock:
            return {text(s): r for s, r in self._kept.items()}

    def get(self, ids: Ids, text: Callable[[int], str], lent: dict[str, T] | None = None) -> list[T]:
        """Each sentence's result, computing together those not kept nor
        lent (``lent``, else ``self.lent``), by their text."""
        lent = lent if lent is not None else self.lent
        with self._lock:
            missing = [int(s) for s in dict.fromkeys(int(s) for s in ids) if int(s) not in self._kept]
        fresh = {s: lent[t] for s in missing if lent and (t := text(s)) in lent}
        todo = [s for s in missing if s not in fresh]
        if todo:
            fresh.update(zip(todo, self.compute([text(s) for s in todo]), strict=True))
        with self._lock:
            self._kept.update(fresh)
            out = [self._kept.get(int(s), fresh.get(int(s))) for s in ids]
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        gone = [i for i, r in enumerate(out) if r is None]  # evicted meanwhile by another question's batch
        if gone:
            for i, r in zip(gone, self.compute([text(int(ids[i])) for i in gone]), strict=True):
                out[i] = r
        return [r for r in out if r is not None]

    def update(self, results: Iterable[tuple[int, T]]) -> None:
        """Keep results computed elsewhere (loaded with the index)."""
        with self._lock:
            self._kept.update(results)

    def ordered(self, n: int) -> list[T] | None:
        """The results of sentences 0..n-1, or None when not all are kept."""
        with self._lock:
            if any(s not in self._kept for s in range(n)):
                return None
            return [self._kept[s] for s in range(n)]
