"""Admin commands: who counts as an admin, and ``/reload``.

Admins are members with the Manage Server permission, unless the operator
lists ``ADMIN_USER_IDS`` / ``ADMIN_ROLE_IDS``: then only those (and the
application's owner).  The commands are hidden from others by default
permissions, and checked again when run (a client may still show them):
by ``app_commands.check`` / the group's ``interaction_check``, and once more
at the top of every callback (``refused``), so nothing reaches an admin
action without the check, even a call that bypasses the command tree.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import StoryBot
from bot.engine import CorpusError
from bot.engine.corpus import ARTICLE_SUFFIXES, parse_article_bytes
from bot.engine.corpus_files import CorpusFileError, remove_article, safe_file_name, write_file
from bot.exts.errors import NOT_ALLOWED, send_ephemeral
from bot.store import StoreError
from bot.ui.formatting import escape, reload_report, shorten, unanswered_report

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


async def refused(interaction: discord.Interaction[StoryBot]) -> bool:
    """True, after telling the user, when they are not an admin.  Every admin
    callback starts with it: the command tree checks first, but a callback
    must not rely on having been reached through the tree."""
    if await is_admin(interaction):
        return False
    command = interaction.command.qualified_name if interaction.command else "?"
    log.warning("admin command /%s refused to user %s", command, interaction.user.id)
    await send_ephemeral(interaction, NOT_ALLOWED)
    return True


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
        if await refused(interaction):
            return
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


class ConfirmRemove(discord.ui.View):
    """Remove / Cancel, for the admin who asked, for one minute."""

    def __init__(self, admin_id: int) -> None:
        super().__init__(timeout=60)
        self.admin_id = admin_id
        self.confirmed: bool | None = None

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.admin_id

    @discord.ui.button(label="Remove", style=discord.ButtonStyle.danger)
    async def remove(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.confirmed = True
        await interaction.response.edit_message(content="Removing\u2026", view=None)
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.confirmed = False
        await interaction.response.edit_message(content="Nothing was removed.", view=None)
        self.stop()


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class CorpusCommands(app_commands.Group, name="corpus", description="Add or remove articles."):
    def __init__(self, bot: StoryBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not await is_admin(interaction):
            raise app_commands.CheckFailure("not an admin")
        return True

    @app_commands.command(name="add", description="Upload a .txt, .md or .jsonl article into the corpus.")
    @app_commands.describe(file="The article file", replace="Replace a file of the same name")
    async def add(
        self, interaction: discord.Interaction[StoryBot], file: discord.Attachment, replace: bool = False
    ) -> None:
        if await refused(interaction):
            return
        suffix = Path(file.filename).suffix.lower()
        limit = self.bot.settings.upload_max_bytes
        if suffix not in ARTICLE_SUFFIXES:
            await interaction.response.send_message(
                f"Only {', '.join(sorted(ARTICLE_SUFFIXES))} files can be added.", ephemeral=True
            )
            return
        if file.size > limit:
            await interaction.response.send_message(
                f"That file is {file.size:,} bytes; the limit is {limit:,}.", ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        if len(data) > limit:
            await interaction.followup.send(f"That file is over the {limit:,}-byte limit.", ephemeral=True)
            return
        articles, failures = await asyncio.to_thread(parse_article_bytes, f"upload{suffix}", data)
        if failures or not articles:
            reasons = "; ".join(escape(f.reason) for f in failures[:5]) or "no article in it"
            await interaction.followup.send(f"Not added: {reasons}."[:2000], ephemeral=True)
            return
        name = safe_file_name(articles[0].title, suffix)
        try:
            await asyncio.to_thread(write_file, self.bot.settings.corpus_dir, name, data, replace=replace)
        except CorpusFileError as exc:
            hint = " Run it again with replace: True to replace it." if "already exists" in str(exc) else ""
            await interaction.followup.send(f"Not added: {exc}.{hint}", ephemeral=True)
            return
        log.info("article added by %s as %s", interaction.user.id, name)
        await self._reload_and_report(interaction, f"Added as {name}.")

    @app_commands.command(name="remove", description="Remove one article from the corpus.")
    @app_commands.describe(article="The article's title")
    async def remove(self, interaction: discord.Interaction[StoryBot], article: str) -> None:
        if await refused(interaction):
            return
        engine = self.bot.engine
        target = engine.article(article) if engine else None
        if target is None:
            await interaction.response.send_message("No article by that name; pick one from the list.", ephemeral=True)
            return
        view = ConfirmRemove(interaction.user.id)
        await interaction.response.send_message(
            f"Remove \u201c{escape(target.title)}\u201d ({escape(target.source)})?", view=view, ephemeral=True
        )
        await view.wait()
        if not view.confirmed:
            return
        try:
            await asyncio.to_thread(remove_article, self.bot.settings.corpus_dir, target)
        except (CorpusFileError, OSError) as exc:
            await interaction.followup.send(f"Not removed: {exc}.", ephemeral=True)
            return
        log.info("article %s removed by %s", target.source, interaction.user.id)
        await self._reload_and_report(interaction, f"Removed \u201c{escape(target.title)}\u201d.")

    @remove.autocomplete("article")
    async def article_titles(
        self, interaction: discord.Interaction[StoryBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine = self.bot.engine
        if engine is None:
            return []
        needle = current.casefold()
        return [
            app_commands.Choice(name=shorten(a.title, 100), value=a.key)
            for a in engine.articles
            if needle in a.title.casefold()
        ][:25]

    async def _reload_and_report(self, interaction: discord.Interaction[StoryBot], done: str) -> None:
        old = self.bot.engine
        try:
            new = await self.bot.reload_engine()
        except CorpusError as exc:
            await interaction.followup.send(f"{done} But the reload failed: {exc}."[:2000], ephemeral=True)
            return
        await interaction.followup.send(f"{done}\n{reload_report(old, new, 1900)}", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, StoryBot)
    await bot.add_cog(Admin(bot))
    bot.tree.add_command(CorpusCommands(bot))


async def teardown(bot: commands.Bot) -> None:
    bot.tree.remove_command("corpus")
