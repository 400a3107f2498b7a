"""``/people`` and ``/timeline`` pages (``bot/ui/facts.py``): within
Discord's embed limits whatever the corpus holds, markdown escaped."""

from __future__ import annotations

import discord

from bot.engine import Answer, Article
from bot.service import PeopleListing, PersonEntry, TimelineEntry
from bot.service.facts import Role
from bot.ui.facts import PER_PAGE, people_pages, person_pages, timeline_pages

LONG = "Word " * 800
ARTICLE = Article(id="a", title="T" * 400, paragraphs=(LONG,), publisher="P" * 300, authors=("A" * 300,))


def answer(text: str) -> Answer:
    return Answer(text, ARTICLE, 1, 0, 1.0)


def limits(embed: discord.Embed) -> None:
    fields = sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    assert len(embed.title or "") <= 256
    assert len(embed.footer.text or "") <= 2048
    assert len(embed.title or "") + len(embed.footer.text or "") + fields <= 6000
    assert len(embed.fields) <= 25
    assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)


def test_long_names_roles_and_sentences_stay_within_limits() -> None:
    person = PersonEntry(
        name="N" * 300,
        aliases=("M" * 300,) * 3,
        roles=tuple(Role("R" * 300, answer(LONG)) for _ in range(5)),
        quote=answer(LONG),
        mentions=3,
        sentences=tuple(answer(LONG) for _ in range(9)),
    )
    listing = PeopleListing(people=(person,) * 9, authors=((ARTICLE, ARTICLE.authors),) * 30)

    pages = people_pages(listing, "all articles")
    assert len(pages) == -(-9 // PER_PAGE)
    for i in range(len(pages)):
        limits(pages[i])
    one = person_pages(person)
    assert len(one) > 1
    for i in range(len(one)):
        limits(one[i])
    events = timeline_pages([TimelineEntry("on Friday " * 60, None, True, answer(LONG))] * 5, "x" * 300)
    for i in range(len(events)):
        limits(events[i])


def test_quotes_are_escaped_and_ping_no_one() -> None:
    entry = TimelineEntry("in 2015", "2015", False, answer("**Bold** claim by @everyone in 2015 [x](http://y)"))

    [field] = timeline_pages([entry], "all")[0].fields
    assert "\\*\\*Bold\\*\\*" in (field.value or "")
    assert "\\@everyone" in (field.value or "")
    assert "\\[x](" in (field.value or "")  # no masked link
