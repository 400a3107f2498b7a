"""What only the SQLite question log does (``bot/question_log/sqlite.py``):
its file, schema steps, locks and worker thread.  What both backends do is
in ``test_store.py``, run on each."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.question_log import (
    QuestionLog,
    StoreError,
    normalize_question,
    schema,
)
from bot.question_log.schema import MIGRATIONS
from tests.question_log.clock import FakeClock


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nested" / "bot.sqlite3"


@pytest.fixture
async def qlog(db_path: Path, clock: FakeClock) -> AsyncIterator[QuestionLog]:
    opened = await QuestionLog.open(db_path, clock=clock)
    yield opened
    await opened.close()


async def ask(qlog: QuestionLog, question: str, **kwargs: Any) -> None:
    fields: dict[str, Any] = {"guild_id": 1, "channel_id": 2, "answered": False}
    fields.update(kwargs)
    await qlog.record_question(question=question, **fields)


async def answer(qlog: QuestionLog, question: str, quote: str, key: str, paragraph: int, sentence: int) -> None:
    await qlog.record_question(
        question=question,
        guild_id=1,
        channel_id=2,
        answered=True,
        quote=quote,
        article_key=key,
        paragraph=paragraph,
        sentence=sentence,
    )


async def vote(qlog: QuestionLog, key: str, paragraph: int, sentence: int, *, helpful: bool, times: int = 1) -> None:
    for _ in range(times):
        await qlog.record_vote(article_key=key, paragraph=paragraph, sentence=sentence, helpful=helpful)


def raw(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Query the file through a separate, plain connection."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def file_bytes(path: Path) -> bytes | None:
    """The file's content (None if there is no file); a plain function, as async tests must not do file I/O."""
    return path.read_bytes() if path.is_file() else None


def count_rows(path: Path, table: str) -> int:
    rows = raw(path, f"SELECT COUNT(*) FROM {table}")
    return int(rows[0][0])


# -- schema and migrations


async def test_open_creates_folders_and_schema(db_path: Path) -> None:
    assert not db_path.parent.exists()
    qlog = await QuestionLog.open(db_path)
    await qlog.close()
    assert file_bytes(db_path)
    assert raw(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    tables = {name for (name,) in raw(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "votes"} <= tables
    assert raw(db_path, "PRAGMA journal_mode") == [("wal",)]


async def test_no_column_identifies_a_user(qlog: QuestionLog, db_path: Path) -> None:
    tables = [name for (name,) in raw(db_path, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables
    for table in tables:
        columns = [row[1].lower() for row in raw(db_path, f"PRAGMA table_info({table})")]
        assert columns
        for column in columns:
            assert not any(word in column for word in ("user", "author", "member")), (table, column)


async def test_reopening_a_current_database_changes_nothing(db_path: Path, clock: FakeClock) -> None:
    async with await QuestionLog.open(db_path, clock=clock) as qlog:
        await ask(qlog, "Who is Putin?")
    before = file_bytes(db_path)
    async with await QuestionLog.open(db_path, clock=clock):
        pass
    assert file_bytes(db_path) == before


async def test_newer_schema_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    before = file_bytes(db_path)

    with pytest.raises(StoreError, match="newer") as caught:
        await QuestionLog.open(db_path)
    assert "\n" not in str(caught.value)
    assert file_bytes(db_path) == before  # not even the journal mode was changed


async def test_a_new_step_migrates_an_existing_database(
    db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with await QuestionLog.open(db_path, clock=clock) as qlog:
        await ask(qlog, "Who is Putin?")
    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, ("ALTER TABLE questions ADD COLUMN language TEXT",)))

    async with await QuestionLog.open(db_path, clock=clock) as qlog:
        assert [group.question for group in await qlog.unanswered()] == ["Who is Putin?"]
    assert raw(db_path, "PRAGMA user_version") == [(len(MIGRATIONS) + 1,)]
    assert "language" in [row[1] for row in raw(db_path, "PRAGMA table_info(questions)")]


async def test_a_failing_step_is_rolled_back(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with await QuestionLog.open(db_path):
        pass
    monkeypatch.setattr(
        schema, "MIGRATIONS", (*MIGRATIONS, ("CREATE TABLE extra (x INTEGER)", "THIS IS NOT SQL")), raising=True
    )

    with pytest.raises(StoreError, match="syntax error"):
        await QuestionLog.open(db_path)
    assert raw(db_path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert raw(db_path, "SELECT name FROM sqlite_master WHERE name = 'extra'") == []


async def test_open_on_a_path_under_a_file_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder") as caught:
        await QuestionLog.open(blocker / "bot.sqlite3")
    assert "\n" not in str(caught.value)


async def test_open_on_a_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        await QuestionLog.open(tmp_path)


async def test_open_on_a_corrupt_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes\n" * 200)
    with pytest.raises(StoreError, match="not a database"):
        await QuestionLog.open(path)


# -- unanswered questions


def test_normalize_question() -> None:
    assert normalize_question("Who is Putin?") == "who is putin"
    assert normalize_question("  WHO  is\tPutin ?!  ") == "who is putin"
    assert normalize_question("Putin’s «plan»…") == normalize_question("putin's plan") == "putins plan"
    assert normalize_question("Straße") == normalize_question("STRASSE")


# -- votes


# -- retention


async def test_prune_removes_old_rows_only(qlog: QuestionLog, clock: FakeClock, db_path: Path) -> None:
    await ask(qlog, "Old?")
    await answer(qlog, "Old and answered?", "Quote.", "a", 0, 0)
    await vote(qlog, "a", 0, 0, helpful=False, times=2)
    clock.advance(days=10)
    await ask(qlog, "New?")
    await vote(qlog, "a", 0, 0, helpful=True)
    clock.advance(days=1)

    assert await qlog.prune(5) == 4  # two questions, two votes
    assert [group.question for group in await qlog.unanswered()] == ["New?"]
    assert count_rows(db_path, "questions") == 1
    assert count_rows(db_path, "votes") == 1
    assert await qlog.prune(5) == 0
    assert await qlog.prune(0.5) == 2
    assert count_rows(db_path, "questions") == count_rows(db_path, "votes") == 0


# -- failures


async def test_read_only_database_warns_and_keeps_reading(
    qlog: QuestionLog, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Tests run as root, which file permissions do not stop; query_only makes
    # SQLite itself refuse every write, as it does for a read-only file.
    await ask(qlog, "Who is Putin?")
    await qlog._call(lambda conn: conn.execute("PRAGMA query_only = ON"))

    with caplog.at_level(logging.WARNING, logger="bot.question_log"):
        await ask(qlog, "Where is Kyiv?")
        await vote(qlog, "a", 0, 0, helpful=False)
        assert await qlog.prune(0) == 0

    warnings = [r for r in caplog.records if r.name == "bot.question_log" and r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all("readonly" in r.getMessage() for r in warnings)
    assert "record a question" in warnings[0].getMessage()
    assert [group.question for group in await qlog.unanswered()] == ["Who is Putin?"]
    assert await qlog.least_helpful() == []
    assert count_rows(db_path, "questions") == 1


async def test_locked_database_warns_without_blocking_the_loop(
    db_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with await QuestionLog.open(db_path, clock=clock, busy_timeout=0.5) as qlog:
        await ask(qlog, "Before the lock?")
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with caplog.at_level(logging.WARNING, logger="bot.question_log"):
                write = asyncio.create_task(ask(qlog, "During the lock?"))
                await asyncio.sleep(0.05)
                assert not write.done()  # the write waits in the worker; the loop runs on
                await write
                await vote(qlog, "a", 0, 0, helpful=False)
            # WAL: readers are not stopped by the writer's lock.
            assert [group.question for group in await qlog.unanswered()] == ["Before the lock?"]
        finally:
            other.execute("ROLLBACK")
            other.close()

        messages = [
            r.getMessage() for r in caplog.records if r.name == "bot.question_log" and r.levelno == logging.WARNING
        ]
        assert len(messages) == 2
        assert all("database is locked" in message for message in messages)

        await ask(qlog, "After the lock?")
        assert {group.question for group in await qlog.unanswered()} == {"Before the lock?", "After the lock?"}


async def test_a_long_lock_costs_one_busy_timeout_not_one_per_write(db_path: Path, clock: FakeClock) -> None:
    """Writes queue in the one worker thread: if each waited the whole busy
    timeout for a lock held by another connection, a read or close behind
    them would wait that long times the number of writes."""
    async with await QuestionLog.open(db_path, clock=clock, busy_timeout=0.5) as qlog:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.gather(*(ask(qlog, f"During the lock {n}?") for n in range(10)))
            assert loop.time() - started < 2.5  # 10 x 0.5 s without the fix
            assert await qlog.unanswered() == []
        finally:
            other.execute("ROLLBACK")
            other.close()
        # The lock is gone: the next write does not wait, and lands.
        await ask(qlog, "After the lock?")
        assert [group.question for group in await qlog.unanswered()] == ["After the lock?"]


async def test_writes_after_close_warn_and_reads_raise(db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    qlog = await QuestionLog.open(db_path)
    await qlog.close()
    await qlog.close()  # twice is fine
    with caplog.at_level(logging.WARNING, logger="bot.question_log"):
        await ask(qlog, "Anyone there?")
    assert "closed" in caplog.text
    with pytest.raises(StoreError, match="closed"):
        await qlog.unanswered()


async def test_reads_raise_store_error(qlog: QuestionLog) -> None:
    await qlog._call(lambda conn: conn.execute("DROP TABLE votes"))
    with pytest.raises(StoreError, match="no such table"):
        await qlog.least_helpful()


# -- threading


async def test_operations_run_in_one_worker_thread(qlog: QuestionLog) -> None:
    threads: set[tuple[int, str]] = set()

    def trace(_statement: str) -> None:
        current = threading.current_thread()
        threads.add((threading.get_ident(), current.name))

    await qlog._call(lambda conn: conn.set_trace_callback(trace))
    await ask(qlog, "Who is Putin?")
    await answer(qlog, "Where is Kyiv?", "Kyiv is the capital.", "a", 0, 0)
    await vote(qlog, "a", 0, 0, helpful=False)
    await qlog.unanswered()
    await qlog.least_helpful()
    await qlog.prune(1)

    assert len(threads) == 1
    ((ident, name),) = threads
    assert ident != threading.get_ident()
    assert name.startswith("bot-store")


async def test_many_concurrent_writes_all_land(db_path: Path, clock: FakeClock) -> None:
    async with await QuestionLog.open(db_path, clock=clock) as qlog:
        await asyncio.gather(*(ask(qlog, f"Question {i}?") for i in range(200)))
        groups = await qlog.unanswered(limit=1000)
    assert len(groups) == 200
    assert count_rows(db_path, "questions") == 200
