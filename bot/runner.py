"""Running the bot, and pushing its command tree to Discord.

``run`` starts the bot and closes it cleanly on SIGINT/SIGTERM.  ``sync``
pushes the slash commands once, on purpose (globally, or to one guild for
instant development updates) instead of on every start, which Discord rate
limits.  Both point discord.py at ``DISCORD_API_BASE_URL`` and
``DISCORD_GATEWAY_URL`` when they are set (a REST proxy, a gateway proxy or
a local test server).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import StoryBot
from bot.engine import CorpusError
from bot.metrics import serve
from bot.service import StoryService
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = Route.BASE
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


class StartupError(Exception):
    """The bot cannot start (bad token, unreachable Discord); one line to the user."""


EXIT_UNREACHABLE = 3
"""Exit code when Discord cannot be reached at start-up: a network failure,
likely to pass, that a service manager should retry (systemd restarts on
it; exit 2, a configuration error, is final until fixed)."""


class Unreachable(StartupError):
    """Discord could not be reached at start-up (exit ``EXIT_UNREACHABLE``)."""


def _unreachable(exc: BaseException) -> Unreachable:
    return Unreachable(
        f"cannot reach Discord at {Route.BASE} ({type(exc).__name__}): check the network, or DISCORD_API_BASE_URL"
    )


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py's REST base and gateway where the settings say."""
    Route.BASE = settings.discord_api_base_url or DEFAULT_API_BASE
    DiscordWebSocket.DEFAULT_GATEWAY = (
        yarl.URL(settings.discord_gateway_url) if settings.discord_gateway_url else DEFAULT_GATEWAY
    )


FIRST_CONNECT_BACKOFF = (1.0, 60.0)
"""Seconds before the first and the longest wait between attempts to reach
the gateway for the first time."""

INTENTS_HELP = (
    "Discord refused the Message Content intent, which ANSWER_CHANNEL_IDS needs: enable it in the developer "
    "portal (your application > Bot > Privileged Gateway Intents > Message Content Intent), or leave "
    "ANSWER_CHANNEL_IDS empty"
)
CLOSE_CODES = {
    4004: "Discord refused the token (DISCORD_TOKEN): check it in the developer portal",
    4010: "Discord refused the shard settings: check SHARD_COUNT and SHARD_IDS",
    4011: "Discord requires sharding for this many servers: set SHARD_COUNT",
    4013: "Discord refused the bot's intents as invalid",
    4014: INTENTS_HELP,
}
"""Gateway close codes that no retry can fix, as the line an operator reads."""


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise StartupError("DISCORD_TOKEN is not set (put it in .env or the environment)")
    return settings.discord_token.get_secret_value().strip()


async def _login(bot: StoryBot, token: str) -> None:
    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise StartupError("Discord refused the token (DISCORD_TOKEN): check it in the developer portal") from None
    except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
        raise _unreachable(exc) from None
    except CorpusError as exc:
        folder = bot.settings.corpus_dir.resolve()
        raise StartupError(
            f"{exc} (CORPUS_DIR is {folder}: run the bot from the folder that holds corpus/, or set CORPUS_DIR)"
        ) from None


async def _connect(bot: StoryBot) -> None:
    """``bot.connect``, and until the gateway has been reached once, try again
    with back-off when it cannot be: discord.py retries only a connection
    it has had (its retry reads the last connection's ``sequence``, and
    fails with ``AttributeError`` when there never was one).  Close codes
    that no retry fixes become one ``StartupError`` line."""
    delay, longest = FIRST_CONNECT_BACKOFF
    while not bot.is_closed():
        try:
            await bot.connect(reconnect=True)
            return
        except discord.PrivilegedIntentsRequired:
            raise StartupError(INTENTS_HELP) from None
        except discord.ConnectionClosed as exc:
            known = CLOSE_CODES.get(exc.code)
            raise StartupError(known or f"Discord closed the gateway connection (code {exc.code})") from None
        except AttributeError:
            if bot.ws is not None:
                raise
        log.warning(
            "cannot reach Discord's gateway at %s; trying again in %.0f s", DiscordWebSocket.DEFAULT_GATEWAY, delay
        )
        await asyncio.sleep(delay)
        delay = min(delay * 2, longest)


async def recommended_shards(token: str) -> int:
    """Discord's recommended shard count for this bot (``/gateway/bot``);
    1 when it cannot say.  Login failures are one ``StartupError`` line."""
    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        try:
            await http.static_login(token)
        except discord.LoginFailure:
            raise StartupError("Discord refused the token (DISCORD_TOKEN): check it in the developer portal") from None
        except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
            raise _unreachable(exc) from None
        try:
            shards, _url, _limits = await http.get_bot_gateway()
        except (discord.GatewayNotFound, discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("cannot read Discord's recommended shard count (%s); running one shard", exc)
            return 1
        return max(1, int(shards))
    finally:
        await http.close()


async def bot_for(settings: Settings, token: str) -> StoryBot:
    """The bot the settings ask for: ``SHARD_IDS`` of ``SHARD_COUNT``, or,
    with no ``SHARD_COUNT``, one process running Discord's recommended
    count (one shard, a plain client, until Discord recommends more)."""
    if settings.shard_count is None:
        shards = await recommended_shards(token)
        if shards > 1:
            log.info("Discord recommends %d shards: running them all in this process (SHARD_COUNT unset)", shards)
            settings = settings.model_copy(update={"shard_count": shards})
    return StoryBot(settings)


async def run(settings: Settings, bot: StoryBot | None = None) -> None:
    """Run until the connection ends or SIGINT/SIGTERM asks to stop."""
    token = _token(settings)
    apply_endpoints(settings)
    bot = bot or await bot_for(settings, token)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with bot:
        metrics = await _serve_metrics(bot)
        await _login(bot, token)
        runner = asyncio.create_task(_connect(bot))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("stopping: closing the connection")
        await bot.close()
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        if metrics is not None:
            await metrics.cleanup()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)


async def _serve_metrics(bot: StoryBot) -> web.AppRunner | None:
    """The metrics and health server, when ``METRICS_PORT`` is set; a port
    that cannot be had is a configuration error."""
    settings = bot.settings
    if settings.metrics_port is None:
        return None
    try:
        return await serve(bot.metrics, bot.health, settings.metrics_host, settings.metrics_port)
    except OSError as exc:
        where = f"{settings.metrics_host}:{settings.metrics_port}"
        raise StartupError(
            f"cannot serve metrics at {where} ({exc.strerror or exc}): choose another METRICS_PORT or METRICS_HOST, "
            "or leave METRICS_PORT empty"
        ) from None


async def sync(settings: Settings, guild_id: int | None = None, *, everywhere: bool = False) -> int:
    """Push the command tree: to ``guild_id`` (or DEV_GUILD_ID) instantly,
    else (or with ``everywhere``) globally.  Returns how many commands were
    synced."""
    token = _token(settings)
    apply_endpoints(settings)
    bot = StoryBot(settings, StoryService(settings, question_log=False), start_service=False)
    target = None if everywhere else guild_id or settings.dev_guild_id
    async with bot:
        await _login(bot, token)
        if target:
            guild = discord.Object(id=target)
            bot.tree.copy_global_to(guild=guild)
            commands = await bot.tree.sync(guild=guild)
        else:
            commands = await bot.tree.sync()
    return len(commands)
