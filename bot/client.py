"""The Discord client: a ``commands.Bot`` subclass around the service.

``setup_hook`` starts the service (the engine is built in a worker thread,
never on the event loop) and loads the extensions in ``bot/exts/``; each
extension registers what it owns (its commands, its persistent buttons).
The command tree is not synced here: ``python -m bot sync`` does that on
purpose (``bot/runner.py``).  ``AllowedMentions.none()`` is set once, on the
bot, so no reply can ping anyone whatever it quotes.

This module imports no extension and no ui module: they import the bot
class, for typing only.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.service import StoryService
from bot.settings import Settings
from bot.ui.cooldown import UserCooldown

log = logging.getLogger(__name__)

EXTENSIONS = (
    "bot.exts.errors",
    "bot.exts.questions",
    "bot.exts.info",
    "bot.exts.admin",
    "bot.exts.corpus",
)


def intents_for(settings: Settings) -> discord.Intents:
    """What the bot uses and no more: servers and their channels, messages in
    servers and in DMs; the privileged Message Content intent only when
    answer channels need every message's text (without it Discord still
    sends the text of DMs and of messages that mention the bot)."""
    return discord.Intents(
        guilds=True,
        guild_messages=True,
        dm_messages=True,
        message_content=bool(settings.answer_channel_ids),
    )


class StoryBot(commands.Bot):
    """The bot: Discord's lifecycle around a ``StoryService``."""

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
        self.cooldown = UserCooldown(settings.question_cooldown_rate, settings.question_cooldown_seconds)

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
