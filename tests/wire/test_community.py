"""Forum posts, *Find in the story* and the hand-off over the wire: the
unmodified bot logged in to the fake Discord, without the Message Content
intent (as most bots run), asserting on the JSON it sends.

* A new post in a forum an admin turned on (``THREAD_CREATE``, then its
  first message, empty as Discord delivers it without the intent) is
  answered in its thread from its title; a post by a bot is not; an
  archived thread is left alone.
* The message command's target is checked against the story, ephemerally.
* *Ask a person*'s post in the hand-off channel mentions the role and
  nobody else: its ``allowed_mentions`` say exactly that.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.client import StoryBot
from bot.ui import replies
from tests.harness.community import add_forum, add_text_channel, message_command, post
from tests.harness.fake_discord import INTENT_MESSAGE_CONTENT, TOKEN, FakeDiscord
from tests.harness.wire import (
    ANSWER,
    CALLBACK,
    FOLLOWUP,
    MESSAGES,
    QUESTION,
    ask_by_mention,
    custom_ids,
    plain,
    running_bot,
)

FORUM = 1_100_000_000_000_000_210
MODS = 1_100_000_000_000_000_220
HELPERS = 1_100_000_000_000_000_520
OFF_TOPIC = "How do I bake a chocolate cake?"


async def forum_on(bot: StoryBot, fake: FakeDiscord) -> None:
    await bot.service.server_settings.change(fake.guild_id, lambda s: s.with_forum(FORUM, True))


def thread_messages(thread: dict[str, Any]) -> str:
    return rf"/channels/{thread['id']}/messages$"


async def test_a_new_forum_post_is_answered_in_its_thread_from_its_title(fake: FakeDiscord) -> None:
    add_forum(fake, FORUM)
    async with running_bot(fake) as bot:
        await forum_on(bot, fake)
        mark = len(fake.requests)
        thread = await post(fake, FORUM, QUESTION, "I read the story twice and still wonder.")
        reply = await fake.wait_for_request("POST", thread_messages(thread), since=mark)
        assert ANSWER in plain(reply.json["content"])
        assert reply.json["allowed_mentions"] == {"parse": []}  # pings nobody
        assert len(reply.json["content"]) <= 2000
        # the post's first message came empty, as Discord delivers it without the intent
        assert fake.messages[int(thread["id"])]["content"] == ""


async def test_with_the_intent_the_first_message_is_read_too() -> None:
    """The title asks nothing; the question is in the post's first message;
    a later message in the thread is a follow-up."""
    async with FakeDiscord(token=TOKEN, privileged_intents=INTENT_MESSAGE_CONTENT) as fake:
        add_forum(fake, FORUM)
        async with running_bot(fake, message_content_intent=True) as bot:
            await forum_on(bot, fake)
            mark = len(fake.requests)
            thread = await post(fake, FORUM, "About the Syria visit", "When did Putin visit Syria?")
            reply = await fake.wait_for_request("POST", thread_messages(thread), since=mark)
            assert "Tuesday" in plain(reply.json["content"])
            # a message later in the thread follows the post up, like a reply to the bot
            mark = len(fake.requests)
            follow_up = fake.message_create("and when did he come before?", channel_id=int(thread["id"]))
            await fake.dispatch("MESSAGE_CREATE", follow_up)
            again = await fake.wait_for_request("POST", thread_messages(thread), since=mark)
            assert "2017" in plain(again.json["content"])
            assert bot.service.question_of(int(thread["id"])) == "When did Putin visit Syria?"


async def test_a_declined_post_says_so_with_the_handoff_button(fake: FakeDiscord) -> None:
    add_forum(fake, FORUM)
    add_text_channel(fake, MODS, "mods")
    fake.add_role(HELPERS, "helpers", mentionable=True)
    async with running_bot(fake) as bot:
        await bot.service.server_settings.change(
            fake.guild_id, lambda s: s.with_forum(FORUM, True).with_handoff(MODS, HELPERS)
        )
        mark = len(fake.requests)
        thread = await post(fake, FORUM, OFF_TOPIC, "")
        reply = await fake.wait_for_request("POST", thread_messages(thread), since=mark)
        assert "doesn't say" in reply.json["content"]
        assert [c.split(":")[1] for c in custom_ids(reply.json)] == ["hand"]


async def test_a_forum_the_admins_did_not_turn_on_is_left_alone(fake: FakeDiscord) -> None:
    add_forum(fake, FORUM)
    async with running_bot(fake):
        mark = len(fake.requests)
        thread = await post(fake, FORUM, QUESTION, "")
        _, control = await ask_by_mention(fake, QUESTION)  # the bot has handled what came before
        assert control.status == 200
        assert fake.find_requests("POST", thread_messages(thread), since=mark) == []


async def test_posts_by_bots_and_archived_threads_are_left_alone(fake: FakeDiscord) -> None:
    add_forum(fake, FORUM)
    other_bot = fake.add_user(1_100_000_000_000_000_399, "otherbot", bot=True, member=True)
    async with running_bot(fake) as bot:
        await forum_on(bot, fake)
        mark = len(fake.requests)
        by_a_bot = await post(fake, FORUM, QUESTION, "", owner=other_bot)
        archived = await post(fake, FORUM, QUESTION, "", archived=True, locked=True)
        _, control = await ask_by_mention(fake, QUESTION)
        assert control.status == 200
        await asyncio.sleep(0)
        assert fake.find_requests("POST", thread_messages(by_a_bot), since=mark) == []
        assert fake.find_requests("POST", thread_messages(archived), since=mark) == []


async def test_find_in_the_story_quotes_the_story_to_the_one_who_asked(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        claim = fake.message_create("Putin and Assad met at a Russian command post in Damascus, I heard.")
        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", message_command(fake, "Find in the story", claim))
        callback = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert callback.json["type"] == 5  # deferred, ephemerally
        assert callback.json["data"]["flags"] & 64
        followup = await fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=15)
        assert followup.json["flags"] & 64
        assert ANSWER in plain(followup.json["content"])
        assert "paragraph 6" in followup.json["content"]


async def test_the_handoff_post_mentions_the_role_and_nobody_else(fake: FakeDiscord) -> None:
    add_text_channel(fake, MODS, "mods")
    fake.add_role(HELPERS, "helpers", mentionable=True)
    async with running_bot(fake) as bot:
        await bot.service.server_settings.change(fake.guild_id, lambda s: s.with_handoff(MODS, HELPERS))
        _, reply = await ask_by_mention(fake, f"@everyone {OFF_TOPIC}")
        [button] = [c for c in custom_ids(reply.json) if c.startswith("sb:hand:")]
        declined = reply.response
        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", fake.button_click(button, declined))
        handed = await fake.wait_for_request("POST", rf"/channels/{MODS}/messages$", since=mark)
        assert handed.json["allowed_mentions"] == {"parse": [], "roles": [HELPERS]}
        assert handed.json["content"].startswith(f"<@&{HELPERS}>")
        assert f"<@{fake.reader_id}>" in handed.json["content"]
        assert f"/{fake.guild_id}/{fake.channel_id}/{declined['id']}" in handed.json["content"]
        told = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert told.json["data"]["flags"] & 64
        assert f"<#{MODS}>" in told.json["data"]["content"]
        assert [r.path for r in fake.find_requests("POST", MESSAGES, since=mark)] == [f"/channels/{MODS}/messages"]


async def test_a_handoff_discord_refuses_is_one_line_and_may_be_tried_again(fake: FakeDiscord) -> None:
    """Discord refuses the post (the bot lost access to the channel): the
    reader gets one line, ``/settings show`` will say why, and the question
    may be handed off again once the admins fixed it."""
    add_text_channel(fake, MODS, "mods")
    fake.add_role(HELPERS, "helpers", mentionable=True)
    async with running_bot(fake) as bot:
        await bot.service.server_settings.change(fake.guild_id, lambda s: s.with_handoff(MODS, HELPERS))
        _, reply = await ask_by_mention(fake, OFF_TOPIC)
        [button] = [c for c in custom_ids(reply.json) if c.startswith("sb:hand:")]
        fake.fail_once("POST", rf"/channels/{MODS}/messages", 403, {"message": "Missing Access", "code": 50001})
        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", fake.button_click(button, reply.response))
        told = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert told.json["data"]["content"] == replies.HANDOFF_FAILED
        assert told.json["data"]["flags"] & 64
        assert "Missing Access" in bot.service.server_settings.handoff_failures[fake.guild_id]

        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", fake.button_click(button, reply.response))
        handed = await fake.wait_for_request("POST", rf"/channels/{MODS}/messages$", since=mark)
        assert handed.status == 200
        told = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert f"<#{MODS}>" in told.json["data"]["content"]
        assert fake.guild_id not in bot.service.server_settings.handoff_failures
