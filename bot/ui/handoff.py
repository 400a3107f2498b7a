"""*Ask a person*: under a reply that declines, and under the thanks for a
"not helpful" vote, when the server hands questions to people
(``/settings handoff``).  Pressed by the reader who asked, it posts the
question, who asked it and a link to it in the hand-off channel, mentioning
the hand-off role and nobody else, and tells the reader privately.  A
question is handed off once (noted in the question log's database, so in
every process); the button is a persistent ``DynamicItem`` like the others
(``bot/ui/buttons.py``), so it works after a restart.

custom id: ``sb:hand:<asker id>:<message id>:<question's first words>``;
the message is the answer the question got (0: the message the button is
on, a decline).  The whole question is the one the bot remembers for that
message when it begins with those words.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.question_log import StoreError
from bot.ui import replies
from bot.ui.formatting import escape
from bot.ui.guard import bot_of, guarded
from bot.ui.server_settings import handoff_problem

log = logging.getLogger(__name__)

HAND_TEMPLATE = r"sb:hand:(?P<uid>\d{1,20}):(?P<mid>\d{1,20}):(?P<q>.*)"
CUSTOM_ID_MAX = 100
LABEL = "Ask a person"


def _hand_id(asker: int, message_id: int, question: str) -> str:
    head = f"sb:hand:{asker}:{message_id}:"
    return head + " ".join(question.split())[: CUSTOM_ID_MAX - len(head)]


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def handoff_post(role: discord.Role, asker: int, question: str, link: str) -> str:
    """The hand-off channel's message: the role, who asked, the question, the link."""
    asked = f"> {escape(question[:1500])}" if question else "> (the question is in the linked message)"
    return f"{role.mention} A question the story could not answer, from <@{asker}>:\n{asked}\n{link}"


class HandOff(discord.ui.DynamicItem[discord.ui.Button[Any]], template=HAND_TEMPLATE):
    def __init__(self, asker: int, message_id: int, question: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=LABEL,
                emoji="\N{RAISED HAND}",
                style=discord.ButtonStyle.secondary,
                custom_id=_hand_id(asker, message_id, question),
            )
        )
        self.asker = asker
        self.message_id = message_id
        self.question = question

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> HandOff:
        return cls(int(match["uid"]), int(match["mid"]), match["q"])

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = bot_of(interaction)
        guild = interaction.guild
        if interaction.user.id != self.asker:
            await interaction.response.send_message(replies.ONLY_ASKER_HANDS_OFF, ephemeral=True)
            return
        chosen = await bot.service.server_settings.of(guild.id) if guild is not None else None
        if guild is None or chosen is None or chosen.handoff is None:
            await interaction.response.send_message(replies.NO_HANDOFF, ephemeral=True)
            return
        problem = handoff_problem(guild, chosen)
        if problem is not None:
            log.warning("hand-off in server %d refused: %s", guild.id, problem)
            await interaction.response.send_message(replies.HANDOFF_FAILED, ephemeral=True)
            return
        message_id = self.message_id or (interaction.message.id if interaction.message is not None else 0)
        try:
            first = await bot.service.server_settings.claim_handoff(message_id, guild.id)
        except StoreError as exc:
            log.warning("hand-off in server %d: %s", guild.id, exc)
            await interaction.response.send_message(replies.SORRY, ephemeral=True)
            return
        if not first:
            await interaction.response.send_message(replies.HANDED_ALREADY, ephemeral=True)
            return
        await self._post(interaction, guild, chosen.handoff, message_id)

    async def _post(
        self, interaction: discord.Interaction[Any], guild: discord.Guild, handoff: tuple[int, int], message_id: int
    ) -> None:
        bot = bot_of(interaction)
        channel, role = guild.get_channel(handoff[0]), guild.get_role(handoff[1])
        if not isinstance(channel, discord.abc.Messageable) or role is None:  # handoff_problem saw them
            await interaction.response.send_message(replies.HANDOFF_FAILED, ephemeral=True)
            return
        remembered = bot.service.question_of(message_id)
        question = remembered if remembered and " ".join(remembered.split()).startswith(self.question) else ""
        text = handoff_post(
            role, self.asker, question or self.question, jump_url(guild.id, interaction.channel_id or 0, message_id)
        )
        only_the_role = discord.AllowedMentions(everyone=False, users=False, roles=[role], replied_user=False)
        try:
            await channel.send(text[:2000], allowed_mentions=only_the_role)
        except discord.HTTPException as exc:
            log.warning("hand-off in server %d: cannot post in %d: %s", guild.id, channel.id, exc)
            book = bot.service.server_settings
            book.handoff_failures[guild.id] = (
                f"the last hand-off could not be posted in <#{channel.id}>: {exc.text or exc.status}"
            )
            await bot.service.server_settings.release_handoff(message_id)
            await interaction.response.send_message(replies.HANDOFF_FAILED, ephemeral=True)
            return
        log.info("question of message %d handed off in server %d", message_id, guild.id)
        bot.service.server_settings.handoff_failures.pop(guild.id, None)
        await interaction.response.send_message(replies.handed_off(channel.id), ephemeral=True)


def handoff_view(asker: int, message_id: int, question: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HandOff(asker, message_id, question))
    return view
