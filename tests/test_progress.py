"""Long work's progress on standard error (``bot/progress.py``, issue 31):
plain lines when not on a terminal (a log file, a pipe), a bar on one."""

from __future__ import annotations

import io

from bot.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_every_few_seconds_with_count_rate_and_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    step = Progress(out, clock=clock, every=5.0).step("embedding")
    step(0, 1000)
    for done in range(100, 1001, 100):  # 100 texts a second
        clock.now += 1.0
        step(done, 1000)
    lines = out.getvalue().splitlines()
    assert lines == [
        "embedding: 0 of 1,000",
        "embedding: 500 of 1,000 (50%), 100 a second, about 5 s left",
        "embedding: 1,000 of 1,000 in 10 s (100 a second)",
    ]
    assert "\r" not in out.getvalue()
    assert "\x1b" not in out.getvalue()


def test_a_new_total_starts_a_new_stage_and_minutes_read_as_minutes() -> None:
    out, clock = io.StringIO(), Clock()
    shown = Progress(out, clock=clock, every=60.0)
    words = shown.step("embedding")
    words(0, 50_000)
    clock.now += 100.0
    words(10_000, 50_000)  # 100 a second: 400 s left
    clock.now += 1.0
    parse = shown.step("parsing sentences")
    parse(0, 10)
    shown.close()
    lines = out.getvalue().splitlines()
    assert lines[1] == "embedding: 10,000 of 50,000 (20%), 100 a second, about 6 min 40 s left"
    assert lines[2].startswith("embedding: 10,000 of 50,000 in 1 min 41 s")
    assert lines[3] == "parsing sentences: 0 of 10"
    assert lines[4].startswith("parsing sentences: 0 of 10 in 0 s")


def test_a_terminal_gets_a_bar_with_count_and_time_left() -> None:
    out = io.StringIO()
    step = Progress(out, bar=True).step("embedding")
    step(0, 200)
    step(100, 200)
    step(200, 200)
    text = out.getvalue()
    assert "embedding" in text
    assert "200/200" in text
    assert "\r" in text  # redrawn in place
