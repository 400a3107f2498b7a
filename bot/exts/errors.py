"""One place for errors: the user gets a short message, the log gets the
traceback, and the bot keeps running."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.service import Busy
from bot.ui import replies

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


def user_message(error: app_commands.AppCommandError) -> str | None:
    """The message for errors that are the user's to fix; None for bugs."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return replies.retry_message(error.retry_after)
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return replies.NOT_ALLOWED
    if isinstance(error, app_commands.TransformerError):
        return replies.BAD_OPTION
    if isinstance(getattr(error, "original", None), Busy):
        return replies.BUSY
    return None


class Errors(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self._previous_tree_handler = bot.tree.on_error
        bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous_tree_handler  # type: ignore[method-assign]

    async def on_app_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            # a client whose commands are out of date (they change with a sync): one line, no traceback
            log.warning("stale command from user %s: %s", interaction.user.id, error)
            await replies.send_ephemeral(interaction, replies.STALE_COMMAND)
            return
        message = user_message(error)
        if message is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            original = getattr(error, "original", error)
            log.error("error in /%s", command, exc_info=(type(original), original, original.__traceback__))
            message = replies.SORRY
        await replies.send_ephemeral(interaction, message)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Errors(bot))
