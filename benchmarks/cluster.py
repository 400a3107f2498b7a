"""How soon a reload in one process is served by another (issue 16).

    python -m benchmarks.cluster [--database-url URL] [--reloads 20] [--semantic]

Needs a PostgreSQL server: ``--database-url``, else ``TEST_DATABASE_URL``,
else ``DATABASE_URL``.  Everything goes into a schema of its own, dropped at
the end; the corpus is a temporary copy of ``corpus/``.

Two ``StoryService`` instances, as two bot processes would be (each its own
engines, its own question log pool and its own listening connection), share
the database and the corpus folder.  Each round writes a new article with a
new codeword, has the first service reload (a server's own articles, then
the shared ones: ``StoryService.reload_articles``, what ``/reload`` and
``/corpus add`` do), and asks the second every 5 ms until it answers with
the new codeword.  Prints, per scope, p50 / p99 / max of: the reload in the
first service (the admin's wait), and the delay from that reload's end to the
change being served by the second (the target is 3 s at p99).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bot.service import StoryService, Where
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
GUILD = 777
ARTICLE = """---
title: Round {n} notice
publisher: The Benchmark Gazette
---
The codeword announced for round {n} of the benchmark is {word}.
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


async def served(service: StoryService, word: str, where: Where | None, limit: float = 30.0) -> None:
    deadline = time.perf_counter() + limit
    question = "What codeword was announced for this round of the benchmark?"
    while time.perf_counter() < deadline:
        asked = await service.ask(question, where=where, top=5)
        if any(word in answer.text for answer in asked.result.answers):
            return
        await asyncio.sleep(0.005)
    raise TimeoutError(f"{word} was not served within {limit} s")


async def rounds(one: StoryService, other: StoryService, corpus: Path, scope: str, n: int) -> list[tuple[float, float]]:
    """(reload in one, then served by the other) in seconds, per round."""
    guild = None if scope == "shared" else GUILD
    folder = corpus if guild is None else corpus / "servers" / str(GUILD)
    folder.mkdir(parents=True, exist_ok=True)
    where = Where(GUILD, 1)
    await other.ask("warm up", where=where)  # the server's engine is in memory there
    times = []
    for i in range(n):
        word = f"zx{uuid.uuid4().hex[:10]}"
        (folder / "round.md").write_text(ARTICLE.format(n=i, word=word), encoding="utf-8")
        began = time.perf_counter()
        await one.reload_articles(guild)
        reloaded = time.perf_counter()
        await served(other, word, where)
        times.append((reloaded - began, time.perf_counter() - reloaded))
    (folder / "round.md").unlink()
    await one.reload_articles(guild)
    return times


def report(scope: str, times: list[tuple[float, float]]) -> None:
    for label, values in (
        ("reload in the first (the admin waits)", [t[0] for t in times]),
        ("then served by the second", [t[1] for t in times]),
    ):
        ms = [v * 1000 for v in values]
        print(
            f"{scope:7} {label:38} p50 {statistics.median(ms):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms"
            f"   max {max(ms):7.1f} ms   (n={len(ms)})"
        )


async def main(url: str, n: int, semantic: bool) -> int:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(url)
    await admin.execute(f"CREATE SCHEMA {schema}")
    work = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    corpus = work / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = load_settings(
        semantic=semantic,
        corpus_dir=corpus,
        database_url=with_schema(url, schema),
        index_cache_dir=work / "index-cache",
    )
    services = [StoryService(settings), StoryService(settings)]
    try:
        for service in services:
            await service.start()
        one, other = services
        print(f"two services, one PostgreSQL database, one corpus folder; {n} reloads of each scope")
        for scope in ("server", "shared"):
            report(scope, await rounds(one, other, corpus, scope, n))
    finally:
        for service in services:
            await service.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("--reloads", type=int, default=20)
    parser.add_argument("--semantic", action="store_true", help="with sentence embeddings (slower reloads)")
    args = parser.parse_args()
    if not args.database_url:
        print("cluster: give --database-url (or set TEST_DATABASE_URL): a PostgreSQL server is needed", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(main(args.database_url, args.reloads, args.semantic))


if __name__ == "__main__":
    sys.exit(cli())
