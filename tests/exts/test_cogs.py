"""Every extension in ``bot.client.EXTENSIONS`` loads and unloads cleanly:
whatever it registers (cogs, slash commands, listeners, persistent buttons,
the tree's error handler) goes away with it, and it loads again after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from bot.client import EXTENSIONS, StoryBot
from bot.service import StoryService
from bot.settings import load_settings


def holdings(bot: StoryBot) -> dict[str, Any]:
    """Everything an extension could leave behind on the bot, by name (a
    reload makes new objects of the same names)."""
    dynamic_items = bot._connection._view_store._dynamic_items.values()
    return {
        "extensions": set(bot.extensions),
        "cogs": set(bot.cogs),
        "slash commands": {command.qualified_name for command in bot.tree.walk_commands()},
        "context menus": {menu.name for menu in bot.tree.get_commands(type=discord.AppCommandType.message)},
        "listeners": {
            name: sorted(listener.__qualname__ for listener in listeners)
            for name, listeners in bot.extra_events.items()
            if listeners
        },
        "persistent buttons": {item.__qualname__ for item in dynamic_items},
        "tree error handler": bot.tree.on_error.__qualname__,
    }


@pytest.fixture
async def bot() -> AsyncIterator[StoryBot]:
    """The bot before ``setup_hook``: nothing loaded, no engine built."""
    settings = load_settings(semantic=False, answer_channel_ids=[])
    bot = StoryBot(settings, StoryService(settings, question_log=False), start_service=False)
    yield bot
    await bot.close()


@pytest.mark.parametrize("extension", EXTENSIONS)
async def test_an_extension_loads_and_unloads_cleanly(bot: StoryBot, extension: str) -> None:
    bare = holdings(bot)

    await bot.load_extension(extension)
    loaded = holdings(bot)
    assert loaded["extensions"] == {extension}
    assert loaded != {**bare, "extensions": loaded["extensions"]}, "the extension registered nothing"

    await bot.unload_extension(extension)
    assert holdings(bot) == bare

    await bot.load_extension(extension)  # and again, as a reload would
    assert holdings(bot) == loaded
    await bot.reload_extension(extension)
    assert holdings(bot) == loaded


async def test_all_extensions_load_together_and_unload_cleanly(bot: StoryBot) -> None:
    bare = holdings(bot)

    await bot.setup_hook()  # what a start loads (the service is not started here)
    assert set(bot.extensions) == set(EXTENSIONS)
    assert {command.qualified_name for command in bot.tree.walk_commands()} == {
        "ask",
        "fact",
        "sources",
        "help",
        "people",
        "timeline",
        "reload",
        "unanswered",
        "corpus",
        "corpus add",
        "corpus remove",
        "settings",
        "settings show",
        "settings answer-channel",
        "settings forum",
        "settings handoff",
        "settings handoff-off",
    }

    for extension in reversed(EXTENSIONS):
        await bot.unload_extension(extension)
    assert holdings(bot) == bare
