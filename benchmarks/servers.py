"""Many servers, each with a few articles of its own, beside the shared story.

    python -m benchmarks.servers [--servers 1000] [--asked 200] [--loaded 100] [--no-semantic] [--no-warm-up]

Lays out a corpus in a temporary folder: the story (shared) and, for each of
``--servers`` servers, 3 articles of its own (SQuAD dev paragraphs, 3 to an
article), then:

1. **prepare**: one process builds every server's engine, so that each
   server's index is built and saved, then warms it up as the bot does when
   idle after a server's first answer (the judge parses the server's own
   sentences and saves the parses; ``--no-warm-up``: not), as a bot that
   has served them all before a restart; prints the build time per server;
2. **serve**, in a fresh process (so its memory is its own): questions spread
   over ``--asked`` servers, each server's first question (its index loaded
   from the cache: a cold server) and then three more (warm), and finally a
   question in every one of the ``--servers`` servers, with
   ``SERVER_INDEXES_LOADED=--loaded`` bounding those kept in memory.  Prints
   the first question's latency in a cold server, later questions'
   latency, and resident memory (RSS) with all servers answered.

Latency is the service's ``ask`` as the bot calls it (engine look-up or
load, then answering in a worker), measured around the call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.squad import DEFAULT_DATA, load_squad

ROOT = Path(__file__).resolve().parent.parent
FIRST_GUILD = 100_000_000_000_000_000
ARTICLES_PER_SERVER = 3
FLAT_SAMPLE = 20
"""Servers whose questions are also asked of a one-community bot (the baseline)."""
PARAGRAPHS_PER_ARTICLE = 3


def lay_out(folder: Path, servers: int) -> dict[int, list[str]]:
    """The corpus folder; each server's questions (SQuAD's, on its paragraphs)."""
    shutil.copytree(ROOT / "corpus", folder)
    paragraphs = [(art["title"], p) for art in load_squad(DEFAULT_DATA) for p in art["paragraphs"]]
    questions: dict[int, list[str]] = {}
    per_server = ARTICLES_PER_SERVER * PARAGRAPHS_PER_ARTICLE
    for n in range(servers):
        gid = FIRST_GUILD + n
        own = folder / "servers" / str(gid)
        own.mkdir(parents=True)
        start = (n * per_server) % (len(paragraphs) - per_server)
        chunk = paragraphs[start : start + per_server]
        for a in range(ARTICLES_PER_SERVER):
            part = chunk[a * PARAGRAPHS_PER_ARTICLE : (a + 1) * PARAGRAPHS_PER_ARTICLE]
            title = f"{part[0][0].replace('_', ' ')} notes {n}-{a}"
            body = "\n".join(p["context"].strip().replace("\n", " ") for _, p in part)
            (own / f"article-{a}.txt").write_text(f"{title}\n\nServer {n} Gazette\n\n{body}\n", encoding="utf-8")
        questions[gid] = [q["question"] for _, p in chunk for q in p["qas"]][:20]
    return questions


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / (1024 * 1024)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def prepare(folder: Path, cache: Path, semantic: bool, warm_up: bool = True) -> dict[str, float]:
    from bot.service import StoryService
    from bot.settings import load_settings

    settings = load_settings(corpus_dir=folder, index_cache_dir=cache, semantic=semantic, server_indexes_loaded=1)
    service = StoryService(settings, question_log=False)
    await service.start()
    gids = sorted(int(p.name) for p in (folder / "servers").iterdir())
    took, warmed = [], []
    for gid in gids:
        t0 = time.perf_counter()
        engine = await service.engine_for(gid)
        took.append((time.perf_counter() - t0) * 1000)
        if warm_up and engine is not None:  # as the bot does when idle after a server's first answer
            t0 = time.perf_counter()
            await asyncio.to_thread(engine.warm_up)
            warmed.append((time.perf_counter() - t0) * 1000)
    await service.close()
    return {
        "servers": len(gids),
        "build_ms_p50": statistics.median(took),
        "build_s_total": sum(took) / 1000,
        "warm_up_ms_p50": statistics.median(warmed) if warmed else 0.0,
    }


async def serve(folder: Path, cache: Path, semantic: bool, asked: int, loaded: int, seed: int) -> dict[str, float]:
    from bot.service import StoryService, Where
    from bot.settings import load_settings

    questions = json.loads((folder.parent / "questions.json").read_text())
    gids = sorted(int(g) for g in questions)
    settings = load_settings(corpus_dir=folder, index_cache_dir=cache, semantic=semantic, server_indexes_loaded=loaded)
    service = StoryService(settings, question_log=False)
    await service.start()
    rss_start = rss_mb()
    rng = random.Random(seed)
    chosen = rng.sample(gids, min(asked, len(gids)))
    cold, warm = [], []
    for gid in chosen:
        qs = questions[str(gid)]
        t0 = time.perf_counter()
        await service.ask(qs[0], where=Where(gid, 1))
        cold.append((time.perf_counter() - t0) * 1000)
    later: dict[int, list[tuple[str, float]]] = {}
    for _ in range(3):
        for gid in chosen[:loaded]:  # those still in memory
            question = rng.choice(questions[str(gid)])
            t0 = time.perf_counter()
            await service.ask(question, where=Where(gid, 1))
            warm.append((time.perf_counter() - t0) * 1000)
            later.setdefault(gid, []).append((question, warm[-1]))
    every = []
    for gid in gids:
        t0 = time.perf_counter()
        await service.ask(questions[str(gid)][-1], where=Where(gid, 1))
        every.append((time.perf_counter() - t0) * 1000)
    result = {
        "rss_mb_started": rss_start,
        "cold_first_ms_p50": statistics.median(cold),
        "cold_first_ms_p90": pct(cold, 0.9),
        "warm_ms_p50": statistics.median(warm),
        "warm_ms_p99": pct(warm, 0.99),
        "every_server_ms_p50": statistics.median(every),
        "rss_mb_all_answered": rss_mb(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loaded_at_end": service.corpora.loaded,
    }
    await service.close()
    # After the memory figures: each one-community bot adds its own.
    sample = {gid: later[gid] for gid in chosen[:FLAT_SAMPLE] if gid in later}
    flat = await one_community(folder, semantic, sample, questions)
    same = [ms for asked in sample.values() for _, ms in asked]
    result.update(
        flat_ms_p50=statistics.median(flat),
        flat_ms_p99=pct(flat, 0.99),
        flat_bots=len(sample),
        same_ms_p50=statistics.median(same),
        same_ms_p99=pct(same, 0.99),
    )
    return result


async def one_community(
    folder: Path, semantic: bool, later: dict[int, list[tuple[str, float]]], questions: dict[str, list[str]]
) -> list[float]:
    """Later questions' latency in a bot for one community, as before
    servers had their own articles: the story and one server's articles in
    one flat corpus folder, asked the same later questions as that server
    was (``later``: one bot a server, one at a time), in the same process
    as the servers' figures."""
    from bot.service import StoryService, Where
    from bot.settings import load_settings

    took: list[float] = []
    for gid, asked in later.items():
        with tempfile.TemporaryDirectory() as tmp:
            flat = Path(tmp) / "corpus"
            shutil.copytree(ROOT / "corpus", flat)
            for path in (folder / "servers" / str(gid)).iterdir():
                shutil.copy(path, flat / path.name)
            settings = load_settings(corpus_dir=flat, index_cache_dir=Path(tmp) / "cache", semantic=semantic)
            service = StoryService(settings, question_log=False)
            await service.start()
            qs = questions[str(gid)]
            await service.ask(qs[0], where=Where(gid, 1))
            await asyncio.sleep(2.0)  # the idle warm-up, as the servers had
            for question, _ in asked:
                t0 = time.perf_counter()
                await service.ask(question, where=Where(gid, 1))
                took.append((time.perf_counter() - t0) * 1000)
            await service.close()
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.servers", description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--asked", type=int, default=200)
    parser.add_argument("--loaded", type=int, default=100, help="SERVER_INDEXES_LOADED")
    parser.add_argument("--no-semantic", action="store_true", help="BM25 alone")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-warm-up", action="store_true", help="prepare without the idle warm-up (the judge's parses not saved)"
    )
    parser.add_argument("--phase", choices=["all", "serve"], default="all", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    semantic = not args.no_semantic
    if args.phase == "serve":
        out = asyncio.run(
            serve(args.folder, args.folder.parent / "cache", semantic, args.asked, args.loaded, args.seed)
        )
        print(json.dumps(out))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        questions = lay_out(folder, args.servers)
        (Path(tmp) / "questions.json").write_text(json.dumps({str(k): v for k, v in questions.items()}))
        print(f"{args.servers} servers, {ARTICLES_PER_SERVER} articles each, beside the story; semantic={semantic}")
        prepared = asyncio.run(prepare(folder, Path(tmp) / "cache", semantic, not args.no_warm_up))
        print(
            f"prepare: built and saved {prepared['servers']} servers' indexes in {prepared['build_s_total']:.0f} s "
            f"(median {prepared['build_ms_p50']:.0f} ms a server; then warmed up, the judge's parses saved: "
            f"median {prepared['warm_up_ms_p50']:.0f} ms)"
        )
        cmd = [sys.executable, "-m", "benchmarks.servers", "--phase", "serve", "--folder", str(folder)]
        cmd += ["--asked", str(args.asked), "--loaded", str(args.loaded), "--seed", str(args.seed)]
        cmd += ["--no-semantic"] if not semantic else []
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
        served = json.loads(proc.stdout.strip().splitlines()[-1])
    s = served
    print(f"serve ({args.asked} servers asked, SERVER_INDEXES_LOADED={args.loaded}):")
    print(f"  RSS after start-up            {s['rss_mb_started']:.0f} MB")
    print(f"  first question, cold server   p50 {s['cold_first_ms_p50']:.0f} ms, p90 {s['cold_first_ms_p90']:.0f} ms")
    print(f"  later questions (warm)        p50 {s['warm_ms_p50']:.1f} ms, p99 {s['warm_ms_p99']:.1f} ms")
    print(
        f"  of them, {s['flat_bots']} servers' later questions: p50 {s['same_ms_p50']:.1f} ms, "
        f"p99 {s['same_ms_p99']:.1f} ms; the same questions asked of a one-community bot "
        f"(the story and that server's articles as one flat corpus): p50 {s['flat_ms_p50']:.1f} ms, "
        f"p99 {s['flat_ms_p99']:.1f} ms; servers / one community at p50 = {s['same_ms_p50'] / s['flat_ms_p50']:.2f}"
    )
    print(f"  one question in each of {args.servers}: p50 {s['every_server_ms_p50']:.0f} ms")
    print(f"  RSS with all servers answered {s['rss_mb_all_answered']:.0f} MB (peak {s['peak_rss_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
