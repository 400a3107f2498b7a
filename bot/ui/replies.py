"""Every short line the bot says to a reader or an admin, in one place, and
the one way an ephemeral line is sent.  Quotes and reports are built in
``bot/render.py`` and ``bot/ui/formatting.py``."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord
from discord.utils import MISSING

from bot.render import EXAMPLE_QUESTION

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFER_AFTER = 2.0
"""Seconds to wait for an answer before deferring an interaction (Discord
allows 3 for the first response)."""

SORRY = "Something went wrong on my side; it has been logged. Please try again."
NOT_ALLOWED = "You don't have permission to use this command."
BAD_OPTION = "I couldn't read that option; please check it and try again."
BUSY = "I'm answering a lot of questions right now; please ask again in a few seconds."
STILL_LOADING = "The story is still loading; try again shortly."
HELP_HINT = f"Ask me a question about the story, e.g. \u201c{EXAMPLE_QUESTION}\u201d"
HELP_TEXT = (
    "**Ask me about the story.** Mention me with a question, ask in a DM, or reply to one of my answers "
    "with a follow-up (\u201cand when did he come before?\u201d).\n"
    "\u2022 `/ask` \u2014 an answer, quoted word for word from the story, with its source\n"
    "\u2022 `/fact` \u2014 a notable fact, or the key sentence on a topic\n"
    "\u2022 `/people` \u2014 who's who, with the role the story gives each person\n"
    "\u2022 `/timeline` \u2014 the dated events, in time order\n"
    "\u2022 `/sources` \u2014 the articles I read from\n"
    "\u2022 *Apps \u2192 Find in the story* on any message \u2014 what the story says about it\n"
    "If the story doesn't say, I'll tell you so rather than guess."
)
REPLY_WITHOUT_PING = (
    "I can't read replies that don't mention me. Reply again with the @mention switched on "
    "(the \u201c@ ON\u201d toggle above the message box), or use `/ask`."
)

# Buttons under an answer.
ARTICLE_GONE = "That article is no longer in the corpus."
LAST_ANSWER = "That was the last answer the story has."
ONLY_ASKER_VOTES = "Only the person who asked can rate this answer."

# /fact
NO_NOTABLE_FACT = "I found no notable fact in the story."

# Admin commands.
LOG_OFF = "The question log is off (see the bot's log)."
LOG_UNREADABLE = "The question log cannot be read just now."
NOTHING_REMOVED = "Nothing was removed."
OPERATORS_ONLY = (
    "Only the bot's operators can change the shared articles (every server sees them); "
    "leave `shared` off to manage this server's own."
)
NOT_YOURS = "That article isn't one of this server's own; pick one from the list."
FILE_OR_LINK = "Give the article as a file or as a link (url): one of the two."
REPLACE_HINT = "Run it again with replace: True to replace it."
NO_SUCH_ARTICLE = "No article by that name; pick one from the list."


def retry_message(seconds: float) -> str:
    """A reader asked too often: when they may ask again (never "0 s")."""
    return f"You're asking quickly \u2014 try again in {max(1, math.ceil(seconds))} s."


def noted(helpful: bool) -> str:
    return f"Thanks \u2014 noted as {'helpful' if helpful else 'not helpful'}."


async def send_ephemeral(interaction: discord.Interaction[Any], text: str) -> None:
    """Reply or follow up, whichever the interaction still allows; never raise."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction %s)", interaction.id, exc_info=True)


async def in_time(interaction: discord.Interaction[Any], pending: Awaitable[T]) -> T:
    """``pending``'s value; if it takes longer than ``DEFER_AFTER``, the
    interaction is deferred meanwhile ("thinking…"), so Discord's three
    seconds never run out."""
    task = asyncio.ensure_future(pending)
    done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
    if not done:
        await interaction.response.defer(thinking=True)
    return await task


async def send(
    interaction: discord.Interaction[Any], content: str, view: discord.ui.View | None = None, *, ephemeral: bool = False
) -> int | None:
    """The interaction's reply, or its follow-up once it was deferred; the
    message id when Discord gives one."""
    if interaction.response.is_done():
        message = await interaction.followup.send(content, view=view or MISSING, ephemeral=ephemeral, wait=True)
        return message.id
    sent = await interaction.response.send_message(content, view=view or MISSING, ephemeral=ephemeral)
    return sent.message_id


# -- /settings, hand-off, forum posts, Find in the story (issue 29) ------------------------------

STALE_COMMAND = "That command has changed since your Discord app loaded it; reload Discord (Ctrl+R) and try again."
SETTINGS_UNSAVED = "The settings cannot be saved just now (see the bot's log); nothing changed."
CHANNEL_ELSEWHERE = "That channel is in another server; pick one of this server's."
CHANNEL_GONE = "That channel no longer exists (or I can't see it); pick another."
ROLE_ELSEWHERE = "That role is in another server; pick one of this server's."
ROLE_GONE = "That role no longer exists; pick another."
NOT_TEXT_CHANNEL = "Pick a text channel."
NOT_FORUM = "Pick a forum channel."
HANDOFF_OFF = "Hand-off to people is off."
NO_HANDOFF = "Handing questions to people is not set up in this server."
HANDED_ALREADY = "This question was already passed on to people."
ONLY_ASKER_HANDS_OFF = "Only the person who asked can pass this question on."
HANDOFF_FAILED = (
    "I couldn't pass it on: I can't post in the hand-off channel. The server's admins can see why in `/settings show`."
)
DECLINED_POST = "The story doesn't say \u2014 I found nothing in the articles that answers this post."
NOTHING_TO_CHECK = "That message has no text to check against the story."
ONLY_ATTACHMENTS = "That message has only attachments; I can check its text, not its files."
TOO_LONG_TO_CHECK = "That message is too long to check ({limit:,} characters at most); quote the claim in `/ask`."
STORY_SILENT = "The story says nothing about that."


def handed_off(channel_id: int) -> str:
    return f"Passed on to people in <#{channel_id}>; someone there will pick it up."


def changed(what: str) -> str:
    return f"Done: {what}"
