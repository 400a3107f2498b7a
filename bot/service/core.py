"""The service: everything the bot does for a reader except talking to
Discord, shared by the Discord layer and the command line.

It owns the engine's life (``engines.EngineSlot``), answers in a worker
thread, remembers which question each reply answered (so a reply to one is
read as a follow-up, and "Next best answer" knows the whole question), keeps
the question log (``log_keeper.LogKeeper``) and the votes; with PostgreSQL,
tells the other processes of its reloads and follows theirs
(``corpus_sync.CorpusSync``).  A Discord
question calls ``ask`` for the answer and ``remember`` once the reply is
sent; nothing more.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from dataclasses import dataclass

from bot.engine import Article, Engine, Result
from bot.question_log import QuestionStore
from bot.service.corpora import Corpora, Reloaded
from bot.service.corpus_sync import CorpusSync
from bot.service.engines import EngineFactory, build_engine, encoder_for, settle_memory
from bot.service.facts import FactsBook
from bot.service.log_keeper import LogKeeper
from bot.service.pool import AnswerPool, default_workers
from bot.service.server_settings import ServerSettingsBook
from bot.settings import Settings

log = logging.getLogger(__name__)

REMEMBERED_ANSWERS = 10_000
"""How many replies the service remembers (reply id -> question)."""
MAX_VOTES_KEPT = 1000
"""The latest votes kept in memory (the question log keeps them all)."""


class NotReady(RuntimeError):
    """The corpus is not loaded yet."""


@dataclass(frozen=True, slots=True)
class Where:
    """Where a reader asked: a guild channel, or a DM (``guild_id`` None)."""

    guild_id: int | None
    channel_id: int | None


@dataclass(frozen=True, slots=True)
class Asked:
    """A question answered by the service, ready to be shown."""

    question: str
    """What was answered: for a follow-up, the earlier question's words and
    this one's (remembered with the reply, for the next follow-up)."""
    own_question: str
    """The reader's own words (what the question log keeps)."""
    result: Result
    articles: tuple[Article, ...]
    """The articles the question was answered from (a decline names them)."""
    position: int | None
    """Where the best sentence stands in its paragraph (from 0); None when
    nothing was answered or the answer is the byline."""
    where: Where | None
    """Where it was asked (None: not in Discord)."""
    log: bool = True
    """Whether it is a reader's question for the question log (not a press
    of "Next best answer")."""

    @property
    def best(self) -> int | None:
        """The best answer's sentence id, if answered from the text."""
        answers = self.result.answers
        return answers[0].sentence if self.result.answered and answers else None


class StoryService:
    """One bot's engine, question log, follow-up memory and votes."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine_factory: EngineFactory | None = None,
        question_log: bool = True,
    ) -> None:
        self.settings = settings
        self.corpora = Corpora(
            settings, engine_factory or self._default_engine, max_loaded=settings.server_indexes_loaded
        )
        self.engines = self.corpora.shared
        """The shared articles' engine (``EngineSlot``)."""
        self._question_log = question_log
        url = settings.database_url.get_secret_value() if settings.database_url else None
        self.log_keeper = LogKeeper(settings.database_path, settings.question_log_retention_days, url)
        self.sync = CorpusSync(url, self.corpora) if url and question_log else None
        """Reloads shared with the other processes (PostgreSQL only)."""
        self.server_settings = ServerSettingsBook(settings, self.log_keeper)
        """Each server's own settings (``/settings``), shared the same way."""
        if self.sync is not None:
            self.sync.on_settings = self.server_settings.forget
            self.server_settings.announce = self.sync.announce_settings
        self.votes: deque[tuple[str, int, int, bool]] = deque(maxlen=MAX_VOTES_KEPT)
        self._replies: OrderedDict[int, str] = OrderedDict()
        self._watch: asyncio.Task[None] | None = None
        self.pool = AnswerPool(settings.answer_workers or default_workers(), settings.answer_max_wait_seconds)
        self.facts = FactsBook()
        """Each engine's people and timeline (``/people``, ``/timeline``)."""

    def _default_engine(self) -> Engine:
        return build_engine(self.settings, previous=self.engine, encoder=self.corpora.encoder)

    # -- life ------------------------------------------------------------------

    async def start(self) -> None:
        """Build the engine (in a worker thread), open the question log, and
        watch the corpus folder when ``WATCH_CORPUS`` asks to.
        ``CorpusError`` when the corpus does not load."""
        if self.sync is not None:
            await self.sync.start()  # versions read before the corpus loads: no reload elsewhere is missed
        if self.settings.semantic:
            self.corpora.encoder = await asyncio.to_thread(encoder_for, self.settings)
        engine = await asyncio.to_thread(self.engines.factory)
        self.engines.engine = engine
        settle_memory()
        how = "index loaded from the cache" if engine.index_loaded else "index built"
        log.info("corpus loaded: %d articles, %d sentences (%s)", len(engine.articles), engine.n_sentences, how)
        for failure in engine.failures:
            log.warning("corpus file skipped: %s", failure)
        if self.sync is not None:
            self.sync.serving()
        if self._question_log:
            await self.log_keeper.start()
        if self.settings.watch_corpus:
            self._watch = asyncio.create_task(self.corpora.watch())

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        if self.sync is not None:
            await self.sync.close()
        await self.engines.vectors.close()
        self.corpora.close()
        await self.log_keeper.close()
        self.pool.close()

    @property
    def engine(self) -> Engine | None:
        """The shared articles' engine, which DMs are answered from (None
        before ``start``)."""
        return self.engines.engine

    async def engine_for(self, guild_id: int | None) -> Engine | None:
        """The engine that answers in a server: its own articles and the
        shared ones (``corpora.Corpora``); the shared engine for DMs."""
        return await self.corpora.engine_for(guild_id)

    @property
    def store(self) -> QuestionStore | None:
        """The question log, while it is open."""
        return self.log_keeper.store

    async def reload(self) -> Engine:
        """Re-read the shared articles and swap the new engine in (and tell
        the other processes)."""
        return (await self.reload_articles(None)).new

    async def reload_articles(self, guild_id: int | None) -> Reloaded:
        """Re-read one server's own articles (None: the shared ones), and
        tell the other processes to do the same."""
        done = await self.corpora.reload(guild_id)
        if self.sync is not None:
            await self.sync.announce(guild_id)
        return done

    # -- questions -------------------------------------------------------------

    async def ask(
        self,
        question: str,
        *,
        previous: str | None = None,
        top: int = 3,
        where: Where | None = None,
        log: bool = True,
    ) -> Asked:
        """Answer ``question`` (a follow-up to ``previous``) from what the
        server it was asked in sees, in a worker thread, so the event loop
        never waits on the engine; ``Busy`` when every worker stayed taken
        for ``ANSWER_MAX_WAIT_SECONDS``.  ``log``: keep it in the question
        log once it is remembered."""
        engine = await self.engine_for(where.guild_id if where is not None else None)
        if engine is None:
            raise NotReady("the corpus is not loaded yet")
        result = await self.pool.run(lambda: engine.ask(question, top=top, previous=previous))
        self.corpora.warm_up(engine, lambda: self.pool.waiting)
        best = result.answers[0].sentence if result.answered and result.answers else None
        return Asked(
            question=f"{previous} {question}" if previous else question,
            own_question=question,
            result=result,
            articles=engine.articles,
            position=engine.position_in_paragraph(best) if best is not None else None,
            where=where,
            log=log,
        )

    async def remember(self, asked: Asked, reply_id: int | None) -> None:
        """The reply to ``asked`` was sent: remember its question (for
        follow-ups and "Next best answer"), and log a reader's question."""
        if reply_id is not None:
            self._replies[reply_id] = asked.question
            self._replies.move_to_end(reply_id)
            while len(self._replies) > REMEMBERED_ANSWERS:
                self._replies.popitem(last=False)
        if asked.where is not None and asked.log:
            await self._log(asked)

    def remember_thread(self, thread_id: int, question: str) -> None:
        """A forum post's question: messages in its thread follow it up."""
        self._replies[thread_id] = question
        self._replies.move_to_end(thread_id)

    def question_of(self, reply_id: int) -> str | None:
        """The question one of the bot's replies answered, if remembered."""
        return self._replies.get(reply_id)

    async def _log(self, asked: Asked) -> None:
        """Keep the question in the log (no user id); never fails the reply."""
        store = self.store
        if store is None or asked.where is None:
            return
        result = asked.result
        best = result.answers[0] if result.answered and result.answers else None
        await store.record_question(
            question=asked.own_question,
            guild_id=asked.where.guild_id,
            channel_id=asked.where.channel_id,
            answered=result.answered,
            quote=best.text if best else None,
            article_key=best.article.key if best else None,
            paragraph=(best.paragraph or None) if best else None,
            sentence=asked.position,
        )

    async def record_vote(
        self, article_key: str, paragraph: int, sentence: int, helpful: bool, guild_id: int | None = None
    ) -> None:
        """A reader's helpful / not helpful on an answer (in ``guild_id``)."""
        self.votes.append((article_key, paragraph, sentence, helpful))
        log.info("vote: %s paragraph %d sentence %d helpful=%s", article_key, paragraph, sentence, helpful)
        if self.store is not None:
            await self.store.record_vote(
                article_key=article_key, paragraph=paragraph, sentence=sentence, helpful=helpful, guild_id=guild_id
            )
