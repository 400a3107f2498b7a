"""The per-user question cooldown."""

from __future__ import annotations

import pytest

from bot.ui.cooldown import UserCooldown, retry_message


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_rate_per_window_then_wait() -> None:
    clock = Clock()
    cd = UserCooldown(2, 10.0, clock=clock)
    assert cd.hit(1) == 0.0
    clock.now = 1.0
    assert cd.hit(1) == 0.0
    clock.now = 2.0
    assert cd.hit(1) == pytest.approx(8.0)
    assert cd.hit(2) == 0.0  # another user is not affected
    clock.now = 10.0
    assert cd.hit(1) == 0.0  # the first question left the window


def test_refused_questions_do_not_extend_the_wait() -> None:
    clock = Clock()
    cd = UserCooldown(1, 5.0, clock=clock)
    cd.hit(1)
    for t in (1.0, 2.0, 3.0):
        clock.now = t
        assert cd.hit(1) > 0
    clock.now = 5.0
    assert cd.hit(1) == 0.0


def test_memory_is_bounded() -> None:
    cd = UserCooldown(1, 60.0, clock=Clock(), max_users=100)
    for uid in range(1000):
        cd.hit(uid)
    assert len(cd._hits) <= 100


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="rate"):
        UserCooldown(0, 1.0)


def test_retry_message_rounds_up() -> None:
    assert retry_message(0.2) == "You're asking quickly \u2014 try again in 1 s."
    assert "try again in 8 s" in retry_message(7.01)
