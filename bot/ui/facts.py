"""``/people`` and ``/timeline`` as Discord embeds, paged with buttons.

Within Discord's limits (an embed: 25 fields, a field's name 256 and value
1,024 characters, a footer 2,048, all text 6,000): each person or event is
one field, a page holds up to ``PER_PAGE`` of them and never more text
than ``PAGE_TEXT``.  Quotes are the corpus's sentences, escaped as every
reply escapes them (``formatting.DISCORD``); embeds ping no one, and the
bot sends with ``AllowedMentions.none()`` besides.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.engine import Answer
from bot.render import shorten
from bot.render_facts import authors_lines, names_line, when_label
from bot.service import PeopleListing, PersonEntry, TimelineEntry
from bot.ui.formatting import DISCORD, escape, source_line

PER_PAGE = 6
PAGE_TEXT = 5500
"""At most this much text a page (Discord's limit is 6,000 an embed)."""
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
QUOTE_ROOM = 560
"""A quote's share of a field (its source line takes the rest)."""
COLOUR = discord.Colour.blurple()


def quoted(answer: Answer, lead: str = "") -> str:
    """A sentence quoted with its source, within one field's value."""
    text = f"{lead}> {escape(shorten(answer.text, QUOTE_ROOM))}\n{source_line(answer.article, answer.paragraph)}"
    return shorten(text, FIELD_VALUE)


def person_field(person: PersonEntry) -> tuple[str, str]:
    roles = person.roles[:3]
    value = "\n".join(quoted(r.quote, f"*{escape(r.role)}*\n") for r in roles) or quoted(person.quote)
    if len(value) > FIELD_VALUE:
        value = quoted(roles[0].quote, f"*{escape(roles[0].role)}*\n") if roles else quoted(person.quote)
    return shorten(names_line(person, DISCORD), FIELD_NAME), value


def event_field(entry: TimelineEntry) -> tuple[str, str]:
    return shorten(when_label(entry, DISCORD), FIELD_NAME), quoted(entry.quote)


def pages(title: str, fields: Sequence[tuple[str, str]], footer: str = "") -> list[discord.Embed]:
    """``fields`` on as many embeds as they need, each titled and footed
    with its page number."""
    groups: list[list[tuple[str, str]]] = [[]]
    size = len(title) + len(footer) + 20
    for name, value in fields:
        grown = size + len(name) + len(value)
        if groups[-1] and (len(groups[-1]) >= PER_PAGE or grown > PAGE_TEXT):
            groups.append([])
            grown = len(title) + len(footer) + 20 + len(name) + len(value)
        groups[-1].append((name, value))
        size = grown
    out = []
    for n, group in enumerate(groups, 1):
        embed = discord.Embed(title=shorten(title, 256), colour=COLOUR)
        for name, value in group:
            embed.add_field(name=name, value=value, inline=False)
        page = f"Page {n} of {len(groups)}" if len(groups) > 1 else ""
        text = " \u00b7 ".join(p for p in (page, footer) if p)
        if text:
            embed.set_footer(text=shorten(text, FOOTER))
        out.append(embed)
    return out


def people_pages(listing: PeopleListing, scope: str) -> list[discord.Embed]:
    footer = " \u00b7 ".join(authors_lines(listing, DISCORD))
    return pages(f"Who's who \u2014 {scope}", [person_field(p) for p in listing.people], footer)


def person_pages(person: PersonEntry) -> list[discord.Embed]:
    roles = [(f"{escape(r.role)}", quoted(r.quote)) for r in person.roles]
    said = [(f"Named in sentence {i}", quoted(a)) for i, a in enumerate(person.sentences, 1)]
    return pages(shorten(names_line(person, DISCORD), 200), roles + said)


def timeline_pages(entries: Sequence[TimelineEntry], scope: str) -> list[discord.Embed]:
    return pages(f"Timeline \u2014 {scope}", [event_field(e) for e in entries])


class Pager(discord.ui.View):
    """Previous / Next through ``embeds``, for the one who asked."""

    def __init__(self, owner_id: int, embeds: Sequence[discord.Embed], *, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.embeds = list(embeds)
        self.page = 0
        self._show()

    def _show(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.embeds) - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Only who asked turns these pages; ask yourself.", ephemeral=True)
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = max(0, min(len(self.embeds) - 1, self.page + step))
        self._show()
        await interaction.response.edit_message(embed=self.embeds[self.page], view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        await self._turn(interaction, 1)


async def send_pages(interaction: discord.Interaction[Any], embeds: Sequence[discord.Embed]) -> None:
    """The first page, with the pager when there are more."""
    view = Pager(interaction.user.id, embeds) if len(embeds) > 1 else discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(embed=embeds[0], view=view)
    else:
        await interaction.response.send_message(embed=embeds[0], view=view)
