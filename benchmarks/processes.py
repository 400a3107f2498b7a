"""Throughput and reply latency with 1 and with 2 bot processes (#16).

    python -m benchmarks.processes [--questions 400] [--concurrency 16] [--database-url URL]

Each run starts real ``python -m bot run`` subprocesses, each on its own
fake Discord (``tests/harness/fake_discord.py``) on 127.0.0.1: one process
unsharded, then two processes with ``SHARD_COUNT=2`` and ``SHARD_IDS`` 0
and 1 (each fake's guild on that process's shard), all on one corpus folder
(a copy of ``corpus/``) and BM25 alone.  The same ``--questions`` (cycling
through ``benchmarks/latency.py``'s list) are sent as mentions, split
evenly over the processes, ``--concurrency`` in flight in all; a question's
latency is from dispatching its MESSAGE_CREATE to the fake receiving the
reply's ``POST /channels/{id}/messages`` (as ``benchmarks/latency.py``).
Prints questions answered per second (wall clock from the first dispatch to
the last reply) and p50/p99 latency for each.

The question log is each process's own SQLite file, or with
``--database-url`` (or ``TEST_DATABASE_URL``) one PostgreSQL database
shared by the processes.  The processes run on the same machine as the
fakes and this script, so the figures say how far a second process helps
on that machine's cores, not across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.latency import QUESTIONS, percentile
from tests.harness.fake_discord import TOKEN, FakeDiscord, replies_to
from tests.harness.processes import BotProcess, start_bot_process

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = r"/channels/\d+/messages"
SHARD_GUILDS = (1_100_000_000_000_000_100 - (1 << 22), 1_100_000_000_000_000_100)
"""A guild on shard 0 of 2 and one on shard 1 (the fake's default)."""


async def ask(fake: FakeDiscord, question: str, gate: asyncio.Semaphore) -> tuple[float, bool]:
    async with gate:
        message = fake.message_create(f"{fake.mention()} {question}")
        mark = len(fake.requests)  # only the requests from here on are searched for the reply
        sent = time.perf_counter()
        await fake.dispatch("MESSAGE_CREATE", message)
        reply = await fake.wait_for_request("POST", MESSAGES, timeout=60, since=mark, predicate=replies_to(message))
        return (reply.at - sent) * 1000, reply.status == 200


async def run(
    processes: int, questions: int, concurrency: int, work: Path, database_url: str | None
) -> dict[str, float]:
    corpus = work / "corpus"
    if not corpus.exists():
        shutil.copytree(ROOT / "corpus", corpus)
    fakes = [
        FakeDiscord(token=TOKEN, heartbeat_interval_ms=5000, shards=processes, max_concurrency=2, guild_id=guild)
        for guild in (SHARD_GUILDS if processes == 2 else SHARD_GUILDS[1:])
    ]
    procs: list[BotProcess] = []
    try:
        for fake in fakes:
            await fake.start()
        for i, fake in enumerate(fakes):
            settings: dict[str, object] = {
                "corpus_dir": corpus,
                "index_cache_dir": work / "cache",
                "question_cooldown_rate": 1000,
                "question_cooldown_seconds": 0.01,
                "database_url": database_url,
            }
            if processes > 1:
                settings.update(shard_count=processes, shard_ids=i)
            procs.append(await start_bot_process(fake, work / f"{processes}p-{i}", settings, name=f"process-{i}"))
        started = time.perf_counter()
        await asyncio.gather(*(p.wait_ready(120) for p in procs))
        startup = time.perf_counter() - started
        gate = asyncio.Semaphore(concurrency)
        for fake in fakes:  # warm-up, not counted
            await ask(fake, QUESTIONS[0], gate)
        began = time.perf_counter()
        results = await asyncio.gather(
            *(ask(fakes[i % len(fakes)], QUESTIONS[i % len(QUESTIONS)], gate) for i in range(questions))
        )
        wall = time.perf_counter() - began
    finally:
        for proc in procs:
            await proc.stop()
        for fake in fakes:
            await fake.stop()
    ms = sorted(t for t, _ in results)
    return {
        "startup_s": startup,
        "per_s": questions / wall,
        "p50": statistics.median(ms),
        "p99": percentile(ms, 99),
        "failed": float(sum(1 for _, ok in results if not ok)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.processes", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=400, help="questions per run (default 400)")
    parser.add_argument("--concurrency", type=int, default=16, help="questions in flight in all (default 16)")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or None, help="PostgreSQL")
    args = parser.parse_args(argv)
    if args.questions < 1 or args.concurrency < 1:
        parser.error("--questions and --concurrency must be at least 1")
    log = "PostgreSQL, shared" if args.database_url else "SQLite, one file per process"
    print(
        f"{args.questions} questions, {args.concurrency} in flight, BM25 alone, "
        f"question log: {log}; {os.cpu_count()} cores"
    )
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench-processes-") as tmp:
        for processes in (1, 2):
            r = asyncio.run(run(processes, args.questions, args.concurrency, Path(tmp), args.database_url))
            failed += int(r["failed"])
            print(
                f"{processes} process{'es' if processes > 1 else ''}: {r['per_s']:.1f} questions/s  "
                f"p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  failed {int(r['failed'])}  "
                f"(ready in {r['startup_s']:.1f} s)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
