"""Each server's own settings and the hand-offs in the question log
(``bot/question_log/server_settings.py``), in SQLite and, with
``TEST_DATABASE_URL``, in PostgreSQL: the same answers from both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.question_log import QuestionLog, QuestionStore, ServerSettings
from bot.question_log.postgres import PostgresQuestionLog

GUILD = 1234


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[QuestionStore]:
    async with await QuestionLog.open(tmp_path / "log.sqlite3") as log:
        yield log


@pytest.fixture
async def pg_store(pg_url: str) -> AsyncIterator[QuestionStore]:
    async with await PostgresQuestionLog.open(pg_url) as log:
        yield log


@pytest.fixture(params=["sqlite_store", "pg_store"])
def store(request: pytest.FixtureRequest) -> QuestionStore:
    found: QuestionStore = request.getfixturevalue(request.param)
    return found


async def test_a_server_that_chose_nothing_reads_as_nothing_chosen(store: QuestionStore) -> None:
    assert await store.server_settings(GUILD) == ServerSettings(GUILD)


async def test_settings_saved_are_read_back_and_stay_the_servers_own(store: QuestionStore) -> None:
    chosen = ServerSettings(GUILD).with_answer_channel(11, True).with_answer_channel(12, False)
    chosen = chosen.with_forum(21, True).with_handoff(31, 41)
    await store.save_server_settings(chosen)
    assert await store.server_settings(GUILD) == chosen
    assert await store.server_settings(GUILD + 1) == ServerSettings(GUILD + 1)
    changed = chosen.with_forum(21, False).with_handoff(None, None)
    await store.save_server_settings(changed)
    got = await store.server_settings(GUILD)
    assert got.forum_channels == frozenset()
    assert got.handoff is None
    assert got.answer_channels == {11: True, 12: False}


async def test_a_question_is_handed_off_once(store: QuestionStore) -> None:
    assert await store.claim_handoff(555, GUILD)
    assert not await store.claim_handoff(555, GUILD)
    assert await store.claim_handoff(556, GUILD)


def test_an_unreadable_row_reads_as_nothing_chosen() -> None:
    assert ServerSettings.from_json(GUILD, "{not json") == ServerSettings(GUILD)
    assert ServerSettings.from_json(GUILD, '{"forum": ["x"]}') == ServerSettings(GUILD)


async def test_hand_offs_older_than_the_log_keeps_are_pruned(store: QuestionStore) -> None:
    assert await store.claim_handoff(557, GUILD)
    assert await store.prune(0) >= 1
    assert await store.claim_handoff(557, GUILD)  # forgotten with the question log's old rows
    assert await store.prune(30) == 0
