"""Questions: in messages (mention, DM, reply to an answer, answer channels)
and through ``/ask``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.client import StoryBot
from bot.engine.models import Result
from bot.exts.errors import SORRY
from bot.ui.buttons import answer_view
from bot.ui.cooldown import retry_message
from bot.ui.formatting import reply_text, shorten

log = logging.getLogger(__name__)

MAX_QUESTION = 500
"""Longer questions are cut to this many characters before answering."""
DEFER_AFTER = 2.0
"""Seconds to wait for an answer before deferring an interaction (Discord
allows 3 for the first response)."""
_MENTIONS = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")


def clean_question(text: str) -> str:
    """The words of a question: mentions of anyone, roles, channels and
    custom emoji removed (they address people; they ask nothing), white
    space folded, length capped."""
    return " ".join(_MENTIONS.sub(" ", text).split())[:MAX_QUESTION]


HELP_HINT = "Ask me a question about the story, e.g. \u201cWhere did Putin and Assad meet?\u201d"


class Questions(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    # -- which messages are questions ------------------------------------------

    def _is_reply_to_us(self, message: discord.Message) -> bool:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return False
        resolved = ref.resolved
        if isinstance(resolved, discord.Message):
            return self.bot.user is not None and resolved.author.id == self.bot.user.id
        return self.bot.question_of(ref.message_id) is not None

    def _is_question(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        if self.bot.user is not None and self.bot.user in message.mentions:
            return True
        if self._is_reply_to_us(message):
            return True
        return message.channel.id in self.bot.settings.answer_channel_ids

    def _question_text(self, message: discord.Message) -> str:
        """The question without mentions of anyone, roles, channels or custom
        emoji: they are addressing, not words of the question."""
        return clean_question(message.content)

    def _previous_question(self, message: discord.Message) -> str | None:
        ref = message.reference
        if ref is None or ref.message_id is None:
            return None
        return self.bot.question_of(ref.message_id)

    # -- messages ------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if not self._is_question(message):
            return
        try:
            await self._answer_message(message)
        except Exception:
            log.exception("error answering message %s", message.id)
            with contextlib.suppress(discord.HTTPException):
                await message.reply(SORRY, mention_author=False)

    async def _answer_message(self, message: discord.Message) -> None:
        question = self._question_text(message)
        if not question:
            await message.reply(HELP_HINT, mention_author=False)
            return
        wait = self.bot.cooldown.hit(message.author.id)
        if wait:
            await message.reply(retry_message(wait), mention_author=False, delete_after=min(wait, 60.0))
            return
        previous = self._previous_question(message)
        async with message.channel.typing():
            result = await self.bot.answer(question, previous=previous)
        asked = f"{previous} {question}" if previous else question
        content, view = self._reply(result, message.author.id, asked)
        sent = await message.reply(content, view=view or MISSING, mention_author=False)
        self.bot.remember_answer(sent.id, asked)
        await self.bot.log_question(question, result, message.guild.id if message.guild else None, message.channel.id)

    def _reply(self, result: Result, asker: int, question: str) -> tuple[str, discord.ui.View | None]:
        """The reply's text, and its buttons when the question was answered."""
        engine = self.bot.engine
        articles = engine.articles if engine else ()
        content = reply_text(result, articles)
        if not result.answered or engine is None:
            return content, None
        best = result.answers[0]
        in_para = engine.index.position_in_paragraph(best.sentence) if best.sentence >= 0 else 0
        return content, answer_view(result, asker, question, in_para, next_rank=result.answers_shown)

    # -- /ask --------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the story a question; the answer quotes it.")
    @app_commands.describe(question="Your question, in plain words")
    async def ask(
        self, interaction: discord.Interaction[StoryBot], question: app_commands.Range[str, 1, MAX_QUESTION]
    ) -> None:
        question = clean_question(question)
        if not question:
            await interaction.response.send_message(HELP_HINT, ephemeral=True)
            return
        wait = self.bot.cooldown.hit(interaction.user.id)
        if wait:
            await interaction.response.send_message(retry_message(wait), ephemeral=True)
            return
        task = asyncio.ensure_future(self.bot.answer(question))
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if done:
            result = task.result()
            content, view = self._reply(result, interaction.user.id, question)
            sent = await interaction.response.send_message(content, view=view or MISSING)
            reply_id = sent.message_id
        else:
            await interaction.response.defer(thinking=True)
            result = await task
            content, view = self._reply(result, interaction.user.id, question)
            reply_id = (await interaction.followup.send(content, view=view or MISSING, wait=True)).id
        if view is not None and reply_id is not None:
            # "Next best answer" holds only the question's first words.
            self.bot.remember_answer(reply_id, question)
        log.debug("answered /ask %r: %s", shorten(question, 80), result.answered)
        await self.bot.log_question(question, result, interaction.guild_id, interaction.channel_id)


async def setup(bot: commands.Bot) -> None:
    assert isinstance(bot, StoryBot)
    await bot.add_cog(Questions(bot))
