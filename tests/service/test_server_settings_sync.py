"""Each server's own settings shared by every process
(``bot/service/server_settings.py``): two services, as two processes would
be, sharing one PostgreSQL database.  A change in one is served by the
other, through the reloads' notifications, or, when one was missed, the
periodic check.  Skipped without ``TEST_DATABASE_URL`` (failed in CI)."""

from __future__ import annotations

from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bot.service import StoryService, corpus_sync
from tests.service.test_corpus_sync import REACHES, Services, quick, service_on, until

__all__ = ["quick", "service_on"]

GUILD = 4242
FORUM = 777
ANSWERS = 888


def forum_on(service: StoryService) -> object:
    async def check() -> bool:
        return await service.server_settings.is_forum(GUILD, FORUM)

    return check


async def test_a_settings_change_in_one_is_served_by_the_other(pg_url: str, corpus: Path, service_on: Services) -> None:
    one, other = await service_on(pg_url), await service_on(pg_url)
    assert not await other.server_settings.is_forum(GUILD, FORUM)  # read, and cached, before the change
    await one.server_settings.change(GUILD, lambda s: s.with_forum(FORUM, True).with_answer_channel(ANSWERS, True))
    await until(forum_on(other), REACHES)  # type: ignore[arg-type]
    assert other.server_settings.is_answer_channel(GUILD, ANSWERS)
    await one.server_settings.change(GUILD, lambda s: s.with_forum(FORUM, False))

    async def off() -> bool:
        return not await other.server_settings.is_forum(GUILD, FORUM)

    await until(off, REACHES)


async def test_a_missed_notification_is_caught_up(pg_url: str, corpus: Path, service_on: Services) -> None:
    """A change written while the other was not listening (here: straight
    into the database, no notification) reaches it by the periodic check."""
    one, other = await service_on(pg_url), await service_on(pg_url)
    assert not await other.server_settings.is_forum(GUILD, FORUM)
    assert one.store is not None
    saved = await one.store.server_settings(GUILD)
    await one.store.save_server_settings(saved.with_forum(FORUM, True))
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(corpus_sync.BUMP, f"settings:{GUILD}")
    finally:
        await conn.close()
    await until(forum_on(other), REACHES)  # type: ignore[arg-type]
