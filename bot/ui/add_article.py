"""*Add an article* under ``/unanswered``: a button per question the
articles could not answer; pressed, a form asks for an article's link, and
the link goes the ``/corpus add url`` way (``on_url``, given by the
command).  The buttons live as long as the admin's ephemeral list (15
minutes), for that admin only."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.render import shorten
from bot.ui import replies

log = logging.getLogger(__name__)

OnUrl = Callable[[discord.Interaction[Any], str], Awaitable[None]]
"""Adds the article at the link, telling the admin what came of it."""
MAX_BUTTONS = 20
LABEL = "Add an article"


class AddArticleForm(discord.ui.Modal, title=LABEL):
    url: discord.ui.TextInput[AddArticleForm] = discord.ui.TextInput(
        label="The article's link", placeholder="https://", min_length=8, max_length=2048, custom_id="url"
    )

    def __init__(self, question: str, on_url: OnUrl) -> None:
        super().__init__(timeout=900)
        self.question = question
        self.on_url = on_url

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        await self.on_url(interaction, self.url.value.strip())

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        log.error("error adding an article from /unanswered", exc_info=error)
        await replies.send_ephemeral(interaction, replies.SORRY)


class AddArticleButtons(discord.ui.View):
    """One *Add an article* button per question, for the admin who listed them."""

    def __init__(self, owner_id: int, questions: Sequence[str], on_url: OnUrl, *, timeout: float = 900) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.on_url = on_url
        for question in questions[:MAX_BUTTONS]:
            button: discord.ui.Button[AddArticleButtons] = discord.ui.Button(
                label=shorten(f"{LABEL}: {question}", 80), style=discord.ButtonStyle.secondary
            )
            button.callback = functools.partial(self._pressed, question)  # type: ignore[method-assign]
            self.add_item(button)

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id

    async def _pressed(self, question: str, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_modal(AddArticleForm(question, self.on_url))

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        log.error("error in /unanswered's buttons", exc_info=error)
        await replies.send_ephemeral(interaction, replies.SORRY)
