"""Admin commands about the whole corpus and the question log: ``/reload``
and ``/unanswered`` (with an *Add an article* button per question).  Who
is an admin: ``bot/exts/checks.py``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.engine import CorpusError
from bot.exts.checks import is_admin, refused, refused_shared
from bot.exts.corpus import add_from_url
from bot.question_log import StoreError
from bot.ui import replies
from bot.ui.add_article import AddArticleButtons
from bot.ui.formatting import MAX_CONTENT, reload_report, unanswered_report

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Re-read this server's articles and swap the new index in.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(is_admin)
    @app_commands.describe(shared="Operators only: reload the shared articles, which every server sees")
    async def reload(self, interaction: discord.Interaction[StoryBot], shared: bool = False) -> None:
        if await refused(interaction) or await refused_shared(interaction, shared):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = None if shared else interaction.guild_id
        try:
            done = await self.bot.service.reload_articles(guild)
        except CorpusError as exc:
            log.warning("reload failed: %s", exc)
            text = f"Reload failed: {exc}. The previous corpus is still serving."
            await interaction.followup.send(text[:MAX_CONTENT], ephemeral=True)
            return
        what = "shared articles" if guild is None else f"server {guild}'s articles"
        log.info("%s reloaded by %s: %d articles", what, interaction.user.id, len(done.new.articles))
        await interaction.followup.send(reload_report(done.old, done.new, failures=done.failures), ephemeral=True)

    @app_commands.command(
        name="unanswered",
        description="Questions asked here that the articles could not answer (in a DM, operators: every server's).",
    )
    @app_commands.default_permissions(manage_guild=True)
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
        # In a server: that server's questions.  In a DM (operators only:
        # ``is_admin`` admits nobody else there): every server's, whichever
        # process answered them, since they all write one log.
        everywhere = interaction.guild_id is None
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            groups = await store.unanswered(limit=15, days=days, guild_id=interaction.guild_id)
            worst = await store.least_helpful(limit=5, days=days, guild_id=interaction.guild_id)
        except StoreError as exc:
            log.warning("/unanswered failed: %s", exc)
            await interaction.followup.send(replies.LOG_UNREADABLE, ephemeral=True)
            return
        report = unanswered_report(groups, worst, days, everywhere=everywhere)
        view = AddArticleButtons(interaction.user.id, [g.question for g in groups], self._add_article)
        await interaction.followup.send(report, view=view if groups else MISSING, ephemeral=True)

    async def _add_article(self, interaction: discord.Interaction[StoryBot], url: str) -> None:
        """*Add an article* under ``/unanswered``: the link goes the ``/corpus
        add url`` way, into the server's own articles (in a DM, an
        operator's: the shared ones); the admin is checked again."""
        still_admin = not await refused(interaction)
        if still_admin:
            await add_from_url(self.bot, interaction, url, replace=False, target=interaction.guild_id)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Admin(bot))
