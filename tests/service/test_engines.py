"""The engine's life (``bot/service/engines.py``, through ``StoryService``):
a reload's swap is atomic, questions during a reload are answered by the old
engine, reloads are serialised, failures keep the old; ``WATCH_CORPUS``
reloads when an article file changes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import CorpusError, Engine
from bot.service import StoryService
from bot.settings import load_settings
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]


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
            return Engine.from_folder(STORY_CORPUS)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
async def service() -> AsyncIterator[StoryService]:
    factory = SlowFactory()
    story = StoryService(load_settings(semantic=False), engine_factory=factory, question_log=False)
    story.engines.engine = factory()
    yield story
    factory.release.set()
    await story.close()


def slow_factory(service: StoryService) -> SlowFactory:
    factory = service.engines.factory
    assert isinstance(factory, SlowFactory)
    return factory


async def test_questions_during_a_reload_are_answered_by_the_old_engine(service: StoryService) -> None:
    old = service.engine
    reload = asyncio.create_task(service.reload())
    await asyncio.sleep(0.05)
    asked = await service.ask("Where did Putin and Assad meet?")
    assert asked.result.answered
    assert service.engine is old  # never a half-built one
    slow_factory(service).release.set()
    new = await reload
    assert service.engine is new
    assert new is not old


async def test_concurrent_reloads_are_serialised(service: StoryService) -> None:
    factory = slow_factory(service)
    tasks = [asyncio.create_task(service.reload()) for _ in range(3)]
    await asyncio.sleep(0.05)
    factory.release.set()
    engines = await asyncio.gather(*tasks)
    assert factory.most_at_once == 1
    assert service.engine is engines[-1]


async def test_a_failed_reload_keeps_the_old_engine(service: StoryService) -> None:
    factory = slow_factory(service)
    old = service.engine
    factory.fail = True
    factory.release.set()
    with pytest.raises(CorpusError):
        await service.reload()
    assert service.engine is old


async def test_the_event_loop_keeps_running_during_a_reload(service: StoryService) -> None:
    factory = slow_factory(service)
    reload = asyncio.create_task(service.reload())
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
    shutil.copytree(STORY_CORPUS, corpus)
    settings = load_settings(corpus_dir=corpus, semantic=False, watch_corpus=True)
    story = StoryService(settings, question_log=False)
    await story.start()
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
