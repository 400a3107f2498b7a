"""The wire-level harness: the unmodified ``StoryBot`` logged in to the fake
Discord (``tests/harness/fake_discord.py``) over a real socket, and the ways
a test talks to it (a mention, ``/ask``, an admin's ``/reload``), asserting
on the JSON the bot sends back."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.client import StoryBot
from bot.runner import apply_endpoints
from bot.settings import load_settings
from tests.harness.fake_discord import MANAGERS, TOKEN, FakeDiscord, RecordedRequest
from tests.story import STORY_CORPUS

__all__ = ["TOKEN"]

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Where did Putin and Assad meet?"
ANSWER = "Putin and Assad met Tuesday at a Russian command post in Damascus"
MESSAGES = r"/channels/\d+/messages"
CALLBACK = r"/interactions/\d+/[^/]+/callback"
FOLLOWUP = r"/webhooks/\d+/[^/]+"


def plain(content: str) -> str:
    """Message text as a reader sees it: bold markers and markdown escapes removed."""
    return re.sub(r"\\(.)", r"\1", content.replace("**", ""))


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeDiscord, token: str = TOKEN, *, reconnect: bool = False, **overrides: Any
) -> AsyncIterator[StoryBot]:
    """The bot, logged in and READY against ``fake``; closed on exit.
    ``reconnect=True`` connects the way ``python -m bot run`` does."""
    values: dict[str, Any] = {
        "discord_token": token,
        "discord_api_base_url": fake.api_base_url,
        "discord_gateway_url": fake.gateway_url,
        "corpus_dir": STORY_CORPUS,
        "semantic": False,
    }
    settings = load_settings(**{**values, **overrides})
    apply_endpoints(settings)
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    assert settings.discord_token is not None
    connector: asyncio.Task[None] | None = None
    try:
        await bot.login(settings.discord_token.get_secret_value())
        connector = asyncio.create_task(bot.connect(reconnect=reconnect))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({connector, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if connector in done:
                connector.result()  # raises what stopped the connection
            raise AssertionError("the bot did not become ready within 10 s")
        yield bot
    finally:
        await bot.close()
        if connector is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connector, 5)


async def ask_by_mention(fake: FakeDiscord, text: str, **kwargs: Any) -> tuple[dict[str, Any], RecordedRequest]:
    """Dispatch a guild message mentioning the bot; return it and the bot's reply request."""
    mark = len(fake.requests)
    message = fake.message_create(f"{fake.mention()} {text}", **kwargs)
    await fake.dispatch("MESSAGE_CREATE", message)
    reply = await fake.wait_for_request("POST", MESSAGES, since=mark)
    return message, reply


async def ask_by_slash(fake: FakeDiscord, question: str) -> tuple[RecordedRequest, dict[str, Any]]:
    """Dispatch ``/ask question``; return the callback request and the message
    payload the user finally sees (the callback's data, or the follow-up after a defer)."""
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", fake.slash_command("ask", {"question": question}))
    callback = await fake.wait_for_request("POST", CALLBACK, since=mark)
    assert callback.status == 200, callback.response
    if callback.json["type"] == 4:
        return callback, callback.json["data"]
    assert callback.json["type"] == 5, callback.json  # deferred: the answer comes as a follow-up
    followup = await fake.wait_for_request("POST", FOLLOWUP, timeout=15, since=mark)
    assert followup.status == 200, followup.response
    return callback, followup.json


def assert_answers(payload: dict[str, Any]) -> None:
    text = plain(payload["content"])
    assert ANSWER in text, payload["content"]
    assert "paragraph 6" in text
    assert "Putin visits Syria to meet Assad" in text
    assert len(payload["content"]) <= 2000


def custom_ids(payload: dict[str, Any]) -> list[str]:
    return [button["custom_id"] for row in payload.get("components", []) for button in row.get("components", [])]


async def reload_as(fake: FakeDiscord, *, admin: bool, shared: bool = False) -> str:
    """Dispatch /reload (by an admin: a member with the ``MANAGERS`` role)
    of the server's own articles, or ``shared`` (by the application's owner,
    an operator) of the shared ones; the text the member finally sees."""
    if shared:
        payload: dict[str, Any] = fake.slash_command("reload", {"shared": True}, user=fake.owner)
    else:
        payload = fake.slash_command("reload", roles=[MANAGERS] if admin else ())
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", payload)
    callback = await fake.wait_for_request("POST", CALLBACK, since=mark)
    if callback.json["type"] == 4:
        return str(callback.json["data"]["content"])
    follow = await fake.wait_for_request("POST", FOLLOWUP + "$", since=mark, timeout=20)
    return str(follow.json["content"])
