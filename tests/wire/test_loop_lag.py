"""The event loop is never held: not while a large corpus is indexed, not
while its saved index is loaded, not while questions are answered.  The
bot's service (``StoryService``, which the Discord layer calls on that loop)
reloads a corpus of SQuAD paragraphs (about 100,000 sentences) and answers
questions at the same time, and the test checks, by thread, that every heavy
step (building an engine, answering, embedding sentences) ran in a worker
thread and none on the loop's, and that the old engine went on answering
meanwhile.

These are behaviour, whatever else the machine is doing; how late the loop
runs (a ticker's 5 ms sleeps) is printed here, and measured by
``python -m benchmarks.loop_lag``: a wall-clock bound would fail on a busy
machine (a 0.54 s stall, a full garbage collection in a worker thread under
CPU contention, was seen once in CI)."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks.loop_lag import QUESTIONS, Ticker, reload_while_asking
from benchmarks.scale import make_articles, write_corpus
from benchmarks.squad import DEFAULT_DATA, load_squad
from bot.engine import Engine, SentenceEncoder, load_encoder
from bot.service import StoryService
from bot.settings import load_settings
from tests.story import STORY_CORPUS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

SENTENCES = 100_000


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not DEFAULT_DATA.exists():
        pytest.skip(f"SQuAD data not found at {DEFAULT_DATA}")
    folder = tmp_path_factory.mktemp("big") / "corpus"
    write_corpus(make_articles(load_squad(DEFAULT_DATA), SENTENCES), folder)
    return folder


class Threads:
    """The threads the heavy steps ran in: ``Engine.__init__`` (splitting,
    tokenizing, indexing, or loading a saved index), ``Engine.ask`` and
    ``SentenceEncoder.encode`` and ``encode_tokens``, each wrapped to note its thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: dict[str, set[int]] = {}
        for owner, name in (
            (Engine, "__init__"),
            (Engine, "ask"),
            (SentenceEncoder, "encode"),
            (SentenceEncoder, "encode_tokens"),
        ):
            self._wrap(monkeypatch, owner, name)

    def _wrap(self, monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> None:
        original = getattr(owner, name)
        label = f"{owner.__name__}.{name}"

        @functools.wraps(original)
        def noted(*args: Any, **kwargs: Any) -> Any:
            self.seen.setdefault(label, set()).add(threading.get_ident())
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, noted)

    def reset(self) -> None:
        self.seen.clear()

    def on_the_loop(self) -> list[str]:
        """The steps that ran at least once in the loop's own thread."""
        loop_thread = threading.get_ident()  # the tests run on the loop's thread
        return sorted(label for label, threads in self.seen.items() if loop_thread in threads)


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Threads:
    return Threads(monkeypatch)


async def test_the_loop_is_never_held_during_a_large_reload(big_corpus: Path, tmp_path: Path, threads: Threads) -> None:
    settings = load_settings(semantic=False, corpus_dir=big_corpus, index_cache_dir=tmp_path / "cache")
    service = StoryService(settings, question_log=False)
    default = service.engines.factory
    service.engines.factory = lambda: Engine.from_folder(STORY_CORPUS)  # the story, to start with
    await service.reload()
    service.engines.factory = default
    # Cold: split, tokenize and index every sentence, then save the index.
    threads.reset()
    with Ticker() as ticker:
        took, answered = await reload_while_asking(service, ticker)
        worst = await ticker.stop()
    assert service.engine is not None
    assert service.engine.n_sentences >= SENTENCES
    print(f"\ncold reload of {service.engine.n_sentences:,} sentences: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert set(threads.seen) >= {"Engine.__init__", "Engine.ask"}
    assert threads.on_the_loop() == []
    assert answered >= 1  # the old engine kept answering
    assert list((tmp_path / "cache").rglob("index-*.npz"))  # in the corpus folder's own cache folder
    # Warm: the saved index is loaded.
    with Ticker() as ticker:
        took, _ = await reload_while_asking(service, ticker)
        worst = await ticker.stop()
    print(f"warm reload: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert threads.on_the_loop() == []
    asked = await service.ask(QUESTIONS[0])
    assert "Super Bowl" in asked.result.answers[0].text
    await service.close()


async def test_the_loop_is_never_held_while_questions_embed_their_candidates(
    big_corpus: Path, tmp_path: Path, threads: Threads
) -> None:
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
    threads.reset()
    with Ticker() as ticker:
        t0 = time.perf_counter()
        for question in questions[:30]:
            assert (await service.ask(question)).result.answers
        took = time.perf_counter() - t0
        worst = await ticker.stop()
    await service.close()
    print(f"\n30 new questions with on-demand embeddings: {took:.1f} s, worst loop lag {worst:.1f} ms")
    assert set(threads.seen) >= {"Engine.ask", "SentenceEncoder.encode"}
    assert threads.on_the_loop() == []
