"""``bot.runner``: run until SIGTERM and close cleanly; sync the command tree
on purpose; intents; all against the fake Discord on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from bot import runner
from bot.client import StoryBot, intents_for
from bot.settings import Settings, load_settings
from tests.harness.fake_discord import FakeDiscord
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.runner-test.token"
SLASH = {"ask", "fact", "people", "timeline", "sources", "help", "reload", "unanswered", "corpus", "settings"}
MENUS = {"Find in the story"}
"""Message context menus: synced with the slash commands."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as server:
        yield server


def settings_for(fake: FakeDiscord, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": TOKEN,
        "discord_api_base_url": fake.api_base_url,
        "discord_gateway_url": fake.gateway_url,
        "corpus_dir": STORY_CORPUS,
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
    assert count == len(SLASH | MENUS)
    put = await fake.wait_for_request("PUT", rf"/applications/{fake.application_id}/commands$")
    assert {c["name"] for c in put.json} == SLASH | MENUS
    assert all(c.get("description") for c in put.json if c["name"] in SLASH)
    assert {c["name"] for c in put.json if c.get("type") == 3} == MENUS


async def test_sync_to_the_dev_guild(fake: FakeDiscord) -> None:
    count = await runner.sync(settings_for(fake, dev_guild_id=fake.guild_id))
    assert count == len(SLASH | MENUS)
    put = await fake.wait_for_request("PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands$")
    assert {c["name"] for c in put.json} == SLASH | MENUS


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
    # servers' own answer channels (/settings) need it too: the operator asks for it
    assert intents_for(load_settings(answer_channel_ids=[], message_content_intent=True)).message_content


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_gateway_unreachable_at_first_is_retried_until_connected(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """REST answers but the gateway refuses connections (discord.py's own
    retry fails then, reading the sequence of a connection it never had):
    the runner tries again with back-off, logs each miss, and connects
    once the gateway is up."""
    caplog.set_level(logging.WARNING, logger="bot.runner")
    monkeypatch.setattr(runner, "FIRST_CONNECT_BACKOFF", (0.05, 0.2))
    settings = settings_for(fake, discord_gateway_url=f"ws://127.0.0.1:{closed_port()}/")
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    task = asyncio.create_task(runner.run(settings, bot))

    def misses() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "bot.runner" and "cannot reach" in r.getMessage()]

    async with asyncio.timeout(30):
        while len(misses()) < 2:
            assert not task.done(), task.exception()
            await asyncio.sleep(0.05)
    assert not fake.connections
    # The gateway comes up (where the settings point: here, the fake's).
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    await asyncio.wait_for(bot.wait_until_ready(), 30)
    assert len(fake.identifies) == 1
    assert all(r.levelno == logging.WARNING for r in misses())
    await bot.close()
    await asyncio.wait_for(task, 10)  # a clean end, no StartupError


async def test_no_voice_library_warning_at_start(
    fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.py warns once per process that PyNaCl / davey are missing;
    the bot has no voice and switches that off (re-armed here, since an
    earlier test's bot has already switched it off in this process)."""
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    caplog.set_level(logging.DEBUG)
    settings = settings_for(fake)
    bot = StoryBot(settings, guild_ready_timeout=0.1)
    task = asyncio.create_task(runner.run(settings, bot))
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    await bot.close()
    await asyncio.wait_for(task, 10)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "logging in" in logged  # discord.py's own start-up was captured
    for noise in ("davey", "PyNaCl", "voice will NOT"):
        assert noise not in logged
