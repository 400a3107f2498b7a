"""The per-user question cooldown (``bot/ui/cooldown.py``): the sliding
window itself, and as readers meet it -- two questions a minute here, then a
visible "try again in N s", always rounded up (never silence, never an
answer)."""

from __future__ import annotations

import re

import pytest
from simcord import assert_responded

from bot.ui.cooldown import UserCooldown
from bot.ui.replies import retry_message
from tests.harness.sim import MEETING, WHERE_MEET, World, plain

pytestmark = pytest.mark.story_settings(question_cooldown_rate=2, question_cooldown_seconds=60)
"""For the bot that simcord runs (the unit tests of the window build their own)."""

# -- the window ------------------------------------------------------------------------------


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
    assert "try again in 60 s" in retry_message(60.0)


# -- as readers meet it ----------------------------------------------------------------------

RETRY = re.compile(r"try again in (\d+) s")


def retry_seconds(content: str) -> int:
    match = RETRY.search(content)
    assert match, f"not a cooldown message: {content!r}"
    return int(match[1])


def use_virtual_clock(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the cooldown on simcord's virtual clock.

    ``UserCooldown`` binds ``time.monotonic`` as a default argument when
    ``bot.ui.cooldown`` is imported, before simcord swaps ``time.monotonic``
    for its virtual clock, so ``env.advance_time`` alone does not move it."""
    env = world.env
    questions = world.bot.get_cog("Questions")
    assert questions is not None  # an instance of the extension as loaded (a fresh module each time)
    monkeypatch.setattr(questions.cooldown, "_clock", lambda: env.now().timestamp())


async def test_third_mention_gets_try_again_message(world: World) -> None:
    for _ in range(2):
        assert MEETING in plain((await world.ask(world.alice, WHERE_MEET)).content)

    question = await world.alice.send(world.channel, world.mention(WHERE_MEET))

    [reply] = world.replies_to(question)
    assert 1 <= retry_seconds(reply.content) <= 60
    assert not reply.content.startswith("> ")
    assert reply.components == []
    assert reply.reference is not None
    assert reply.reference.message_id == question.id


async def test_third_ask_gets_an_ephemeral_try_again_message(world: World) -> None:
    for _ in range(2):
        answered = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)
        assert_responded(answered, ephemeral=False)

    result = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)

    assert_responded(result, ephemeral=True)
    assert result.response is not None
    assert 1 <= retry_seconds(result.response.content) <= 60
    assert result.response.components == []


async def test_mentions_dms_and_ask_share_one_cooldown(world: World) -> None:
    await world.ask(world.alice, WHERE_MEET)
    await world.alice.user.send_dm(WHERE_MEET)

    result = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)

    assert_responded(result, ephemeral=True)
    assert result.response is not None
    retry_seconds(result.response.content)


async def test_another_user_is_not_affected(world: World) -> None:
    for _ in range(3):
        await world.ask(world.alice, WHERE_MEET)

    reply = await world.ask(world.bob, WHERE_MEET)
    slash = await world.bob.slash(world.channel, "ask", question=WHERE_MEET)

    assert MEETING in plain(reply.content)
    assert_responded(slash, ephemeral=False)


async def test_the_user_may_ask_again_after_the_period(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    use_virtual_clock(world, monkeypatch)
    await world.ask(world.alice, WHERE_MEET)
    await world.ask(world.alice, WHERE_MEET)
    refused = await world.ask(world.alice, WHERE_MEET)
    assert retry_seconds(refused.content) == 60

    await world.env.advance_time(59)
    almost = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)
    assert almost.response is not None
    assert retry_seconds(almost.response.content) == 1
    assert refused.id in {m.id for m in world.channel.history()}

    await world.env.advance_time(1)
    # The note is deleted once its wait is over (delete_after), not left behind.
    assert refused.id not in {m.id for m in world.channel.history()}
    again = await world.ask(world.alice, WHERE_MEET)
    assert MEETING in plain(again.content)
