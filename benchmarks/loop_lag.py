"""How long the event loop is held while the bot's service reloads a large
corpus and answers questions: the figure ``tests/wire/test_loop_lag.py``
prints (the test bounds it far above this, as a wall clock on a busy
machine is no test).

    python -m benchmarks.loop_lag [--sentences 100000]

A ticker on the loop sleeps 5 ms again and again and notes how late each
wake-up is, while ``StoryService`` (which the Discord layer calls on that
loop) reloads a corpus of SQuAD paragraphs (``benchmarks.scale``'s corpus,
about ``--sentences`` sentences), cold (split, tokenize, index and save)
then warm (the saved index loaded), answering questions meanwhile.  Prints
each reload's time, the questions answered during it, and the lag's
median, p99 and worst in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from bot.engine import Engine
from bot.service import StoryService
from bot.settings import load_settings

TICK = 0.005
STORY = Path(__file__).resolve().parent.parent / "corpus"
QUESTIONS = ["Which NFL team represented the AFC at Super Bowl 50?", "Where did Super Bowl 50 take place?"]


def _elsewhere() -> str:
    me = threading.get_ident()
    frames = [f for ident, f in sys._current_frames().items() if ident != me]
    return "; ".join(
        " <- ".join(f"{Path(fs.filename).name}:{fs.lineno}" for fs in traceback.extract_stack(f)[-3:][::-1])
        for f in frames
    )


class Ticker:
    """Sleeps 5 ms again and again, noting how late it wakes; a wake-up
    later than ``note_after_ms`` notes where the other threads were."""

    def __init__(self, note_after_ms: float = 25.0) -> None:
        self.lags_ms: list[float] = []
        self.late: list[str] = []
        """Where the other threads were just after each late wake-up: the
        line after the one that held the loop up."""
        self.note_after_ms = note_after_ms
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            t0 = loop.time()
            await asyncio.sleep(TICK)
            lag = (loop.time() - t0 - TICK) * 1000.0
            self.lags_ms.append(lag)
            if lag > self.note_after_ms:
                self.late.append(f"{lag:.0f} ms late; other threads were at: {_elsewhere()}")

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> float:
        """Stop ticking; the worst lag in milliseconds."""
        self._stop.set()
        assert self._task is not None
        await self._task
        return max(self.lags_ms)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


async def reload_while_asking(service: StoryService, ticker: Ticker) -> tuple[float, int]:
    """Reload ``service`` while asking it questions, under ``ticker``:
    (reload seconds, questions answered meanwhile)."""
    answered = 0
    t0 = time.perf_counter()
    reload = asyncio.create_task(service.reload())
    while not reload.done():
        asked = await service.ask(QUESTIONS[answered % len(QUESTIONS)])
        assert asked.result.question
        answered += 1
        await asyncio.sleep(0.02)
    await reload
    return time.perf_counter() - t0, answered


def _summary(lags: list[float]) -> str:
    ordered = sorted(lags)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"loop lag median {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, worst {ordered[-1]:.1f} ms"


async def _measure(folder: Path, cache: Path) -> None:
    settings = load_settings(semantic=False, corpus_dir=folder, index_cache_dir=cache)
    service = StoryService(settings, question_log=False)
    default = service.engines.factory
    service.engines.factory = lambda: Engine.from_folder(STORY)  # something to answer from meanwhile
    await service.reload()
    service.engines.factory = default
    for what in ("cold", "warm"):
        with Ticker() as ticker:
            took, answered = await reload_while_asking(service, ticker)
            await ticker.stop()
        sentences = service.engine.n_sentences if service.engine is not None else 0
        print(f"{what} reload of {sentences:,} sentences: {took:.1f} s, {answered} questions answered meanwhile")
        print(f"  {_summary(ticker.lags_ms)}")
    await service.close()


def main(argv: list[str] | None = None) -> int:
    from benchmarks.scale import make_articles, write_corpus
    from benchmarks.squad import DEFAULT_DATA, load_squad

    parser = argparse.ArgumentParser(prog="python -m benchmarks.loop_lag", description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(make_articles(load_squad(DEFAULT_DATA), args.sentences), folder)
        asyncio.run(_measure(folder, Path(tmp) / "cache"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
