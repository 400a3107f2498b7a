"""The issue's load through the wire: the unmodified bot against the fake
Discord (``tests/harness/fake_discord.py``), with 1 and then 2 answering
workers (``ANSWER_WORKERS``).

    python -m benchmarks.load [--semantic] [--workers 1 2]

1. **Flood**: 500 questions from 50 readers within 10 seconds, mentions and
   ``/ask`` mixed, on and off the story, with the default cooldown (5 a
   reader, so half of them get the cooldown message).  Prints the reply
   latency (dispatch of the event to the reply's request reaching the fake)
   of the answers and of all replies: median, p99, max.
2. **Throughput**: 200 questions from 200 readers dispatched at once (no
   cooldown in the way); prints how many were answered per second until the
   last reply, and how many got "busy" (``ANSWER_MAX_WAIT_SECONDS``).

``--semantic`` answers as the README's install does (the sentence model
loaded); without it, BM25 alone.  ``tests/wire/test_load.py`` runs the
flood and checks that every question gets exactly one reply.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.ui.replies import BUSY
from tests.harness.fake_discord import FakeDiscord, RecordedRequest
from tests.harness.wire import CALLBACK, FOLLOWUP, MESSAGES, QUESTION, TOKEN, plain, running_bot

FIRST_READER = 1_100_000_000_000_010_000

READERS = 50
PER_READER = 10
SPREAD = 10.0
"""Seconds over which the load's questions are sent."""
RATE = 5
"""Questions a reader may ask per cooldown period (the default)."""
PERIOD = 120.0
"""A cooldown period longer than the test, so that exactly RATE of each
reader's questions are answered, however slow the machine."""

ON_TOPIC = (
    QUESTION,
    "Who is the Kremlin's spokesman?",
    "When did Russia join the war in Syria?",
    "How many US soldiers are stationed in Syria?",
    "What is Assad's first name?",
)
OFF_TOPIC = (
    "What is the capital of France?",
    "How do I bake a chocolate cake?",
    "Who won the world cup?",
)
COOLDOWN = "You're asking quickly"
DECLINE = "The story doesn't say"


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by the nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Asked:
    """One question sent to the bot, and what came back for it."""

    user: int
    text: str
    kind: str  # "mention" or "slash"
    key: str  # message id, or interaction id
    token: str | None
    sent_at: float
    finals: list[RecordedRequest] = field(default_factory=list)
    """The requests that carried the reader's reply (one, if all is well)."""

    def content(self) -> str:
        final = self.finals[0]
        if final.path.endswith("/callback"):
            return str(final.json["data"]["content"])
        return str(final.json["content"])


def match_replies(fake: FakeDiscord, asked: dict[str, Asked]) -> list[RecordedRequest]:
    """Attach every reply request to its question; return the requests that
    match no question (there should be none)."""
    by_token = {a.token: a for a in asked.values() if a.token is not None}
    for a in asked.values():
        a.finals.clear()
    stray: list[RecordedRequest] = []
    for rec in fake.requests:
        if rec.status != 200:
            continue
        target: Asked | None = None
        if rec.method == "POST" and _matches(rec, MESSAGES):
            ref = (rec.json or {}).get("message_reference") or {}
            target = asked.get(str(ref.get("message_id")))
        elif rec.method == "POST" and _matches(rec, CALLBACK):
            target = asked.get(rec.params.get("interaction_id", ""))
            if target is not None and rec.json["type"] == 5:
                continue  # deferred: the reply is the follow-up
        elif rec.method == "POST" and _matches(rec, FOLLOWUP):
            target = by_token.get(rec.params.get("token", ""))
        else:
            continue
        if target is None:
            stray.append(rec)
        else:
            target.finals.append(rec)
    return stray


def _matches(rec: RecordedRequest, pattern: str) -> bool:
    return re.fullmatch(pattern, rec.path) is not None


async def flood(fake: FakeDiscord, readers: list[dict[str, Any]]) -> tuple[dict[str, Asked], float]:
    """Send the flood (``PER_READER`` questions from each reader, spread over
    ``SPREAD`` seconds) and wait for every reply; the questions, and the
    seconds the sending took."""
    texts = [*ON_TOPIC, *OFF_TOPIC]
    asked: dict[str, Asked] = {}
    total = len(readers) * PER_READER
    start = time.perf_counter()
    for i in range(total):
        round_, n = divmod(i, len(readers))
        user = readers[n]
        text = texts[i % len(texts)]
        # Each reader alternates between a mention and /ask, round by round.
        kind = "mention" if (round_ + n) % 2 == 0 else "slash"
        await asyncio.sleep(max(0.0, start + i * SPREAD / total - time.perf_counter()))
        await send(fake, asked, user, text, kind)
    sending = time.perf_counter() - start
    await all_replied(fake, asked)
    return asked, sending


async def send(fake: FakeDiscord, asked: dict[str, Asked], user: dict[str, Any], text: str, kind: str) -> None:
    if kind == "mention":
        message = fake.message_create(f"{fake.mention()} {text}", author=user)
        sent_at = time.perf_counter()
        await fake.dispatch("MESSAGE_CREATE", message)
        asked[message["id"]] = Asked(int(user["id"]), text, kind, message["id"], None, sent_at)
    else:
        payload = fake.slash_command("ask", {"question": text}, user=user)
        sent_at = time.perf_counter()
        await fake.dispatch("INTERACTION_CREATE", payload)
        asked[payload["id"]] = Asked(int(user["id"]), text, kind, payload["id"], payload["token"], sent_at)


async def all_replied(fake: FakeDiscord, asked: dict[str, Asked], within: float = 120) -> None:
    """Until every question has its reply (polled: matching is not cheap
    enough to redo on every request)."""
    async with asyncio.timeout(within):
        while True:
            match_replies(fake, asked)
            if all(a.finals for a in asked.values()):
                return
            await asyncio.sleep(0.05)


def latencies(asked: dict[str, Asked]) -> dict[str, list[float]]:
    """Seconds from dispatch to reply: of all replies, of the answers, of the cooldowns."""
    took = {a.key: a.finals[0].at - a.sent_at for a in asked.values()}
    cooled = {a.key for a in asked.values() if plain(a.content()).startswith(COOLDOWN)}
    return {
        "all": list(took.values()),
        "answers": [t for k, t in took.items() if k not in cooled],
        "cooldowns": [t for k, t in took.items() if k in cooled],
    }


def describe(name: str, values: list[float]) -> str:
    if not values:
        return f"{name}: none"
    return (
        f"{name} (n={len(values)}): median {statistics.median(values) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms, max {max(values) * 1000:.0f} ms"
    )


async def throughput(fake: FakeDiscord, n: int) -> tuple[float, int]:
    """``n`` questions from ``n`` new readers at once: answered per second
    until the last reply, and how many were told the bot is busy."""
    readers = [fake.add_user(FIRST_READER + 10_000 + k, f"burst{k}", member=True) for k in range(n)]
    asked: dict[str, Asked] = {}
    start = time.perf_counter()
    for k, user in enumerate(readers):
        await send(fake, asked, user, ON_TOPIC[k % len(ON_TOPIC)], "mention")
    await all_replied(fake, asked)
    last = max(a.finals[0].at for a in asked.values())
    busy = sum(1 for a in asked.values() if plain(a.content()).startswith(BUSY[:20]))
    return (n - busy) / (last - start), busy


async def run(workers: int, semantic: bool, burst: int) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        fake.add_managers()
        readers = [fake.add_user(FIRST_READER + n, f"reader{n}", member=True) for n in range(READERS)]
        with tempfile.TemporaryDirectory() as tmp:
            async with running_bot(
                fake,
                semantic=semantic,
                answer_workers=workers,
                question_cooldown_rate=RATE,
                question_cooldown_seconds=PERIOD,
                database_path=Path(tmp) / "questions.sqlite3",
            ):
                asked, sending = await flood(fake, readers)
                per_second, busy = await throughput(fake, burst)
    print(f"\n{workers} worker(s), semantic={semantic}: {len(asked)} questions sent in {sending:.1f} s")
    for name, values in latencies(asked).items():
        print(f"  flood reply latency, {describe(name, values)}")
    print(f"  throughput: {burst} questions at once, {per_second:.1f} answered per second, {busy} told busy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--semantic", action="store_true", help="load the sentence model (the README's install)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="ANSWER_WORKERS to try (default 1 2)")
    parser.add_argument("--burst", type=int, default=200, help="questions at once for the throughput (default 200)")
    args = parser.parse_args(argv)
    for workers in args.workers:
        asyncio.run(run(workers, args.semantic, args.burst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
