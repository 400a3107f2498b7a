"""The per-user question cooldown, as readers meet it: two questions a minute
here, then a visible "try again in N s" (never silence, never an answer)."""

from __future__ import annotations

import re

import pytest
from simcord import assert_responded

from tests.exts.simworld import MEETING, WHERE_MEET, World, plain

pytestmark = pytest.mark.story_settings(question_cooldown_rate=2, question_cooldown_seconds=60)

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
    monkeypatch.setattr(world.bot.cooldown, "_clock", lambda: env.now().timestamp())


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
