"""``/people`` and ``/timeline`` as Discord embeds, paged with buttons.

Within Discord's limits (an embed: 25 fields, a field's name 256 and value
1,024 characters, a footer 2,048, all text 6,000): each person or event is
one field, of bounded size, and a page holds ``PER_PAGE`` of them.  Quotes are the corpus's sentences, escaped as every
reply escapes them (``formatting.DISCORD``); embeds ping no one, and the
bot sends with ``AllowedMentions.none()`` besides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.engine import Answer
from bot.render import shorten
from bot.render_facts import authors_lines, names_line, when_label
from bot.service import PeopleListing, PersonEntry, TimelineEntry
from bot.service.facts import Role
from bot.ui.formatting import DISCORD, escape, source_line

PER_PAGE = 4
"""People or events a page; with the bounds below a page can never pass
Discord's 6,000 characters: 4 x (200 + 900) + 256 + 1,000 = 5,656."""
FIELD_NAME = 200
FIELD_VALUE = 900
FOOTER = 1000
QUOTE_ROOM = 480
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
        value = quoted(roles[0].quote, f"*{escape(shorten(roles[0].role, 100))}*\n") if roles else quoted(person.quote)
    return shorten(names_line(person, DISCORD), FIELD_NAME), value


def event_field(entry: TimelineEntry) -> tuple[str, str]:
    return shorten(when_label(entry, DISCORD), FIELD_NAME), quoted(entry.quote)


class Pages:
    """Embeds made when shown: page ``i`` of ``fields`` (each made by
    ``field`` from one item), ``PER_PAGE`` a page, titled, footed with the
    page number and ``footer``.  A listing of thousands costs only the page
    a reader turns to."""

    def __init__(
        self, title: str, items: Sequence[Any], field: Callable[[Any], tuple[str, str]], footer: str = ""
    ) -> None:
        self.title = shorten(title, 256)
        self.items = items
        self.field = field
        self.footer = shorten(footer, FOOTER - 40)
        self.count = max(1, -(-len(items) // PER_PAGE))

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, page: int) -> discord.Embed:
        embed = discord.Embed(title=self.title, colour=COLOUR)
        for item in self.items[page * PER_PAGE : (page + 1) * PER_PAGE]:
            name, value = self.field(item)
            embed.add_field(name=name, value=value, inline=False)
        number = f"Page {page + 1} of {self.count}" if self.count > 1 else ""
        text = " \u00b7 ".join(p for p in (number, self.footer) if p)
        if text:
            embed.set_footer(text=text)
        return embed


def people_pages(listing: PeopleListing, scope: str) -> Pages:
    first = PeopleListing((), listing.authors[:20])  # more than the footer shows
    footer = " \u00b7 ".join(authors_lines(first, DISCORD))
    return Pages(f"Who's who \u2014 {scope}", listing.people, person_field, footer)


def _role_field(role: Role) -> tuple[str, str]:
    return shorten(escape(role.role), FIELD_NAME), quoted(role.quote)


def _said_field(numbered: tuple[int, Answer]) -> tuple[str, str]:
    return f"Named in sentence {numbered[0]}", quoted(numbered[1])


def person_pages(person: PersonEntry) -> Pages:
    items: list[Any] = [*person.roles, *enumerate(person.sentences, 1)]
    return Pages(
        names_line(person, DISCORD),
        items,
        lambda item: _role_field(item) if isinstance(item, Role) else _said_field(item),
    )


def timeline_pages(entries: Sequence[TimelineEntry], scope: str) -> Pages:
    return Pages(f"Timeline \u2014 {scope}", entries, event_field)


class Pager(discord.ui.View):
    """Previous / Next through ``embeds``, for the one who asked."""

    def __init__(self, owner_id: int, embeds: Pages, *, timeout: float = 600) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.embeds = embeds
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


async def send_pages(interaction: discord.Interaction[Any], embeds: Pages) -> None:
    """The first page, with the pager when there are more."""
    view = Pager(interaction.user.id, embeds) if len(embeds) > 1 else discord.utils.MISSING
    if interaction.response.is_done():
        await interaction.followup.send(embed=embeds[0], view=view)
    else:
        await interaction.response.send_message(embed=embeds[0], view=view)
