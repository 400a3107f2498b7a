"""Long work's progress on standard error, for the command line (``index``).

On a terminal: tqdm's bar (count, rate, time left).  Otherwise (a log
file, a pipe, systemd's journal): one plain line when a stage starts, then
one every ``PLAIN_EVERY`` seconds, and one when it ends -- no carriage
returns, no colour.  The work itself is told nothing of either: it calls
``Progress.step(what)``'s callback with ``(done, total)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Never, TextIO

from tqdm import tqdm

PLAIN_EVERY = 5.0
"""Seconds between two plain lines."""

Step = Callable[[int, int], None]
"""Told ``(done, total)`` as a stage goes on."""


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """Stages of long work shown on ``stream`` (a bar or plain lines)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        bar: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        every: float = PLAIN_EVERY,
    ) -> None:
        self.stream = stream
        self.bar = stream.isatty() if bar is None else bar
        """A terminal: tqdm's bar; else plain lines."""
        self.clock = clock
        self.every = every
        self._what = ""
        self._total = 0
        self._done = 0
        self._started = 0.0
        self._said = 0.0
        self._tqdm: tqdm[Never] | None = None  # (tqdm is generic in its stubs only)

    def step(self, what: str) -> Step:
        """A callback for stage ``what`` (``(done, total)``): a new stage
        starts when the total changes or the count goes back."""

        def told(done: int, total: int) -> None:
            if what != self._what or total != self._total or done < self._done:
                self.close()
                self._start(what, total)
            self._advance(done)

        return told

    def note(self, line: str) -> None:
        """One line of its own (a stage without a count)."""
        self.close()
        self.stream.write(line + "\n")
        self.stream.flush()

    def _start(self, what: str, total: int) -> None:
        self._what, self._total, self._done = what, total, 0
        self._started = self._said = self.clock()
        if self.bar:
            self._tqdm = tqdm(total=total, desc=what, unit=" texts", file=self.stream, dynamic_ncols=True)
        else:
            self._line(f"{what}: 0 of {total:,}")

    def _advance(self, done: int) -> None:
        if self._tqdm is not None:
            self._tqdm.update(done - self._done)
        self._done = done
        now = self.clock()
        if self._tqdm is None and now - self._said >= self.every and done < self._total:
            self._said = now
            took = now - self._started
            rate = done / took if took > 0 else 0.0
            left = f", about {_duration((self._total - done) / rate)} left" if rate > 0 else ""
            share = 100 * done // max(1, self._total)
            self._line(f"{self._what}: {done:,} of {self._total:,} ({share}%), {rate:,.0f} a second{left}")
        if done >= self._total:
            self.close()

    def close(self) -> None:
        """End the stage under way (its last line: the count, time and rate)."""
        if not self._what:
            return
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        else:
            took = self.clock() - self._started
            rate = f" ({self._done / took:,.0f} a second)" if took > 0 else ""
            self._line(f"{self._what}: {self._done:,} of {self._total:,} in {_duration(took)}{rate}")
        self._what = ""

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()
