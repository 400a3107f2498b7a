"""The engine's life: built from the settings, swapped atomically on a
reload, and the corpus folder's changes watched (``WATCH_CORPUS``).

Building runs in a worker thread, never on the event loop; a reload builds
a whole new engine while the old one keeps answering, then swaps it in.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import EllipsisType

from bot.engine import (
    ARTICLE_SUFFIXES,
    CorpusError,
    Engine,
    SentenceEncoder,
    load_corpus,
    load_encoder,
    open_cache,
)
from bot.service.layout import SERVERS, cache_folder, misnamed_server_folders
from bot.service.vectors import VectorBuilder
from bot.settings import Settings

log = logging.getLogger(__name__)

WATCH_DEBOUNCE_MS = 1500
"""Quiet time after the last change before an automatic reload."""

EngineFactory = Callable[[], Engine]


def encoder_for(settings: Settings) -> SentenceEncoder | None:
    """The sentence encoder when the settings want it and it is installed
    (``load_encoder`` logs why not)."""
    return load_encoder() if settings.semantic else None


def build_engine(
    settings: Settings,
    folder: str | Path | None = None,
    previous: Engine | None = None,
    encoder: SentenceEncoder | EllipsisType | None = ...,
) -> Engine:
    """The engine of the shared articles of ``folder`` (default
    ``CORPUS_DIR``; its ``servers/`` sub-folder holds servers' own articles
    and is left out), with the sentence model (``encoder``; by default loaded
    when the settings want it) and the saved-index cache; the articles
    ``previous`` already indexed are not split and tokenized again.
    ``CorpusError`` when nothing loads."""
    folder = Path(folder or settings.corpus_dir)
    corpus = load_corpus(folder, skip={SERVERS})
    corpus.failures.extend(misnamed_server_folders(folder))
    if not corpus.articles:  # said before the model is loaded: Engine() says why in the same words
        try:
            Engine(corpus)
        except CorpusError as exc:
            raise CorpusError(f"corpus folder {str(folder)!r}: {exc}") from None
    model = encoder_for(settings) if isinstance(encoder, EllipsisType) else encoder
    cache = open_cache(cache_folder(settings.index_cache_dir, folder))
    return Engine(corpus, encoder=model, cache=cache, previous=previous)


def settle_memory() -> None:
    """Leave the objects alive now (modules, the engine) out of future
    garbage collections (``gc.freeze``).

    A full collection walks every tracked object while holding the GIL: with
    discord.py and an engine loaded that took 20 to 50 ms, in whichever
    thread happened to allocate -- often an index build in a worker thread,
    stalling the event loop (``tests/wire/test_loop_lag.py`` caught it).  Frozen
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
        self.vectors = VectorBuilder()
        """Embeds a large corpus's sentences in the background."""

    async def reload(self) -> Engine:
        """Build a new engine in a worker thread and swap it in at once;
        questions asked meanwhile are answered by the old one.  Reloads are
        serialised.  On ``CorpusError`` (folder gone, nothing loads) the old
        engine keeps serving."""
        async with self.lock:
            engine = await asyncio.to_thread(self.factory)
            self.engine = engine
            settle_memory()
            self.vectors.start(engine)
            return engine


async def watch_changes(folder: Path) -> AsyncIterator[set[str]]:
    """The article files changed in ``folder`` (recursively), in debounced
    batches; ends (logged) when the folder cannot be watched any more."""
    import watchfiles

    log.info("watching %s for changes", folder)

    def relevant(change: watchfiles.Change, path: str) -> bool:
        p = Path(path)
        return not p.name.startswith(".") and p.suffix.lower() in ARTICLE_SUFFIXES

    try:
        async for changes in watchfiles.awatch(folder, watch_filter=relevant, debounce=WATCH_DEBOUNCE_MS):
            log.info("corpus changed (%d files): reloading", len(changes))
            yield {path for _change, path in changes}
    except (OSError, RuntimeError) as exc:
        log.warning("stopped watching the corpus folder: %s", exc)
