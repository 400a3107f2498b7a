"""Admin commands: who counts as an admin, and ``/reload``.

Admins are members with the Manage Server permission, unless the operator
lists ``ADMIN_USER_IDS`` / ``ADMIN_ROLE_IDS``: then only those (and the
application's owner).  The commands are hidden from others by default
permissions, and checked again when run (a client may still show them).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StoryBot
from bot.engine import CorpusError
from bot.store import StoreError
from bot.ui.formatting import reload_report, unanswered_report

log = logging.getLogger(__name__)


async def is_admin(interaction: discord.Interaction[StoryBot]) -> bool:
    """The run-time check behind every admin command."""
    bot = interaction.client
    user = interaction.user
    settings = bot.settings
    if await bot.is_owner(user):
        return True
    if settings.admin_user_ids or settings.admin_role_ids:
        if user.id in settings.admin_user_ids:
            return True
        roles = getattr(user, "roles", ())
        return any(role.id in settings.admin_role_ids for role in roles)
    permissions = getattr(user, "guild_permissions", None)
    return bool(permissions and permissions.manage_guild)


class Admin(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Re-read the corpus folder and swap the new index in.")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(is_admin)
    async def reload(self, interaction: discord.Interaction[StoryBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        old = self.bot.engine
        try:
            new = await self.bot.reload_engine()
        except CorpusError as exc:
            log.warning("reload failed: %s", exc)
            text = f"Reload failed: {exc}. The previous corpus is still serving."
            await interaction.followup.send(text[:2000], ephemeral=True)
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
        store = self.bot.store
        if store is None:
            await interaction.response.send_message("The question log is off (see the bot's log).", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            groups = await store.unanswered(limit=15, days=days)
            worst = await store.least_helpful(limit=5, days=days)
        except StoreError as exc:
            log.warning("/unanswered failed: %s", exc)
            await interaction.followup.send("The question log cannot be read just now.", ephemeral=True)
            return
        await interaction.followup.send(unanswered_report(groups, worst, days), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, StoryBot)
    await bot.add_cog(Admin(bot))
