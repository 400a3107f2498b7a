"""``/corpus add`` and ``/corpus remove``: a server's admins add an article
(an uploaded file, or a link the bot fetches) to their server's own
articles, or remove one of them; each change is validated, written into the
server's folder (``CORPUS_DIR/servers/<guild id>/``) and reloaded.  The
shared articles, which every server sees, are the operators' (the
``shared`` option).  Who is an admin: ``bot/exts/checks.py``."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.engine import (
    ARTICLE_SUFFIXES,
    Article,
    CorpusError,
    CorpusFileError,
    parse_article_bytes,
    remove_article,
    safe_file_name,
    write_file,
)
from bot.exts.checks import is_admin, is_operator, refused, refused_shared
from bot.fetch import AlreadyThere, FetchError, add_article_from_url, describe
from bot.render import shorten
from bot.service import fetch_options, is_own, is_shared, server_folder
from bot.ui import replies
from bot.ui.formatting import MAX_CONTENT, escape, reload_report
from bot.ui.views import Confirm

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

SHARED_HELP = "Operators only: the shared articles, which every server sees"


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class CorpusCommands(app_commands.Group, name="corpus", description="Add or remove this server's articles."):
    def __init__(self, bot: StoryBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not await is_admin(interaction):
            raise app_commands.CheckFailure("not an admin")
        return True

    def _target(self, interaction: discord.Interaction[StoryBot], shared: bool) -> int | None:
        """The server whose own articles change (None: the shared ones)."""
        return None if shared else interaction.guild_id

    def _folder(self, guild_id: int | None) -> Path:
        root = self.bot.settings.corpus_dir
        return root if guild_id is None else server_folder(root, guild_id)

    @app_commands.command(name="add", description="Add an article: upload a .txt, .md or .jsonl file, or give a link.")
    @app_commands.describe(
        file="An article file (.txt, .md or .jsonl)",
        url="A news article's link: the bot fetches the page and keeps the article",
        replace="Replace the article of the same name or link",
        shared=SHARED_HELP,
    )
    async def add(
        self,
        interaction: discord.Interaction[StoryBot],
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2048] | None = None,
        replace: bool = False,
        shared: bool = False,
    ) -> None:
        if await refused(interaction) or await refused_shared(interaction, shared):
            return
        if (file is None) == (url is None):
            await interaction.response.send_message(replies.FILE_OR_LINK, ephemeral=True)
            return
        target = self._target(interaction, shared)
        if url is not None:
            await self._add_url(interaction, url, replace, target)
            return
        assert file is not None
        await self._add_file(interaction, file, replace, target)

    async def _add_file(
        self, interaction: discord.Interaction[StoryBot], file: discord.Attachment, replace: bool, target: int | None
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
        folder = self._folder(target)
        try:
            await asyncio.to_thread(_write_into, folder, name, data, replace)
        except CorpusFileError as exc:
            hint = f" {replies.REPLACE_HINT}" if "already exists" in str(exc) else ""
            await interaction.followup.send(f"Not added: {exc}.{hint}", ephemeral=True)
            return
        log.info("article added by %s as %s", interaction.user.id, folder / name)
        await self._reload_and_report(interaction, f"Added as {name}.", target)

    async def _add_url(
        self, interaction: discord.Interaction[StoryBot], url: str, replace: bool, target: int | None
    ) -> None:
        await add_from_url(self.bot, interaction, url, replace=replace, target=target)

    @app_commands.command(name="remove", description="Remove one of this server's articles.")
    @app_commands.describe(article="The article's title", shared=SHARED_HELP)
    async def remove(self, interaction: discord.Interaction[StoryBot], article: str, shared: bool = False) -> None:
        if await refused(interaction) or await refused_shared(interaction, shared):
            return
        target = self._target(interaction, shared)
        found = next((a for a in await self._removable(target) if a.key == article), None)
        if found is None:
            await interaction.response.send_message(replies.NOT_YOURS, ephemeral=True)
            return
        view = Confirm(interaction.user.id, yes="Remove", doing="Removing\u2026", cancelled=replies.NOTHING_REMOVED)
        await interaction.response.send_message(
            f"Remove \u201c{escape(found.title)}\u201d ({escape(found.source)})?", view=view, ephemeral=True
        )
        await view.wait()
        if not view.confirmed:
            return
        try:
            await asyncio.to_thread(remove_article, self.bot.settings.corpus_dir, found)
        except (CorpusFileError, OSError) as exc:
            await interaction.followup.send(f"Not removed: {exc}.", ephemeral=True)
            return
        log.info("article %s removed by %s", found.source, interaction.user.id)
        await self._reload_and_report(interaction, f"Removed \u201c{escape(found.title)}\u201d.", target)

    @remove.autocomplete("article")
    async def article_titles(
        self, interaction: discord.Interaction[StoryBot], current: str
    ) -> list[app_commands.Choice[str]]:
        shared = bool(getattr(interaction.namespace, "shared", False))
        if shared and not await is_operator(interaction):
            return []
        needle = current.casefold()
        return [
            app_commands.Choice(name=shorten(a.title, 100), value=a.key)
            for a in await self._removable(self._target(interaction, shared))
            if needle in a.title.casefold()
        ][:25]

    async def _removable(self, target: int | None) -> list[Article]:
        """The articles an admin may remove: the server's own (``target``),
        or the shared ones (None)."""
        engine = await self.bot.service.engine_for(target)
        if engine is None:
            return []
        if target is None:
            return [a for a in engine.articles if is_shared(a.source)]
        return [a for a in engine.articles if is_own(a.source, target)]

    async def _reload_and_report(
        self, interaction: discord.Interaction[StoryBot], done: str, target: int | None
    ) -> None:
        await reload_and_report(self.bot, interaction, done, target)


async def add_from_url(
    bot: StoryBot, interaction: discord.Interaction[Any], url: str, *, replace: bool, target: int | None
) -> None:
    """Fetch the page (seconds: deferred first), keep its article among
    ``target``'s (None: the shared ones), reload and report.  Also the way
    of ``/unanswered``'s *Add an article*."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    options = fetch_options(bot.settings)
    root = bot.settings.corpus_dir
    try:
        added = await add_article_from_url(url, root, server_id=target, replace=replace, options=options)
    except FetchError as exc:
        log.info("article from %s refused: %s", url, exc)
        hint = f". {replies.REPLACE_HINT}" if isinstance(exc, AlreadyThere) else ""
        await interaction.followup.send(f"Not added: {escape(str(exc))}{hint}"[:MAX_CONTENT], ephemeral=True)
        return
    log.info("article added by %s from %s as %s", interaction.user.id, added.url, added.relative_path)
    await reload_and_report(bot, interaction, escape(describe(added)), target)


async def reload_and_report(
    bot: StoryBot, interaction: discord.Interaction[Any], done: str, target: int | None
) -> None:
    try:
        result = await bot.service.reload_articles(target)
    except CorpusError as exc:
        await interaction.followup.send(f"{done} But the reload failed: {exc}."[:MAX_CONTENT], ephemeral=True)
        return
    report = reload_report(result.old, result.new, 1900, failures=result.failures)
    await interaction.followup.send(f"{done}\n{report}", ephemeral=True)


def _write_into(folder: Path, name: str, data: bytes, replace: bool) -> Path:
    """``write_file`` into ``folder``, made first when it is a server's new folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_file(folder, name, data, replace=replace)


async def setup(bot: StoryBot) -> None:
    bot.tree.add_command(CorpusCommands(bot))


async def teardown(bot: StoryBot) -> None:
    bot.tree.remove_command("corpus")
