"""``/people`` and ``/timeline``: who's who and the dated events, quoted
from the articles (``bot.service.FactsBook``; embeds: ``bot/ui/facts.py``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine import Engine
from bot.ui import replies
from bot.ui.choices import matching
from bot.ui.facts import people_pages, person_pages, send_pages, timeline_pages

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

NO_PEOPLE = "The articles name no one."
NO_EVENTS = "The articles report no dated events."
NO_SUCH_PERSON = "No one by that name in the articles; pick one from the list."


def _article_key(engine: Engine, chosen: str | None) -> str | None:
    """The key of the article chosen (autocomplete gives its key; a title
    typed in full is taken too); "" when the corpus has no such article."""
    if chosen is None:
        return None
    if engine.article(chosen) is not None:
        return chosen
    wanted = chosen.casefold().strip()
    return next((a.key for a in engine.articles if a.title.casefold() == wanted), "")


class Facts(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    async def _engine(self, interaction: discord.Interaction[StoryBot]) -> Engine | None:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            await interaction.response.send_message(replies.STILL_LOADING, ephemeral=True)
        return engine

    @app_commands.command(name="people", description="Who's who: the people the articles name, with their roles.")
    @app_commands.describe(
        article="Only the people of this article", person="One person's quotes", by="Order (default: first mention)"
    )
    async def people(
        self,
        interaction: discord.Interaction[StoryBot],
        article: str | None = None,
        person: app_commands.Range[str, 1, 100] | None = None,
        by: Literal["first mention", "most mentions"] = "first mention",
    ) -> None:
        engine = await self._engine(interaction)
        if engine is None:
            return
        article = _article_key(engine, article)
        if article == "":
            await interaction.response.send_message(replies.NO_SUCH_ARTICLE, ephemeral=True)
            return
        book = self.bot.service.facts
        if person:
            found = await replies.in_time(interaction, book.person(engine, person, article))
            if found is None:
                await replies.send_ephemeral(interaction, NO_SUCH_PERSON)
                return
            await send_pages(interaction, person_pages(found))
            return
        order = "mentions" if by == "most mentions" else "first"
        listing = await replies.in_time(interaction, book.people(engine, article, order))
        if not listing.people:
            await replies.send_ephemeral(interaction, NO_PEOPLE)
            return
        await send_pages(interaction, people_pages(listing, self._scope(engine, article)))

    @app_commands.command(name="timeline", description="The dated events the articles report, in time order.")
    @app_commands.describe(article="Only this article's events")
    async def timeline(self, interaction: discord.Interaction[StoryBot], article: str | None = None) -> None:
        engine = await self._engine(interaction)
        if engine is None:
            return
        article = _article_key(engine, article)
        if article == "":
            await interaction.response.send_message(replies.NO_SUCH_ARTICLE, ephemeral=True)
            return
        entries = await replies.in_time(interaction, self.bot.service.facts.timeline(engine, article))
        if not entries:
            await replies.send_ephemeral(interaction, NO_EVENTS)
            return
        await send_pages(interaction, timeline_pages(entries, self._scope(engine, article)))

    @staticmethod
    def _scope(engine: Engine, article: str | None) -> str:
        found = engine.article(article) if article is not None else None
        if found is not None:
            return f"\u201c{found.title}\u201d"
        return "all articles" if len(engine.articles) > 1 else f"\u201c{engine.articles[0].title}\u201d"

    @people.autocomplete("article")
    @timeline.autocomplete("article")
    async def article_choices(
        self, interaction: discord.Interaction[StoryBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            return []
        return matching(((a.title, a.key) for a in engine.articles), current)

    @people.autocomplete("person")
    async def person_choices(
        self, interaction: discord.Interaction[StoryBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            return []
        return matching(((n, n) for n in await self.bot.service.facts.names(engine)), current)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Facts(bot))
