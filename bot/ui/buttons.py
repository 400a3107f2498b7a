"""The buttons under an answer.

They are persistent ``DynamicItem``s: everything a button needs is in its
``custom_id``, so buttons on old answers keep working after a restart (as
long as the article is still in the corpus).  Every button replies
ephemerally, to the person who pressed it; votes count only from the person
who asked.

custom ids (at most 100 characters):

* ``sb:para:<article key>:<paragraph>`` -- show the surrounding paragraph;
* ``sb:next:<asker id>:<rank>:<question>`` -- the next best answer;
* ``sb:vote:<asker id>:<article key>:<paragraph>:<sentence>:<1|0>`` --
  helpful / not helpful (not helpful: with *Ask a person* when the server
  hands questions to people);
* ``sb:hand:...`` -- *Ask a person* (``bot/ui/handoff.py``), under a decline too.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord.utils import MISSING

from bot.engine import Answer, Result
from bot.service import Where
from bot.ui import replies
from bot.ui.formatting import paragraph_text, quote_block
from bot.ui.guard import bot_of as _bot
from bot.ui.guard import guarded
from bot.ui.handoff import HandOff, handoff_view

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

CUSTOM_ID_MAX = 100
MAX_NEXT = 5
"""How far "next best answer" goes."""
MAX_SHOWN = 3
"""The most sentences one reply quotes (``Result.shown``)."""


PARA_TEMPLATE = r"sb:para:(?P<key>[0-9a-f]{10}):(?P<p>\d{1,6})"
NEXT_TEMPLATE = r"sb:next:(?P<uid>\d{1,20}):(?P<rank>\d):(?P<q>.*)"
VOTE_TEMPLATE = r"sb:vote:(?P<uid>\d{1,20}):(?P<key>[0-9a-f]{10}):(?P<p>\d{1,6}):(?P<s>\d{1,4}):(?P<v>[01])"


class ShowParagraph(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PARA_TEMPLATE):
    def __init__(self, key: str, paragraph: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show paragraph",
                style=discord.ButtonStyle.secondary,
                custom_id=f"sb:para:{key}:{paragraph}",
            )
        )
        self.key = key
        self.paragraph = paragraph

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ShowParagraph:
        return cls(match["key"], int(match["p"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        engine = await _bot(interaction).service.engine_for(interaction.guild_id)
        article = engine.article(self.key) if engine else None
        if article is None or not 1 <= self.paragraph <= len(article.paragraphs):
            await interaction.response.send_message(replies.ARTICLE_GONE, ephemeral=True)
            return
        await interaction.response.send_message(paragraph_text(article, self.paragraph), ephemeral=True)


def _next_id(asker: int, rank: int, question: str) -> str:
    head = f"sb:next:{asker}:{rank}:"
    room = CUSTOM_ID_MAX - len(head)
    return head + " ".join(question.split())[:room]


class NextAnswer(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NEXT_TEMPLATE):
    def __init__(self, asker: int, rank: int, question: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Next best answer",
                style=discord.ButtonStyle.secondary,
                custom_id=_next_id(asker, rank, question),
            )
        )
        self.asker = asker
        self.rank = rank
        self.question = question

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> NextAnswer:
        return cls(int(match["uid"]), int(match["rank"]), match["q"])

    def full_question(self, bot: StoryBot, interaction: discord.Interaction[Any]) -> str:
        """The question this button answers: the custom id holds only its
        first words, so the whole one the bot remembers for its reply is
        taken when it begins with them."""
        message = interaction.message
        remembered = bot.service.question_of(message.id) if message is not None else None
        if remembered is not None and " ".join(remembered.split()).startswith(self.question):
            return remembered
        return self.question

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = _bot(interaction)
        question = self.full_question(bot, interaction)
        where = Where(interaction.guild_id, interaction.channel_id)
        asked = await bot.service.ask(question, top=self.rank + 1 + MAX_SHOWN, where=where, log=False)
        result = asked.result
        # The next answer the reply did not already quote (it may have quoted
        # a lower-ranked sentence as the one its answer depends on).
        shown = {a.sentence for a in result.shown()}
        rank = next((r for r in range(self.rank, len(result.answers)) if result.answers[r].sentence not in shown), None)
        if rank is None:
            await interaction.response.send_message(replies.LAST_ANSWER, ephemeral=True)
            return
        answer = result.answers[rank]
        view = discord.ui.View(timeout=None)
        view.add_item(ShowParagraph(answer.article.key, answer.paragraph))
        if rank + 1 < MAX_NEXT:
            view.add_item(NextAnswer(self.asker, rank + 1, question))
        sent = await interaction.response.send_message(quote_block(answer), view=view, ephemeral=True)
        await bot.service.remember(asked, sent.message_id)  # for the next "Next best answer"


class Vote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_TEMPLATE):
    def __init__(self, asker: int, key: str, paragraph: int, sentence: int, helpful: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="\N{THUMBS UP SIGN}" if helpful else "\N{THUMBS DOWN SIGN}",
                style=discord.ButtonStyle.secondary,
                custom_id=f"sb:vote:{asker}:{key}:{paragraph}:{sentence}:{int(helpful)}",
            )
        )
        self.asker = asker
        self.key = key
        self.paragraph = paragraph
        self.sentence = sentence
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> Vote:
        return cls(int(match["uid"]), match["key"], int(match["p"]), int(match["s"]), match["v"] == "1")

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.user.id != self.asker:
            await interaction.response.send_message(replies.ONLY_ASKER_VOTES, ephemeral=True)
            return
        bot = _bot(interaction)
        await bot.service.record_vote(
            self.key, self.paragraph, self.sentence, self.helpful, guild_id=interaction.guild_id
        )
        view = None
        if not self.helpful and interaction.guild_id is not None and interaction.message is not None:
            chosen = await bot.service.server_settings.of(interaction.guild_id)
            if chosen.handoff is not None:
                answer = interaction.message.id
                view = handoff_view(self.asker, answer, bot.service.question_of(answer) or "")
        await interaction.response.send_message(replies.noted(self.helpful), view=view or MISSING, ephemeral=True)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (ShowParagraph, NextAnswer, Vote, HandOff)


def answer_view(
    result: Result, asker: int, question: str, sentence_in_paragraph: int, *, next_rank: int = 1
) -> discord.ui.View:
    """The buttons under an answered question; "next best" starts after the
    ``next_rank`` answers the reply already shows."""
    best: Answer = result.answers[0]
    view = discord.ui.View(timeout=None)
    if best.paragraph:
        view.add_item(ShowParagraph(best.article.key, best.paragraph))
    if next_rank < MAX_NEXT:
        view.add_item(NextAnswer(asker, next_rank, question))
    if best.paragraph:
        view.add_item(Vote(asker, best.article.key, best.paragraph, sentence_in_paragraph, True))
        view.add_item(Vote(asker, best.article.key, best.paragraph, sentence_in_paragraph, False))
    return view
