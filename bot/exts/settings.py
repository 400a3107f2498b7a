"""``/settings``: a server's admins choose where the bot answers in their
server (answer channels, forums whose new posts it answers) and who gets the
questions it cannot answer (the hand-off channel and role).  The settings
are kept in the question log's database and served by every process
(``bot/service/server_settings.py``); ``ANSWER_CHANNEL_IDS`` stays the
operator's default under them.  Who is an admin: ``bot/exts/checks.py``.

Channel options arrive as Discord resolved them (``AppCommandChannel``), so
that a channel the bot cannot find in the server (deleted, or of another
server) gets one line saying so rather than an unreadable option."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.exts.checks import is_admin, refused
from bot.question_log import ServerSettings, StoreError
from bot.service.server_settings import ServerSettingsBook
from bot.ui import replies
from bot.ui.server_settings import NO_INTENT, channel_problem, role_problem, settings_text

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger(__name__)


class ChannelOption(app_commands.Transformer):
    """A channel option of the given kinds, passed on as Discord resolved it."""

    def __init__(self, *kinds: discord.ChannelType) -> None:
        self.kinds = list(kinds)

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return self.kinds

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> Any:
        return value


TextOption = app_commands.Transform[app_commands.AppCommandChannel, ChannelOption(discord.ChannelType.text)]
ForumOption = app_commands.Transform[app_commands.AppCommandChannel, ChannelOption(discord.ChannelType.forum)]


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class SettingsCommands(app_commands.Group, name="settings", description="Where I answer in this server."):
    def __init__(self, bot: StoryBot) -> None:
        super().__init__()
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not await is_admin(interaction):
            raise app_commands.CheckFailure("not an admin")
        return True

    @property
    def book(self) -> ServerSettingsBook:
        return self.bot.service.server_settings

    @app_commands.command(name="show", description="This server's settings, and what is wrong with them.")
    async def show(self, interaction: discord.Interaction[StoryBot]) -> None:
        if await refused(interaction):
            return
        guild = interaction.guild
        assert guild is not None
        self.book.forget(guild.id)  # read afresh: another process may have changed them
        chosen = await self.book.of(guild.id)
        text = settings_text(
            guild,
            chosen,
            self.bot.settings.answer_channel_ids,
            self.bot.intents.message_content or False,
            self.book.handoff_failures.get(guild.id),
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(
        name="answer-channel", description="Turn a channel where every message is a question on or off."
    )
    @app_commands.describe(channel="A text channel of this server", on="On: every message there is a question")
    async def answer_channel(self, interaction: discord.Interaction[StoryBot], channel: TextOption, on: bool) -> None:
        if await refused(interaction):
            return
        if on and not self.bot.intents.message_content:
            await interaction.response.send_message(NO_INTENT, ephemeral=True)
            return
        found = await self._channel(interaction, channel, discord.TextChannel, replies.NOT_TEXT_CHANNEL)
        if found is None:
            return
        what = f"every message in {found.mention} is a question." if on else f"{found.mention} is no answer channel."
        await self._change(interaction, lambda s: s.with_answer_channel(found.id, on), what)

    @app_commands.command(name="forum", description="Answer every new post of a forum, or stop.")
    @app_commands.describe(channel="A forum channel of this server", on="On: I answer each new post in its thread")
    async def forum(self, interaction: discord.Interaction[StoryBot], channel: ForumOption, on: bool) -> None:
        if await refused(interaction):
            return
        found = await self._channel(interaction, channel, discord.ForumChannel, replies.NOT_FORUM)
        if found is None:
            return
        what = f"I answer each new post in {found.mention}." if on else f"I no longer answer posts in {found.mention}."
        problem = channel_problem(found.guild, found.id, threads=True) if on else None
        if problem:
            what += f" But {problem}."
        await self._change(interaction, lambda s: s.with_forum(found.id, on), what)

    @app_commands.command(name="handoff", description="Where questions I can't answer go, and which role is told.")
    @app_commands.describe(channel="The channel questions are posted in", role="The role mentioned (and no one else)")
    async def handoff(
        self, interaction: discord.Interaction[StoryBot], channel: TextOption, role: discord.Role
    ) -> None:
        if await refused(interaction):
            return
        guild = interaction.guild
        assert guild is not None
        if guild.get_role(role.id) is None:
            elsewhere = any(g.get_role(role.id) for g in self.bot.guilds if g.id != guild.id)
            await interaction.response.send_message(
                replies.ROLE_ELSEWHERE if elsewhere else replies.ROLE_GONE, ephemeral=True
            )
            return
        problem = role_problem(guild, role.id)
        if problem:
            await interaction.response.send_message(f"{problem[:1].upper()}{problem[1:]}.", ephemeral=True)
            return
        found = await self._channel(interaction, channel, discord.TextChannel, replies.NOT_TEXT_CHANNEL)
        if found is None:
            return
        what = f"questions I can't answer can be passed to {role.mention} in {found.mention}."
        cannot = channel_problem(guild, found.id)
        if cannot:
            what += f" But {cannot}."
        await self._change(interaction, lambda s: s.with_handoff(found.id, role.id), what)

    @app_commands.command(name="handoff-off", description="Stop handing questions to people.")
    async def handoff_off(self, interaction: discord.Interaction[StoryBot]) -> None:
        if await refused(interaction):
            return
        await self._change(interaction, lambda s: s.with_handoff(None, None), replies.HANDOFF_OFF)

    # -- plumbing --------------------------------------------------------------

    async def _channel(
        self, interaction: discord.Interaction[StoryBot], value: Any, kind: type[Any], wrong_kind: str
    ) -> Any:
        """The server's channel an option names; None after one line saying
        why not (of another server, deleted, of the wrong kind)."""
        guild = interaction.guild
        assert guild is not None
        channel = guild.get_channel(value.id)
        problem = None
        if channel is None:
            elsewhere = self.bot.get_channel(value.id)
            problem = replies.CHANNEL_ELSEWHERE if elsewhere is not None else replies.CHANNEL_GONE
        elif not isinstance(channel, kind):
            problem = wrong_kind
        if problem is not None:
            await interaction.response.send_message(problem, ephemeral=True)
            return None
        return channel

    async def _change(
        self, interaction: discord.Interaction[StoryBot], how: Callable[[ServerSettings], ServerSettings], what: str
    ) -> None:
        assert interaction.guild_id is not None
        try:
            await self.book.change(interaction.guild_id, how)
        except StoreError as exc:
            log.warning("/settings by %s: not saved: %s", interaction.user.id, exc)
            await interaction.response.send_message(replies.SETTINGS_UNSAVED, ephemeral=True)
            return
        log.info("/settings changed by %s in server %s", interaction.user.id, interaction.guild_id)
        await interaction.response.send_message(replies.changed(what), ephemeral=True)


async def setup(bot: StoryBot) -> None:
    bot.tree.add_command(SettingsCommands(bot))


async def teardown(bot: StoryBot) -> None:
    bot.tree.remove_command("settings")
