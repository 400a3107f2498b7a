"""The question log's behaviour, the same on both backends: SQLite
(``QuestionLog``) and PostgreSQL (``PostgresQuestionLog``, skipped without
``TEST_DATABASE_URL``; failed in CI).  The backends' own matters (files,
locks, migrations, the database down) are in ``test_sqlite.py`` and
``test_postgres.py``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.question_log import (
    MAX_QUESTION_CHARS,
    QuestionLog,
    QuestionStore,
    StoreError,
    UnansweredGroup,
    VotedAnswer,
    open_question_log,
)
from tests.question_log.clock import START, FakeClock

Opener = Callable[[], Awaitable[QuestionStore]]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Opener:
    """Opens the same question log again each time it is called."""
    url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    path = tmp_path / "bot.sqlite3"

    async def open_log() -> QuestionStore:
        return await open_question_log(url, path, clock=clock)

    return open_log


@pytest.fixture
async def qlog(opener: Opener) -> AsyncIterator[QuestionStore]:
    store = await opener()
    yield store
    await store.close()


async def ask(qlog: QuestionStore, question: str, **kwargs: Any) -> None:
    fields: dict[str, Any] = {"guild_id": 1, "channel_id": 2, "answered": False}
    fields.update(kwargs)
    await qlog.record_question(question=question, **fields)


async def answer(
    qlog: QuestionStore, question: str, quote: str, key: str, paragraph: int, sentence: int, guild_id: int = 1
) -> None:
    await qlog.record_question(
        question=question,
        guild_id=guild_id,
        channel_id=2,
        answered=True,
        quote=quote,
        article_key=key,
        paragraph=paragraph,
        sentence=sentence,
    )


async def vote(
    qlog: QuestionStore, key: str, paragraph: int, sentence: int, *, helpful: bool, times: int = 1, guild: int = 1
) -> None:
    for _ in range(times):
        await qlog.record_vote(article_key=key, paragraph=paragraph, sentence=sentence, helpful=helpful, guild_id=guild)


async def test_the_factory_picks_the_backend(opener: Opener, request: pytest.FixtureRequest) -> None:
    async with await opener() as store:
        assert isinstance(store, QuestionLog) == (request.node.callspec.params["opener"] == "sqlite")


async def test_restart_keeps_data(opener: Opener) -> None:
    store = await opener()
    await ask(store, "Who is Putin?")
    await vote(store, "a", 1, 2, helpful=False)
    await store.close()
    async with await opener() as reopened:
        assert await reopened.unanswered() == [UnansweredGroup("Who is Putin?", 1, START)]
        assert await reopened.least_helpful() == [VotedAnswer("a", 1, 2, None, 1, 0)]


async def test_unanswered_groups_folded_questions_most_frequent_first(qlog: QuestionStore, clock: FakeClock) -> None:
    await ask(qlog, "When was the election?")
    clock.advance(minutes=1)
    await ask(qlog, "Who is Putin?")
    clock.advance(minutes=1)
    await ask(qlog, "who is putin", guild_id=None, channel_id=None)  # a DM
    clock.advance(minutes=1)
    await ask(qlog, "Where is Kyiv?")
    clock.advance(minutes=1)
    await ask(qlog, "WHO IS  PUTIN!!")
    clock.advance(minutes=1)
    await ask(qlog, "where is kyiv")

    assert await qlog.unanswered() == [
        UnansweredGroup("WHO IS  PUTIN!!", 3, START + timedelta(minutes=4)),
        UnansweredGroup("where is kyiv", 2, START + timedelta(minutes=5)),
        UnansweredGroup("When was the election?", 1, START),
    ]
    assert [group.question for group in await qlog.unanswered(limit=2)] == ["WHO IS  PUTIN!!", "where is kyiv"]


async def test_unanswered_ties_go_to_the_most_recent_then_the_last_written(
    qlog: QuestionStore, clock: FakeClock
) -> None:
    for question in ("First?", "Second?", "Third?"):
        await ask(qlog, question)
        clock.advance(seconds=1)
    await ask(qlog, "Same time A?")
    await ask(qlog, "Same time B?")
    assert [group.question for group in await qlog.unanswered()] == [
        "Same time B?",
        "Same time A?",
        "Third?",
        "Second?",
        "First?",
    ]


async def test_unanswered_keeps_to_the_window(qlog: QuestionStore, clock: FakeClock) -> None:
    await ask(qlog, "Old question?")
    await ask(qlog, "Who is Putin?")
    clock.advance(days=20)
    await ask(qlog, "who is putin")
    clock.advance(days=15)
    assert await qlog.unanswered() == [UnansweredGroup("who is putin", 1, START + timedelta(days=20))]
    assert [(group.question, group.count) for group in await qlog.unanswered(days=40)] == [
        ("who is putin", 2),
        ("Old question?", 1),
    ]
    assert await qlog.unanswered(days=10) == []


async def test_unanswered_of_one_server(qlog: QuestionStore) -> None:
    await ask(qlog, "Asked in one?", guild_id=1)
    await ask(qlog, "Asked in two?", guild_id=2)
    await ask(qlog, "Asked in a DM?", guild_id=None, channel_id=None)
    assert [g.question for g in await qlog.unanswered(guild_id=2)] == ["Asked in two?"]
    assert len(await qlog.unanswered()) == 3


async def test_answered_questions_are_not_unanswered(qlog: QuestionStore) -> None:
    await answer(qlog, "Who is Putin?", "Putin is the president.", "a", 0, 1)
    await ask(qlog, "Where is Kyiv?")
    assert [group.question for group in await qlog.unanswered()] == ["Where is Kyiv?"]


async def test_long_questions_are_cut_and_odd_text_is_kept(qlog: QuestionStore) -> None:
    await ask(qlog, "why " * 1000)
    await ask(qlog, "Who is «Путин» 🙂? ' OR 1=1; DROP TABLE questions; --")
    await ask(qlog, "A question\x00with a NUL?")
    groups = await qlog.unanswered()
    assert sorted(len(g.question) for g in groups)[-1] == MAX_QUESTION_CHARS
    assert "Who is «Путин» 🙂? ' OR 1=1; DROP TABLE questions; --" in [g.question for g in groups]
    assert any(g.question.startswith("A question") for g in groups)


async def test_big_discord_ids_fit(qlog: QuestionStore) -> None:
    big = 2**63 - 1
    await ask(qlog, "From a big server?", guild_id=big, channel_id=big)
    await vote(qlog, "a", 0, 0, helpful=False, guild=big)
    assert [g.question for g in await qlog.unanswered(guild_id=big)] == ["From a big server?"]
    assert len(await qlog.least_helpful(guild_id=big)) == 1


async def test_bad_arguments(qlog: QuestionStore) -> None:
    with pytest.raises(ValueError, match="limit"):
        await qlog.unanswered(limit=0)
    with pytest.raises(ValueError, match="days"):
        await qlog.least_helpful(days=-1)
    with pytest.raises(ValueError, match="older_than_days"):
        await qlog.prune(-1)


async def test_least_helpful(qlog: QuestionStore, clock: FakeClock) -> None:
    await answer(qlog, "Who is Putin?", "Putin is the president.", "a", 1, 2)
    clock.advance(minutes=1)
    await answer(qlog, "who's putin", "Putin is the president of Russia.", "a", 1, 2)  # the last quote wins
    await answer(qlog, "Where is Kyiv?", "Kyiv is the capital.", "b", 0, 0)
    await vote(qlog, "a", 1, 2, helpful=False, times=3)
    await vote(qlog, "a", 1, 2, helpful=True)
    await vote(qlog, "c", 4, 0, helpful=False, times=3)  # never in the log: no text
    await vote(qlog, "b", 0, 0, helpful=False)
    await vote(qlog, "b", 0, 0, helpful=True, times=5)
    await vote(qlog, "d", 0, 0, helpful=True, times=4)  # only helpful votes: not listed

    assert await qlog.least_helpful() == [
        VotedAnswer("c", 4, 0, None, not_helpful=3, helpful=0),
        VotedAnswer("a", 1, 2, "Putin is the president of Russia.", not_helpful=3, helpful=1),
        VotedAnswer("b", 0, 0, "Kyiv is the capital.", not_helpful=1, helpful=5),
    ]
    assert [a.article_key for a in await qlog.least_helpful(limit=1)] == ["c"]


async def test_least_helpful_ties_in_key_order(qlog: QuestionStore) -> None:
    for key in ("b", "B", "a", "_x"):
        await vote(qlog, key, 0, 0, helpful=False)
    assert [a.article_key for a in await qlog.least_helpful(limit=10)] == ["B", "_x", "a", "b"]


async def test_least_helpful_keeps_to_the_window_and_the_server(qlog: QuestionStore, clock: FakeClock) -> None:
    await vote(qlog, "a", 0, 0, helpful=False, times=5)
    clock.advance(days=31)
    await vote(qlog, "b", 0, 0, helpful=False)
    await vote(qlog, "a", 0, 0, helpful=True)
    await vote(qlog, "z", 0, 0, helpful=False, guild=2)
    assert await qlog.least_helpful(guild_id=1) == [VotedAnswer("b", 0, 0, None, 1, 0)]
    assert [(a.article_key, a.not_helpful, a.helpful) for a in await qlog.least_helpful(days=40, guild_id=1)] == [
        ("a", 5, 1),
        ("b", 1, 0),
    ]
    assert [a.article_key for a in await qlog.least_helpful(guild_id=2)] == ["z"]


async def test_prune_removes_old_rows_only(qlog: QuestionStore, clock: FakeClock) -> None:
    await ask(qlog, "Old?")
    await answer(qlog, "Old and answered?", "Quote.", "a", 0, 0)
    await vote(qlog, "a", 0, 0, helpful=False, times=2)
    clock.advance(days=10)
    await ask(qlog, "New?")
    await vote(qlog, "a", 0, 0, helpful=True)
    clock.advance(days=1)

    assert await qlog.prune(5) == 4  # two questions, two votes
    assert [group.question for group in await qlog.unanswered()] == ["New?"]
    assert await qlog.prune(5) == 0
    assert await qlog.prune(0.5) == 2
    assert await qlog.unanswered(days=100) == []


async def test_writes_after_close_warn_and_reads_raise(opener: Opener, caplog: pytest.LogCaptureFixture) -> None:
    store = await opener()
    await store.close()
    await store.close()  # twice is fine
    with caplog.at_level(logging.WARNING, logger="bot.question_log"):
        await ask(store, "Anyone there?")
        await vote(store, "a", 0, 0, helpful=True)
    assert "closed" in caplog.text
    with pytest.raises(StoreError, match="closed"):
        await store.unanswered()
    with pytest.raises(StoreError, match="closed"):
        await store.least_helpful()


async def test_many_concurrent_writes_all_land(qlog: QuestionStore) -> None:
    await asyncio.gather(*(ask(qlog, f"Question {i}?") for i in range(200)))
    assert len(await qlog.unanswered(limit=1000)) == 200


async def test_two_logs_on_one_database_see_each_others_rows(opener: Opener) -> None:
    async with await opener() as one, await opener() as two:
        await ask(one, "Asked through one?")
        await ask(two, "Asked through two?")
        for store in (one, two):
            assert {g.question for g in await store.unanswered()} == {"Asked through one?", "Asked through two?"}
