"""The shared articles and each server's own, as the engines that answer
from them.

``CORPUS_DIR`` holds the shared articles (every file outside
``CORPUS_DIR/servers/``), which every server and every DM sees, and each
server's own articles in ``CORPUS_DIR/servers/<guild id>/``, which only that
server sees.  A question asked in a server is answered from the shared
articles and its own together, as one corpus: the server's engine is built
from both, so its scores are exactly those of one index built from both
folders' files (idf, lengths and paragraph statistics over the union).  The
shared articles are not split and tokenized again for each server (the
shared engine lends them), and each server's index is saved in the
index cache like the shared one, so a server not asked for a while loads in
milliseconds.

A server with no folder, or none of whose files loads, is answered from the
shared articles alone (the shared engine itself: no memory of its own).
Servers' engines are kept in memory for the ``SERVER_INDEXES_LOADED`` most
recently asked servers and loaded again on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Corpus, CorpusError, Engine, LoadFailure, SentenceEncoder, load_corpus, open_cache
from bot.service.engines import EngineSlot, settle_memory, watch_changes
from bot.service.layout import cache_folder, in_servers, server_folder, server_of
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reloaded:
    """What a reload of one server's articles (or the shared ones) did."""

    old: Engine | None
    new: Engine
    failures: list[LoadFailure] = field(default_factory=list)
    """The files that failed among those reloaded (the server's own, or the
    shared ones)."""


@dataclass(frozen=True, slots=True)
class _Built:
    engine: Engine | None
    """None: the server has no article of its own that loads."""
    failures: list[LoadFailure]


class Corpora:
    """The shared engine (``shared``) and the servers' engines."""

    def __init__(
        self,
        settings: Settings,
        shared_factory: Callable[[], Engine],
        *,
        max_loaded: int = 100,
    ) -> None:
        self.root = settings.corpus_dir
        self.cache_dir = settings.index_cache_dir
        self.shared = EngineSlot(shared_factory)
        self.encoder: SentenceEncoder | None = None
        """The sentence encoder servers' engines are built with (loaded once)."""
        self.max_loaded = max_loaded
        self._servers: OrderedDict[int, Engine] = OrderedDict()
        self._failures: dict[int, list[LoadFailure]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.building = 0
        """Servers' engines being built now."""
        self._warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warm-up")
        """Warm-ups, one at a time, in a thread of their own: waiting for
        idle moments, they must never hold the threads builds run in."""

    @property
    def loaded(self) -> int:
        """Servers whose engines are in memory now."""
        return len(self._servers)

    @property
    def engines_loaded(self) -> int:
        """Engines in memory: the shared articles' and the servers' own (a
        server without articles of its own is answered by the shared one)."""
        shared = self.shared.engine
        return (shared is not None) + sum(1 for e in self._servers.values() if e is not shared)

    async def engine_for(self, guild_id: int | None) -> Engine | None:
        """The engine that answers in ``guild_id`` (None: a DM, the shared
        articles); loaded or built on demand, in a worker thread."""
        shared = self.shared.engine
        if shared is None or guild_id is None:
            return shared
        engine = self._servers.get(guild_id)
        if engine is not None:
            self._servers.move_to_end(guild_id)
            return engine
        async with self._lock(guild_id):
            engine = self._servers.get(guild_id)
            if engine is None:
                self.building += 1
                try:
                    built = await asyncio.to_thread(self._build, guild_id, shared, None)
                finally:
                    self.building -= 1
                engine = self._keep(guild_id, built, shared)
            return engine

    def warm_up(self, engine: Engine, answering: Callable[[], int]) -> None:
        """``Engine.warm_up`` in a worker thread, once per engine, after its
        first question is answered, working only while no question is
        being answered (``answering()`` is 0) and no engine built (beside a
        question it slowed that question threefold); a failure is logged
        (answering does not need it)."""
        if engine.warmed:
            return
        engine.warmed = True

        def idle() -> bool:
            return answering() == 0 and self.building == 0

        warming = asyncio.get_running_loop().run_in_executor(self._warmer, engine.warm_up, idle)

        def done(future: asyncio.Future[None]) -> None:
            if not future.cancelled() and (exc := future.exception()) is not None:
                log.warning("warming up a server's engine failed: %r", exc)

        warming.add_done_callback(done)

    def is_loaded(self, guild_id: int) -> bool:
        """Whether the server's engine is in memory now."""
        return guild_id in self._servers

    def failures_of(self, guild_id: int) -> list[LoadFailure]:
        """The server's own files that failed when its engine was last built."""
        return self._failures.get(guild_id, [])

    async def reload(self, guild_id: int | None = None) -> Reloaded:
        """Read the server's own articles again (None: the shared ones) and
        swap the new engine in; the old one answers until then.  A shared
        reload drops every server's engine: they hold the shared articles
        too, and are built again (from the cache when unchanged) when next
        asked.  ``CorpusError`` leaves the old engines serving."""
        if guild_id is None:
            old = self.shared.engine
            new = await self.shared.reload()
            self._servers.clear()
            return Reloaded(old, new, list(new.failures))
        shared = self.shared.engine
        if shared is None:
            raise CorpusError("the shared articles are not loaded yet")
        async with self._lock(guild_id):
            old = self._servers.get(guild_id, shared)
            built = await asyncio.to_thread(self._build, guild_id, shared, old)
            new = self._keep(guild_id, built, shared)
            settle_memory()
            return Reloaded(old, new, built.failures)

    def close(self) -> None:
        """Drop the warm-ups not started (the one under way ends soon)."""
        self._warmer.shutdown(wait=False, cancel_futures=True)

    def forget(self, guild_id: int) -> None:
        """Drop a server's engine (it is loaded again when next asked)."""
        self._servers.pop(guild_id, None)

    # -- building --------------------------------------------------------------

    def _lock(self, guild_id: int) -> asyncio.Lock:
        lock = self._locks.get(guild_id)
        if lock is None:
            lock = self._locks[guild_id] = asyncio.Lock()
        return lock

    def _keep(self, guild_id: int, built: _Built, shared: Engine) -> Engine:
        engine = built.engine or shared
        self._failures[guild_id] = built.failures
        self._servers[guild_id] = engine
        self._servers.move_to_end(guild_id)
        while len(self._servers) > self.max_loaded:
            self._servers.popitem(last=False)
        return engine

    def _build(self, guild_id: int, shared: Engine, previous: Engine | None) -> _Built:
        return build_server(self.root, self.cache_dir, self.encoder, guild_id, shared, previous)

    # -- watching --------------------------------------------------------------

    async def watch(self) -> None:
        """Reload what changes in the corpus folder: a server's own articles
        (when its engine is loaded; otherwise it is read when next asked),
        or the shared ones.  Debounced, so an editor's burst of writes is one
        reload.  Runs until cancelled."""
        async for changed in watch_changes(self.root):
            servers = {gid for gid in (server_of(self.root, Path(p)) for p in changed) if gid is not None}
            shared = any(server_of(self.root, Path(p)) is None and not in_servers(self.root, Path(p)) for p in changed)
            try:
                if shared:
                    done = await self.reload()
                    log.info("shared articles reloaded: %d articles", len(done.new.articles))
                for gid in sorted(servers):
                    if gid in self._servers:
                        await self.reload(gid)
                        log.info("server %d: its articles reloaded", gid)
            except CorpusError as exc:
                log.warning("automatic reload failed, the previous corpus keeps serving: %s", exc)


def build_server(
    root: Path,
    cache_dir: Path | None,
    encoder: SentenceEncoder | None,
    guild_id: int,
    shared: Engine,
    previous: Engine | None = None,
) -> _Built:
    """Server ``guild_id``'s engine: its own articles with the shared ones,
    as one corpus (None when it has none that loads); ``previous`` (or the
    shared engine) lends the sentences it already split."""
    folder = server_folder(root, guild_id)
    if not folder.is_dir():
        return _Built(None, [])
    own = load_corpus(folder, base=root)
    for failure in own.failures:
        log.warning("server %d: corpus file skipped: %s", guild_id, failure)
    if not own.articles:
        return _Built(None, own.failures)
    corpus = Corpus(articles=[*shared.corpus.articles, *own.articles], failures=list(own.failures))
    cache = open_cache(cache_folder(cache_dir, folder))
    lend = previous if previous is not None and previous is not shared else shared
    engine = Engine(corpus, encoder=encoder, cache=cache, previous=lend)
    log.info(
        "server %d: %d articles of its own, %d sentences in all (%s)",
        guild_id,
        len(own.articles),
        engine.n_sentences,
        "index loaded from the cache" if engine.index_loaded else "index built",
    )
    return _Built(engine, own.failures)
