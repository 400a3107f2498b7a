"""A large corpus's sentence vectors, built in the background by the
service (``bot/service/vectors.py``): the engine serves at once and is
switched over when they are built; a reload stops the build under way and
starts the new engine's; closing stops it; a failed build is logged and
answering goes on.  "Large" is made small: the eager limit is set below the
story's size.  The vectors themselves: ``tests/engine/semantic/test_background.py``."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from bot.engine import Engine, IndexConfig, load_corpus, load_encoder
from bot.service.engines import EngineSlot
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]

encoder = load_encoder()
pytestmark = pytest.mark.skipif(encoder is None, reason="sentence encoder not installed")

LAZY = IndexConfig(semantic_eager_max=10)
QUESTION = "Where did Putin and Assad meet?"


def lazy_engine() -> Engine:
    return Engine(load_corpus(STORY_CORPUS), config=LAZY, encoder=encoder)


class Held:
    """Engines whose vector build waits until it is told to stop (or 30 s)."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.stopped: list[Engine] = []

    def engine(self) -> Engine:
        engine = lazy_engine()

        def held(stop: threading.Event | None = None) -> bool:
            assert stop is not None
            self.started.set()
            if stop.wait(30):
                self.stopped.append(engine)
            return False

        engine.build_vectors = held  # type: ignore[method-assign]
        return engine


async def test_the_engine_serves_at_once_and_switches_over_when_built() -> None:
    slot = EngineSlot(lazy_engine)
    engine = await slot.reload()
    assert engine.semantic_state == "on demand (large corpus)"
    assert engine.ask(QUESTION).answers  # serving already
    assert await slot.vectors.wait()
    assert engine.semantic_state == "all sentences"
    assert slot.vectors.built == 1
    await slot.vectors.close()


async def test_a_reload_stops_the_build_under_way() -> None:
    held = Held()
    engines = iter([held.engine(), lazy_engine()])
    slot = EngineSlot(lambda: next(engines))
    first = await slot.reload()
    assert await asyncio.to_thread(held.started.wait, 30)
    second = await slot.reload()
    assert await slot.vectors.wait()
    assert held.stopped == [first]
    assert first.vectors_pending
    assert not second.vectors_pending
    await slot.vectors.close()


async def test_closing_stops_the_build() -> None:
    held = Held()
    slot = EngineSlot(held.engine)
    engine = await slot.reload()
    assert await asyncio.to_thread(held.started.wait, 30)
    assert slot.vectors.running
    await slot.vectors.close()
    assert held.stopped == [engine]
    assert not slot.vectors.running


async def test_a_failed_build_is_logged_and_answering_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Engine:
        engine = lazy_engine()

        def fail(stop: threading.Event | None = None) -> bool:
            raise MemoryError("no room for the vectors")

        engine.build_vectors = fail  # type: ignore[method-assign]
        return engine

    slot = EngineSlot(broken)
    caplog.set_level(logging.ERROR, logger="bot.service.vectors")
    engine = await slot.reload()
    assert not await slot.vectors.wait()
    assert "building the sentence vectors failed" in caplog.text
    assert engine.vectors_pending
    assert engine.ask(QUESTION).answers
    await slot.vectors.close()


async def test_a_small_corpus_needs_no_build() -> None:
    slot = EngineSlot(lambda: Engine(load_corpus(STORY_CORPUS), encoder=encoder))
    engine = await slot.reload()
    assert not engine.vectors_pending
    assert not slot.vectors.running
    await slot.vectors.close()
