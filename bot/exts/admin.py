"""Admin commands about the whole corpus and the question log: ``/reload``
and ``/unanswered``.  Who is an admin: ``bot/exts/checks.py``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine import CorpusError
from bot.exts.checks import is_admin, refused
from bot.question_log import StoreError
from bot.ui import replies
from bot.ui.formatting import MAX_CONTENT, reload_report, unanswered_report

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Re-read the corpus folder and swap the new index in.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(is_admin)
    async def reload(self, interaction: discord.Interaction[StoryBot]) -> None:
        if await refused(interaction):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        old = self.bot.service.engine
        try:
            new = await self.bot.service.reload()
        except CorpusError as exc:
            log.warning("reload failed: %s", exc)
            text = f"Reload failed: {exc}. The previous corpus is still serving."
            await interaction.followup.send(text[:MAX_CONTENT], ephemeral=True)
            return
        log.info("corpus reloaded by %s: %d articles", interaction.user.id, len(new.articles))
        await interaction.followup.send(reload_report(old, new), ephemeral=True)

    @app_commands.command(name="unanswered", description="Recent questions the corpus could not answer.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(is_admin)
    @app_commands.describe(days="How far back to look (default 30 days)")
    async def unanswered(
        self, interaction: discord.Interaction[StoryBot], days: app_commands.Range[int, 1, 3650] = 30
    ) -> None:
        if await refused(interaction):
            return
        store = self.bot.service.store
        if store is None:
            await interaction.response.send_message(replies.LOG_OFF, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            groups = await store.unanswered(limit=15, days=days)
            worst = await store.least_helpful(limit=5, days=days)
        except StoreError as exc:
            log.warning("/unanswered failed: %s", exc)
            await interaction.followup.send(replies.LOG_UNREADABLE, ephemeral=True)
            return
        await interaction.followup.send(unanswered_report(groups, worst, days), ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Admin(bot))
