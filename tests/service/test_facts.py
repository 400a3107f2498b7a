"""``FactsBook``: each engine's facts built once, its listings kept (those
of all articles for the engine's life), narrowed by article and person."""

from __future__ import annotations

import pytest

from bot.engine import Corpus, Engine
from bot.service import FactsBook
from bot.service.facts import KEPT_LISTINGS
from tests.engine.facts.conftest import HARBOUR, QUIET, VALLEY


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(Corpus([HARBOUR, VALLEY, QUIET]))


async def test_built_once_and_listings_kept(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    book = FactsBook()
    first = await book.people(engine)
    timeline = await book.timeline(engine)

    from bot.service import facts as module

    def not_again(*args: object) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(module, "facts_for", not_again)
    monkeypatch.setattr(module, "people_listing", not_again)
    monkeypatch.setattr(module, "timeline_listing", not_again)
    assert await book.people(engine) is first
    assert await book.people(engine, by="mentions") is not first
    assert await book.timeline(engine) is timeline


async def test_one_articles_listings_do_not_push_out_the_whole(engine: Engine) -> None:
    book = FactsBook()
    whole = await book.people(engine)
    for _ in range(KEPT_LISTINGS + 1):
        for article in engine.articles:
            await book.people(engine, article.key)

    assert await book.people(engine) is whole


async def test_narrowed_by_article_and_person(engine: Engine) -> None:
    book = FactsBook()
    valley = engine.articles[1]

    listing = await book.people(engine, valley.key)
    assert [a.title for a, _ in listing.authors] == [valley.title]
    assert all(p.quote.article is valley for p in listing.people)
    assert all(e.quote.article is valley for e in await book.timeline(engine, valley.key))
    whole = await book.person(engine, "Marsh")
    there = await book.person(engine, "Marsh", valley.key)
    assert whole is not None
    assert there is not None
    assert len(there.sentences) < len(whole.sentences)
    assert all(a.article is valley for a in there.sentences)
    assert await book.person(engine, "Tomas Reyes", valley.key) is None
    assert await book.person(engine, "Nobody Atall") is None
    with pytest.raises(KeyError):
        await book.people(engine, "not-a-key")
