"""Intents over the wire: the bot asks Discord for the intents it uses and no
more, a privileged one the application has not enabled ends the start with
one line (Discord's 4014), and without the Message Content intent a reply
that does not mention the bot (its reply ping switched off) arrives without
its text, as Discord delivers it, and the reader is told how to follow up."""

from __future__ import annotations

import discord
import pytest

from bot import runner
from bot.client import StoryBot
from bot.settings import load_settings
from bot.ui import replies
from tests.harness.fake_discord import INTENT_MESSAGE_CONTENT, TOKEN, FakeDiscord, replies_to
from tests.harness.wire import ANSWER, MESSAGES, QUESTION, ask_by_mention, plain, running_bot
from tests.story import STORY_CORPUS

GUILDS = 1 << 0
GUILD_MESSAGES = 1 << 9
DIRECT_MESSAGES = 1 << 12
MESSAGE_CONTENT = 1 << 15


async def test_the_bot_identifies_with_guilds_guild_messages_and_direct_messages_only(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        intents = fake.identifies[0]["d"]["intents"]
    assert intents == GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES
    assert discord.Intents._from_value(intents) == discord.Intents(guilds=True, guild_messages=True, dm_messages=True)


async def test_answer_channels_add_message_content_and_nothing_else() -> None:
    async with (
        FakeDiscord(token=TOKEN, privileged_intents=INTENT_MESSAGE_CONTENT) as fake,
        running_bot(fake, answer_channel_ids=[fake.channel_id]) as bot,
    ):
        assert fake.identifies[0]["d"]["intents"] == GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT
        # With the intent every message carries its text: a plain message
        # in an answer channel is answered.
        mark = len(fake.requests)
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(QUESTION))
        reply = await fake.wait_for_request("POST", MESSAGES, since=mark)
        assert ANSWER in plain(reply.json["content"])
        assert bot.intents.message_content


async def test_message_content_refused_by_discord_is_one_startup_error(fake: FakeDiscord) -> None:
    """The application has not enabled Message Content in the developer
    portal: Discord (here the fake) closes the gateway with 4014."""
    settings = load_settings(
        discord_token=TOKEN,
        discord_api_base_url=fake.api_base_url,
        discord_gateway_url=fake.gateway_url,
        corpus_dir=STORY_CORPUS,
        semantic=False,
        answer_channel_ids=[fake.channel_id],
    )
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    with pytest.raises(runner.StartupError) as caught:
        await runner.run(settings, bot)
    assert "Message Content" in str(caught.value)
    assert "ANSWER_CHANNEL_IDS" in str(caught.value)
    assert fake.identifies[0]["d"]["intents"] & MESSAGE_CONTENT
    assert len(fake.identifies) == 1  # not retried: no retry can fix it
    assert bot.is_closed()


async def _answer(fake: FakeDiscord) -> dict[str, object]:
    """A question by mention, and the bot's answer as Discord stored it."""
    _, reply = await ask_by_mention(fake, QUESTION)
    assert ANSWER in plain(reply.json["content"])
    answer = reply.response
    assert isinstance(answer, dict)
    return answer


async def test_a_reply_with_the_ping_off_is_told_how_to_follow_up(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        answer = await _answer(fake)
        mark = len(fake.requests)
        follow = fake.message_create("And when did they meet before?", referenced_message=answer)
        assert follow["mentions"] == []  # the reply ping is off
        await fake.dispatch("MESSAGE_CREATE", follow)
        sent = fake.connection.sent[-1]["d"]
        assert sent["id"] == follow["id"]
        assert sent["content"] == ""  # as Discord delivers it
        reply = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=replies_to(follow))
        assert reply.json["content"] == replies.REPLY_WITHOUT_PING


async def test_a_reply_with_the_ping_on_is_answered_as_a_follow_up(fake: FakeDiscord) -> None:
    async with running_bot(fake) as bot:
        answer = await _answer(fake)
        mark = len(fake.requests)
        follow = fake.message_create(
            "And when did they meet before?", referenced_message=answer, mentions=[fake.bot_user]
        )
        await fake.dispatch("MESSAGE_CREATE", follow)
        assert fake.connection.sent[-1]["d"]["content"] == follow["content"]  # a mention keeps the text
        reply = await fake.wait_for_request("POST", MESSAGES, since=mark, predicate=replies_to(follow))
        content = plain(reply.json["content"])
        assert content.startswith("> "), content  # a quote from the story, under its source
        assert "Putin visits Syria to meet Assad" in content
        assert bot.service.question_of(int(answer["id"])) == QUESTION  # type: ignore[call-overload]


async def test_direct_messages_keep_their_text_without_the_intent(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        mark = len(fake.requests)
        message = fake.message_create(QUESTION, guild=False, channel_id=fake.snowflake())
        await fake.dispatch("MESSAGE_CREATE", message)
        assert fake.connection.sent[-1]["d"]["content"] == QUESTION
        reply = await fake.wait_for_request("POST", MESSAGES, since=mark)
        assert ANSWER in plain(reply.json["content"])
