"""Two bot processes, one PostgreSQL, one corpus folder (#16), over the wire.

Two real ``python -m bot run`` subprocesses, each ``SHARD_COUNT=2`` with
``SHARD_IDS`` 0 and 1, each on its own fake Discord (a guild on its shard),
sharing ``CORPUS_DIR`` and ``DATABASE_URL`` (a schema of its own on
``TEST_DATABASE_URL``; skipped with the reason where that is unset, failed
in CI).  Process 1 talks REST through a proxy prefix.

* An operator's ``/reload shared`` in process 1 is served by process 0
  without any action there: a question about the new article, unanswered
  before, is answered.
* A question asked in process 1's server is in the shared log: the
  operator's ``/unanswered`` in a DM (every server's questions), which
  process 0 serves (DMs come on shard 0), lists it.  And a question asked
  in process 0 is listed by a server's ``/unanswered`` in a process that
  serves that server later (the operator folds both shards into one
  process).
* Every REST call of process 1 went through the prefix.
* A process whose database is cut for seconds answers every question
  meanwhile and logs them all once it is back.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.harness.fake_discord import MANAGERS, TOKEN, FakeDiscord
from tests.harness.postgres import TcpProxy
from tests.harness.processes import BotProcess, start_bot_process
from tests.harness.wire import ask_by_mention, plain, reload_as

SHARD0_GUILD = 1_100_000_000_000_000_100 - (1 << 22)
"""On shard 0 of 2 (the fake's default guild is on shard 1)."""
SHARD0_CHANNEL = 1_100_000_000_000_000_700

ARTICLE = """Lighthouse keeper retires after forty years

The Harbour Gazette
Mina Ortiz

PORTHAVEN — The keeper of the Porthaven lighthouse, Tomas Reyes, retired on Sunday after forty years of service.
The town will replace him with an automatic lamp next spring.
"""
QUESTION = "Who kept the Porthaven lighthouse?"
ELSEWHERE = "Who won the chess final in Oslo?"


async def says(fake: FakeDiscord, payload: dict[str, object]) -> str:
    """What the bot finally says to the slash command ``payload``."""
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", payload)
    callback = await fake.wait_for_request("POST", r"/interactions/\d+/[^/]+/callback", since=mark, timeout=15)
    if callback.json["type"] == 4:
        return str(callback.json["data"]["content"])
    follow = await fake.wait_for_request("POST", r"/webhooks/\d+/[^/]+$", since=mark, timeout=15)
    return str(follow.json["content"])


async def admin_says(fake: FakeDiscord, command: str) -> str:
    """``command`` run by a server admin (the ``MANAGERS`` role)."""
    return await says(fake, fake.slash_command(command, roles=[MANAGERS]))


async def operator_dm_says(fake: FakeDiscord, command: str) -> str:
    """``command`` run by the application's owner (an operator) in a DM."""
    return await says(fake, fake.slash_command(command, user=fake.owner, guild=False))


async def answers_within(fake: FakeDiscord, seconds: float) -> float:
    """Ask ``QUESTION`` until the answer names the keeper; the seconds it took."""
    started = time.perf_counter()
    while True:
        _, reply = await ask_by_mention(fake, QUESTION)
        if "Tomas Reyes" in plain(reply.json["content"]):
            return time.perf_counter() - started
        assert time.perf_counter() - started < seconds, reply.json["content"]
        await asyncio.sleep(0.2)


async def test_two_processes_share_reloads_and_the_question_log(pg_url: str, corpus: Path, tmp_path: Path) -> None:
    common: dict[str, object] = {
        "corpus_dir": corpus,
        "database_url": pg_url,
        "shard_count": 2,
        "index_cache_dir": tmp_path / "cache",
        "question_cooldown_rate": 1000,
    }
    async with (
        FakeDiscord(
            token=TOKEN, shards=2, max_concurrency=2, guild_id=SHARD0_GUILD, channel_id=SHARD0_CHANNEL
        ) as fake0,
        FakeDiscord(token=TOKEN, shards=2, max_concurrency=2) as fake1,
    ):
        for fake in (fake0, fake1):
            fake.add_managers()
        procs: list[BotProcess] = []
        try:
            procs.append(await start_bot_process(fake0, tmp_path / "p0", {**common, "shard_ids": 0}, name="shard-0"))
            procs.append(
                await start_bot_process(
                    fake1,
                    tmp_path / "p1",
                    {**common, "shard_ids": 1},
                    name="shard-1",
                    api_base_url=fake1.proxy_api_base_url,
                )
            )
            await asyncio.gather(*(p.wait_ready() for p in procs))
            assert [i["d"]["shard"] for i in fake0.identifies] == [[0, 2]]
            assert [i["d"]["shard"] for i in fake1.identifies] == [[1, 2]]

            # Asked in process 0 before the article exists: not answered, logged.
            _, before = await ask_by_mention(fake0, QUESTION)
            assert "Tomas Reyes" not in plain(before.json["content"])

            # The operator adds a shared article and reloads in process 1 ...
            (corpus / "lighthouse.txt").write_text(ARTICLE, encoding="utf-8")
            report = await reload_as(fake1, admin=True, shared=True)
            assert "(1 added, 0 removed, 0 changed)" in report, report
            assert "Lighthouse keeper retires" in plain(report), report
            # ... and process 0 serves it with no action there.
            took = await answers_within(fake0, 10.0)
            print(f"\nreload in process 1 served by process 0 after {took:.2f} s")

            # Process 1's REST went through the proxy prefix, every call.
            assert fake1.requests
            assert not [r.full_path for r in fake1.requests if not r.full_path.startswith("/proxy/api/v10/")]

            # A question process 1 could not answer in its server is in the
            # one log: the operator's /unanswered in a DM -- served by process
            # 0, since DMs come on shard 0 -- lists it.
            _, elsewhere = await ask_by_mention(fake1, ELSEWHERE)
            assert "doesn't say" in plain(elsewhere.json["content"]), elsewhere.json["content"]
            started = time.perf_counter()
            while ELSEWHERE.rstrip("?") not in plain(text := await operator_dm_says(fake0, "unanswered")):
                assert time.perf_counter() - started < 10, text
                await asyncio.sleep(0.2)
            assert "in any server" in text

            # The operator folds both shards into one process on fake0 (process 1
            # restarted with SHARD_IDS=0-1): /unanswered there lists the question
            # process 0 logged.
            assert await procs[1].stop() == 0
            assert await procs[0].stop() == 0
            procs.append(
                await start_bot_process(fake0, tmp_path / "p1b", {**common, "shard_ids": "0-1"}, name="shards-0-1")
            )
            await procs[-1].wait_ready()
            text = await admin_says(fake0, "unanswered")
            assert QUESTION.rstrip("?") in plain(text), text
        finally:
            for proc in procs:
                await proc.stop()
        for proc in procs:
            assert "Traceback" not in proc.output(), proc.output()[-3000:]
            assert TOKEN not in proc.output()


async def test_a_database_cut_for_seconds_costs_no_answer_and_no_question(
    pg_proxy: tuple[TcpProxy, str], corpus: Path, tmp_path: Path
) -> None:
    """A bot process whose PostgreSQL goes away for a few seconds answers
    every question meanwhile, and its question log holds them all once the
    database is back (the process keeps them and writes them then)."""
    proxy, through_proxy = pg_proxy
    settings: dict[str, object] = {
        "corpus_dir": corpus,
        "database_url": through_proxy,
        "index_cache_dir": tmp_path / "cache",
        "question_cooldown_rate": 1000,
    }
    asked = [f"Who won the chess final in city {n}?" for n in range(3)]
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_managers()
        proc = await start_bot_process(fake, tmp_path / "p", settings, name="cut")
        try:
            await proc.wait_ready()
            await proxy.cut()
            for question in asked:
                _, reply = await ask_by_mention(fake, question)
                assert "doesn't say" in plain(reply.json["content"]), reply.json["content"]
            _, answered = await ask_by_mention(fake, "Where did Putin and Assad meet?")
            assert "command post" in plain(answered.json["content"]), answered.json["content"]
            await asyncio.sleep(3.0)  # down for seconds
            await proxy.restore()
            started = time.perf_counter()
            while True:
                text = plain(await admin_says(fake, "unanswered"))
                if all(q.rstrip("?") in text for q in asked):
                    break
                assert time.perf_counter() - started < 30, text
                await asyncio.sleep(0.5)
        finally:
            await proc.stop()
        assert "Traceback" not in proc.output(), proc.output()[-3000:]
