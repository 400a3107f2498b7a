"""``/people`` and ``/timeline`` as text, for the command line (plain) and
for Discord's embeds (``bot/ui/facts.py`` passes its ``Style``): what is
said of a person or an event, and in which order, is decided here only.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import Answer
from bot.render import PLAIN, Style, source_line
from bot.service import PeopleListing, PersonEntry, TimelineEntry


class _Sources:
    """Source lines made once per article and paragraph (a listing of
    thousands quotes the same few articles again and again)."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self._made: dict[tuple[int, int], str] = {}

    def __call__(self, answer: Answer) -> str:
        key = (id(answer.article), answer.paragraph)
        line = self._made.get(key)
        if line is None:
            line = self._made[key] = source_line(answer.article, answer.paragraph, self.style)
        return line


def names_line(person: PersonEntry, style: Style = PLAIN) -> str:
    """``Vladimir Putin (also Putin)``."""
    name = style.escape(person.name)
    if person.aliases:
        name += " (also " + ", ".join(style.escape(a) for a in person.aliases) + ")"
    return name


def quote_lines(person: PersonEntry, style: Style = PLAIN, sources: _Sources | None = None) -> list[str]:
    """Each role with the sentence that gives it, quoted with its source;
    a person with no role: the sentence that first names them."""
    source = sources or _Sources(style)
    if not person.roles:
        return [f"> {style.quote(person.quote)}", source(person.quote)]
    out = []
    for role in person.roles:
        out += [f"{style.escape(role.role)}:", f"> {style.quote(role.quote)}", source(role.quote)]
    return out


def person_text(person: PersonEntry, style: Style = PLAIN, sources: _Sources | None = None) -> str:
    mentions = f"named in {person.mentions} sentence{'s' if person.mentions != 1 else ''}"
    return "\n".join([f"{names_line(person, style)} \u2014 {mentions}", *quote_lines(person, style, sources)])


def authors_lines(listing: PeopleListing, style: Style = PLAIN) -> list[str]:
    """``Written by Albert Aji and Daria Litvinova (“Title”)``, one a line."""
    return [
        f"Written by {style.escape(' and '.join(authors))} (\u201c{style.escape(article.title)}\u201d)"
        for article, authors in listing.authors
    ]


def people_text(listing: PeopleListing, style: Style = PLAIN) -> str:
    """The whole ``people`` listing, for a terminal."""
    sources = _Sources(style)
    blocks = [person_text(p, style, sources) for p in listing.people] or ["The articles name no one."]
    authors = authors_lines(listing, style)
    if authors:
        blocks.append("\n".join(authors))
    return "\n\n".join(blocks)


def when_label(entry: TimelineEntry, style: Style = PLAIN) -> str:
    """``2020-01-03 (On Friday)``, or ``relative (in recent weeks)``."""
    return f"{entry.date or 'relative'} ({style.escape(entry.when)})"


def event_text(entry: TimelineEntry, style: Style = PLAIN, sources: _Sources | None = None) -> str:
    source = sources or _Sources(style)
    return f"{when_label(entry, style)}\n> {style.quote(entry.quote)}\n{source(entry.quote)}"


def timeline_text(entries: Sequence[TimelineEntry], style: Style = PLAIN) -> str:
    """The whole ``timeline`` listing, for a terminal."""
    if not entries:
        return "The articles report no dated events."
    sources = _Sources(style)
    return "\n\n".join(event_text(e, style, sources) for e in entries)
