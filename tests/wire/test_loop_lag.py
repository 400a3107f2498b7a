"""The event loop is never held for long: not while a large corpus is
indexed, not while its saved index is loaded, not while questions are
answered.  A ticker on the loop measures how late each of its 5 ms sleeps
wakes up while the bot's service (``StoryService``, which the Discord layer
calls on that loop) reloads a corpus of SQuAD paragraphs (about 100,000
sentences) and answers questions at the same time."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from benchmarks.scale import make_articles, write_corpus
from benchmarks.squad import DEFAULT_DATA, load_squad
from bot.engine import Engine, load_encoder
from bot.service import StoryService
from bot.settings import load_settings

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SENTENCES = 100_000
MAX_LAG_MS = 50.0
QUESTIONS = ["Which NFL team represented the AFC at Super Bowl 50?", "Where did Super Bowl 50 take place?"]


def _elsewhere() -> str:
    me = threading.get_ident()
    frames = [f for ident, f in sys._current_frames().items() if ident != me]
    return "; ".join(
        " <- ".join(f"{Path(fs.filename).name}:{fs.lineno}" for fs in traceback.extract_stack(f)[-3:][::-1])
        for f in frames
    )


class Ticker:
    """Sleeps 5 ms again and again, noting how late it wakes."""

    def __init__(self) -> None:
        self.lags_ms: list[float] = []
        self.late: list[str] = []
        """Where the other threads were just after each late wake-up: the
        line after the one that held the loop up."""
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            t0 = loop.time()
            await asyncio.sleep(0.005)
            lag = (loop.time() - t0 - 0.005) * 1000.0
            self.lags_ms.append(lag)
            if lag > MAX_LAG_MS / 2:
                self.late.append(f"{lag:.0f} ms late; other threads were at: {_elsewhere()}")

    def __enter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self) -> float:
        self._stop.set()
        assert self._task is not None
        await self._task
        return max(self.lags_ms)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not DEFAULT_DATA.exists():
        pytest.skip(f"SQuAD data not found at {DEFAULT_DATA}")
    folder = tmp_path_factory.mktemp("big") / "corpus"
    write_corpus(make_articles(load_squad(DEFAULT_DATA), SENTENCES), folder)
    return folder


async def _reload_while_asking(service: StoryService) -> tuple[float, float, int, list[str]]:
    """(reload seconds, worst loop lag in ms, questions answered meanwhile,
    where the loop was held up)."""
    answered = 0
    with Ticker() as ticker:
        t0 = time.perf_counter()
        reload = asyncio.create_task(service.reload())
        while not reload.done():
            asked = await service.ask(QUESTIONS[answered % len(QUESTIONS)])
            assert asked.result.question
            answered += 1
            await asyncio.sleep(0.02)
        await reload
        took = time.perf_counter() - t0
        worst = await ticker.stop()
    return took, worst, answered, ticker.late


async def test_the_loop_is_never_held_during_a_large_reload(big_corpus: Path, tmp_path: Path) -> None:
    settings = load_settings(semantic=False, corpus_dir=big_corpus, index_cache_dir=tmp_path / "cache")
    service = StoryService(settings, question_log=False)
    default = service.engines.factory
    service.engines.factory = lambda: Engine.from_folder(ROOT / "corpus")  # the story, to start with
    await service.reload()
    service.engines.factory = default
    # Cold: split, tokenize and index every sentence, then save the index.
    took, worst, answered, late = await _reload_while_asking(service)
    assert service.engine is not None
    assert service.engine.n_sentences >= SENTENCES
    print(f"\ncold reload of {service.engine.n_sentences:,} sentences: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert worst < MAX_LAG_MS, late
    assert answered >= 1  # the old engine kept answering
    assert list((tmp_path / "cache").rglob("index-*.npz"))  # in the corpus folder's own cache folder
    # Warm: the saved index is loaded.
    took, worst, _, late = await _reload_while_asking(service)
    print(f"warm reload: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert worst < MAX_LAG_MS, late
    asked = await service.ask(QUESTIONS[0])
    assert "Super Bowl" in asked.result.answers[0].text
    await service.close()


async def test_the_loop_is_never_held_while_questions_embed_their_candidates(big_corpus: Path, tmp_path: Path) -> None:
    """Above 20,000 sentences each new question embeds its best BM25
    candidates on demand: that happens off the loop too."""
    if load_encoder() is None:
        pytest.skip("sentence encoder not installed")
    settings = load_settings(semantic=True, corpus_dir=big_corpus, index_cache_dir=tmp_path / "cache")
    service = StoryService(settings, question_log=False)
    await service.start()  # loads the encoder, then builds the engine
    assert service.engine is not None
    assert service.engine.semantic_state == "on demand (large corpus)"
    questions = [qa["question"] for a in load_squad(DEFAULT_DATA)[20:] for p in a["paragraphs"] for qa in p["qas"]]
    with Ticker() as ticker:
        t0 = time.perf_counter()
        for question in questions[:30]:
            assert (await service.ask(question)).result.answers
        took = time.perf_counter() - t0
        worst = await ticker.stop()
    await service.close()
    print(f"\n30 new questions with on-demand embeddings: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert worst < MAX_LAG_MS, ticker.late
