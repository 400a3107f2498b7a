"""Each server's own settings in the service (``bot/service/server_settings.py``),
on the SQLite question log: the operator's defaults under them, a log that
is off or cannot be read, and hand-offs claimed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from unittest.mock import AsyncMock

import pytest

from bot.question_log import ServerSettings, StoreError
from bot.service.log_keeper import LogKeeper
from bot.service.server_settings import ServerSettingsBook
from bot.settings import load_settings

GUILD = 77
DEFAULT_CHANNEL = 500


@pytest.fixture
async def book(tmp_path: Path) -> AsyncIterator[ServerSettingsBook]:
    keeper = LogKeeper(tmp_path / "log.sqlite3", 90)
    await keeper.start()
    try:
        yield ServerSettingsBook(load_settings(answer_channel_ids=[DEFAULT_CHANNEL]), keeper)
    finally:
        await keeper.close()


async def test_the_operators_answer_channels_serve_until_a_server_chooses(book: ServerSettingsBook) -> None:
    await book.of(GUILD)
    assert book.is_answer_channel(GUILD, DEFAULT_CHANNEL)
    assert not book.is_answer_channel(GUILD, 501)
    await book.change(GUILD, lambda s: s.with_answer_channel(DEFAULT_CHANNEL, False).with_answer_channel(501, True))
    assert not book.is_answer_channel(GUILD, DEFAULT_CHANNEL)
    assert book.is_answer_channel(GUILD, 501)
    assert book.is_answer_channel(GUILD + 1, DEFAULT_CHANNEL)  # another server keeps the operator's
    assert book.is_answer_channel(None, DEFAULT_CHANNEL)


async def test_a_change_is_saved_and_announced(book: ServerSettingsBook) -> None:
    announce = AsyncMock()
    book.announce = announce
    await book.change(GUILD, lambda s: s.with_forum(9, True))
    announce.assert_awaited_once_with(GUILD)
    book.forget(GUILD)  # as when another process changed them: read again
    assert await book.is_forum(GUILD, 9)


async def test_settings_that_cannot_be_read_serve_the_defaults_and_are_not_read_per_message(
    book: ServerSettingsBook, caplog: pytest.LogCaptureFixture
) -> None:
    store = book.keeper.store
    assert store is not None
    failing = AsyncMock(side_effect=StoreError("database down"))
    store.server_settings = failing  # type: ignore[method-assign]
    assert await book.of(GUILD) == ServerSettings(GUILD)
    assert await book.of(GUILD) == ServerSettings(GUILD)
    assert failing.await_count == 1
    assert len([r for r in caplog.records if "cannot be read" in r.getMessage()]) == 1


async def test_without_the_log_nothing_can_be_changed_and_hand_offs_are_claimed_once_in_memory(
    book: ServerSettingsBook,
) -> None:
    await book.keeper.close()
    with pytest.raises(StoreError, match="question log is off"):
        await book.change(GUILD, lambda s: s.with_forum(9, True))
    assert await book.of(GUILD) == ServerSettings(GUILD)
    assert await book.claim_handoff(1, GUILD)
    assert not await book.claim_handoff(1, GUILD)
    await book.release_handoff(1)
    assert await book.claim_handoff(1, GUILD)
