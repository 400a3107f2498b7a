"""The PostgreSQL question log's own matters (``bot/question_log/postgres.py``,
``pg_schema.py``, ``pending.py``): the versioned schema, migrating from
several processes at once, and the database down at start or later."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from bot.question_log import StoreError, pg_schema
from bot.question_log.pending import PendingWrites
from bot.question_log.pg_schema import MIGRATIONS, redact
from bot.question_log.postgres import PostgresQuestionLog
from tests.harness.postgres import TcpProxy


async def query(url: str, sql: str, *args: Any) -> list[Any]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def ask(store: PostgresQuestionLog, question: str) -> None:
    await store.record_question(question=question, guild_id=1, channel_id=2, answered=False)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def questions_in(url: str) -> list[str]:
    return [row[0] for row in await query(url, "SELECT question FROM questions ORDER BY id")]


# -- schema


async def test_open_creates_the_schema_with_its_version(pg_url: str) -> None:
    async with await PostgresQuestionLog.open(pg_url):
        pass
    assert await query(pg_url, "SELECT version FROM schema_version") == [(len(MIGRATIONS),)]
    listed = await query(
        pg_url, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    )
    tables = {row[0] for row in listed}
    assert {"questions", "votes", "corpus_versions", "schema_version"} <= tables
    columns = await query(
        pg_url, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    )
    assert not [c for (c,) in columns if any(word in c for word in ("user", "author", "member"))]


async def test_processes_opening_together_migrate_once(pg_url: str) -> None:
    stores = await asyncio.gather(*(PostgresQuestionLog.open(pg_url) for _ in range(6)))
    for store in stores:
        assert store.up
        await store.close()
    assert await query(pg_url, "SELECT version FROM schema_version") == [(len(MIGRATIONS),)]


async def test_a_new_step_migrates_an_existing_database(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with await PostgresQuestionLog.open(pg_url) as store:
        await ask(store, "Who is Putin?")
    monkeypatch.setattr(pg_schema, "MIGRATIONS", (*MIGRATIONS, ("ALTER TABLE questions ADD COLUMN language text",)))
    async with await PostgresQuestionLog.open(pg_url) as store:
        assert [g.question for g in await store.unanswered()] == ["Who is Putin?"]
    assert await query(pg_url, "SELECT version FROM schema_version") == [(len(MIGRATIONS) + 1,)]


async def test_a_failing_step_is_rolled_back(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with await PostgresQuestionLog.open(pg_url):
        pass
    monkeypatch.setattr(pg_schema, "MIGRATIONS", (*MIGRATIONS, ("CREATE TABLE extra (x integer)", "NOT SQL")))
    with pytest.raises(StoreError, match=f"step {len(MIGRATIONS) + 1} failed") as caught:
        await PostgresQuestionLog.open(pg_url)
    assert "\n" not in str(caught.value)
    assert await query(pg_url, "SELECT version FROM schema_version") == [(len(MIGRATIONS),)]
    assert await query(pg_url, "SELECT to_regclass('extra')") == [(None,)]


async def test_a_newer_schema_is_refused(pg_url: str) -> None:
    async with await PostgresQuestionLog.open(pg_url):
        pass
    await query(pg_url, "UPDATE schema_version SET version = $1", len(MIGRATIONS) + 1)
    with pytest.raises(StoreError, match="newer"):
        await PostgresQuestionLog.open(pg_url)


async def test_a_bad_password_is_refused_without_showing_it(pg_url: str) -> None:
    user = pg_url.split("//")[1].split(":")[0]
    bad = pg_url.replace(f"//{user}:", f"//{user}:not-the-Secret-x", 1)
    if bad == pg_url:
        pytest.skip("the test URL has no password")
    with pytest.raises(StoreError, match="cannot open") as caught:
        await PostgresQuestionLog.open(bad)
    assert "not-the-Secret-x" not in str(caught.value)


def test_redact() -> None:
    assert redact("postgresql://bot:s3cret@db:5432/x") == "postgresql://bot:***@db:5432/x"
    assert redact("postgres://bot@db/x") == "postgres://bot@db/x"


# -- the database down


async def test_down_at_start_keeps_writes_and_writes_them_once_back(
    pg_proxy: tuple[TcpProxy, str], pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = pg_proxy
    await proxy.cut()
    with caplog.at_level(logging.INFO, logger="bot.question_log"):
        store = await PostgresQuestionLog.open(url, retry_min=0.1, retry_max=0.3)
        try:
            assert not store.up
            assert "unreachable" in caplog.text
            for n in range(5):
                await ask(store, f"Asked while down {n}?")
            await store.record_vote(article_key="a", paragraph=0, sentence=0, helpful=False, guild_id=1)
            with pytest.raises(StoreError, match="unreachable"):
                await store.unanswered()
            assert await store.prune(1) == 0
            await proxy.restore()
            await until(lambda: asyncio.sleep(0, store.up))
            assert [g.question for g in await store.unanswered(limit=10)] == [
                f"Asked while down {n}?" for n in reversed(range(5))
            ]
            assert len(await store.least_helpful()) == 1
        finally:
            await store.close()
    assert "the database is back; 6 questions and votes" in caplog.text
    assert await questions_in(pg_url) == [f"Asked while down {n}?" for n in range(5)]  # in order


async def test_a_cut_in_use_loses_no_question(pg_proxy: tuple[TcpProxy, str], pg_url: str) -> None:
    proxy, url = pg_proxy
    async with await PostgresQuestionLog.open(url, retry_min=0.1, retry_max=0.5) as store:
        asked = []
        for n in range(30):
            if n == 10:
                await proxy.cut()
            if n == 20:
                await proxy.restore()
            asked.append(f"Question {n}?")
            await ask(store, asked[-1])
            await asyncio.sleep(0.05)
        await until(lambda: asyncio.sleep(0, store.up))
    assert await questions_in(pg_url) == asked


async def test_terminated_connections_lose_no_question(pg_url: str) -> None:
    async with await PostgresQuestionLog.open(pg_url, retry_min=0.1, retry_max=0.5) as store:
        asked = []
        for n in range(20):
            if n in (5, 12):
                await query(
                    pg_url,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE usename = current_user AND pid <> pg_backend_pid() AND datname = current_database()",
                )
            asked.append(f"Question {n}?")
            await ask(store, asked[-1])
        await until(lambda: asyncio.sleep(0, store.up))
    assert sorted(await questions_in(pg_url), key=lambda q: int(q.split()[1][:-1])) == asked


async def test_the_buffer_is_bounded(pg_proxy: tuple[TcpProxy, str], caplog: pytest.LogCaptureFixture) -> None:
    proxy, url = pg_proxy
    await proxy.cut()
    buffer = PendingWrites(max_rows=3, max_seconds=3600)
    store = await PostgresQuestionLog.open(url, buffer=buffer, retry_min=0.1, retry_max=0.2)
    try:
        for n in range(5):
            await ask(store, f"Question {n}?")
        assert len(buffer) == 3
        with caplog.at_level(logging.INFO, logger="bot.question_log"):
            await proxy.restore()
            await until(lambda: asyncio.sleep(0, store.up))
        assert [g.question for g in await store.unanswered()] == ["Question 4?", "Question 3?", "Question 2?"]
        assert "2 dropped" in caplog.text
    finally:
        await store.close()


def test_the_buffer_drops_rows_kept_too_long() -> None:
    now = [0.0]
    buffer = PendingWrites(max_rows=100, max_seconds=60, monotonic=lambda: now[0])
    buffer.keep("question", ("old",))
    now[0] = 30
    buffer.keep("vote", ("newer",))
    now[0] = 61
    assert [p.row for p in buffer.head(10)] == [("newer",)]
    assert buffer.reset_counts() == (2, 1)
    with pytest.raises(ValueError, match="at least one row"):
        PendingWrites(max_rows=0)


async def test_closing_while_down_says_what_is_lost(
    pg_proxy: tuple[TcpProxy, str], caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = pg_proxy
    await proxy.cut()
    store = await PostgresQuestionLog.open(url, retry_min=5)
    await ask(store, "Never written?")
    with caplog.at_level(logging.WARNING, logger="bot.question_log"):
        await store.close()
    assert "closing with 1 questions and votes not written" in caplog.text
