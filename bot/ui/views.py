"""Reusable views (button rows that live for one exchange)."""

from __future__ import annotations

from typing import Any

import discord


class Confirm(discord.ui.View):
    """A yes / cancel question for one person, for one minute; ``confirmed``
    is True, False, or None when it timed out."""

    def __init__(self, owner_id: int, *, yes: str, doing: str, cancelled: str, timeout: float = 60) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.confirmed: bool | None = None
        self._doing = doing
        self._cancelled = cancelled
        self.yes.label = yes

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Yes", style=discord.ButtonStyle.danger)
    async def yes(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.confirmed = True
        await interaction.response.edit_message(content=self._doing, view=None)
        self.stop()

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.confirmed = False
        await interaction.response.edit_message(content=self._cancelled, view=None)
        self.stop()
