"""The guard around every button's callback: errors go where command
errors go (the presser gets a short ephemeral line, the log the traceback,
and the bot goes on)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.service import Busy
from bot.ui import replies

if TYPE_CHECKING:
    from bot.client import StoryBot

log = logging.getLogger("bot.ui.buttons")

ButtonCallback = Callable[[Any, discord.Interaction[Any]], Coroutine[Any, Any, None]]


def guarded(callback: ButtonCallback) -> ButtonCallback:
    """Errors in a button go where command errors go: the presser gets a
    short ephemeral message, the log the traceback, and the bot goes on."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Busy:
            await replies.send_ephemeral(interaction, replies.BUSY)
        except Exception:
            log.exception("error in button %s", getattr(self, "custom_id", type(self).__name__))
            await replies.send_ephemeral(interaction, replies.SORRY)

    return wrapper


def bot_of(interaction: discord.Interaction[Any]) -> StoryBot:
    return cast("StoryBot", interaction.client)
