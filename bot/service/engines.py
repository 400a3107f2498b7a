"""The engine's life: built from the settings, swapped atomically on a
reload, and reloaded when the corpus folder changes (``WATCH_CORPUS``).

Building runs in a worker thread, never on the event loop; a reload builds
a whole new engine while the old one keeps answering, then swaps it in.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from bot.engine import ARTICLE_SUFFIXES, CorpusError, Engine, load_encoder, open_cache
from bot.fetch import FetchOptions
from bot.settings import Settings

log = logging.getLogger(__name__)

WATCH_DEBOUNCE_MS = 1500
"""Quiet time after the last change before an automatic reload."""

EngineFactory = Callable[[], Engine]


def build_engine(settings: Settings, folder: str | Path | None = None, previous: Engine | None = None) -> Engine:
    """The engine for ``folder`` (default ``CORPUS_DIR``), with the sentence
    model when it is installed and wanted, and the saved-index cache; the
    articles ``previous`` already indexed are not split and tokenized again.
    ``CorpusError`` when nothing loads."""
    folder = Path(folder or settings.corpus_dir)
    encoder = load_encoder() if settings.semantic else None
    cache = open_cache(cache_folder(settings.index_cache_dir, folder))
    return Engine.from_folder(folder, encoder=encoder, cache=cache, previous=previous)


def cache_folder(cache_dir: Path | None, corpus: Path) -> Path | None:
    """Where ``corpus``'s saved indexes go: a folder of their own under
    ``INDEX_CACHE_DIR`` for each corpus folder, so that asking another
    corpus (``ask --corpus other``) never pushes the bot's own out of the
    few the cache keeps."""
    if cache_dir is None:
        return None
    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / key


def settle_memory() -> None:
    """Leave the objects alive now (modules, the engine) out of future
    garbage collections (``gc.freeze``).

    A full collection walks every tracked object while holding the GIL: with
    discord.py and an engine loaded that took 20 to 50 ms, in whichever
    thread happened to allocate -- often an index build in a worker thread,
    stalling the event loop (``tests/test_loop_lag.py`` caught it).  Frozen
    objects are still freed when their last reference goes (an old engine
    after a reload: the engine holds no reference cycles)."""
    gc.freeze()


class EngineSlot:
    """The engine serving now, and reloads that replace it."""

    def __init__(self, factory: EngineFactory) -> None:
        self.factory = factory
        """Builds a new engine (in a worker thread)."""
        self.engine: Engine | None = None
        self.lock = asyncio.Lock()

    async def reload(self) -> Engine:
        """Build a new engine in a worker thread and swap it in at once;
        questions asked meanwhile are answered by the old one.  Reloads are
        serialised.  On ``CorpusError`` (folder gone, nothing loads) the old
        engine keeps serving."""
        async with self.lock:
            engine = await asyncio.to_thread(self.factory)
            self.engine = engine
            settle_memory()
            return engine

    async def watch(self, folder: Path) -> None:
        """Reload when article files in ``folder`` change (debounced, so an
        editor's burst of writes is one reload).  Runs until cancelled."""
        import watchfiles

        log.info("watching %s for changes", folder)

        def relevant(change: watchfiles.Change, path: str) -> bool:
            p = Path(path)
            return not p.name.startswith(".") and p.suffix.lower() in ARTICLE_SUFFIXES

        try:
            async for changes in watchfiles.awatch(folder, watch_filter=relevant, debounce=WATCH_DEBOUNCE_MS):
                log.info("corpus changed (%d files): reloading", len(changes))
                try:
                    engine = await self.reload()
                except CorpusError as exc:
                    log.warning("automatic reload failed, the previous corpus keeps serving: %s", exc)
                    continue
                log.info("corpus reloaded: %d articles, %d sentences", len(engine.articles), engine.n_sentences)
        except (OSError, RuntimeError) as exc:
            log.warning("stopped watching the corpus folder: %s", exc)


def fetch_options(settings: Settings) -> FetchOptions:
    """The limits for fetching an article from a link, from the settings."""
    return FetchOptions(
        allow_private=settings.fetch_allow_private,
        max_bytes=settings.fetch_max_bytes,
        timeout=settings.fetch_timeout_seconds,
        max_redirects=settings.fetch_max_redirects,
    )
