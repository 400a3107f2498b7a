"""Writes kept in memory while the PostgreSQL database is down: at most
``BUFFER_ROWS`` rows, none older than ``BUFFER_SECONDS``, oldest dropped
first, written back in the order they came once the database is back."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

BUFFER_ROWS = 10_000
"""Questions and votes kept in memory at most while the database is down."""
BUFFER_SECONDS = 3600.0
"""How long a row waits in memory at most; older ones are dropped."""

Kind = Literal["question", "vote"]


@dataclass(frozen=True, slots=True)
class Pending:
    kind: Kind
    row: tuple[Any, ...]
    """The statement's arguments, the time it was asked or voted first."""
    kept_at: float
    """``time.monotonic()`` when it was kept."""


class PendingWrites:
    """The rows waiting for the database, oldest first, within the bounds."""

    def __init__(
        self,
        max_rows: int = BUFFER_ROWS,
        max_seconds: float = BUFFER_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_rows < 1 or max_seconds <= 0:
            raise ValueError("the buffer must hold at least one row for some time")
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self._monotonic = monotonic
        self._rows: deque[Pending] = deque()
        self.kept = 0
        """Rows kept since the database went down."""
        self.dropped = 0
        """Rows dropped since the database went down (full, or too old)."""

    def __len__(self) -> int:
        return len(self._rows)

    def keep(self, kind: Kind, row: tuple[Any, ...]) -> None:
        self.expire()
        self._rows.append(Pending(kind, row, self._monotonic()))
        self.kept += 1
        while len(self._rows) > self.max_rows:
            self._rows.popleft()
            self.dropped += 1

    def expire(self) -> None:
        """Drop the rows kept longer than ``max_seconds``."""
        oldest = self._monotonic() - self.max_seconds
        while self._rows and self._rows[0].kept_at < oldest:
            self._rows.popleft()
            self.dropped += 1

    def head(self, n: int) -> list[Pending]:
        """The ``n`` oldest rows (still kept until ``done``)."""
        self.expire()
        return [self._rows[i] for i in range(min(n, len(self._rows)))]

    def done(self, n: int) -> None:
        """The ``n`` oldest rows are written (or given up on)."""
        for _ in range(min(n, len(self._rows))):
            self._rows.popleft()

    def reset_counts(self) -> tuple[int, int]:
        """(kept, dropped) since the last reset, and start counting again."""
        counts = (self.kept, self.dropped)
        self.kept = self.dropped = 0
        return counts
