"""*Apps → Find in the story* (``bot/exts/find.py``) in simcord's offline
Discord: on any message, the story's sentences that bear on it, quoted with
their sources, to the one who asked only; or that the story says nothing
about it; one line for a message with nothing to check.  Over the wire:
``tests/wire/test_community.py``."""

from __future__ import annotations

from simcord import assert_responded

from bot.exts.find import ATTACHMENTS_NOTE, MAX_CLAIM
from bot.ui import replies
from tests.harness.sim import MEETING, OFF_TOPIC, SOURCE_P6, World, plain, quoted, response_text

MENU = "Find in the story"
CLAIM = "Putin and Assad met at a Russian command post in Damascus, says my uncle."


async def test_a_claim_the_story_bears_on_is_quoted_with_its_source_privately(world: World) -> None:
    message = await world.bob.send(world.channel, CLAIM)
    result = await world.alice.context_menu(world.channel, MENU, message)
    assert_responded(result, ephemeral=True)
    text = response_text(result)
    assert any(MEETING in q for q in quoted(text))
    assert SOURCE_P6 in plain(text)
    assert len(text) <= 2000
    assert all(m.ephemeral for m in [result.response, *result.followups] if m is not None)


async def test_a_claim_the_story_says_nothing_about(world: World) -> None:
    message = await world.bob.send(world.channel, OFF_TOPIC)
    result = await world.alice.context_menu(world.channel, MENU, message)
    assert response_text(result) == replies.STORY_SILENT


async def test_a_long_message_gets_one_line(world: World) -> None:
    message = await world.bob.send(world.channel, "word " * (MAX_CLAIM // 4))
    result = await world.alice.context_menu(world.channel, MENU, message)
    assert_responded(result, ephemeral=True)
    assert response_text(result) == replies.TOO_LONG_TO_CHECK.format(limit=MAX_CLAIM)


async def test_a_message_of_attachments_only_gets_one_line(world: World) -> None:
    message = await world.bob.send(world.channel, "", attachments=[("photo.png", b"\x89PNG not really")])
    result = await world.alice.context_menu(world.channel, MENU, message)
    assert response_text(result) == replies.ONLY_ATTACHMENTS


async def test_a_claim_with_attachments_is_checked_and_says_the_files_were_not_read(world: World) -> None:
    message = await world.bob.send(world.channel, CLAIM, attachments=[("photo.png", b"\x89PNG not really")])
    result = await world.alice.context_menu(world.channel, MENU, message)
    text = response_text(result)
    assert any(MEETING in q for q in quoted(text))
    assert text.endswith(ATTACHMENTS_NOTE)


async def test_a_message_of_mentions_only_gets_one_line(world: World) -> None:
    message = await world.bob.send(world.channel, world.alice.mention)
    result = await world.alice.context_menu(world.channel, MENU, message)
    assert response_text(result) == replies.NOTHING_TO_CHECK
