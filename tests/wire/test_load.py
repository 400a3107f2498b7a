"""Load over the wire: the unmodified bot against the fake Discord.

* 500 questions from 50 readers within 10 seconds, mentions and ``/ask``
  mixed, about the story and off it (``benchmarks/load.py``, which measures
  it with 1 and 2 workers): every one gets exactly one reply, an answer (or
  the story's honest "doesn't say") or the cooldown message; none is lost,
  none answered twice.  Each reply is matched to its question (a message
  reply by ``message_reference``, an ``/ask`` by its interaction id and
  token).  Median and p99 reply latency are printed, not asserted.
* A ``/reload`` of a 200,000-sentence corpus: the gateway heartbeat keeps its
  interval throughout, and questions asked meanwhile are answered promptly
  by the old index.

Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import shutil
import sqlite3
import statistics
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks.load import (
    COOLDOWN,
    DECLINE,
    FIRST_READER,
    OFF_TOPIC,
    PER_READER,
    PERIOD,
    RATE,
    READERS,
    describe,
    flood,
    latencies,
    match_replies,
)
from bot.engine import split_sentences
from tests.harness.fake_discord import FakeDiscord, replies_to
from tests.harness.wire import ANSWER, CALLBACK, FOLLOWUP, MESSAGES, QUESTION, plain, running_bot
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
SQUAD_DEV = ROOT.parent / "shared" / "data" / "squad-dev-v1.1.json.zip"

# -- 500 questions from 50 readers -------------------------------------------------


async def test_500_questions_from_50_readers_each_get_exactly_one_reply(fake: FakeDiscord) -> None:
    readers = [fake.add_user(FIRST_READER + n, f"reader{n}", member=True) for n in range(READERS)]
    total = READERS * PER_READER
    async with running_bot(fake, question_cooldown_rate=RATE, question_cooldown_seconds=PERIOD) as bot:
        asked, sending = await flood(fake, readers)
        await asyncio.sleep(0.5)  # time for any second reply to show up
        stray = match_replies(fake, asked)
        assert bot.service.store is not None
        db_path = bot.service.store.path

    # Nothing lost, nothing twice, nothing unexpected on the wire.
    assert len(asked) == total
    assert not stray, stray[:5]
    twice = [a for a in asked.values() if len(a.finals) != 1]
    assert not twice, [(a.kind, a.text, a.finals) for a in twice[:5]]
    callbacks = Counter(r.params["interaction_id"] for r in fake.find_requests("POST", CALLBACK))
    assert all(count == 1 for count in callbacks.values())
    failed = [r for r in fake.requests if not 200 <= r.status < 300]
    assert not failed, failed[:5]
    assert not fake.unknown_requests

    # Each reply is an answer (or the story's "doesn't say") or the cooldown.
    outcome: dict[int, Counter[str]] = defaultdict(Counter)
    for a in asked.values():
        text = plain(a.content())
        if text.startswith(COOLDOWN):
            outcome[a.user]["cooldown"] += 1
            continue
        outcome[a.user]["answered"] += 1
        assert text.startswith(("> ", DECLINE)), text[:200]
        if a.text == QUESTION:
            assert ANSWER in text
        if a.text in OFF_TOPIC:
            assert text.startswith(DECLINE), (a.text, text[:200])
    answered = sum(c["answered"] for c in outcome.values())
    cooldown = sum(c["cooldown"] for c in outcome.values())
    assert all(c == Counter(answered=RATE, cooldown=PER_READER - RATE) for c in outcome.values()), outcome
    # Every question answered was logged (the cooldowns are not questions).
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0] == answered

    took = latencies(asked)
    deferred = sum(1 for a in asked.values() if a.finals[0].path.startswith("/webhooks/"))
    print(
        f"\nload: {total} questions from {READERS} readers sent in {sending:.1f} s: "
        f"{answered} answered, {cooldown} cooldown, {deferred} /ask deferred"
    )
    for name, values in took.items():
        print(f"load: reply latency, {describe(name, values)}")
    # Loose sanity only (this is not a timing test): each reply came in seconds, not minutes.
    assert max(took["all"]) < 30


# -- a 200k-sentence reload --------------------------------------------------------


def squad_paragraphs() -> list[tuple[str, list[str]]]:
    """SQuAD v1.1 dev's articles as (title, paragraphs); a synthetic stand-in
    of the same shape when the data set is not beside the project."""
    if SQUAD_DEV.exists():
        with zipfile.ZipFile(SQUAD_DEV) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".json"))
            data = json.loads(zf.read(name))["data"]
        return [(a["title"].replace("_", " "), [p["context"].strip() for p in a["paragraphs"]]) for a in data]
    rng = random.Random(7)
    words = [
        f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "po", "ra", "se", "ti") for b in ("ba", "de", "fo", "gu", "li")
    ]
    articles = []
    for n in range(48):
        paragraphs = [
            " ".join(" ".join(rng.choices(words, k=rng.randint(8, 25))).capitalize() + "." for _ in range(5))
            for _ in range(40)
        ]
        articles.append((f"Synthetic article {n}", paragraphs))
    return articles


def write_large_corpus(folder: Path, n_sentences: int) -> int:
    """Copies of SQuAD dev's articles ("Title (copy k)"), one .jsonl file per
    copy, until ``folder`` holds ``n_sentences`` more sentences (counted by
    the engine's splitter).  Returns how many articles were written."""
    base = [
        (title, paragraphs, [len(split_sentences(p)) for p in paragraphs]) for title, paragraphs in squad_paragraphs()
    ]
    total = 0
    articles = 0
    copy = 0
    while total < n_sentences:
        copy += 1
        lines = []
        for title, paragraphs, counts in base:
            taken = []
            for paragraph, count in zip(paragraphs, counts, strict=True):
                if total >= n_sentences:
                    break
                taken.append(paragraph)
                total += count
            if taken:
                lines.append(json.dumps({"title": f"{title} (copy {copy})", "paragraphs": taken}))
        (folder / f"squad-copy-{copy:02d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        articles += len(lines)
    return articles


@pytest.mark.slow
async def test_heartbeats_and_answers_go_on_during_a_200k_sentence_reload(fake: FakeDiscord, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, corpus)
    interval = fake.heartbeat_interval_ms / 1000
    # Written beside it first (writing blocks the test's event loop, which
    # is the bot's too), moved in just before the reload.
    large = tmp_path / "large"
    large.mkdir()
    added = write_large_corpus(large, 200_000)
    async with running_bot(fake, corpus_dir=corpus, question_cooldown_rate=1000) as bot:
        old = bot.service.engine
        assert old is not None
        for path in large.iterdir():
            path.rename(corpus / path.name)

        reload = fake.slash_command("reload", {"shared": True}, user=fake.owner)  # an operator
        mark = len(fake.requests)
        conn = fake.connection
        began = time.perf_counter()
        await fake.dispatch("INTERACTION_CREATE", reload)
        deferred = await fake.wait_for_request("POST", CALLBACK, since=mark)
        assert deferred.json["type"] == 5

        # Ask every 0.4 s while the new index is being built.
        asked: list[tuple[float, dict[str, Any]]] = []
        while not fake.find_requests("POST", FOLLOWUP, since=mark) and time.perf_counter() - began < 120:
            message = fake.message_create(f"{fake.mention()} {QUESTION}")
            asked.append((time.perf_counter(), message))
            await fake.dispatch("MESSAGE_CREATE", message)
            await asyncio.sleep(0.4)
        report = await fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=120)
        took = report.at - began
        new = bot.service.engine
        assert new is not old
        assert new is not None
        sentences = new.n_sentences
        assert "Reloaded:" in report.json["content"]
        assert f"{added} added" in report.json["content"]

        # Every question asked during the reload was answered, by the old index,
        # before the new one was swapped in.
        during = [(at, m) for at, m in asked if at < report.at - 0.5]
        assert len(during) >= 5, "the reload was too quick to ask anything during it"
        latencies = []
        for at, message in during:
            reply = await fake.wait_for_request(
                "POST",
                MESSAGES,
                since=mark,
                timeout=10,
                predicate=replies_to(message),
            )
            assert ANSWER in plain(reply.json["content"])
            assert reply.at < report.at, "a question asked during the reload waited for it"
            latencies.append(reply.at - at)

        # The heartbeat kept its interval on the same connection throughout.
        await asyncio.sleep(2 * interval)
        assert fake.connection is conn
        beats = [t for t in conn.heartbeats if began - 2 * interval <= t <= report.at + 2 * interval]
        assert beats[0] < began
        assert beats[-1] > report.at
        gaps = [b - a for a, b in itertools.pairwise(beats)]

    print(
        f"\nreload: {sentences} sentences ({added} articles added) in {took:.1f} s; "
        f"heartbeat every {interval * 1000:.0f} ms: max gap {max(gaps) * 1000:.0f} ms, "
        f"median {statistics.median(gaps) * 1000:.0f} ms over {len(gaps)} gaps; "
        f"{len(latencies)} questions during it: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    assert sentences >= 200_000
    # A margin of one interval: no beat missed (the build holds the GIL at most
    # ~130 ms at a time here; a slower machine may double that).
    assert max(gaps) < 2 * interval, gaps
    assert max(latencies) < 2.0, latencies
