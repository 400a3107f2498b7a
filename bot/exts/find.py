"""*Apps → Find in the story*: a message context menu that checks any
message against the server's articles.  The reader who asked (and only
they: every reply is ephemeral) gets the sentences of the story that bear
on what the message claims, quoted with their sources, judged as answers
are (the service's ``ask``, not logged as a reader's question); or that the
story says nothing about it.  An empty message, one too long to check, and
one with attachments are each handled in one line."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import render
from bot.exts.questions import MAX_QUESTION, clean_question
from bot.service import Busy, Where
from bot.ui import replies
from bot.ui.formatting import DISCORD, MAX_CONTENT

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

NAME = "Find in the story"
MAX_CLAIM = 2 * MAX_QUESTION
"""Longer messages are not checked (a claim is a sentence or two)."""
ATTACHMENTS_NOTE = "(Its attachments were not read: only its text.)"


def refusal(message: discord.Message) -> str | None:
    """The one line for a message that cannot be checked; None to check it."""
    text = message.content.strip()
    if not text:
        return replies.ONLY_ATTACHMENTS if message.attachments else replies.NOTHING_TO_CHECK
    if len(text) > MAX_CLAIM:
        return replies.TOO_LONG_TO_CHECK.format(limit=MAX_CLAIM)
    if not clean_question(text):
        return replies.NOTHING_TO_CHECK
    return None


@app_commands.context_menu(name=NAME)
async def find_in_the_story(interaction: discord.Interaction[StoryBot], message: discord.Message) -> None:
    refused = refusal(message)
    if refused is not None:
        await interaction.response.send_message(refused, ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    claim = clean_question(message.content)
    where = Where(interaction.guild_id, interaction.channel_id)
    try:
        asked = await interaction.client.service.ask(claim, where=where, log=False)
    except Busy:
        await interaction.followup.send(replies.BUSY, ephemeral=True)
        return
    note = f"\n{ATTACHMENTS_NOTE}" if message.attachments else ""
    if asked.result.answered and asked.result.answers:
        text = render.result_text(asked.result, asked.articles, DISCORD, MAX_CONTENT - len(note))
    else:
        text = replies.STORY_SILENT
    text += note
    log.debug("find in the story: %s", "found" if asked.result.answered else "nothing")
    await interaction.followup.send(text, ephemeral=True)


async def setup(bot: StoryBot) -> None:
    bot.tree.add_command(find_in_the_story)


async def teardown(bot: StoryBot) -> None:
    bot.tree.remove_command(NAME, type=discord.AppCommandType.message)
