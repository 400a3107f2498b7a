"""``/corpus add`` and ``/corpus remove``: admins add an article by
uploading a file, or remove one; each is validated, written into the corpus
folder, and reloaded.  Who is an admin: ``bot/exts/checks.py``."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.engine import (
    ARTICLE_SUFFIXES,
    CorpusError,
    CorpusFileError,
    parse_article_bytes,
    remove_article,
    safe_file_name,
    write_file,
)
from bot.exts.checks import is_admin, refused
from bot.fetch import FetchError, add_article_from_url, describe
from bot.render import shorten
from bot.service import fetch_options
from bot.ui import replies
from bot.ui.formatting import MAX_CONTENT, escape, reload_report
from bot.ui.views import Confirm

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


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

    @app_commands.command(name="add", description="Add an article: upload a .txt, .md or .jsonl file, or give a link.")
    @app_commands.describe(
        file="An article file (.txt, .md or .jsonl)",
        url="A news article's link: the bot fetches the page and keeps the article",
        replace="Replace the article of the same name or link",
    )
    async def add(
        self,
        interaction: discord.Interaction[StoryBot],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2048] | None = None,
        replace: bool = False,
    ) -> None:
        if await refused(interaction):
            return
        if (file is None) == (url is None):
            await interaction.response.send_message(replies.FILE_OR_LINK, ephemeral=True)
            return
        if url is not None:
            await self._add_url(interaction, url, replace)
            return
        assert file is not None
        await self._add_file(interaction, file, replace)

    async def _add_file(
        self, interaction: discord.Interaction[StoryBot], file: discord.Attachment, replace: bool
    ) -> None:
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
            await interaction.followup.send(f"Not added: {reasons}."[:MAX_CONTENT], ephemeral=True)
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

    async def _add_url(self, interaction: discord.Interaction[StoryBot], url: str, replace: bool) -> None:
        """Fetch the page (seconds: deferred first), keep its article."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        options = fetch_options(self.bot.settings)
        try:
            added = await add_article_from_url(url, self.bot.settings.corpus_dir, replace=replace, options=options)
        except FetchError as exc:
            log.info("article from %s refused: %s", url, exc)
            await interaction.followup.send(f"Not added: {escape(str(exc))}"[:MAX_CONTENT], ephemeral=True)
            return
        log.info("article added by %s from %s as %s", interaction.user.id, added.url, added.relative_path)
        await self._reload_and_report(interaction, escape(describe(added)))

    @app_commands.command(name="remove", description="Remove one article from the corpus.")
    @app_commands.describe(article="The article's title")
    async def remove(self, interaction: discord.Interaction[StoryBot], article: str) -> None:
        if await refused(interaction):
            return
        engine = self.bot.service.engine
        target = engine.article(article) if engine else None
        if target is None:
            await interaction.response.send_message(replies.NO_SUCH_ARTICLE, ephemeral=True)
            return
        view = Confirm(interaction.user.id, yes="Remove", doing="Removing\u2026", cancelled=replies.NOTHING_REMOVED)
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
        engine = self.bot.service.engine
        if engine is None:
            return []
        needle = current.casefold()
        return [
            app_commands.Choice(name=shorten(a.title, 100), value=a.key)
            for a in engine.articles
            if needle in a.title.casefold()
        ][:25]

    async def _reload_and_report(self, interaction: discord.Interaction[StoryBot], done: str) -> None:
        old = self.bot.service.engine
        try:
            new = await self.bot.service.reload()
        except CorpusError as exc:
            await interaction.followup.send(f"{done} But the reload failed: {exc}."[:MAX_CONTENT], ephemeral=True)
            return
        await interaction.followup.send(f"{done}\n{reload_report(old, new, 1900)}", ephemeral=True)


async def setup(bot: StoryBot) -> None:
    bot.tree.add_command(CorpusCommands(bot))


async def teardown(bot: StoryBot) -> None:
    bot.tree.remove_command("corpus")
