"""Per-user question cooldowns: at most ``rate`` questions in ``per`` seconds.

One mapping serves mentions, DMs, replies, answer channels and ``/ask``
alike, so switching between them does not get around it.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class UserCooldown:
    """A sliding-window limit per user id."""

    def __init__(self, rate: int, per: float, *, clock: Callable[[], float] | None = None, max_users: int = 50_000):
        if rate < 1 or per <= 0:
            raise ValueError("rate must be at least 1 and per positive")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: OrderedDict[int, deque[float]] = OrderedDict()
        self._max_users = max_users

    def hit(self, user_id: int) -> float:
        """Count one question; 0.0 if allowed, else seconds until it would be."""
        now = self._clock() if self._clock is not None else time.monotonic()
        hits = self._hits.get(user_id)
        if hits is None:
            hits = self._hits[user_id] = deque()
        self._hits.move_to_end(user_id)
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return self.per - (now - hits[0])
        hits.append(now)
        while len(self._hits) > self._max_users:
            self._hits.popitem(last=False)
        return 0.0
