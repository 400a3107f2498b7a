"""Forum posts: in a forum a server's admins turned on (``/settings
forum``), each new post is answered in its own thread, from its title and,
when the bot can read it, its first message (without the Message Content
intent Discord sends that message empty unless it mentions the bot); no
mention needed.  Messages later in the thread follow the post up
(``bot/exts/questions.py``).  Posts made by the bot or by other bots are
left alone; a thread already archived or locked, or one the bot may not
post in, is logged and left, not a failure.

The answer goes through the questions' one path (``Questions.respond``),
so it has the buttons, the cooldown, the question log and, for a decline,
*Ask a person* when the server hands questions to people."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, cast

import discord
from discord.ext import commands
from discord.utils import MISSING

from bot.exts.questions import Questions, clean_question
from bot.service import Where
from bot.ui import replies

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)

CLOSED_CODES = {50083, 160005, 50001, 50013}
"""Discord's refusals to post in a thread: archived, locked, no access, no permission."""


def post_question(title: str, body: str) -> str:
    """What a post asks: its title and its first message, or, when only
    some of them ask something (a "?"), those ("About the Syria visit" /
    "Where did Putin and Assad meet?" asks the second)."""
    parts = [clean_question(title), clean_question(body)]
    asking = [p for p in parts if "?" in p]
    return " ".join(asking or [p for p in parts if p])


class Forums(commands.Cog):
    def __init__(self, bot: StoryBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        try:
            await self._answer_post(thread)
        except discord.HTTPException as exc:
            if exc.code in CLOSED_CODES or isinstance(exc, discord.Forbidden | discord.NotFound):
                log.info("forum post %d not answered: Discord refused (%s)", thread.id, exc)
                return
            log.exception("error answering forum post %s", thread.id)
        except Exception:
            log.exception("error answering forum post %s", thread.id)
            with contextlib.suppress(discord.HTTPException):
                await thread.send(replies.SORRY)

    async def _answer_post(self, thread: discord.Thread) -> None:
        guild = thread.guild
        me = self.bot.user
        if me is None or thread.owner_id == me.id or thread.parent_id is None:
            return
        if not await self.bot.service.server_settings.is_forum(guild.id, thread.parent_id):
            return
        if thread.archived or thread.locked:
            log.info("forum post %d is archived or locked: not answered", thread.id)
            return
        starter = await self._starter(thread)
        if await self._by_a_bot(thread, starter):
            return
        question = post_question(thread.name, starter.content if starter is not None else "")
        if not question:
            return
        questions = cast(Questions | None, self.bot.get_cog("Questions"))
        if questions is None:
            return
        refusal = questions.refusal(question, thread.owner_id)
        if refusal is not None:
            await thread.send(refusal[0])
            return

        async def send(content: str, view: discord.ui.View | None) -> int:
            return (await thread.send(content, view=view or MISSING)).id

        log.info("answering forum post %d in server %d", thread.id, guild.id)
        # Remembered before the reply goes out: a follow-up typed as soon as
        # the answer shows is read as one (the reply's own bookkeeping, the
        # question log's write, may still be running then).
        self.bot.service.remember_thread(thread.id, question)
        await questions.respond(question, thread.owner_id, Where(guild.id, thread.id), send)

    async def _starter(self, thread: discord.Thread) -> discord.Message | None:
        """The post's first message (its id is the thread's), if Discord gives it."""
        if thread.starter_message is not None:
            return thread.starter_message
        try:
            return await thread.fetch_message(thread.id)
        except discord.HTTPException as exc:
            log.info("forum post %d: its first message cannot be read (%s); answering from the title", thread.id, exc)
            return None

    async def _by_a_bot(self, thread: discord.Thread, starter: discord.Message | None) -> bool:
        """Posted by a bot or a webhook (its first message says; else its owner)."""
        if starter is not None:
            return starter.author.bot or starter.webhook_id is not None
        user = self.bot.get_user(thread.owner_id)
        if user is None:
            try:
                user = await self.bot.fetch_user(thread.owner_id)
            except discord.HTTPException:
                return False
        return user.bot


async def setup(bot: StoryBot) -> None:
    await bot.add_cog(Forums(bot))
