"""The timeline: every sentence that dates an event, in time order.

One entry per sentence (an event), not per date word: its date is the
first one the sentence writes that resolves (else its first; a "since"
date only when no other resolves), kept as
written ("On Friday", "in 2015") with what it resolves to against the
article's publication date.  Dated entries are ordered by that date (a
year before its months, a month before its days; then by article and
place in it); an entry whose date does not resolve ("in recent weeks", or
"Tuesday" in an article without a publication date) is relative: it
follows the latest dated entry of its article, in the article's order
(with none, at the publication date; without that, at the end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.engine.facts.dates import Found, find_dates, parse_published, sort_key
from bot.engine.models import Article

LAST = (9999, 99, 99)
"""Where entries go that nothing dates."""


@dataclass(frozen=True, slots=True)
class Event:
    """One dated event: a sentence of the corpus and its date."""

    sentence: int
    """The sentence's id in the index."""
    article: int
    """Its article's position in the index."""
    when: str
    """The date as written."""
    date: str | None
    """``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, or None (relative, unresolved)."""
    relative: bool
    """Written relative to the article's time ("Tuesday", "last week")."""


def find_events(
    n_sentences: int, text: Callable[[int], str], article_of: Callable[[int], int], articles: Sequence[Article]
) -> list[Event]:
    """Every sentence that dates something, in the corpus's order."""
    published = [parse_published(a.published) for a in articles]
    out = []
    for sid in range(n_sentences):
        a_idx = article_of(sid)
        found = find_dates(text(sid), published[a_idx])
        if not found:
            continue
        primary = _primary(found)
        out.append(Event(sid, a_idx, primary.when, primary.date, primary.relative or primary.date is None))
    return out


def _primary(found: Sequence[Found]) -> Found:
    """The date of a sentence's event: the first that resolves, one that
    starts a state ("has led the band since 2017") only when no other does."""
    dated = [f for f in found if f.date is not None]
    events = [f for f in dated if not f.when.lower().startswith("since ")]
    return (events or dated or list(found))[0]


def in_time_order(events: Sequence[Event], articles: Sequence[Article]) -> list[Event]:
    """``events`` ordered by time, the unresolved after their article's
    dated ones (module docstring)."""
    latest: dict[int, tuple[int, int, int]] = {}
    for event in events:
        if event.date is not None:
            key = sort_key(event.date)
            latest[event.article] = max(latest.get(event.article, key), key)

    def anchor(a_idx: int) -> tuple[int, int, int]:
        if a_idx in latest:
            return latest[a_idx]
        pub: dt.date | None = parse_published(articles[a_idx].published)
        return (pub.year, pub.month, pub.day) if pub is not None else LAST

    def order(event: Event) -> tuple[tuple[int, int, int], int, int, int]:
        if event.date is not None:
            return (sort_key(event.date), 0, event.article, event.sentence)
        return (anchor(event.article), 1, event.article, event.sentence)

    return sorted(events, key=order)
