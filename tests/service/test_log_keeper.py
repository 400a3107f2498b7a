"""Keeping the question log open (``bot/service/log_keeper.py``): a log that
cannot be opened at start-up is tried again until it opens, and answering
never waits for it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.service import StoryService, log_keeper
from bot.settings import load_settings
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]


async def test_a_log_that_cannot_open_at_start_is_opened_once_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log that fails at start-up (here its folder is a file) is tried
    again until it opens; answering never waited for it."""
    monkeypatch.setattr(log_keeper, "STORE_RETRY", 0.05)
    blocker = tmp_path / "data"
    blocker.write_text("not a folder", encoding="utf-8")
    settings = load_settings(semantic=False, database_path=blocker / "bot.sqlite3")
    service = StoryService(settings, engine_factory=lambda: Engine.from_folder(STORY_CORPUS))
    await service.start()
    assert service.store is None
    asked = await service.ask("Where did Putin and Assad meet?")
    assert asked.result.answered
    blocker.unlink()
    blocker.mkdir()
    for _ in range(200):
        if service.store is not None:
            break
        await asyncio.sleep(0.02)
    assert service.store is not None
    await service.close()
    assert service.store is None
