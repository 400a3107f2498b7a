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
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import StoryBot
from bot.service import StoryService
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_API_BASE = Route.BASE
DEFAULT_GATEWAY = DiscordWebSocket.DEFAULT_GATEWAY


class StartupError(Exception):
    """The bot cannot start (bad token, unreachable Discord); one line to the user."""


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py's REST base and gateway where the settings say."""
    Route.BASE = settings.discord_api_base_url or DEFAULT_API_BASE
    DiscordWebSocket.DEFAULT_GATEWAY = (
        yarl.URL(settings.discord_gateway_url) if settings.discord_gateway_url else DEFAULT_GATEWAY
    )


def setup_logging(level: str) -> None:
    discord.utils.setup_logging(level=getattr(logging, level.upper()), root=True)
    discord.VoiceClient.warn_nacl = False  # the bot has no voice; the warning is noise


def _token(settings: Settings) -> str:
    if settings.discord_token is None:
        raise StartupError("DISCORD_TOKEN is not set (put it in .env or the environment)")
    return settings.discord_token.get_secret_value().strip()


async def _login(bot: StoryBot, token: str) -> None:
    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise StartupError("Discord refused the token (DISCORD_TOKEN): check it in the developer portal") from None
    except (aiohttp.ClientError, OSError) as exc:
        reason = type(exc).__name__
        raise StartupError(f"cannot reach Discord at {Route.BASE} ({reason})") from None


async def run(settings: Settings, bot: StoryBot | None = None) -> None:
    """Run until the connection ends or SIGINT/SIGTERM asks to stop."""
    token = _token(settings)
    apply_endpoints(settings)
    bot = bot or StoryBot(settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with bot:
        await _login(bot, token)
        runner = asyncio.create_task(bot.connect(reconnect=True))
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            log.info("stopping: closing the connection")
        await bot.close()
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(sig)


async def sync(settings: Settings, guild_id: int | None = None) -> int:
    """Push the command tree: to ``guild_id`` (or DEV_GUILD_ID) instantly,
    else globally.  Returns how many commands were synced."""
    token = _token(settings)
    apply_endpoints(settings)
    bot = StoryBot(settings, StoryService(settings, question_log=False), start_service=False)
    target = guild_id or settings.dev_guild_id
    async with bot:
        await _login(bot, token)
        if target:
            guild = discord.Object(id=target)
            bot.tree.copy_global_to(guild=guild)
            commands = await bot.tree.sync(guild=guild)
        else:
            commands = await bot.tree.sync()
    return len(commands)
