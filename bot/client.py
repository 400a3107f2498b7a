"""The Discord client: a ``commands.Bot`` subclass that owns the engine.

``setup_hook`` builds the engine in a worker thread (never on the event
loop), loads the extensions in ``bot/exts/`` and registers the persistent
buttons.  The command tree is not synced here: ``python -m bot sync`` does
that on purpose (see ``bot/runner.py``).  ``AllowedMentions.none()`` is set
once, on the bot, so no reply can ping anyone whatever it quotes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.engine import CorpusError, Engine, Result
from bot.engine.cache import open_cache
from bot.engine.corpus import ARTICLE_SUFFIXES
from bot.engine.embedding import SentenceEncoder
from bot.engine.semantic import load_encoder
from bot.settings import Settings
from bot.store import QuestionLog, StoreError
from bot.ui.buttons import DYNAMIC_ITEMS
from bot.ui.cooldown import UserCooldown

log = logging.getLogger(__name__)

EXTENSIONS = ("bot.exts.errors", "bot.exts.questions", "bot.exts.info", "bot.exts.admin")
WATCH_DEBOUNCE_MS = 1500
"""Quiet time after the last change before an automatic reload."""
STORE_RETRY = 300.0
"""Seconds between attempts to open a question log that could not be opened."""
PRUNE_EVERY = 24 * 3600.0
"""Seconds between two prunings of the question log."""
REMEMBERED_ANSWERS = 10_000
"""How many of its answers the bot remembers (answer id -> question), so a
reply to one can be read as a follow-up."""


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


def intents_for(settings: Settings) -> discord.Intents:
    """Default intents; message content only when answer channels need it."""
    intents = discord.Intents.default()
    intents.message_content = bool(settings.answer_channel_ids)
    return intents


class StoryBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        engine_factory: Callable[[], Engine] | None = None,
        build_engine: bool = True,
        use_store: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(settings),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.engine: Engine | None = None
        self._engine_factory = engine_factory or self._default_engine
        self._build_engine = build_engine
        self.cooldown = UserCooldown(settings.question_cooldown_rate, settings.question_cooldown_seconds)
        self._answers: OrderedDict[int, str] = OrderedDict()
        self.reload_lock = asyncio.Lock()
        self.votes: deque[tuple[str, int, int, bool]] = deque(maxlen=1000)
        """The latest votes, in memory (the question log keeps them all)."""
        self.store: QuestionLog | None = None
        self._use_store = use_store
        self._prune_task: asyncio.Task[None] | None = None
        self._watch_task: asyncio.Task[None] | None = None

    # -- start-up ------------------------------------------------------------

    def _default_engine(self) -> Engine:
        encoder: SentenceEncoder | None = load_encoder() if self.settings.semantic else None
        cache = open_cache(self.settings.index_cache_dir)
        # The engine serving now lends its unchanged articles' sentences.
        return Engine.from_folder(self.settings.corpus_dir, encoder=encoder, cache=cache, previous=self.engine)

    async def setup_hook(self) -> None:
        if self._build_engine:
            self.engine = await asyncio.to_thread(self._engine_factory)
            settle_memory()
            idx = self.engine.index
            how = "index loaded from the cache" if self.engine.index_loaded else "index built"
            log.info("corpus loaded: %d articles, %d sentences (%s)", len(idx.articles), idx.n_sentences, how)
            for failure in self.engine.failures:
                log.warning("corpus file skipped: %s", failure)
        if self._use_store and self._build_engine:
            await self._open_store()
        if self.settings.watch_corpus and self._build_engine:
            self._watch_task = asyncio.create_task(self._watch_corpus())
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        self.add_dynamic_items(*DYNAMIC_ITEMS)

    async def _open_store(self) -> None:
        if not await self._try_open_store(warn=True):
            log.warning("question log: trying to open it again every %g s", STORE_RETRY)
        self._prune_task = asyncio.create_task(self._keep_store())

    async def _try_open_store(self, *, warn: bool = False) -> bool:
        try:
            self.store = await QuestionLog.open(self.settings.database_path)
        except StoreError as exc:
            if warn:
                log.warning("question log is off (%s); answering goes on without it", exc)
            else:
                log.debug("question log still off (%s)", exc)
            return False
        return True

    async def _keep_store(self) -> None:
        """Open the log once it can be (a lock at start-up, a full disk, a
        folder made writable later), then prune it daily."""
        while self.store is None:
            await asyncio.sleep(STORE_RETRY)
            if await self._try_open_store():
                log.info("question log is on again (%s)", self.settings.database_path)
        while self.store is not None:
            removed = await self.store.prune(self.settings.question_log_retention_days)
            if removed:
                log.info(
                    "question log: removed %d rows older than %g days",
                    removed,
                    self.settings.question_log_retention_days,
                )
            await asyncio.sleep(PRUNE_EVERY)

    async def _watch_corpus(self) -> None:
        """WATCH_CORPUS: reload when article files change (debounced, so an
        editor's burst of writes is one reload)."""
        import watchfiles

        folder = self.settings.corpus_dir
        log.info("watching %s for changes", folder)

        def relevant(change: watchfiles.Change, path: str) -> bool:
            p = Path(path)
            return not p.name.startswith(".") and p.suffix.lower() in ARTICLE_SUFFIXES

        try:
            async for changes in watchfiles.awatch(folder, watch_filter=relevant, debounce=WATCH_DEBOUNCE_MS):
                log.info("corpus changed (%d files): reloading", len(changes))
                try:
                    engine = await self.reload_engine()
                except CorpusError as exc:
                    log.warning("automatic reload failed, the previous corpus keeps serving: %s", exc)
                    continue
                log.info("corpus reloaded: %d articles, %d sentences", len(engine.articles), engine.index.n_sentences)
        except (OSError, RuntimeError) as exc:
            log.warning("stopped watching the corpus folder: %s", exc)

    async def close(self) -> None:
        if self._watch_task is not None:
            self._watch_task.cancel()
        if self._prune_task is not None:
            self._prune_task.cancel()
        await super().close()
        if self.store is not None:
            store, self.store = self.store, None
            await store.close()

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guilds", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message, /) -> None:
        # Questions are handled by the questions extension; there are no
        # prefix commands to process.
        return

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("error in event %s", event_method)

    async def reload_engine(self) -> Engine:
        """Build a new engine from the corpus folder in a worker thread and
        swap it in at once; questions asked meanwhile are answered by the old
        one.  Reloads are serialised.  On ``CorpusError`` (folder gone,
        nothing loads) the old engine keeps serving."""
        async with self.reload_lock:
            engine = await asyncio.to_thread(self._engine_factory)
            self.engine = engine
            settle_memory()
            return engine

    # -- answering -----------------------------------------------------------

    async def answer(self, question: str, *, previous: str | None = None, top: int = 3) -> Result:
        """The engine's answer, computed in a worker thread so the event loop
        (heartbeats, other users) never waits on it."""
        engine = self.engine
        if engine is None:
            raise RuntimeError("the corpus is not loaded yet")
        return await asyncio.to_thread(engine.ask, question, top=top, previous=previous)

    def remember_answer(self, message_id: int, question: str) -> None:
        self._answers[message_id] = question
        while len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)

    def question_of(self, message_id: int) -> str | None:
        """The question one of the bot's answers replied to, if remembered."""
        return self._answers.get(message_id)

    async def record_vote(self, article_key: str, paragraph: int, sentence: int, helpful: bool) -> None:
        self.votes.append((article_key, paragraph, sentence, helpful))
        log.info("vote: %s paragraph %d sentence %d helpful=%s", article_key, paragraph, sentence, helpful)
        if self.store is not None:
            await self.store.record_vote(
                article_key=article_key, paragraph=paragraph, sentence=sentence, helpful=helpful
            )

    async def log_question(self, question: str, result: Result, guild_id: int | None, channel_id: int | None) -> None:
        """Keep the question in the log (no user id); never fails the reply."""
        if self.store is None:
            return
        best = result.answers[0] if result.answered and result.answers else None
        where: tuple[str | None, int | None, int | None] = (None, None, None)
        if best is not None and self.engine is not None:
            in_para = self.engine.index.position_in_paragraph(best.sentence) if best.sentence >= 0 else None
            where = (best.article.key, best.paragraph or None, in_para)
        await self.store.record_question(
            question=question,
            guild_id=guild_id,
            channel_id=channel_id,
            answered=result.answered,
            quote=best.text if best else None,
            article_key=where[0],
            paragraph=where[1],
            sentence=where[2],
        )
