"""Wire-level end-to-end tests: the unmodified StoryBot against a fake Discord.

The bot logs in over REST, connects to the gateway, gets READY and
GUILD_CREATE, and answers MESSAGE_CREATE and INTERACTION_CREATE events; the
tests assert on the JSON it sends back (see ``tests/harness/fake_discord.py``
and ``tests/harness/wire.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import pytest

from bot.ui import replies
from tests.harness.fake_discord import TOKEN, FakeDiscord
from tests.harness.hostile import assert_no_pings
from tests.harness.wire import (
    ANSWER,
    CALLBACK,
    FOLLOWUP,
    MESSAGES,
    QUESTION,
    ask_by_mention,
    ask_by_slash,
    assert_answers,
    custom_ids,
    plain,
    running_bot,
)

PINGS = "@everyone @here <@123> <@&456>"


# -- 1. connecting -------------------------------------------------------------


async def test_login_identify_ready_guild_create(fake: FakeDiscord) -> None:
    async with running_bot(fake) as bot:
        assert bot.is_ready()
        assert bot.user is not None
        assert bot.user.id == fake.bot_id
        assert bot.application_id == fake.application_id
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None
        assert not guild.unavailable
        assert guild.get_channel(fake.channel_id) is not None
        # Without the members intent discord.py caches only the bot's own member.
        assert guild.me is not None
        assert guild.member_count == len(fake.member_ids)
        assert {c.name for c in bot.tree.get_commands()} >= {"ask"}
        # REST login carried the token.
        me = fake.find_requests("GET", r"/users/@me")[0]
        assert me.headers["Authorization"] == f"Bot {TOKEN}"
        # One IDENTIFY, with the token.
        assert len(fake.identifies) == 1
        assert fake.identifies[0]["d"]["token"] == TOKEN
        # discord.py asks for zlib-stream and JSON in the URL, yet reads the
        # fake's plain text frames: it got READY and the guild from them.
        conn = fake.connections[0]
        assert conn.query == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
        assert not conn.zlib_stream
        assert [p.get("t") for p in conn.sent if p["op"] == 0][:2] == ["READY", "GUILD_CREATE"]
        # The heartbeat loop runs and gets its ACKs.
        await fake.wait_for_gateway(1)
        assert not fake.unknown_requests


async def test_zlib_stream_frames_are_read_too() -> None:
    async with FakeDiscord(zlib_stream=True) as fake, running_bot(fake) as bot:
        assert bot.is_ready()
        assert bot.get_guild(fake.guild_id) is not None
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)


# -- 2. a mention in a guild channel ------------------------------------------------


async def test_mention_is_answered_with_quote_source_and_buttons(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        question, reply = await ask_by_mention(fake, QUESTION)
        body = reply.json
        assert reply.params["channel_id"] == str(fake.channel_id)
        assert reply.status == 200
        assert_answers(body)
        assert body["content"].startswith("> ")
        assert int(body["message_reference"]["message_id"]) == int(question["id"])
        assert int(body["message_reference"]["channel_id"]) == fake.channel_id
        assert_no_pings(body, reply=True)
        ids = custom_ids(body)
        assert ids
        assert all(i.startswith("sb:") for i in ids)
        assert any(i.startswith("sb:para:") for i in ids)
        assert all(len(i) <= 100 for i in ids)
        # It showed "typing…" while it looked for the answer.
        typing = fake.find_requests("POST", rf"/channels/{fake.channel_id}/typing")
        assert typing
        assert typing[0].at <= reply.at
        assert not fake.unknown_requests


# -- 3. /ask -------------------------------------------------------------------


async def test_slash_ask_is_answered_through_the_interaction_callback(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with running_bot(fake):
        callback, message = await ask_by_slash(fake, QUESTION)
        assert callback.query.get("with_response") == "1"
        assert_answers(message)
        assert_no_pings(message)
        assert custom_ids(message)
        # The fake's callback reply was parsed: nothing went wrong afterwards.
        await asyncio.sleep(0.2)
        assert len(fake.find_requests("POST", CALLBACK)) == 1
        assert not fake.unknown_requests
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def test_slash_ask_the_story_does_not_answer_is_declined(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        _, message = await ask_by_slash(fake, "Who won the world cup?")
        assert message["content"].startswith("The story doesn't say"), message["content"]
        assert not custom_ids(message)  # no buttons under a non-answer
        assert_no_pings(message)


async def test_slash_ask_off_topic_question_is_declined_with_bm25_alone(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        _, message = await ask_by_slash(fake, "What is the capital of France?")
        assert message["content"].startswith("The story doesn't say"), message["content"]


async def test_slow_answer_defers_then_follows_up(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the answer takes longer than DEFER_AFTER, /ask defers (type 5) and
    the answer arrives as a follow-up on the interaction webhook."""
    async with running_bot(fake) as bot:
        monkeypatch.setattr(replies, "DEFER_AFTER", 0.1)
        engine = bot.service.engine
        assert engine is not None
        ask = engine.ask

        def slow_ask(*args: Any, **kwargs: Any) -> Any:
            time.sleep(0.4)
            return ask(*args, **kwargs)

        monkeypatch.setattr(engine, "ask", slow_ask)
        callback, message = await ask_by_slash(fake, QUESTION)
        assert callback.json["type"] == 5
        followup = fake.find_requests("POST", FOLLOWUP)[0]
        assert followup.query.get("wait") in ("1", "true")
        assert followup.params["token"] == callback.params["token"]
        assert_answers(message)
        assert_no_pings(message)
        assert custom_ids(message)


async def test_buttons_under_an_answer_work(fake: FakeDiscord) -> None:
    async with running_bot(fake) as bot:
        _, reply = await ask_by_mention(fake, QUESTION)
        answer_message = reply.response  # the message object the fake returned
        ids = custom_ids(answer_message)
        para = next(i for i in ids if i.startswith("sb:para:"))
        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", fake.button_click(para, answer_message))
        callback = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert callback.json["type"] == 4
        assert callback.json["data"]["flags"] & 64  # ephemeral: only the presser sees it
        assert ANSWER in plain(callback.json["data"]["content"])
        assert "paragraph 6" in callback.json["data"]["content"]

        helpful = next(i for i in ids if i.startswith("sb:vote:") and i.endswith(":1"))
        mark = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", fake.button_click(helpful, answer_message))
        callback = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert "helpful" in callback.json["data"]["content"]
        assert len(bot.service.votes) == 1
        assert bot.service.votes[0][1] == 6  # paragraph
        assert bot.service.votes[0][3] is True  # helpful


# -- 4. nobody is pinged ---------------------------------------------------------


@pytest.mark.parametrize("question", [f"{PINGS} {QUESTION}", f"{PINGS} what is the capital of France?", PINGS])
async def test_mention_with_pings_pings_nobody(fake: FakeDiscord, question: str) -> None:
    fake.add_user(123, "bystander", member=True)
    fake.add_role(456, "readers")
    async with running_bot(fake):
        sent, reply = await ask_by_mention(fake, question)
        assert sent["mention_everyone"] is True
        assert {m["id"] for m in sent["mentions"]} == {str(fake.bot_id), "123"}
        assert sent["mention_roles"] == ["456"]
        assert reply.status == 200
        assert_no_pings(reply.json, reply=True)


async def test_slash_ask_with_pings_pings_nobody(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        _, message = await ask_by_slash(fake, f"{PINGS} {QUESTION}")
        assert_no_pings(message)


async def test_pings_in_a_mention_question_do_not_stop_the_answer(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        _, reply = await ask_by_mention(fake, f"{PINGS} {QUESTION}")
    assert_answers(reply.json)
    assert_no_pings(reply.json, reply=True)


async def test_pings_in_a_slash_question_do_not_stop_the_answer(fake: FakeDiscord) -> None:
    async with running_bot(fake):
        _, message = await ask_by_slash(fake, f"{PINGS} {QUESTION}")
    assert ANSWER in plain(message["content"]), message["content"]


# -- 5. the token stays out of the logs ------------------------------------------------


async def test_token_never_logged(fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("discord", "bot", "aiohttp", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    async with running_bot(fake) as bot:
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        _, message = await ask_by_slash(fake, QUESTION)
        assert_answers(message)
        assert bot.is_ready()
    # It was sent where it belongs...
    assert fake.identifies[0]["d"]["token"] == TOKEN
    assert all(
        r.headers.get("Authorization") == f"Bot {TOKEN}"
        for r in fake.requests
        if not r.path.startswith(("/interactions/", "/webhooks/"))
    )
    # ...and logged nowhere, in messages, arguments or tracebacks.
    assert len(caplog.records) > 20, "DEBUG logging was not captured"
    secret_bits = (TOKEN, TOKEN.split(".")[-1])
    for record in caplog.records:
        rendered = " ".join(
            [record.getMessage(), repr(record.args), caplog.handler.format(record), str(record.__dict__)]
        )
        for bit in secret_bits:
            assert bit not in rendered, f"token logged by {record.name}: {record.getMessage()[:200]}"
    assert TOKEN not in caplog.text


# -- the fake itself, and discord.py's handling of what it sends -----------------------


async def test_fake_rest_replies_json_exactly_and_records_unknown_routes(fake: FakeDiscord) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": f"Bot {TOKEN}"}
        async with session.get(fake.api_base_url + "/gateway/bot", headers=auth) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["url"] == fake.gateway_url
        async with session.get(fake.api_base_url + "/users/@me") as resp:
            assert resp.status == 401  # wrong/missing token, like Discord
        async with session.delete(fake.api_base_url + "/guilds/1/bans/2", headers=auth) as resp:
            assert resp.status == 404
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["message"] == "404: Not Found"
    assert [(r.method, r.path) for r in fake.unknown_requests] == [("DELETE", "/guilds/1/bans/2")]


async def test_a_429_is_retried_after_retry_after(fake: FakeDiscord) -> None:
    fake.rate_limit_once("POST", MESSAGES, retry_after=0.2)
    async with running_bot(fake):
        _, first = await ask_by_mention(fake, QUESTION)
        assert first.status == 429
        retried = await fake.wait_for_request("POST", MESSAGES, since=fake.requests.index(first) + 1)
        assert retried.status == 200
        assert retried.at - first.at >= 0.2
        assert retried.json == first.json
        assert_answers(retried.json)


async def test_resume_after_the_gateway_closes(fake: FakeDiscord) -> None:
    async with running_bot(fake) as bot:
        session = fake.session_id
        await fake.close_gateway(code=4000)
        resume = await fake.wait_for_gateway(6)
        assert resume["d"]["session_id"] == session
        assert resume["d"]["token"] == TOKEN
        assert resume["d"]["seq"] >= 2
        await asyncio.wait_for(_until(lambda: fake.connection.session_id == session), 5)
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        assert len(fake.identifies) == 1  # resumed, not re-identified
        assert bot.is_ready()


async def _until(condition: Any) -> None:
    while True:
        with contextlib.suppress(RuntimeError):
            if condition():
                return
        await asyncio.sleep(0.01)
