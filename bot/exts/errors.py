"""One place for errors: the user gets a short message, the log gets the
traceback, and the bot keeps running."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StoryBot

log = logging.getLogger(__name__)

SORRY = "Something went wrong on my side; it has been logged. Please try again."
NOT_ALLOWED = "You don't have permission to use this command."


def user_message(error: app_commands.AppCommandError) -> str | None:
    """The message for errors that are the user's to fix; None for bugs."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"You're asking quickly \u2014 try again in {max(1, round(error.retry_after))} s."
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return NOT_ALLOWED
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't read that option; please check it and try again."
    return None


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Reply or follow up, whichever the interaction still allows; never raise."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id, exc_info=True)


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
        message = user_message(error)
        if message is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            original = getattr(error, "original", error)
            log.error("error in /%s", command, exc_info=(type(original), original, original.__traceback__))
            message = SORRY
        await send_ephemeral(interaction, message)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, StoryBot)
    await bot.add_cog(Errors(bot))
