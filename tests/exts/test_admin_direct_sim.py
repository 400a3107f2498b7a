"""Admin commands refuse non-admins even when their callbacks are called
directly, bypassing the command tree's checks (``app_commands.check`` and
the group's ``interaction_check``): the check is inside every callback too.

The callers are real members of simcord's offline guild (a reader with no
permissions; a moderator with Manage Server while ``ADMIN_ROLE_IDS`` names
another role) and a user in a DM; the interaction around them is a spec'd
mock whose response and follow-up record what the callback sent.  A
refused call sends one ephemeral "no permission" message and does nothing
else: no defer, no reload, no question log read, no file written or removed.
The same calls by an admin go through, so the refusals are not an accident
of the mock.  Then the same, end to end: the tree's check removed, a
moderator whose client shows the commands is refused by the callback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, create_autospec

import discord
import pytest
from discord import app_commands

from bot.client import StoryBot
from bot.exts.errors import NOT_ALLOWED
from tests.exts.test_admin_sim import NEW_ARTICLE, Admins, admins, response_text, simcord_bot

__all__ = ["admins", "simcord_bot"]  # fixtures used here

LIGHTHOUSE = NEW_ARTICLE.encode()
LIGHTHOUSE_FILE = "lighthouse-keeper-retires-after-forty-years.txt"
STORY_FILE = "putin-visits-syria-to-meet-assad.txt"

Call = Callable[[StoryBot, MagicMock], Awaitable[Any]]


# -- calling the callbacks directly ---------------------------------------------------------


def interaction_for(bot: StoryBot, user: discord.abc.User, guild: discord.Guild | None) -> MagicMock:
    """A simulated slash-command interaction by ``user``: the real client, a
    recording response and follow-up."""
    interaction = create_autospec(discord.Interaction, instance=True)
    interaction.client = bot
    interaction.user = user
    interaction.guild = guild
    interaction.guild_id = guild.id if guild else None
    interaction.command = None
    interaction.response = create_autospec(discord.InteractionResponse, instance=True)
    interaction.response.is_done.return_value = False
    interaction.followup = create_autospec(discord.Webhook, instance=True)
    return interaction


def upload(name: str = "lighthouse.txt", data: bytes = LIGHTHOUSE) -> MagicMock:
    attachment = create_autospec(discord.Attachment, instance=True)
    attachment.filename = name
    attachment.size = len(data)
    attachment.read = AsyncMock(return_value=data)
    return attachment


def admin_command(bot: StoryBot, name: str) -> tuple[Any, app_commands.Command[Any, ..., Any]]:
    """The command's binding (cog or group) and the command itself."""
    if name in ("reload", "unanswered"):
        cog = bot.get_cog("Admin")
        assert cog is not None
        command = getattr(cog, name)
        assert isinstance(command, app_commands.Command)
        return cog, command
    group = bot.tree.get_command("corpus")
    assert isinstance(group, app_commands.Group)
    command = group.get_command(name.removeprefix("corpus "))
    assert isinstance(command, app_commands.Command)
    return group, command


async def call_reload(bot: StoryBot, interaction: MagicMock) -> Any:
    binding, command = admin_command(bot, "reload")
    return await command.callback(binding, interaction)  # type: ignore[call-arg]


async def call_unanswered(bot: StoryBot, interaction: MagicMock) -> Any:
    binding, command = admin_command(bot, "unanswered")
    return await command.callback(binding, interaction, days=30)  # type: ignore[call-arg]


async def call_corpus_add(bot: StoryBot, interaction: MagicMock) -> Any:
    binding, command = admin_command(bot, "corpus add")
    return await command.callback(binding, interaction, file=upload(), replace=True)  # type: ignore[call-arg]


async def call_corpus_remove(bot: StoryBot, interaction: MagicMock) -> Any:
    binding, command = admin_command(bot, "corpus remove")
    engine = bot.engine
    assert engine is not None
    key = engine.articles[0].key
    return await command.callback(binding, interaction, article=key)  # type: ignore[call-arg]


CALLS: dict[str, Call] = {
    "reload": call_reload,
    "unanswered": call_unanswered,
    "corpus add": call_corpus_add,
    "corpus remove": call_corpus_remove,
}


class Spies:
    """Everything an admin action would touch, watched."""

    def __init__(self, admins: Admins, monkeypatch: pytest.MonkeyPatch) -> None:
        bot = admins.bot
        self.engine = bot.engine
        self.files = sorted(p.name for p in admins.corpus.iterdir())
        self.reload = AsyncMock(wraps=bot.reload_engine)
        monkeypatch.setattr(bot, "reload_engine", self.reload)
        assert bot.store is not None
        self.unanswered = AsyncMock(wraps=bot.store.unanswered)
        monkeypatch.setattr(bot.store, "unanswered", self.unanswered)
        self.admins = admins

    def nothing_happened(self) -> None:
        assert self.reload.await_count == 0
        assert self.unanswered.await_count == 0
        assert self.admins.bot.engine is self.engine
        assert sorted(p.name for p in self.admins.corpus.iterdir()) == self.files


def assert_refused(interaction: MagicMock) -> None:
    interaction.response.send_message.assert_awaited_once_with(NOT_ALLOWED, ephemeral=True)
    interaction.response.defer.assert_not_awaited()
    interaction.response.edit_message.assert_not_awaited()
    interaction.followup.send.assert_not_awaited()


NON_ADMINS = [
    pytest.param("reader", id="reader"),
    pytest.param("moderator", id="moderator-not-in-admin-roles", marks=pytest.mark.admin_roles),
    pytest.param("dm", id="user-in-a-dm"),
]


async def caller(admins: Admins, who: str) -> tuple[discord.abc.User, discord.Guild | None]:
    """The user as discord.py knows them (fetched: the bot has no members intent)."""
    bot = admins.bot
    if who == "dm":
        return await bot.fetch_user(admins.reader.id), None
    guild = bot.get_guild(admins.reader.guild.id)
    assert guild is not None
    member = await guild.fetch_member(getattr(admins, who).id)
    return member, guild


@pytest.mark.parametrize("command", CALLS)
@pytest.mark.parametrize("who", NON_ADMINS)
async def test_a_direct_call_by_a_non_admin_is_refused(
    admins: Admins, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, command: str, who: str
) -> None:
    caplog.set_level(logging.WARNING)
    spies = Spies(admins, monkeypatch)
    user, guild = await caller(admins, who)
    interaction = interaction_for(admins.bot, user, guild)

    await asyncio.wait_for(CALLS[command](admins.bot, interaction), 10)  # /corpus remove would wait for a click

    assert_refused(interaction)
    spies.nothing_happened()
    assert any("refused" in r.getMessage() and str(user.id) in r.getMessage() for r in caplog.records)


async def test_direct_calls_by_an_admin_go_through(admins: Admins, monkeypatch: pytest.MonkeyPatch) -> None:
    spies = Spies(admins, monkeypatch)
    member, guild = await caller(admins, "admin")
    assert isinstance(member, discord.Member)

    reload = interaction_for(admins.bot, member, guild)
    await call_reload(admins.bot, reload)
    reload.response.defer.assert_awaited_once()
    assert "Reloaded: 1 articles" in reload.followup.send.await_args.args[0]
    assert spies.reload.await_count == 1

    unanswered = interaction_for(admins.bot, member, guild)
    await call_unanswered(admins.bot, unanswered)
    assert "could not answer" in unanswered.followup.send.await_args.args[0]
    assert spies.unanswered.await_count == 1

    add = interaction_for(admins.bot, member, guild)
    await call_corpus_add(admins.bot, add)
    assert f"Added as {LIGHTHOUSE_FILE}" in add.followup.send.await_args.args[0]
    assert (admins.corpus / LIGHTHOUSE_FILE).read_bytes() == LIGHTHOUSE

    remove = interaction_for(admins.bot, member, guild)
    asked = asyncio.Event()
    remove.response.send_message.side_effect = lambda *args, **kwargs: asked.set()
    asking = asyncio.create_task(call_corpus_remove(admins.bot, remove))
    await asyncio.wait_for(asked.wait(), 5)  # the Remove / Cancel question
    text = remove.response.send_message.await_args.args[0]
    assert text.startswith("Remove \u201c")
    remove.response.send_message.await_args.kwargs["view"].stop()  # nobody answers: nothing removed
    await asyncio.wait_for(asking, 5)
    assert (admins.corpus / STORY_FILE).exists()


# -- end to end, with the tree's check out of the way -------------------------------------


@pytest.mark.admin_roles
async def test_without_the_tree_check_the_callback_still_refuses(
    admins: Admins, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moderator's client offers the admin commands (Manage Server), the
    tree's checks are removed, and still nothing happens."""
    spies = Spies(admins, monkeypatch)
    bot = admins.bot
    for name in ("reload", "unanswered"):
        _, command = admin_command(bot, name)
        monkeypatch.setattr(command, "checks", [])
    group = bot.tree.get_command("corpus")
    assert isinstance(group, app_commands.Group)

    async def anyone(interaction: discord.Interaction[Any]) -> bool:
        return True

    monkeypatch.setattr(group, "interaction_check", anyone)
    engine = bot.engine
    assert engine is not None
    key = engine.articles[0].key

    runs = [
        await admins.moderator.slash(admins.channel, "reload"),
        await admins.moderator.slash(admins.channel, "unanswered"),
        await admins.moderator.slash(admins.channel, "corpus add", file=("a.txt", LIGHTHOUSE), replace=True),
        await admins.moderator.slash(admins.channel, "corpus remove", article=key),
    ]
    for result in runs:
        assert response_text(result) == NOT_ALLOWED
        assert result.response is not None
        assert result.response.ephemeral
    spies.nothing_happened()
    assert admins.env.errors == []


def test_every_admin_command_is_covered(tmp_path: Path) -> None:
    """A new admin command must join ``CALLS`` (and so these tests)."""
    from bot.exts import admin

    hidden = {"reload", "unanswered", "corpus add", "corpus remove"}
    assert set(CALLS) == hidden
    source = Path(admin.__file__).read_text(encoding="utf-8")
    assert source.count("if await refused(interaction):") == len(hidden)
