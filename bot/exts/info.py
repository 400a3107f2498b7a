"""``/fact``, ``/sources`` and ``/help``."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.render import shorten
from bot.service import Where, is_own, is_shared
from bot.ui import replies
from bot.ui.choices import matching
from bot.ui.formatting import MAX_CONTENT, escape, quote_block

if TYPE_CHECKING:
    from bot.client import StoryBot

MAX_TOPIC = 100
MAX_SOURCES_SHOWN = 20


class Info(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        self._random = random.Random()

    @app_commands.command(name="fact", description="A notable fact from the story, or its key sentence on a topic.")
    @app_commands.describe(topic="A name or subject (optional)")
    async def fact(
        self, interaction: discord.Interaction[StoryBot], topic: app_commands.Range[str, 1, MAX_TOPIC] | None = None
    ) -> None:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            await interaction.response.send_message(replies.STILL_LOADING, ephemeral=True)
            return
        if topic:
            where = Where(interaction.guild_id, interaction.channel_id)
            asked = await replies.in_time(interaction, self.bot.service.ask(topic, top=1, where=where, log=False))
            if not asked.result.answered:
                text = f"The story doesn't say anything about {escape(shorten(topic, 80))}."
                await replies.send(interaction, text, ephemeral=True)
                return
            await replies.send(interaction, quote_block(asked.result.answers[0]))
            return
        notable = engine.notable_sentences()
        if not notable:
            await interaction.response.send_message(replies.NO_NOTABLE_FACT, ephemeral=True)
            return
        sid = self._random.choice(notable)
        await interaction.response.send_message(quote_block(engine.sentence_answer(sid)))

    @fact.autocomplete("topic")
    async def fact_topics(
        self, interaction: discord.Interaction[StoryBot], current: str
    ) -> list[app_commands.Choice[str]]:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            return []
        return matching(((n, n) for n in engine.topics(200)), current)

    @app_commands.command(name="sources", description="The articles the bot answers from here.")
    async def sources(self, interaction: discord.Interaction[StoryBot]) -> None:
        engine = await self.bot.service.engine_for(interaction.guild_id)
        if engine is None:
            await interaction.response.send_message(replies.STILL_LOADING, ephemeral=True)
            return
        guild = interaction.guild_id
        own = [a for a in engine.articles if guild is not None and is_own(a.source, guild)]
        articles = own + [a for a in engine.articles if is_shared(a.source)]
        lines = []
        for article in articles[:MAX_SOURCES_SHOWN]:
            parts = [f"\u201c{escape(article.title)}\u201d"]
            if article.publisher:
                parts.append(escape(article.publisher))
            if article.published:
                parts.append(escape(article.published))
            parts.append(f"{engine.sentence_count(article)} sentences")
            if own:
                parts.append("shared" if is_shared(article.source) else "this server's")
            line = "\u2022 " + ", ".join(parts)
            if article.url:
                line += f" <{article.url}>"
            lines.append(shorten(line, 300))
        if len(articles) > MAX_SOURCES_SHOWN:
            lines.append(f"\u2026and {len(articles) - MAX_SOURCES_SHOWN} more articles.")
        await interaction.response.send_message("\n".join(lines)[:MAX_CONTENT], ephemeral=True)

    @app_commands.command(name="help", description="How to ask the bot about the story.")
    async def help(self, interaction: discord.Interaction[StoryBot]) -> None:
        await interaction.response.send_message(replies.HELP_TEXT, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Info(bot))
