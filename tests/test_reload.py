"""StoryBot.reload_engine: the swap is atomic, questions during a reload are
answered by the old engine, reloads are serialised, failures keep the old."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from bot.client import StoryBot
from bot.engine import CorpusError, Engine
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


class SlowFactory:
    """Builds engines, holding each build (after the first) until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.builds = 0
        self.running = 0
        self.most_at_once = 0
        self.fail = False
        self._lock = threading.Lock()

    def __call__(self) -> Engine:
        with self._lock:
            self.builds += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            first = self.builds == 1
        try:
            if not first:
                self.release.wait(5)
                time.sleep(0.02)
            if self.fail:
                raise CorpusError("corpus folder 'corpus' does not exist")
            return Engine.from_folder(ROOT / "corpus")
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
async def bot() -> StoryBot:
    factory = SlowFactory()
    story = StoryBot(load_settings(semantic=False), engine_factory=factory, use_store=False)
    story.engine = factory()
    return story


async def test_questions_during_a_reload_are_answered_by_the_old_engine(bot: StoryBot) -> None:
    old = bot.engine
    reload = asyncio.create_task(bot.reload_engine())
    await asyncio.sleep(0.05)
    result = await bot.answer("Where did Putin and Assad meet?")
    assert result.answered
    assert bot.engine is old  # never a half-built one
    bot._engine_factory.release.set()  # type: ignore[attr-defined]
    new = await reload
    assert bot.engine is new
    assert new is not old


async def test_concurrent_reloads_are_serialised(bot: StoryBot) -> None:
    factory = bot._engine_factory
    assert isinstance(factory, SlowFactory)
    tasks = [asyncio.create_task(bot.reload_engine()) for _ in range(3)]
    await asyncio.sleep(0.05)
    factory.release.set()
    engines = await asyncio.gather(*tasks)
    assert factory.most_at_once == 1
    assert bot.engine is engines[-1]


async def test_a_failed_reload_keeps_the_old_engine(bot: StoryBot) -> None:
    factory = bot._engine_factory
    assert isinstance(factory, SlowFactory)
    old = bot.engine
    factory.fail = True
    factory.release.set()
    with pytest.raises(CorpusError):
        await bot.reload_engine()
    assert bot.engine is old


async def test_the_event_loop_keeps_running_during_a_reload(bot: StoryBot) -> None:
    factory = bot._engine_factory
    assert isinstance(factory, SlowFactory)
    reload = asyncio.create_task(bot.reload_engine())
    ticks = 0
    for _ in range(10):
        await asyncio.sleep(0.01)
        ticks += 1
    assert ticks == 10
    assert not reload.done()
    factory.release.set()
    await reload


async def test_watch_corpus_reloads_when_a_file_changes(tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = load_settings(corpus_dir=corpus, semantic=False, watch_corpus=True)
    story = StoryBot(settings, use_store=False)
    await story.setup_hook()
    try:
        assert story.engine is not None
        assert len(story.engine.articles) == 1
        await asyncio.sleep(0.3)  # the watcher is running
        (corpus / ".draft.txt").write_text("Hidden\n\nDraft paragraph.\n", encoding="utf-8")  # ignored
        (corpus / "second.txt").write_text("Second story\n\nA second paragraph about harbours.\n", encoding="utf-8")
        for _ in range(100):
            await asyncio.sleep(0.1)
            if len(story.engine.articles) == 2:
                break
        assert [a.title for a in story.engine.articles] == [
            "Putin visits Syria to meet Assad, a key Iran ally",
            "Second story",
        ]
    finally:
        await story.close()
