"""Who is an admin (``bot/exts/checks.py``), checked on every admin command
(``/reload``, ``/unanswered``, ``/corpus add``, ``/corpus remove``).

The commands are hidden from readers (default permissions), refused to a
member with Manage Server when ``ADMIN_ROLE_IDS`` names another role, and
refused even when their callbacks are called directly, bypassing the
command tree's checks (``app_commands.check`` and the group's
``interaction_check``): the check is inside every callback too.

The direct callers are the harness's real members (a reader with no
permissions; a moderator with Manage Server while ``ADMIN_ROLE_IDS`` names
another role) and a user in a DM; the interaction around them
(``World.direct_interaction``) carries the permissions Discord would
resolve for them and records what the callback sent.  A refused call sends
one ephemeral "no permission" message and does nothing else: no defer, no
reload, no question log read, no file written or removed.  The same calls by
an admin go through, so the refusals are not an accident of the harness.
Then the same, end to end: the tree's check removed, a moderator whose
client shows the commands is refused by the callback."""

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
from simcord import SetupError

from bot.client import StoryBot
from bot.ui.replies import NOT_ALLOWED, OPERATORS_ONLY
from tests.harness.sim import LIGHTHOUSE, LIGHTHOUSE_FILE, STORY_FILE, World, response_text

Call = Callable[[StoryBot, MagicMock], Awaitable[Any]]


# -- through the command tree ---------------------------------------------------------------


async def test_command_is_hidden_from_readers(world: World) -> None:
    # Default permissions: a reader's client does not even offer /reload.
    with pytest.raises(SetupError, match="not visible"):
        await world.alice.slash(world.channel, "reload")


async def test_readers_cannot_upload(world: World) -> None:
    with pytest.raises(SetupError, match="not visible"):
        await world.alice.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE))


@pytest.mark.admin_roles
async def test_configured_roles_replace_manage_server(world: World) -> None:
    # The moderator's client shows /reload (Manage Server) but the run-time check refuses.
    refused = await world.moderator.slash(world.channel, "reload")
    assert "permission" in response_text(refused).lower()
    allowed = await world.admin.slash(world.channel, "reload")
    assert "Reloaded" in response_text(allowed)


SHARED = [
    pytest.param("reload", {}, id="reload"),
    pytest.param("corpus add", {"file": ("a.txt", LIGHTHOUSE)}, id="corpus-add"),
    pytest.param("corpus remove", {"article": "?"}, id="corpus-remove"),
]


@pytest.mark.parametrize(("command", "options"), SHARED)
async def test_a_servers_admin_may_not_change_the_shared_articles(
    world: World, monkeypatch: pytest.MonkeyPatch, command: str, options: dict[str, Any]
) -> None:
    """The shared articles (every server sees them) are the operators'."""
    spies = Spies(world, monkeypatch)
    engine = world.bot.service.engine
    assert engine is not None
    if command == "corpus remove":
        options = {"article": engine.articles[0].key}

    result = await world.admin.slash(world.channel, command, shared=True, **options)

    assert response_text(result) == OPERATORS_ONLY
    spies.nothing_happened()


@pytest.mark.operator
async def test_an_operator_may_change_the_shared_articles(world: World) -> None:
    result = await world.admin.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE), shared=True)
    assert f"Added as {LIGHTHOUSE_FILE}" in response_text(result)
    assert (world.corpus / LIGHTHOUSE_FILE).read_bytes() == LIGHTHOUSE
    assert not world.own.exists()


# -- calling the callbacks directly ---------------------------------------------------------


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
    group_name, _, sub = name.partition(" ")
    group = bot.tree.get_command(group_name)
    assert isinstance(group, app_commands.Group)
    command = group.get_command(sub)
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
    """Removes the newest article the caller's server sees (its own, once it has one)."""
    binding, command = admin_command(bot, "corpus remove")
    engine = await bot.service.engine_for(interaction.guild_id)
    assert engine is not None
    key = engine.articles[-1].key
    return await command.callback(binding, interaction, article=key)  # type: ignore[call-arg]


def settings_call(name: str, **options: Any) -> Call:
    """A ``/settings`` command called directly, on the caller's channel (or a role)."""

    async def call(bot: StoryBot, interaction: MagicMock) -> Any:
        binding, command = admin_command(bot, f"settings {name}")
        channel = MagicMock(id=interaction.channel_id or 1)
        extra = {k: channel if v == "channel" else v for k, v in options.items()}
        if "role" in extra:
            extra["role"] = MagicMock(id=interaction.guild_id or 1)
        return await command.callback(binding, interaction, **extra)  # type: ignore[call-arg]

    return call


CALLS: dict[str, Call] = {
    "reload": call_reload,
    "unanswered": call_unanswered,
    "corpus add": call_corpus_add,
    "corpus remove": call_corpus_remove,
    "settings show": settings_call("show"),
    "settings answer-channel": settings_call("answer-channel", channel="channel", on=True),
    "settings forum": settings_call("forum", channel="channel", on=True),
    "settings handoff": settings_call("handoff", channel="channel", role="role"),
    "settings handoff-off": settings_call("handoff-off"),
}


class Spies:
    """Everything an admin action would touch, watched."""

    def __init__(self, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
        service = world.bot.service
        self.engine = service.engine
        self.files = sorted(str(p) for p in world.corpus.rglob("*"))
        self.reload = AsyncMock(wraps=service.reload_articles)
        monkeypatch.setattr(service, "reload_articles", self.reload)
        assert service.store is not None
        self.unanswered = AsyncMock(wraps=service.store.unanswered)
        monkeypatch.setattr(service.store, "unanswered", self.unanswered)
        self.settings = AsyncMock(wraps=service.server_settings.change)
        monkeypatch.setattr(service.server_settings, "change", self.settings)
        self.world = world

    def nothing_happened(self) -> None:
        assert self.reload.await_count == 0
        assert self.unanswered.await_count == 0
        assert self.settings.await_count == 0
        assert self.world.bot.service.engine is self.engine
        assert sorted(str(p) for p in self.world.corpus.rglob("*")) == self.files


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


async def caller(world: World, who: str) -> MagicMock:
    if who == "dm":
        return await world.direct_interaction(world.alice, dm=True)
    return await world.direct_interaction(world.alice if who == "reader" else world.moderator)


@pytest.mark.parametrize("command", CALLS)
@pytest.mark.parametrize("who", NON_ADMINS)
async def test_a_direct_call_by_a_non_admin_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, command: str, who: str
) -> None:
    caplog.set_level(logging.WARNING)
    spies = Spies(world, monkeypatch)
    interaction = await caller(world, who)

    await asyncio.wait_for(CALLS[command](world.bot, interaction), 10)  # /corpus remove would wait for a click

    assert_refused(interaction)
    spies.nothing_happened()
    user_id = interaction.user.id
    assert any("refused" in r.getMessage() and str(user_id) in r.getMessage() for r in caplog.records)


async def test_a_manage_server_member_in_a_dm_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a guild there is no Manage Server: only the owner and the
    listed users are admins there."""
    spies = Spies(world, monkeypatch)
    interaction = await world.direct_interaction(world.admin, dm=True)

    await call_reload(world.bot, interaction)

    assert_refused(interaction)
    spies.nothing_happened()


async def test_direct_calls_by_an_admin_go_through(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    spies = Spies(world, monkeypatch)

    reload = await world.direct_interaction(world.admin)
    assert isinstance(reload.user, discord.Member)
    await call_reload(world.bot, reload)
    reload.response.defer.assert_awaited_once()
    assert "Reloaded: 1 articles" in reload.followup.send.await_args.args[0]
    assert spies.reload.await_count == 1

    unanswered = await world.direct_interaction(world.admin)
    await call_unanswered(world.bot, unanswered)
    assert "could not answer" in unanswered.followup.send.await_args.args[0]
    assert spies.unanswered.await_count == 1

    add = await world.direct_interaction(world.admin)
    await call_corpus_add(world.bot, add)
    assert f"Added as {LIGHTHOUSE_FILE}" in add.followup.send.await_args.args[0]
    assert (world.own / LIGHTHOUSE_FILE).read_bytes() == LIGHTHOUSE

    remove = await world.direct_interaction(world.admin)
    asked = asyncio.Event()
    remove.response.send_message.side_effect = lambda *args, **kwargs: asked.set()
    asking = asyncio.create_task(call_corpus_remove(world.bot, remove))
    await asyncio.wait_for(asked.wait(), 5)  # the Remove / Cancel question
    text = remove.response.send_message.await_args.args[0]
    assert text.startswith("Remove \u201cLighthouse keeper")
    remove.response.send_message.await_args.kwargs["view"].stop()  # nobody answers: nothing removed
    await asyncio.wait_for(asking, 5)
    assert (world.own / LIGHTHOUSE_FILE).exists()
    assert (world.corpus / STORY_FILE).exists()


# -- end to end, with the tree's check out of the way -------------------------------------


@pytest.mark.admin_roles
async def test_without_the_tree_check_the_callback_still_refuses(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The moderator's client offers the admin commands (Manage Server), the
    tree's checks are removed, and still nothing happens."""
    spies = Spies(world, monkeypatch)
    bot = world.bot
    for name in ("reload", "unanswered"):
        _, command = admin_command(bot, name)
        monkeypatch.setattr(command, "checks", [])
    group = bot.tree.get_command("corpus")
    assert isinstance(group, app_commands.Group)

    async def anyone(interaction: discord.Interaction[Any]) -> bool:
        return True

    monkeypatch.setattr(group, "interaction_check", anyone)
    engine = bot.service.engine
    assert engine is not None
    key = engine.articles[0].key

    runs = [
        await world.moderator.slash(world.channel, "reload"),
        await world.moderator.slash(world.channel, "unanswered"),
        await world.moderator.slash(world.channel, "corpus add", file=("a.txt", LIGHTHOUSE), replace=True),
        await world.moderator.slash(world.channel, "corpus remove", article=key),
    ]
    for result in runs:
        assert response_text(result) == NOT_ALLOWED
        assert result.response is not None
        assert result.response.ephemeral
    spies.nothing_happened()
    assert world.env.errors == []


def _admin_only(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> bool:
    """Hidden by default from all but Manage Server (itself or its group)."""
    node: Any = command
    while node is not None:
        if node.default_permissions is not None and node.default_permissions.manage_guild:
            return True
        node = node.parent
    return False


def refusals_in_callbacks() -> int:
    """How many admin callbacks begin with the check."""
    from bot.exts import admin, corpus, settings

    sources = [Path(module.__file__ or "").read_text(encoding="utf-8") for module in (admin, corpus, settings)]
    return sum(source.count("if await refused(interaction)") for source in sources)


async def test_every_admin_command_is_covered(world: World) -> None:
    """A new admin command must join ``CALLS`` (and so these tests), and
    check at the top of its callback."""
    admin_commands = {
        command.qualified_name
        for command in world.bot.tree.walk_commands()
        if isinstance(command, app_commands.Command) and _admin_only(command)
    }
    assert admin_commands == set(CALLS)
    assert refusals_in_callbacks() == len(CALLS)
