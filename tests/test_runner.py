"""``bot.runner``: run until SIGTERM and close cleanly; sync the command tree
on purpose; intents; all against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import runner
from bot.client import StoryBot, intents_for
from bot.settings import Settings, load_settings
from tests.harness.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.runner-test.token"
SLASH = {"ask", "fact", "sources", "help", "reload", "unanswered", "corpus"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as server:
        yield server


def settings_for(fake: FakeDiscord, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": TOKEN,
        "discord_api_base_url": fake.api_base_url,
        "discord_gateway_url": fake.gateway_url,
        "corpus_dir": ROOT / "corpus",
        "semantic": False,
    }
    return load_settings(**{**values, **overrides})


async def test_run_closes_cleanly_on_sigterm(fake: FakeDiscord) -> None:
    settings = settings_for(fake)
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    task = asyncio.create_task(runner.run(settings, bot))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    assert fake.identifies[0]["d"]["token"] == TOKEN
    os.kill(os.getpid(), signal.SIGTERM)  # the runner's handler, not the default, must get it
    await asyncio.wait_for(task, 10)
    assert bot.is_closed()
    # The handler is removed again: the loop no longer intercepts SIGTERM.
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, signal.default_int_handler, None)


async def test_sync_pushes_the_tree_globally(fake: FakeDiscord) -> None:
    count = await runner.sync(settings_for(fake))
    assert count == len(SLASH)
    put = await fake.wait_for_request("PUT", rf"/applications/{fake.application_id}/commands$")
    assert {c["name"] for c in put.json} == SLASH
    assert all(c.get("description") for c in put.json)


async def test_sync_to_the_dev_guild(fake: FakeDiscord) -> None:
    count = await runner.sync(settings_for(fake, dev_guild_id=fake.guild_id))
    assert count == len(SLASH)
    put = await fake.wait_for_request("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    assert {c["name"] for c in put.json} == SLASH


async def test_run_does_not_sync(fake: FakeDiscord) -> None:
    settings = settings_for(fake)
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    task = asyncio.create_task(runner.run(settings, bot))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    await bot.close()
    await asyncio.wait_for(task, 10)
    assert not [r for r in fake.requests if r.method == "PUT" and "/commands" in r.path]


async def test_refused_token_is_one_clear_error(fake: FakeDiscord) -> None:
    settings = settings_for(fake, discord_token="not-the-token")
    with pytest.raises(runner.StartupError, match="refused the token"):
        await runner.run(settings, StoryBot(settings))


def test_intents_are_default_unless_answer_channels() -> None:
    plain = intents_for(load_settings(answer_channel_ids=[]))
    assert not plain.message_content
    assert plain.guilds
    assert plain.guild_messages
    assert plain.dm_messages
    assert not plain.members
    assert not plain.presences
    assert intents_for(load_settings(answer_channel_ids=[123])).message_content
