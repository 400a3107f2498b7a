"""``/settings`` (``bot/exts/settings.py``) in simcord's offline Discord:
a server's admins choose its answer channels, the forums whose posts are
answered, and the hand-off channel and role; everyone else is refused; each
option the bot cannot use gets one line.  Who may run them is also in
``tests/exts/test_checks.py``; shared by two processes:
``tests/service/test_server_settings_sync.py``."""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

import pytest
from simcord import assert_responded

from bot.question_log import ServerSettings
from bot.ui import replies
from tests.exts.test_checks import admin_command
from tests.harness.sim import WHERE_MEET, World, plain, response_text

INTENT = pytest.mark.story_settings(message_content_intent=True)


async def settings_shown(world: World) -> str:
    result = await world.admin.slash(world.channel, "settings show")
    assert_responded(result, ephemeral=True)
    return response_text(result)


@INTENT
async def test_an_admin_turns_on_an_answer_channel_and_its_messages_are_answered(world: World) -> None:
    questions = world.guild.create_text_channel("questions")
    result = await world.admin.slash(world.channel, "settings answer-channel", channel=questions, on=True)
    assert_responded(result, ephemeral=True)
    assert f"<#{questions.id}>" in response_text(result)
    reply = await world.ask(world.alice, WHERE_MEET, channel=questions, mention=False)
    assert "command post" in plain(reply.content)
    assert f"Answer channels: <#{questions.id}>" in await settings_shown(world)

    await world.admin.slash(world.channel, "settings answer-channel", channel=questions, on=False)
    message = await world.alice.send(questions, WHERE_MEET)
    assert world.replies_to(message, questions) == []


async def test_an_answer_channel_without_the_message_content_intent_is_refused_in_one_line(world: World) -> None:
    questions = world.guild.create_text_channel("questions")
    result = await world.admin.slash(world.channel, "settings answer-channel", channel=questions, on=True)
    text = response_text(result)
    assert "Message Content" in text
    assert "\n" not in text
    assert "Answer channels: none" in await settings_shown(world)


@pytest.mark.admin_roles
async def test_a_member_who_is_no_admin_may_not_change_the_settings(world: World) -> None:
    """The moderator's client shows ``/settings`` (Manage Server), but with
    ``ADMIN_ROLE_IDS`` set they are no admin: refused."""
    forum = world.guild.create_forum_channel("questions")
    result = await world.moderator.slash(world.channel, "settings forum", channel=forum, on=True)
    assert response_text(result) == replies.NOT_ALLOWED
    assert await world.bot.service.server_settings.of(world.guild.id) == ServerSettings(world.guild.id)


async def test_a_forum_is_turned_on_and_off(world: World) -> None:
    forum = world.guild.create_forum_channel("ask-the-story")
    result = await world.admin.slash(world.channel, "settings forum", channel=forum, on=True)
    assert f"I answer each new post in <#{forum.id}>" in response_text(result)
    assert f"Forums whose new posts I answer: <#{forum.id}>" in await settings_shown(world)
    await world.admin.slash(world.channel, "settings forum", channel=forum, on=False)
    assert "Forums whose new posts I answer: none" in await settings_shown(world)


async def test_handoff_is_set_shown_and_turned_off(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    role = world.guild.create_role("helpers", mentionable=True)
    result = await world.admin.slash(world.channel, "settings handoff", channel=mods, role=role)
    assert f"<@&{role.id}> in <#{mods.id}>" in response_text(result)
    shown = await settings_shown(world)
    assert f"Hand-off to people: <#{mods.id}>, <@&{role.id}>" in shown
    assert "What is wrong" not in shown
    await world.admin.slash(world.channel, "settings handoff-off")
    assert "Hand-off to people: off" in await settings_shown(world)


async def test_an_unmentionable_role_gets_one_line(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    role = world.guild.create_role("quiet", mentionable=False)
    result = await world.admin.slash(world.channel, "settings handoff", channel=mods, role=role)
    text = response_text(result)
    assert "can't be mentioned" in text
    assert "\n" not in text
    assert "Hand-off to people: off" in await settings_shown(world)


async def call_settings(world: World, name: str, **options: Any) -> str:
    """``/settings name`` called by the admin with options simcord cannot
    send (a channel of another server, one deleted, a deleted role): the
    one line the admin got."""
    interaction = await world.direct_interaction(world.admin)
    binding, command = admin_command(world.bot, f"settings {name}")
    await command.callback(binding, interaction, **options)  # type: ignore[call-arg]
    interaction.response.send_message.assert_awaited_once()
    text: str = interaction.response.send_message.await_args.args[0]
    assert "\n" not in text
    return text


async def test_a_channel_of_another_server_gets_one_line(world: World) -> None:
    theirs = world.env.create_guild("Elsewhere").create_text_channel("general")
    text = await call_settings(world, "forum", channel=MagicMock(id=theirs.id), on=True)
    assert text == replies.CHANNEL_ELSEWHERE
    assert await world.bot.service.server_settings.of(world.guild.id) == ServerSettings(world.guild.id)


async def test_a_deleted_channel_or_role_gets_one_line(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    role = world.guild.create_role("helpers", mentionable=True)
    gone = MagicMock(id=mods.id + 999_999)
    assert await call_settings(world, "forum", channel=gone, on=True) == replies.CHANNEL_GONE
    assert await call_settings(world, "handoff", channel=gone, role=MagicMock(id=role.id)) == replies.CHANNEL_GONE
    deleted_role = MagicMock(id=role.id + 999_999)
    assert await call_settings(world, "handoff", channel=MagicMock(id=mods.id), role=deleted_role) == replies.ROLE_GONE
    assert await world.bot.service.server_settings.of(world.guild.id) == ServerSettings(world.guild.id)


async def test_a_text_channel_is_not_a_forum(world: World) -> None:
    assert await call_settings(world, "forum", channel=MagicMock(id=world.channel.id), on=True) == replies.NOT_FORUM


async def test_show_says_why_the_last_handoff_failed(world: World) -> None:
    mods = world.guild.create_text_channel("mods")
    role = world.guild.create_role("helpers", mentionable=True)
    await world.admin.slash(world.channel, "settings handoff", channel=mods, role=role)
    why = f"the last hand-off could not be posted in <#{mods.id}>: Missing Access"
    world.bot.service.server_settings.handoff_failures[world.guild.id] = why  # as Ask a person notes it
    assert f"\u2022 T{why[1:]}." in await settings_shown(world)
