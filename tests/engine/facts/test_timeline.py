"""The timeline: one entry per sentence, in time order, relative ones after
their article's dated ones."""

from __future__ import annotations

from collections.abc import Callable

from bot.engine import Article, Corpus, Engine
from bot.engine.facts import build_facts
from tests.engine.facts.conftest import HARBOUR, QUIET, VALLEY, sentences_of

Build = Callable[..., Engine]


def test_weekdays_resolve_against_the_publication_date(engine_of: Build) -> None:
    engine = engine_of(HARBOUR)
    events = build_facts(engine.index, None).timeline()

    [opened] = [e for e in events if "opened the town" in engine.index.sentence_text(e.sentence)]
    assert (opened.when, opened.date) == ("on Thursday", "2021-03-11")  # published Friday 12 March 2021


def test_one_entry_per_sentence_not_per_date(engine_of: Build) -> None:
    engine = engine_of(HARBOUR)
    events = build_facts(engine.index, None).timeline()

    assert len({e.sentence for e in events}) == len(events)
    [opened] = [e for e in events if "ending a wait that began in 2016" in engine.index.sentence_text(e.sentence)]
    assert opened.when == "on Thursday"


def test_time_order_with_relative_events_after_their_articles_dated_ones(engine_of: Build) -> None:
    engine = engine_of(HARBOUR, VALLEY)
    events = build_facts(engine.index, None).timeline()
    text = engine.index.sentence_text

    dated = [e for e in events if e.date is not None]
    keys = [tuple(int(p) for p in e.date.split("-")) for e in dated if e.date]
    assert keys == sorted(keys)
    assert [e.when for e in dated][:2] == ["since 1998", "in May 2018"]
    recent = next(i for i, e in enumerate(events) if "In recent weeks" in text(e.sentence))
    harbour_dated = [i for i, e in enumerate(events) if e.article == 0 and e.date is not None]
    assert events[recent].date is None
    assert recent > max(harbour_dated)
    # The valley article has no publication date: "on Monday" stays unresolved, after its own dated events.
    monday = next(e for e in events if e.when == "on Monday")
    assert monday.date is None
    assert monday.relative
    assert events.index(monday) > max(i for i, e in enumerate(events) if e.article == 1 and e.date is not None)


def test_undated_relative_events_keep_their_articles_order() -> None:
    article = Article(
        id="r",
        title="Rivers",
        paragraphs=("Last week the river rose.", "In recent weeks the dam leaked.", "On Sunday the road closed."),
    )
    engine = Engine(Corpus([article]))
    events = build_facts(engine.index, None).timeline()

    assert [e.when for e in events] == ["Last week", "In recent weeks", "On Sunday"]
    assert all(e.date is None and e.relative for e in events)


def test_no_date_at_all(engine_of: Build) -> None:
    assert build_facts(engine_of(QUIET).index, None).timeline() == []


def test_every_event_is_a_sentence_of_the_corpus(engine_of: Build) -> None:
    engine = engine_of(HARBOUR, VALLEY, QUIET)
    events = build_facts(engine.index, None).timeline()

    assert events
    assert {engine.index.sentence_text(e.sentence) for e in events} <= sentences_of(engine)
    assert all(e.when in engine.index.sentence_text(e.sentence) for e in events)


def test_a_since_date_gives_way_to_the_sentences_event() -> None:
    article = Article(
        id="s",
        title="Band",
        published="2024-02-02",
        paragraphs=("Kim, who has led the band since 2017, will take up the post in September.",),
    )
    [event] = build_facts(Engine(Corpus([article])).index, None).timeline()

    assert (event.when, event.date) == ("in September", "2024-09")
