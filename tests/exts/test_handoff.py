"""*Ask a person* (``bot/ui/handoff.py``) in simcord's offline Discord: with
a hand-off channel and role set (``/settings handoff``), a decline and the
thanks for a "not helpful" vote carry the button; the reader who asked
presses it once, the question goes to the hand-off channel mentioning the
role, and the reader is told privately.  The exact ``allowed_mentions`` of
the post: ``tests/wire/test_community.py``."""

from __future__ import annotations

import discord
import simcord
from simcord import assert_responded

from bot.ui import replies
from tests.harness.sim import OFF_TOPIC, WHERE_MEET, World, button_labels, make_bot, response_text

ASK_A_PERSON = "Ask a person"


async def hand_off_to(world: World, channel: simcord.ChannelHandle) -> simcord.RoleHandle:
    role = world.guild.create_role("helpers", mentionable=True)
    result = await world.admin.slash(world.channel, "settings handoff", channel=channel, role=role)
    assert "Done" in response_text(result)
    return role


def posts_in(channel: simcord.ChannelHandle, world: World) -> list[discord.Message]:
    assert world.bot.user is not None
    return [m for m in channel.history() if m.author.id == world.bot.user.id]


async def test_a_decline_without_handoff_has_no_button(world: World) -> None:
    reply = await world.ask(world.alice, OFF_TOPIC)
    assert "doesn't say" in reply.content
    assert ASK_A_PERSON not in button_labels(reply)


async def test_a_declined_question_is_handed_to_people_once(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    role = await hand_off_to(world, mods)
    reply = await world.ask(world.alice, OFF_TOPIC)
    assert button_labels(reply) == [ASK_A_PERSON]

    not_theirs = await world.bob.click(reply, label=ASK_A_PERSON)
    assert_responded(not_theirs, ephemeral=True)
    assert response_text(not_theirs) == replies.ONLY_ASKER_HANDS_OFF
    assert posts_in(mods, world) == []

    pressed = await world.alice.click(reply, label=ASK_A_PERSON)
    assert_responded(pressed, ephemeral=True)
    assert response_text(pressed) == replies.handed_off(mods.id)
    [post] = posts_in(mods, world)
    assert post.content.startswith(f"<@&{role.id}>")
    assert "chocolate cake" in post.content
    assert f"<@{world.alice.id}>" in post.content
    assert f"/{world.guild.id}/{world.channel.id}/{reply.id}" in post.content
    assert len(post.content) <= 2000

    again = await world.alice.click(reply, label=ASK_A_PERSON)
    assert response_text(again) == replies.HANDED_ALREADY
    assert len(posts_in(mods, world)) == 1


async def test_an_answer_voted_not_helpful_can_be_handed_off(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    await hand_off_to(world, mods)
    reply = await world.ask(world.alice, WHERE_MEET)
    assert ASK_A_PERSON not in button_labels(reply)
    helpful = await world.alice.click(reply, label="Helpful")
    assert helpful.response is not None
    assert ASK_A_PERSON not in button_labels(helpful.response)
    voted = await world.alice.click(reply, label="Not helpful")
    assert_responded(voted, contains="not helpful", ephemeral=True)
    assert voted.response is not None
    assert button_labels(voted.response) == [ASK_A_PERSON]

    pressed = await world.alice.click(voted.response, label=ASK_A_PERSON)
    assert response_text(pressed) == replies.handed_off(mods.id)
    [post] = posts_in(mods, world)
    assert "Putin and Assad meet" in post.content
    assert f"/{reply.id}" in post.content


async def test_the_button_works_after_a_restart(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    await hand_off_to(world, mods)
    reply = await world.ask(world.alice, OFF_TOPIC)
    await world.env.restart_bot(make_bot(world.corpus))
    assert world.bot.service.question_of(reply.id) is None  # the custom id and the database are enough
    pressed = await world.alice.click(reply, label=ASK_A_PERSON)
    assert response_text(pressed) == replies.handed_off(mods.id)
    [post] = posts_in(mods, world)
    assert "chocolate cake" in post.content


async def test_without_permission_to_post_the_reader_gets_one_line_and_admins_see_why(world: World) -> None:
    bot_role = world.guild.roles["TestBot"]
    mods = world.guild.create_text_channel(
        "mods", overwrites={bot_role: discord.PermissionOverwrite(send_messages=False)}
    )
    result = await world.admin.slash(
        world.channel, "settings handoff", channel=mods, role=world.guild.create_role("helpers", mentionable=True)
    )
    assert "But I can't post in" in response_text(result)
    reply = await world.ask(world.alice, OFF_TOPIC)
    pressed = await world.alice.click(reply, label=ASK_A_PERSON)
    assert response_text(pressed) == replies.HANDOFF_FAILED
    assert posts_in(mods, world) == []
    shown = response_text(await world.admin.slash(world.channel, "settings show"))
    assert "What is wrong" in shown
    assert f"I can't post in <#{mods.id}>" in shown
