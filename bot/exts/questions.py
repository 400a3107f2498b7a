"""Questions: in messages (a mention, a DM, a reply to one of the bot's
answers, an answer channel: the operator's or the server's own, a message
in the thread of a forum post the bot answered) and through ``/ask``, all
through one path (``respond``, which the forum posts of
``bot/exts/forums.py`` take too): check the cooldown, ask the service,
render, send, and tell the service the reply was sent.  A decline carries
*Ask a person* where the server hands questions to people.  This extension
also registers the buttons under an answer (``bot/ui/buttons.py``,
``bot/ui/handoff.py``), which it owns."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.logs import log_context
from bot.render import shorten
from bot.service import QUESTION_MAX_CHARS, Asked, Busy, Where
from bot.ui import replies
from bot.ui.buttons import DYNAMIC_ITEMS, answer_view
from bot.ui.cooldown import UserCooldown
from bot.ui.formatting import reply_text
from bot.ui.handoff import handoff_view

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

MAX_QUESTION = QUESTION_MAX_CHARS
"""Longer questions are cut to this many characters before answering, as
on the command line (``bot/service/questions.py``)."""
_MENTIONS = re.compile(r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b")

Send = Callable[[str, discord.ui.View | None], Awaitable[int | None]]
"""Sends a reply (its text and buttons) and returns the reply's id."""


_CODE_BLOCK = re.compile(r"```(?:[\w+-]*\n)?(.*?)```", re.DOTALL)
_MASKED_LINK = re.compile(r"\[([^\[\]]+)\]\(<?https?://[^\s)]+>?\)")
_EMPHASIS = re.compile(
    r"(\*\*|~~|\|\||`)(?=\S)(.+?)(?<=\S)\1"  # bold, strike-through, spoiler, code: anywhere
    r"|(?<![\w*])(\*|__|_)(?=\S)(.+?)(?<=\S)\3(?![\w*])"  # italic, underline: not inside a word (snake_case, 2*3*4)
)
_LINE_MARKS = re.compile(r"^[ \t]*(?:>>> |> |#{1,3} |-# )", re.MULTILINE)
"""Block quotes, headings and subtext at the start of a line."""


def clean_question(text: str) -> str:
    """The words of a question: mentions of anyone, roles, channels and
    custom emoji removed (they address people; they ask nothing), Discord's
    markdown taken off the words it dresses ("**who is Peskov?**", a spoiler,
    a quote), white space folded, length capped (before too: the marks are
    read in time that grows with the text's length squared)."""
    return " ".join(unformat(_MENTIONS.sub(" ", text[: 4 * MAX_QUESTION])).split())[:MAX_QUESTION]


def unformat(text: str) -> str:
    """``text`` as a reader reads it once Discord has rendered it: the words
    of bold, italic, underlined, struck, spoiler and code spans, of code
    blocks and masked links, without the marks; block quote, heading and
    subtext marks off the lines' starts.  A lone ``*`` or ``_`` (``2*3``,
    ``snake_case``) stays."""
    text = _CODE_BLOCK.sub(r"\1", text)
    text = _MASKED_LINK.sub(r"\1", text)
    text = _LINE_MARKS.sub("", text)
    for _ in range(3):  # nested: ***both***, **__both__**
        plain = _EMPHASIS.sub(lambda m: m.group(2) if m.group(1) else m.group(4), text)
        if plain == text:
            break
        text = plain
    return text


def reply_for(asked: Asked, asker: int, *, handoff: bool = False) -> tuple[str, discord.ui.View | None]:
    """The reply's text, and its buttons when the question was answered
    (a decline: *Ask a person*, when the server hands questions to people)."""
    content = reply_text(asked.result, asked.articles)
    if not asked.result.answered or not asked.result.answers:
        return content, handoff_view(asker, 0, asked.question) if handoff else None
    position = asked.position or 0
    return content, answer_view(asked.result, asker, asked.question, position, next_rank=asked.result.answers_shown)


class Questions(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.cooldown = UserCooldown(settings.question_cooldown_rate, settings.question_cooldown_seconds)
        """One per-user limit for every way of asking (mentions, DMs,
        replies, answer channels, /ask, Next best)."""

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # -- the one path ----------------------------------------------------------

    async def respond(
        self,
        question: str,
        asker: int,
        where: Where,
        send: Send,
        *,
        previous: str | None = None,
        answer: Callable[[Awaitable[Asked]], Awaitable[Asked]] | None = None,
    ) -> Asked | None:
        """Ask the service, send the rendered reply, and remember it; None
        when the service was too busy (the reader is told so)."""
        pending = self.bot.service.ask(question, previous=previous, where=where)
        started = time.perf_counter()
        try:
            asked = await (answer(pending) if answer is not None else pending)
        except Busy:
            self.bot.metrics.question("busy")
            await send(replies.BUSY, None)
            return None
        outcome = "answered" if asked.result.answered else "declined"
        self.bot.metrics.question(outcome, time.perf_counter() - started)
        content, view = reply_for(asked, asker, handoff=await self._hands_off(where))
        reply_id = await send(content, view)
        await self.bot.service.remember(asked, reply_id)
        return asked

    async def _hands_off(self, where: Where) -> bool:
        """Does the server hand the questions the bot declines to people?"""
        if where.guild_id is None:
            return False
        return (await self.bot.service.server_settings.of(where.guild_id)).handoff is not None

    def refusal(self, question: str, user_id: int) -> tuple[str, float | None] | None:
        """What to say instead of answering (an empty question, the
        cooldown), and for how long to show it; None to answer."""
        if not question:
            return replies.HELP_HINT, None
        wait = self.cooldown.hit(user_id)
        if wait:
            self.bot.metrics.question("cooldown")
            return replies.retry_message(wait), min(wait, 60.0)
        return None

    # -- which messages are questions ------------------------------------------

    def _replied_to(self, message: discord.Message) -> int | None:
        ref = message.reference
        return ref.message_id if ref is not None else None

    def _is_reply_to_us(self, message: discord.Message) -> bool:
        ref_id = self._replied_to(message)
        if ref_id is None:
            return False
        resolved = message.reference.resolved if message.reference else None
        if isinstance(resolved, discord.Message):
            return self.bot.user is not None and resolved.author.id == self.bot.user.id
        return self.bot.service.question_of(ref_id) is not None

    async def _is_question(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        if await self._forum_post(message):
            return False  # a forum post is answered when its thread is made (bot/exts/forums.py)
        if self.bot.user is not None and self.bot.user in message.mentions:
            return True
        if self._is_reply_to_us(message):
            return True
        book = self.bot.service.server_settings
        await book.of(message.guild.id)
        if book.is_answer_channel(message.guild.id, message.channel.id):
            # a server's own answer channels need the intent (``/settings`` says so)
            return self.bot.intents.message_content or message.channel.id in self.bot.settings.answer_channel_ids
        # in a forum's thread the bot answers, every message it can read follows the post up
        return bool(message.content) and await self._in_answered_forum(message)

    async def _in_answered_forum(self, message: discord.Message) -> bool:
        channel = message.channel
        if not isinstance(channel, discord.Thread) or message.guild is None:
            return False
        return await self.bot.service.server_settings.is_forum(message.guild.id, channel.parent_id)

    async def _forum_post(self, message: discord.Message) -> bool:
        """The first message of a post in a forum the bot answers."""
        return message.id == message.channel.id and await self._in_answered_forum(message)

    # -- messages --------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None:
            return
        if not await self._is_question(message):
            return
        log_context(message.guild.id if message.guild else None, message.guild.shard_id if message.guild else None)
        try:
            await self._answer_message(message)
        except Exception:
            log.exception("error answering message %s", message.id)
            with contextlib.suppress(discord.HTTPException):
                await message.reply(replies.SORRY, mention_author=False)

    def _text_withheld(self, message: discord.Message) -> bool:
        """Discord sent this message without its text: without the Message
        Content intent, a server message carries its text only when it
        mentions the bot, so a reply to an answer with the reply ping
        switched off arrives empty."""
        return (
            not message.content
            and message.guild is not None
            and not self.bot.intents.message_content
            and not (self.bot.user is not None and self.bot.user in message.mentions)
        )

    async def _answer_message(self, message: discord.Message) -> None:
        if self._text_withheld(message):
            await message.reply(replies.REPLY_WITHOUT_PING, mention_author=False)
            return
        question = clean_question(message.content)
        refusal = self.refusal(question, message.author.id)
        if refusal is not None:
            text, lasts = refusal
            if lasts is None:
                await message.reply(text, mention_author=False)
            else:
                await message.reply(text, mention_author=False, delete_after=lasts)
            return
        ref_id = self._replied_to(message)
        # a reply follows up the answer it replies to; in a forum's thread, a message follows up the post
        previous = self.bot.service.question_of(ref_id if ref_id is not None else message.channel.id)

        async def send(content: str, view: discord.ui.View | None) -> int:
            return (await message.reply(content, view=view or MISSING, mention_author=False)).id

        async def typing(pending: Awaitable[Asked]) -> Asked:
            async with message.channel.typing():
                return await pending

        where = Where(message.guild.id if message.guild else None, message.channel.id)
        await self.respond(question, message.author.id, where, send, previous=previous, answer=typing)

    # -- /ask ------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the story a question; the answer quotes it.")
    @app_commands.describe(question="Your question, in plain words")
    async def ask(
        self, interaction: discord.Interaction[StoryBot], question: app_commands.Range[str, 1, MAX_QUESTION]
    ) -> None:
        log_context(interaction.guild_id, interaction.guild.shard_id if interaction.guild else None)
        question = clean_question(question)
        refusal = self.refusal(question, interaction.user.id)
        if refusal is not None:
            await interaction.response.send_message(refusal[0], ephemeral=True)
            return

        async def in_time(pending: Awaitable[Asked]) -> Asked:
            return await replies.in_time(interaction, pending)

        async def send(content: str, view: discord.ui.View | None) -> int | None:
            return await replies.send(interaction, content, view)

        where = Where(interaction.guild_id, interaction.channel_id)
        asked = await self.respond(question, interaction.user.id, where, send, answer=in_time)
        log.debug("answered /ask %r: %s", shorten(question, 80), asked.result.answered if asked else "busy")


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Questions(bot))
