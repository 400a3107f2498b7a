"""``/people`` and ``/timeline`` for the bot and the command line: each
engine's facts (``bot.engine.facts_for``: built once per index, saved with
it), kept while the engine serves, and the listings read from them.

The first listing of an engine builds (or loads) its facts in a worker
thread, one build at a time per engine; every later one is a filter and a
sort of what was built.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from bot.engine import Answer, Article, Engine, Event, Facts, PersonFact, facts_for

T = TypeVar("T")

KEPT_LISTINGS = 32
"""Listings kept per engine (all articles, and the articles last asked for)."""

BY = ("first", "mentions")
"""The orders of ``/people``: by first mention, or most named first."""


@dataclass(frozen=True, slots=True)
class Role:
    """A role the story gives someone, and the sentence that gives it."""

    role: str
    quote: Answer


@dataclass(frozen=True, slots=True)
class PersonEntry:
    """One person of a ``/people`` listing."""

    name: str
    aliases: tuple[str, ...]
    roles: tuple[Role, ...]
    quote: Answer
    """Their first role's sentence, else the first that names them."""
    mentions: int
    sentences: tuple[Answer, ...] = ()
    """Every sentence that names them (``/people person:`` only; empty in
    a listing)."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event of a ``/timeline`` listing."""

    when: str
    """The date as written ("On Friday")."""
    date: str | None
    """What it resolves to (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``), or None."""
    relative: bool
    """Undated: written relative to an unknown time ("in recent weeks")."""
    quote: Answer


@dataclass(frozen=True, slots=True)
class PeopleListing:
    people: tuple[PersonEntry, ...]
    authors: tuple[tuple[Article, tuple[str, ...]], ...]
    """Each listed article's byline authors, kept apart from its people."""


class FactsBook:
    """Each engine's facts, built once and kept while the engine lives, and
    its latest listings (a listing is the same until the engine changes:
    the first ``/people`` of an engine makes it, the next ones take it)."""

    def __init__(self) -> None:
        self._facts: weakref.WeakKeyDictionary[Engine, Facts] = weakref.WeakKeyDictionary()
        self._listings: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[str, ...], Any]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._building = threading.Lock()

    def facts(self, engine: Engine) -> Facts:
        """``engine``'s facts, built (or loaded) on first use, with the
        listings of all its articles: blocking.  One build at a time; the
        listings of engines already built are not held up by it."""
        found = self._facts.get(engine)
        if found is not None:
            return found
        with self._building:
            found = self._facts.get(engine)
            if found is not None:
                return found
            found = facts_for(engine)
            with self._lock:
                self._facts[engine] = found
        for by in BY:
            self.people_now(engine, by=by)
        self.timeline_now(engine)
        return found

    async def facts_async(self, engine: Engine) -> Facts:
        """``facts``, built in a worker thread when not built yet."""
        found = self._facts.get(engine)
        return found if found is not None else await asyncio.to_thread(self.facts, engine)

    def _kept(self, engine: Engine, key: tuple[str, ...], make: Callable[[], T]) -> T:
        """A listing made once per engine: those of all articles (``key``'s
        second part empty) for as long as the engine lives, the
        ``KEPT_LISTINGS`` latest of one article each."""
        with self._lock:
            kept = self._listings.setdefault(engine, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return cast(T, kept[key])
        made = make()
        with self._lock:
            kept[key] = made
            narrowed = [k for k in kept if len(k) > 1 and k[1]]
            for old in narrowed[: max(0, len(narrowed) - KEPT_LISTINGS)]:
                del kept[old]
        return made

    def people_now(self, engine: Engine, article: str | None = None, by: str = "first") -> PeopleListing:
        """``people_listing``, kept: blocking on the first call of an engine."""
        facts = self.facts(engine)
        return self._kept(engine, ("people", article or "", by), lambda: people_listing(engine, facts, article, by))

    def timeline_now(self, engine: Engine, article: str | None = None) -> tuple[TimelineEntry, ...]:
        """``timeline_listing``, kept: blocking on the first call of an engine."""
        facts = self.facts(engine)
        return self._kept(engine, ("timeline", article or ""), lambda: tuple(timeline_listing(engine, facts, article)))

    async def people(self, engine: Engine, article: str | None = None, by: str = "first") -> PeopleListing:
        await self.facts_async(engine)
        return self.people_now(engine, article, by)

    async def timeline(self, engine: Engine, article: str | None = None) -> tuple[TimelineEntry, ...]:
        await self.facts_async(engine)
        return self.timeline_now(engine, article)

    async def person(self, engine: Engine, name: str, article: str | None = None) -> PersonEntry | None:
        facts = await self.facts_async(engine)
        found = facts.person(name)
        if found is None:
            return None
        if article is not None:
            a_idx = _article_index(engine, article)
            found = next((p for p in facts.people(a_idx) if p.name == found.name), None)
            if found is None:
                return None
        return _entry(engine, found, every=True)

    async def names(self, engine: Engine) -> list[str]:
        """Every person's name, most named first (autocomplete)."""
        facts = await self.facts_async(engine)
        return self._kept(engine, ("names",), lambda: [p.name for p in facts.people(by="mentions")])


def _article_index(engine: Engine, key: str | None) -> int | None:
    if key is None:
        return None
    for i, article in enumerate(engine.articles):
        if article.key == key:
            return i
    raise KeyError(key)


def _entry(engine: Engine, person: PersonFact, every: bool = False) -> PersonEntry:
    return PersonEntry(
        name=person.name,
        aliases=person.aliases,
        roles=tuple(Role(role, engine.sentence_answer(sid)) for role, sid in person.roles),
        quote=engine.sentence_answer(person.quote),
        mentions=person.mentions,
        sentences=tuple(engine.sentence_answer(sid) for sid in person.sentences) if every else (),
    )


def people_listing(engine: Engine, facts: Facts, article: str | None = None, by: str = "first") -> PeopleListing:
    """The people of the corpus (``article``: an ``Article.key``, that
    article's alone; ``KeyError`` when the corpus lacks it), ordered ``by``
    first mention or most mentions; and the articles' authors."""
    a_idx = _article_index(engine, article)
    people = tuple(_entry(engine, p) for p in facts.people(a_idx, by=by))
    articles = engine.articles if a_idx is None else (engine.articles[a_idx],)
    return PeopleListing(people, tuple((a, a.authors) for a in articles if a.authors))


def timeline_listing(engine: Engine, facts: Facts, article: str | None = None) -> list[TimelineEntry]:
    """The dated events, in time order (``article``: that article's)."""
    events: list[Event] = facts.timeline(_article_index(engine, article))
    return [TimelineEntry(e.when, e.date, e.date is None, engine.sentence_answer(e.sentence)) for e in events]
