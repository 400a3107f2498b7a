"""The Discord client: a ``commands.Bot`` subclass around the service, or,
with ``SHARD_COUNT`` set, a ``commands.AutoShardedBot`` running the shards
``SHARD_IDS`` (all of them when unset) in this process.

``setup_hook`` starts the service (the engine is built in a worker thread,
never on the event loop) and loads the extensions in ``bot/exts/``; each
extension registers what it owns (its commands, its persistent buttons).
The command tree is not synced here: ``python -m bot sync`` does that on
purpose (``bot/runner.py``).  ``AllowedMentions.none()`` is set once, on the
bot, so no reply can ping anyone whatever it quotes.

``StoryBot(settings)`` builds a ``ShardedStoryBot`` when ``SHARD_COUNT`` is
set.  With it empty, ``runner.bot_for`` asks Discord's recommended count
(``/gateway/bot``) and runs that many shards in this one process
(PRODUCT.md); while Discord recommends one, the bot is a plain
``commands.Bot``: discord.py's ``AutoShardedBot`` without a count takes the
gateway URL from ``/gateway/bot`` (ignoring ``DISCORD_GATEWAY_URL``), retries
a failed first connection itself every 5 s (bypassing the runner's back-off
and one-line errors), and the in-process test harness (simcord) refuses it.

This module imports no extension and no ui module: they import the bot
class, for typing only.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Self

import discord
from discord.ext import commands

from bot.metrics import Metrics
from bot.service import StoryService
from bot.settings import Settings

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.errors",
    "bot.exts.questions",
    "bot.exts.info",
    "bot.exts.facts",
    "bot.exts.admin",
    "bot.exts.corpus",
    "bot.exts.settings",
    "bot.exts.forums",
    "bot.exts.find",
)


def intents_for(settings: Settings) -> discord.Intents:
    """What the bot uses and no more: servers and their channels, messages in
    servers and in DMs; the privileged Message Content intent only when
    answer channels need every message's text, ``ANSWER_CHANNEL_IDS`` or a
    server's own (``MESSAGE_CONTENT_INTENT``); without it Discord still
    sends the text of DMs and of messages that mention the bot."""
    return discord.Intents(
        guilds=True,
        guild_messages=True,
        dm_messages=True,
        message_content=bool(settings.answer_channel_ids) or settings.message_content_intent,
    )


class StoryBot(commands.Bot):
    """The bot: Discord's lifecycle around a ``StoryService``."""

    def __new__(cls, settings: Settings, *args: Any, **kwargs: Any) -> Self:
        """``ShardedStoryBot`` when ``SHARD_COUNT`` is set, so that every
        place that builds the bot (runner, tests, benchmarks) gets shards."""
        if cls is StoryBot and settings.shard_count is not None:
            return ShardedStoryBot.__new__(ShardedStoryBot, settings)  # type: ignore[return-value]
        return super().__new__(cls)

    def __init__(
        self,
        settings: Settings,
        service: StoryService | None = None,
        *,
        start_service: bool = True,
        **options: Any,
    ) -> None:
        # The bot has no voice: discord.py's warnings that voice libraries
        # are missing would greet every start.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
            options.setdefault("shard_ids", settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.service = service or StoryService(settings)
        self._start_service = start_service
        self.metrics = Metrics(engines_loaded=self._engines_loaded, gateway_latency=lambda: self.latency)
        """Served at ``METRICS_PORT`` (``bot/metrics.py``)."""

    def _engines_loaded(self) -> float:
        return float(self.service.corpora.engines_loaded)

    def _gateway_open(self) -> bool:
        """Whether the gateway connection is up now (every shard's, when sharded)."""
        shards = getattr(self, "shards", None)
        if isinstance(shards, dict):
            return bool(shards) and not any(shard.is_closed() for shard in shards.values())
        ws = self.ws
        return ws is not None and ws.open

    def health(self) -> str | None:
        """``/healthz``: None once connected with the corpus loaded, else why not."""
        if self.is_closed() or not self.is_ready() or not self._gateway_open():
            return "not connected to Discord"
        if self.service.engine is None:
            return "the corpus is not loaded yet"
        return None

    async def setup_hook(self) -> None:
        if self._start_service:
            await self.service.start()
        for ext in EXTENSIONS:
            await self.load_extension(ext)

    async def close(self) -> None:
        await super().close()
        await self.service.close()

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guilds", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message, /) -> None:
        # Questions are handled by the questions extension; there are no
        # prefix commands to process.
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("error in event %s", event_method)


IDENTIFY_INTERVAL = 5.0
"""Discord's pacing: at most ``max_concurrency`` IDENTIFYs per 5 s, one per
bucket ``shard_id % max_concurrency``."""


class ShardedStoryBot(StoryBot, commands.AutoShardedBot):
    """The bot running the shards ``SHARD_IDS`` of ``SHARD_COUNT``.

    IDENTIFYs are paced per bucket (``shard_id % max_concurrency``, from
    ``/gateway/bot``'s ``session_start_limit``): one per bucket every 5 s,
    shards of different buckets at once.  discord.py's own hook instead
    sleeps 5 s before every IDENTIFY but a process's first, whatever the
    bucket; neither knows about other processes (see README: stagger them).
    """

    identify_interval = IDENTIFY_INTERVAL

    def __init__(self, settings: Settings, *args: Any, **kwargs: Any) -> None:
        super().__init__(settings, *args, **kwargs)
        self.max_concurrency: int | None = None
        """From ``/gateway/bot``, fetched before the first IDENTIFY."""
        self._bucket_locks: dict[int, asyncio.Lock] = {}
        self._last_identify: dict[int, float] = {}

    async def _identify_concurrency(self) -> int:
        if self.max_concurrency is None:
            try:
                limits = await self.fetch_session_start_limits()
            except discord.DiscordException as exc:
                log.warning("cannot read the session start limit (%s); identifying one shard per 5 s", exc)
                self.max_concurrency = 1
            else:
                self.max_concurrency = max(1, limits.max_concurrency)
                shards = len(self.shard_ids or range(self.shard_count or 1))
                if limits.remaining < shards:
                    log.warning(
                        "Discord allows %d more session starts (reset in %.0f s) for %d shards here",
                        limits.remaining,
                        limits.reset_after / 1000,
                        shards,
                    )
        return self.max_concurrency

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait until ``identify_interval`` has passed since the last
        IDENTIFY of this shard's bucket in this process."""
        bucket = (shard_id or 0) % await self._identify_concurrency()
        lock = self._bucket_locks.setdefault(bucket, asyncio.Lock())
        async with lock:
            last = self._last_identify.get(bucket)
            if last is not None:
                wait = last + self.identify_interval - time.monotonic()
                if wait > 0:
                    log.info("shard %s waits %.1f s to identify (bucket %d)", shard_id, wait, bucket)
                    await asyncio.sleep(wait)
            self._last_identify[bucket] = time.monotonic()

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (%s) with shards %s of %s to %d guilds",
            self.user,
            getattr(self.user, "id", "?"),
            sorted(self.shards),
            self.shard_count,
            len(self.guilds),
        )
