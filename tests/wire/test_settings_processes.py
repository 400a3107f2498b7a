"""A server's ``/settings`` shared by two bot processes over one PostgreSQL
database (``DATABASE_URL``), over the wire: two real ``python -m bot run``
subprocesses, each logged in to its own fake Discord serving the same
server (as when the server's shard moves to another process), sharing
``DATABASE_URL`` (a schema of its own on ``TEST_DATABASE_URL``; skipped
with the reason where that is unset, failed in CI).

An admin turns a forum on with ``/settings forum`` in one process (the
channel option resolved as Discord sends it); the other, which had already
read the server's settings (a post there before went unanswered), answers
the next post in that forum within seconds, with no action of its own."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from tests.harness.community import add_forum, post
from tests.harness.fake_discord import MANAGERS, TOKEN, FakeDiscord
from tests.harness.processes import BotProcess, start_bot_process
from tests.harness.wire import ANSWER, CALLBACK, QUESTION, ask_by_mention, plain
from tests.story import STORY_CORPUS

FORUM = 1_100_000_000_000_000_210
REACHES = 30.0
"""A liveness bound, loose for a busy machine (as ``tests/service/test_corpus_sync.py``)."""


def settings_forum(fake: FakeDiscord, on: bool) -> dict[str, Any]:
    """``/settings forum channel on`` by an admin, as Discord sends it."""
    options = [{"name": "channel", "type": 7, "value": str(FORUM)}, {"name": "on", "type": 5, "value": on}]
    payload = fake.slash_command("settings", [{"name": "forum", "type": 1, "options": options}], roles=[MANAGERS])
    payload["data"]["resolved"] = {"channels": {str(FORUM): {**fake.channels[FORUM], "permissions": "8"}}}
    return payload


async def answered_post(fake: FakeDiscord) -> str | None:
    """A reader opens a post in the forum; the bot's answer in its thread,
    or None when the bot has handled a later question and said nothing there."""
    mark = len(fake.requests)
    thread = await post(fake, FORUM, QUESTION, "")
    await ask_by_mention(fake, QUESTION)  # handled after the post (one connection, in order)
    for _ in range(50):  # the post's answer may still be on its way
        found = fake.find_requests("POST", rf"/channels/{thread['id']}/messages", since=mark)
        if found:
            return str(found[0].json["content"])
        await asyncio.sleep(0.1)
    return None


async def test_a_forum_turned_on_in_one_process_is_answered_by_the_other(pg_url: str, tmp_path: Path) -> None:
    procs: list[BotProcess] = []
    async with FakeDiscord(token=TOKEN) as one_fake, FakeDiscord(token=TOKEN) as other_fake:
        for fake in (one_fake, other_fake):
            fake.add_managers()
            add_forum(fake, FORUM)
        common = {"database_url": pg_url, "corpus_dir": STORY_CORPUS, "question_cooldown_rate": 1000}
        try:
            procs.append(await start_bot_process(one_fake, tmp_path / "one", common, name="one"))
            procs.append(await start_bot_process(other_fake, tmp_path / "other", common, name="other"))
            await asyncio.gather(*(p.wait_ready() for p in procs))
            assert await answered_post(other_fake) is None  # not turned on yet (and now read there)

            mark = len(one_fake.requests)
            await one_fake.dispatch("INTERACTION_CREATE", settings_forum(one_fake, True))
            done = await one_fake.wait_for_request("POST", CALLBACK, since=mark, timeout=15)
            assert done.json["data"]["content"].startswith("Done: I answer each new post in")
            assert done.json["data"]["flags"] & 64

            started = time.perf_counter()
            while (answer := await answered_post(other_fake)) is None:
                assert time.perf_counter() - started < REACHES, procs[1].output()[-3000:]
            assert ANSWER in plain(answer)
        finally:
            for proc in procs:
                await proc.stop()
        for proc in procs:
            assert "Traceback" not in proc.output(), proc.output()[-3000:]
