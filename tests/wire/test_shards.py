"""Shards in one process and REST through a rate-limit proxy (#16), over the
wire: the unmodified bot against the fake Discord.

With ``SHARD_COUNT=2`` and ``SHARD_IDS=0,1`` the bot opens two gateway
connections, IDENTIFYs ``[0, 2]`` and ``[1, 2]``, and answers in a guild of
each shard (the fake sends each guild's events to its shard's connection,
as Discord does).  IDENTIFYs are paced per ``max_concurrency`` bucket.
With ``DISCORD_API_BASE_URL`` at the fake's ``/proxy/api/v10`` every REST
call, interaction callbacks and follow-up webhooks included, goes through
that prefix.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import client
from bot.client import ShardedStoryBot, StoryBot
from tests.harness.fake_discord import TOKEN, FakeDiscord
from tests.harness.wire import (
    CALLBACK,
    FOLLOWUP,
    MESSAGES,
    QUESTION,
    ask_by_mention,
    ask_by_slash,
    assert_answers,
    reload_as,
    running_bot,
)

SHARD0_GUILD = 1_100_000_000_000_000_100 - (1 << 22)
"""A guild on shard 0 of 2 (the fake's own guild is on shard 1)."""
SHARD0_CHANNEL = 1_100_000_000_000_000_700


def shard_of(guild_id: int, count: int = 2) -> int:
    return (guild_id >> 22) % count


@pytest.fixture
async def two_shard_fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500, shards=2, max_concurrency=2) as server:
        server.add_managers()
        yield server


async def test_two_shards_in_one_process_answer_in_a_guild_of_each(two_shard_fake: FakeDiscord) -> None:
    fake = two_shard_fake
    assert shard_of(fake.guild_id) == 1
    assert shard_of(SHARD0_GUILD) == 0
    async with running_bot(fake, shard_count=2, shard_ids="0,1") as bot:
        assert isinstance(bot, ShardedStoryBot)
        assert bot.shard_count == 2
        assert sorted(bot.shards) == [0, 1]
        assert sorted(i["d"]["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
        by_shard = {conn.shard: conn for conn in fake.connections}
        assert set(by_shard) == {(0, 2), (1, 2)}
        # READY carries the shard; the fake's guild reached shard 1 only.
        for shard, conn in by_shard.items():
            assert shard is not None
            shard_id = shard[0]
            ready = next(p for p in conn.sent if p.get("t") == "READY")
            assert ready["d"]["shard"] == [shard_id, 2]
        assert [p["d"]["id"] for p in by_shard[(1, 2)].sent if p.get("t") == "GUILD_CREATE"] == [str(fake.guild_id)]
        assert not [p for p in by_shard[(0, 2)].sent if p.get("t") == "GUILD_CREATE"]

        # A guild of shard 0 joins: its GUILD_CREATE goes to shard 0's connection.
        await fake.dispatch("GUILD_CREATE", fake.add_guild(SHARD0_GUILD, SHARD0_CHANNEL, [fake.reader_id]))
        assert [p["d"]["id"] for p in by_shard[(0, 2)].sent if p.get("t") == "GUILD_CREATE"] == [str(SHARD0_GUILD)]

        # A question in each guild arrives on its shard and is answered there.
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)
        assert reply.params["channel_id"] == str(fake.channel_id)
        question = fake.to_guild(fake.message_create(f"{fake.mention()} {QUESTION}"), SHARD0_GUILD)
        mark = len(fake.requests)
        await fake.dispatch("MESSAGE_CREATE", question)
        assert any(p.get("t") == "MESSAGE_CREATE" and p["d"]["id"] == question["id"] for p in by_shard[(0, 2)].sent)
        reply0 = await fake.wait_for_request("POST", MESSAGES, since=mark)
        assert reply0.params["channel_id"] == str(SHARD0_CHANNEL)
        assert_answers(reply0.json)
        assert bot.get_guild(SHARD0_GUILD) is not None
        assert bot.get_guild(SHARD0_GUILD).shard_id == 0  # type: ignore[union-attr]
        assert bot.get_guild(fake.guild_id).shard_id == 1  # type: ignore[union-attr]
        assert not fake.unknown_requests


async def test_one_shard_of_two_gets_only_its_guilds(two_shard_fake: FakeDiscord) -> None:
    fake = two_shard_fake
    async with running_bot(fake, shard_count=2, shard_ids="1") as bot:
        assert [i["d"]["shard"] for i in fake.identifies] == [[1, 2]]
        assert isinstance(bot, ShardedStoryBot)
        assert sorted(bot.shards) == [1]
        assert [g.id for g in bot.guilds] == [fake.guild_id]
        _, reply = await ask_by_mention(fake, QUESTION)
        assert_answers(reply.json)


async def test_without_shard_settings_the_bot_is_unsharded(fake: FakeDiscord) -> None:
    async with running_bot(fake) as bot:
        assert type(bot) is StoryBot
        assert "shard" not in fake.identifies[0]["d"]
        assert not fake.find_requests("GET", r"/gateway/bot")  # no shard count asked for


@pytest.mark.parametrize(("max_concurrency", "paced"), [(1, True), (2, False)])
async def test_identifies_are_paced_per_max_concurrency_bucket(
    monkeypatch: pytest.MonkeyPatch, max_concurrency: int, paced: bool
) -> None:
    """Shards 0 and 1 share bucket 0 when max_concurrency is 1: the second
    IDENTIFY waits the interval (5 s; 1 s here); with max_concurrency 2 they
    are in buckets 0 and 1 and go at once."""
    monkeypatch.setattr(client.ShardedStoryBot, "identify_interval", 1.0)
    async with (
        FakeDiscord(token=TOKEN, heartbeat_interval_ms=500, shards=2, max_concurrency=max_concurrency) as fake,
        running_bot(fake, shard_count=2, shard_ids="0-1") as bot,
    ):
        assert isinstance(bot, ShardedStoryBot)
        assert bot.max_concurrency == max_concurrency
        arrived = [conn.identified_at for conn in fake.connections]
        assert None not in arrived
        gap = arrived[1] - arrived[0]  # type: ignore[operator]
        assert (gap >= 0.95) if paced else (gap < 0.9), gap


async def test_every_rest_call_goes_through_the_proxy_prefix() -> None:
    """A rate-limit proxy (nirn-proxy) takes Discord's paths under its own
    base: login, the gateway lookup, messages, interaction callbacks and
    follow-up webhooks all carry the prefix."""
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500, shards=2, max_concurrency=2) as fake:
        fake.add_managers()
        async with running_bot(fake, discord_api_base_url=fake.proxy_api_base_url, shard_count=2):
            _, reply = await ask_by_mention(fake, QUESTION)
            assert_answers(reply.json)
            _, shown = await ask_by_slash(fake, QUESTION)
            assert_answers(shown)
            assert await reload_as(fake, admin=True)  # deferred, then a follow-up webhook
        assert fake.find_requests("GET", r"/users/@me")
        assert fake.find_requests("GET", r"/gateway/bot")
        assert fake.find_requests("POST", MESSAGES)
        assert fake.find_requests("POST", CALLBACK)
        assert fake.find_requests("POST", FOLLOWUP + "$")
        outside = [r.full_path for r in fake.requests if not r.full_path.startswith("/proxy/api/v10/")]
        assert not outside
        assert not fake.unknown_requests


async def test_without_shard_count_one_process_runs_discords_recommended_count(two_shard_fake: FakeDiscord) -> None:
    """PRODUCT.md: an empty SHARD_COUNT is one process running Discord's
    recommended count (the fake's ``/gateway/bot`` recommends 2)."""
    import asyncio

    from bot import runner
    from bot.settings import load_settings

    fake = two_shard_fake
    settings = load_settings(
        discord_token=TOKEN,
        discord_api_base_url=fake.api_base_url,
        discord_gateway_url=fake.gateway_url,
        semantic=False,
    )
    assert settings.shard_count is None
    runner.apply_endpoints(settings)
    bot = await runner.bot_for(settings, TOKEN)
    assert isinstance(bot, ShardedStoryBot)
    assert bot.shard_count == 2
    task = asyncio.create_task(runner.run(settings, bot))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 15)
        assert sorted(i["d"]["shard"] for i in fake.identifies) == [[0, 2], [1, 2]]
    finally:
        await bot.close()
        await asyncio.wait_for(task, 10)


async def test_one_recommended_shard_is_a_plain_client(fake: FakeDiscord) -> None:
    from bot import runner
    from bot.settings import load_settings

    settings = load_settings(discord_token=TOKEN, discord_api_base_url=fake.api_base_url, semantic=False)
    runner.apply_endpoints(settings)
    bot = await runner.bot_for(settings, TOKEN)
    assert type(bot) is StoryBot
