"""Reply latency through the wire: the real bot against the fake Discord.

    python -m benchmarks.latency [--n 200] [--semantic] [--warmup 5] [--no-judge | --compare-judge]

Starts ``tests/harness/fake_discord.py`` on 127.0.0.1, runs the unmodified StoryBot
against it (login, gateway, READY), then for N questions (cycling through the
list below) measures the time from dispatching a MESSAGE_CREATE that
mentions the bot to the fake receiving the reply's ``POST
/channels/{id}/messages``.  That covers gateway decoding, event dispatch,
the typing request, the engine (in a worker thread), formatting, and the
REST call.  Questions are sent one at a time; the first ``--warmup`` are
not counted.  Prints median, p90, p99 and max in milliseconds.

By default the engine is BM25 alone (``semantic=False``); ``--semantic``
loads the sentence-embedding model the way the bot does in production
(and with it the answer judge, which needs the embeddings).
``--no-judge`` switches the judge off (the engine's own order);
``--compare-judge`` measures without the judge and then with it, in the
same run, and prints the ratio of the medians.
The per-user cooldown is raised so it never interferes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import statistics
import sys
import time
from pathlib import Path

from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.client import StoryBot
from bot.engine import single_threaded_math
from bot.runner import apply_endpoints
from bot.settings import load_settings
from tests.harness.fake_discord import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchmark.fake.token"
MESSAGES = r"/channels/\d+/messages"

QUESTIONS = [
    "Where did Putin and Assad meet?",
    "Who wrote this story?",
    "Which news agency published it?",
    "When did Russia join the war?",
    "How many people have been killed in Syria's civil war?",
    "How many American troops are deployed in Syria?",
    "Who was Qassem Soleimani?",
    "What did Putin say to Assad?",
    "Who is the Kremlin spokesman?",
    "When was the last time Putin came to Syria?",
    "What holiday coincided with Putin's visit?",
    "Where is the last rebel stronghold?",
    "What happened on Friday?",
    "How many refugees are outside the country?",
    "When did Assad visit Russia?",
    "Why was the timing conspicuous?",
    "what did the photos released by SANA show",
    "Has Iran vowed revenge?",
    "Who is winning the civil war?",
    "What is the weather like in Moscow?",
]


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of an ascending list."""
    if not sorted_ms:
        return float("nan")
    rank = max(1, min(len(sorted_ms), math.ceil(p / 100 * len(sorted_ms))))
    return sorted_ms[rank - 1]


async def measure(
    n: int, semantic: bool, warmup: int, judge: bool = True
) -> tuple[list[tuple[str, float]], float, int]:
    """(question, latency in ms) of ``n`` counted questions, the start-up time
    in s, and how many replies failed."""
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=5000) as fake:
        settings = load_settings(
            discord_token=TOKEN,
            discord_api_base_url=fake.api_base_url,
            discord_gateway_url=fake.gateway_url,
            corpus_dir=ROOT / "corpus",
            semantic=semantic,
            question_cooldown_rate=1000,
            question_cooldown_seconds=0.01,
        )
        apply_endpoints(settings)
        bot = StoryBot(settings, guild_ready_timeout=0.1)
        connector: asyncio.Task[None] | None = None
        try:
            started = time.perf_counter()
            await bot.login(TOKEN)  # builds the engine (and loads the model with --semantic)
            connector = asyncio.create_task(bot.connect(reconnect=False))
            await asyncio.wait_for(bot.wait_until_ready(), 60)
            startup = time.perf_counter() - started
            engine = bot.service.engine
            if engine is not None:
                engine.use_judge = judge

            latencies: list[tuple[str, float]] = []
            failures = 0
            for i in range(warmup + n):
                question = QUESTIONS[i % len(QUESTIONS)]
                mark = len(fake.requests)
                message = fake.message_create(f"{fake.mention()} {question}")
                sent = time.perf_counter()
                await fake.dispatch("MESSAGE_CREATE", message)
                reply = await fake.wait_for_request("POST", MESSAGES, timeout=30, since=mark)
                if reply.status != 200:
                    failures += 1
                if i >= warmup:
                    latencies.append((question, (reply.at - sent) * 1000))
            return latencies, startup, failures
        finally:
            await bot.close()
            if connector is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(connector, 5)
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="questions to time (default 200)")
    parser.add_argument("--semantic", action="store_true", help="load the sentence-embedding model")
    parser.add_argument("--warmup", type=int, default=5, help="questions sent first and not counted (default 5)")
    parser.add_argument("--by-question", action="store_true", help="also print the median of each question")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-judge", action="store_true", help="the engine's own order, without the answer judge")
    which.add_argument(
        "--compare-judge", action="store_true", help="without the judge, then with it, in the same run (--semantic)"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        parser.error("--n must be at least 1 and --warmup at least 0")

    single_threaded_math()  # as `python -m bot run` does
    if args.compare_judge:
        medians = []
        failed = 0
        for judge in (False, True):
            latencies, startup, failures = asyncio.run(measure(args.n, True, args.warmup, judge))
            failed += failures
            medians.append(report(latencies, startup, failures, args, judge))
        print(f"with the judge / without: {medians[1] / medians[0]:.2f} at the median")
        return 1 if failed else 0
    latencies, startup, failures = asyncio.run(measure(args.n, args.semantic, args.warmup, not args.no_judge))
    report(latencies, startup, failures, args, args.semantic and not args.no_judge)
    return 1 if failures else 0


def report(
    latencies: list[tuple[str, float]], startup: float, failures: int, args: argparse.Namespace, judge: bool
) -> float:
    """Prints one run's figures; returns its median."""
    ms = sorted(t for _, t in latencies)
    mode = "BM25 + sentence embeddings" if args.semantic or args.compare_judge else "BM25 alone"
    mode += " + answer judge" if judge else ""
    print(f"reply latency, MESSAGE_CREATE -> POST /channels/{{id}}/messages ({mode})")
    print(
        f"questions: {len(ms)} timed after {args.warmup} warm-up, {len(QUESTIONS)} distinct; failed replies: {failures}"
    )
    print(f"start-up (login, engine, READY): {startup:.2f} s")
    print(
        f"median {statistics.median(ms):.1f} ms  p90 {percentile(ms, 90):.1f} ms  "
        f"p99 {percentile(ms, 99):.1f} ms  max {ms[-1]:.1f} ms  (mean {statistics.fmean(ms):.1f} ms)"
    )
    if args.by_question:
        by_question: dict[str, list[float]] = {}
        for question, t in latencies:
            by_question.setdefault(question, []).append(t)
        for question, times in sorted(by_question.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {statistics.median(times):7.1f} ms  (max {max(times):6.1f})  {question}")
    return statistics.median(ms)


if __name__ == "__main__":
    sys.exit(main())
