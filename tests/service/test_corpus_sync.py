"""Reloads that reach every process (``bot/service/corpus_sync.py``): two
services, as two processes would be, each with its own engines, sharing one
PostgreSQL database and one corpus folder.  Skipped without
``TEST_DATABASE_URL`` (failed in CI)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from bot.question_log.postgres import PostgresQuestionLog
from bot.service import StoryService, Where, corpus_sync
from bot.settings import load_settings
from tests.harness.postgres import TcpProxy

GUILD = 4242
CODEWORD = """---
title: The festival's codeword
publisher: The Test Gazette
---
The secret codeword of the harvest festival is pomegranate, the organisers said on Monday.
"""
SHARED_ARTICLE = """---
title: The lighthouse keeper
publisher: The Test Gazette
---
The lighthouse keeper of Vardø painted the tower turquoise in 1987.
"""
IN_GUILD = Where(GUILD, 1)


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and check for missed reloads in fractions of a second."""
    monkeypatch.setattr(corpus_sync, "RETRY_MIN", 0.1)
    monkeypatch.setattr(corpus_sync, "RETRY_MAX", 0.3)
    monkeypatch.setattr(corpus_sync, "CHECK_EVERY", 0.5)
    monkeypatch.setattr("bot.question_log.postgres.RETRY_MIN", 0.1)
    monkeypatch.setattr("bot.question_log.postgres.RETRY_MAX", 0.3)


Services = Callable[..., Awaitable[StoryService]]


@pytest.fixture
async def service_on(corpus: Path) -> AsyncIterator[Services]:
    """Starts a service on a database URL and the shared corpus folder."""
    started: list[StoryService] = []

    async def start(url: str) -> StoryService:
        settings = load_settings(semantic=False, corpus_dir=corpus, database_url=url)
        service = StoryService(settings)
        await service.start()
        started.append(service)
        return service

    yield start
    for service in started:
        await service.close()


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> float:
    """Waits for ``check()``; returns how long it took."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    while not await check():
        assert loop.time() - began < seconds, "timed out"
        await asyncio.sleep(0.02)
    return loop.time() - began


def answers(
    service: StoryService, question: str, word: str, where: Where | None = IN_GUILD
) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        asked = await service.ask(question, where=where)
        return asked.result.answered and any(word in a.text for a in asked.result.answers)

    return check


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


QUESTION = "What is the secret codeword of the harvest festival?"

REACHES = 20.0
"""How long a change may take to reach the other service here: a liveness
bound, loose for a busy machine (one run under three benchmarks' load took
over 5 s).  How fast it is (target 3 s p99) is ``python -m
benchmarks.cluster``'s to say, not a test's."""


async def test_a_servers_reload_in_one_is_served_by_the_other(pg_url: str, corpus: Path, service_on: Services) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    assert not await answers(other, QUESTION, "pomegranate")()  # its engine for the server is loaded
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await one.reload_articles(GUILD)
    assert await answers(one, QUESTION, "pomegranate")()
    await until(answers(other, QUESTION, "pomegranate"), REACHES)
    assert other.sync is not None
    assert other.sync.reloads == 1


async def test_a_shared_reload_in_one_is_served_by_the_other(pg_url: str, corpus: Path, service_on: Services) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    question = "What colour did the lighthouse keeper paint the tower?"
    assert not await answers(other, question, "turquoise", None)()
    write(corpus / "lighthouse.md", SHARED_ARTICLE)
    await one.reload()
    await until(answers(other, question, "turquoise", None), REACHES)
    await until(answers(other, question, "turquoise", IN_GUILD), REACHES)  # servers see the shared articles too


async def test_a_server_not_loaded_elsewhere_is_read_when_asked(
    pg_url: str, corpus: Path, service_on: Services
) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await one.reload_articles(GUILD)
    await asyncio.sleep(0.5)
    assert other.sync is not None
    assert other.sync.reloads == 0
    assert not other.corpora.is_loaded(GUILD)
    assert await answers(other, QUESTION, "pomegranate")()


async def test_a_question_asked_in_one_is_unanswered_in_the_other(pg_url: str, service_on: Services) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    asked = await one.ask("How many moons does Neptune have?", where=IN_GUILD)
    assert not asked.result.answered
    await one.remember(asked, reply_id=1)
    assert other.store is not None
    groups = await other.store.unanswered(guild_id=GUILD)
    assert [g.question for g in groups] == ["How many moons does Neptune have?"]


async def test_a_missed_notification_is_caught_up_by_the_periodic_check(
    pg_url: str, corpus: Path, service_on: Services
) -> None:
    other = await service_on(pg_url)
    assert not await answers(other, QUESTION, "pomegranate")()
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    # Another process reloaded, and its notification never came: only the version moved.
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("INSERT INTO corpus_versions (scope, version) VALUES ($1, 7)", str(GUILD))
    finally:
        await conn.close()
    await until(answers(other, QUESTION, "pomegranate"), REACHES)


async def test_a_process_cut_off_catches_up_and_loses_no_question(
    pg_url: str, pg_proxy: tuple[TcpProxy, str], corpus: Path, service_on: Services
) -> None:
    proxy, through_proxy = pg_proxy
    one, other = await service_on(pg_url), await service_on(through_proxy)
    assert not await answers(other, QUESTION, "pomegranate")()
    await proxy.cut()
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await one.reload_articles(GUILD)  # its notification cannot reach the other
    asked = []
    for n in range(5):
        done = await other.ask(f"How many moons does planet {n} have?", where=IN_GUILD)
        await other.remember(done, reply_id=100 + n)
        asked.append(done.own_question)
    await asyncio.sleep(1.5)
    await proxy.restore()
    await until(answers(other, QUESTION, "pomegranate"), REACHES)
    store = other.store
    assert isinstance(store, PostgresQuestionLog)
    await until(lambda: asyncio.sleep(0, store.up), REACHES)
    assert one.store is not None
    assert sorted(g.question for g in await one.store.unanswered(guild_id=GUILD)) == asked


async def test_a_reload_made_while_the_database_was_down_is_told_once_it_is_back(
    pg_url: str, pg_proxy: tuple[TcpProxy, str], corpus: Path, service_on: Services
) -> None:
    proxy, through_proxy = pg_proxy
    one, other = await service_on(through_proxy), await service_on(pg_url)
    assert not await answers(other, QUESTION, "pomegranate")()
    await proxy.cut()
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await one.reload_articles(GUILD)  # the admin's reload works here at once
    assert await answers(one, QUESTION, "pomegranate")()
    await proxy.restore()
    await until(answers(other, QUESTION, "pomegranate"), REACHES)


async def test_killed_connections_lose_no_question_and_reloads_still_reach(
    pg_url: str, corpus: Path, service_on: Services
) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    assert not await answers(other, QUESTION, "pomegranate")()
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE usename = current_user AND pid <> pg_backend_pid() AND datname = current_database()"
        )
    finally:
        await conn.close()
    asked = []
    for n in range(5):
        done = await one.ask(f"How many moons does planet {n} have?", where=IN_GUILD)
        await one.remember(done, reply_id=n)
        asked.append(done.own_question)
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await until(lambda: asyncio.sleep(0, one.sync is not None and one.sync._conn is not None), REACHES)
    await one.reload_articles(GUILD)
    await until(answers(other, QUESTION, "pomegranate"), REACHES)
    store = other.store
    assert store is not None

    async def all_logged() -> bool:
        try:
            return sorted(g.question for g in await store.unanswered(guild_id=GUILD)) == asked
        except Exception:
            return False

    await until(all_logged, REACHES)


async def test_a_database_down_at_start_costs_no_answer_and_no_question(
    pg_url: str, pg_proxy: tuple[TcpProxy, str], corpus: Path, service_on: Services
) -> None:
    proxy, through_proxy = pg_proxy
    one = await service_on(pg_url)
    await proxy.cut()
    other = await service_on(through_proxy)
    asked = await other.ask("How many moons does Neptune have?", where=IN_GUILD)
    await other.remember(asked, reply_id=1)
    assert (await other.ask("Where did Putin and Assad meet?", where=IN_GUILD)).result.answered
    write(corpus / "servers" / str(GUILD) / "codeword.md", CODEWORD)
    await one.reload_articles(GUILD)
    await proxy.restore()
    await until(answers(other, QUESTION, "pomegranate"), REACHES)
    assert one.store is not None

    async def logged() -> bool:
        assert one.store is not None
        return [g.question for g in await one.store.unanswered(guild_id=GUILD)] == [asked.own_question]

    await until(logged, REACHES)


async def test_without_a_database_url_nothing_is_shared(corpus: Path) -> None:
    service = StoryService(load_settings(semantic=False, corpus_dir=corpus))
    assert service.sync is None
