"""The engine: one corpus, indexed, answering questions or declining them
honestly.

``Engine`` builds its index (or loads it from the cache), adds sentence
embeddings when the encoder is installed, answers look-ups on the corpus,
and answers a question in a few named steps (``ask``):

1. understand it (``query.QuestionReader``): no content word left ("hi
   there", "ok", "!!!") -> declined;
2. a question about the article itself ("who wrote this?") is answered from
   its title, byline and lead (``about.AboutArticle``);
3. otherwise the sentences are ranked (``rank.Ranker``) and the best ones
   judged (``judge.Judge``: re-ordered, and the best one an answer or
   declined as not covered; without spaCy's model, ``Ranker`` judges);
4. the sentence the best one depends on ("He …") is added as its context.

Immutable once built: a reload builds a new Engine and swaps it in.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.engine.about import AboutArticle
from bot.engine.corpus.folder import CorpusError, empty_message, load_corpus
from bot.engine.index.build import Reusable, article_digest, build_index, reusable
from bot.engine.index.cache import IndexCache, index_key
from bot.engine.index.config import IndexConfig
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.judge import Judge, make_judge
from bot.engine.models import Answer, Article, Corpus, Judged, LoadFailure, Reason, Result
from bot.engine.query import QueryTerms, QuestionReader
from bot.engine.rank import Ranker, answer_of
from bot.engine.semantic.encoder import SentenceEncoder
from bot.engine.semantic.neighbours import MAX_TERMS, WordNeighbours, save_surfaces, saved_surfaces, surface_forms
from bot.engine.semantic.reuse import embed, known_sentences, known_words, saved_by_text, text_hashes
from bot.engine.semantic.scorer import Known, SemanticScorer
from bot.engine.text.features import matches_type

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
"""A name: capitalised words, not at a sentence's start (for ``topics``)."""


class Engine:
    """Answers questions from one corpus.  Immutable once built (but for a
    large corpus's sentence vectors, which ``build_vectors`` adds later): a
    reload builds a new Engine and swaps it in."""

    reader: QuestionReader

    def __init__(
        self,
        corpus: Corpus,
        config: IndexConfig | None = None,
        encoder: SentenceEncoder | None = None,
        cache: IndexCache | None = None,
        previous: Engine | None = None,
    ) -> None:
        """Index ``corpus``; with ``cache``, load its saved index (and
        sentence vectors) when the corpus has not changed, or save them.
        When it must be built, the articles that ``previous`` (or else the
        most recently saved index) already had are not split and tokenized
        again."""
        if not corpus.articles:
            raise CorpusError(empty_message(corpus.failures))
        self.corpus = corpus
        config = config or IndexConfig()
        digests = [article_digest(a) for a in corpus.articles]
        key = index_key(corpus.articles, config, digests) if cache is not None else ""
        loaded = cache.load(key, corpus.articles, config) if cache is not None else None
        self.index_loaded = loaded is not None
        """Whether the index came from the cache (else it was built)."""
        self.index: SentenceIndex = (
            loaded if loaded is not None else self._build(corpus, config, digests, cache, key, previous)
        )
        self._cache, self._key = cache, key
        self._lent: SemanticScorer | None = None
        """The engine replaced's sentence vectors, for ``build_vectors`` to
        reuse (a large corpus's reload embeds only what changed)."""
        self._lent_words: WordNeighbours | None = None
        """And its words' vectors."""
        self.semantic: SemanticScorer | None = None
        if encoder is not None and config.semantic_weight > 0:
            self.semantic = self._semantic(encoder, cache, key, previous)
        neighbours: WordNeighbours | None = None
        eager = encoder is not None and self.semantic is not None and self.semantic.eager
        if encoder is not None and eager and self.n_terms <= MAX_TERMS:
            # At build time, in the builder's thread: a reader's first
            # question should not wait for it.
            neighbours = self._neighbours(encoder, cache, key, previous.reader.neighbours if previous else None)
        self.reader = QuestionReader(self.index, self.semantic, neighbours)
        """Understands questions (``query.py``)."""
        self.ranker = Ranker(self.index, self.semantic)
        """Ranks and judges sentences (``rank.py``)."""
        self.judge: Judge | None = make_judge(self, lend=previous.judge if previous is not None else None)
        """Re-orders the best candidates (``judge/``; and decides between
        answering and declining when ``judge.DECIDES``); None without spaCy's
        model, the judge's parameters or sentence embeddings: the engine
        ranks and decides as before."""
        self.warmed = False
        """Whether ``warm_up`` was started (by the service)."""
        self.use_judge = True
        """Switch the judge off (benchmarks measure the engine without it)."""
        self._about = AboutArticle(self.index)
        self._by_key: dict[str, Article] | None = None
        self._topics: list[str] | None = None
        self._notable: list[int] | None = None
        self._counts: dict[str, int] | None = None

    @classmethod
    def from_folder(
        cls,
        folder: str | Path,
        config: IndexConfig | None = None,
        encoder: SentenceEncoder | None = None,
        cache: IndexCache | None = None,
        previous: Engine | None = None,
    ) -> Engine:
        """Load and index a corpus folder; ``CorpusError`` when nothing loads."""
        corpus = load_corpus(folder)
        if not corpus.articles:
            raise CorpusError(f"corpus folder {str(folder)!r}: " + empty_message(corpus.failures))
        return cls(corpus, config, encoder, cache, previous)

    # -- building ------------------------------------------------------------

    @staticmethod
    def _build(
        corpus: Corpus,
        config: IndexConfig,
        digests: list[bytes],
        cache: IndexCache | None,
        key: str,
        previous: Engine | None,
    ) -> SentenceIndex:
        """Build the index, taking over the unchanged articles' sentences
        from ``previous`` or the most recently saved index; save it."""
        reuse: Reusable | None = reusable(previous.index) if previous is not None else None
        if reuse is None and cache is not None:
            reuse = cache.latest_reusable()
        built = build_index(corpus.articles, config, digests=digests, reuse=reuse)
        if cache is not None:
            cache.save(key, built)
        return built

    def _semantic(
        self, encoder: SentenceEncoder, cache: IndexCache | None, key: str, previous: Engine | None
    ) -> SemanticScorer:
        """Every sentence embedded (loaded from the cache when saved there;
        those ``previous`` holds taken from it), or, for a large corpus,
        sentences embedded on demand."""
        n = self.index.n_sentences
        eager_max = self.index.config.semantic_eager_max
        model = encoder.identity
        matrix = None
        extra = None
        if cache is not None and model is not None:  # above eager_max: saved by build_vectors
            found = cache.load_vector_set(key, model, n, encoder.dim)
            matrix, extra = found if found is not None else (None, None)
        saved = matrix is not None
        if matrix is None and n <= eager_max:
            known: Known | None = (
                known_sentences(previous.semantic, previous.index.sentence_text)
                if previous is not None
                else saved_by_text(cache, model, encoder.dim)
            )
            # Each distinct text embedded once, those ``known`` not at all.
            matrix = embed(encoder, [self.index.sentence_text(i) for i in range(n)], known or {})
        scorer = SemanticScorer(encoder, n, self.index.sentence_text, eager_max=eager_max, matrix=matrix, saved=extra)
        if scorer.matrix is not None and not saved:
            self._save_vectors(scorer)
        if scorer.matrix is None and previous is not None and previous.semantic is not None:
            self._lent = previous.semantic if previous.semantic.eager else None
            self._lent_words = previous.reader.neighbours
        return scorer

    @property
    def cache(self) -> IndexCache | None:
        """Where the index is saved (and what is saved with it)."""
        return self._cache

    @property
    def cache_key(self) -> str | None:
        """The index's key in ``cache`` (None without a cache)."""
        return self._key if self._cache is not None else None

    def warm_up(self, idle: Callable[[], bool] | None = None) -> None:
        """Work deferred from the build so a first question waits less (the
        judge's parses of a server's own sentences): call it in a worker
        thread after the first question (``warmed`` says whether it was),
        with ``idle`` saying when no question is being answered: the work
        waits for those moments, so as not to slow answers down."""
        if self.judge is not None:
            self.judge.parse_rest(idle=idle)

    @property
    def vectors_pending(self) -> bool:
        """Whether sentences are embedded on demand (a large corpus) until
        ``build_vectors`` has embedded them all."""
        return self.semantic is not None and not self.semantic.eager

    def build_vectors(self, stop: threading.Event | None = None) -> bool:
        """Embed every sentence of a large corpus (those the engine replaced
        held are reused), save the vectors with the index, and switch
        answering over to them; the engine answers meanwhile with vectors
        on demand.  The corpus's words are embedded too (similar words), as
        an eager build does.  False when there was nothing to do or ``stop``
        was set.
        Minutes of work at 100,000s of sentences: call it in a thread of its
        own (``bot/service/vectors.py``)."""
        scorer = self.semantic
        if scorer is None or scorer.eager:
            return False
        lent, self._lent = self._lent, None
        lent_words, self._lent_words = self._lent_words, None
        known: Known | None = (
            known_sentences(lent, lent.sentence_text)
            if lent is not None
            else saved_by_text(self._cache, scorer.encoder.identity, scorer.encoder.dim)
        )
        matrix = scorer.embed_all(stop, known)
        del known, lent
        if matrix is None:
            return False
        if self.reader.neighbours is None and self.n_terms <= MAX_TERMS:  # as an eager build has
            self.reader.neighbours = self._neighbours(scorer.encoder, self._cache, self._key, lent_words)
        scorer.use_matrix(matrix)
        del matrix  # (kept by the scorer in float16)
        self._save_vectors(scorer)
        return True

    def _save_vectors(self, scorer: SemanticScorer) -> None:
        """Save the vectors, and their texts' hashes (``saved_by_text``)."""
        model = scorer.encoder.identity
        if self._cache is None or model is None or scorer.matrix is None:
            return
        hashes = text_hashes(self.index.sentence_text(i) for i in range(self.index.n_sentences))
        self._cache.save_vectors(self._key, model, scorer.matrix, scorer.saved_with(), hashes)

    def _neighbours(
        self, encoder: SentenceEncoder, cache: IndexCache | None, key: str, lent: WordNeighbours | None
    ) -> WordNeighbours:
        """The corpus's words by meaning (embedded when the engine is built:
        about 0.1 s for a story, 11 s for 14,000 terms; saved with the index
        when there is a cache)."""
        model = f"{encoder.identity} words" if encoder.identity is not None else None
        named = saved_surfaces(cache, key, self.index.knows)
        if named is None:
            terms, surfaces = surface_forms(self.index.n_sentences, self.index.sentence_text)
        else:
            terms, surfaces = named
        matrix = None
        if cache is not None and model is not None:
            saved_words = cache.load_vectors(key, model, len(terms), encoder.dim)
            matrix = None if saved_words is None else np.asarray(saved_words, dtype=np.float32)
        saved = matrix is not None
        if matrix is None and lent is not None:
            known = known_words(lent)
            if known:
                matrix = embed(encoder, surfaces, known)
        found = WordNeighbours(encoder, terms, surfaces, matrix)
        if cache is not None and model is not None and not saved:
            cache.save_vectors(key, model, found.matrix)
        if cache is not None and named is None:
            save_surfaces(cache, key, terms, surfaces)
        return found

    # -- the corpus ------------------------------------------------------------

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.index.articles

    @property
    def failures(self) -> list[LoadFailure]:
        """The files (or ``.jsonl`` lines) that could not be loaded."""
        return self.corpus.failures

    @property
    def n_sentences(self) -> int:
        return self.index.n_sentences

    @property
    def n_paragraphs(self) -> int:
        return self.index.n_paragraphs

    @property
    def n_terms(self) -> int:
        """Distinct index terms (the vocabulary's size)."""
        return self.index.n_terms

    @property
    def semantic_state(self) -> str:
        """How sentence embeddings are used, in words: "off (BM25 alone)",
        "all sentences" (embedded when built), or "on demand (large corpus)"."""
        if self.semantic is None:
            return "off (BM25 alone)"
        return "all sentences" if self.semantic.eager else "on demand (large corpus)"

    def article(self, key: str) -> Article | None:
        """The article with ``Article.key`` ``key``, if the corpus has it."""
        if self._by_key is None:
            self._by_key = {a.key: a for a in self.articles}
        return self._by_key.get(key)

    def sentence_count(self, article: Article) -> int:
        """Sentences of ``article`` (counted once for all articles)."""
        if self._counts is None:
            per_article = np.bincount(self.index.sent_article, minlength=len(self.articles))
            self._counts = {a.key: int(n) for a, n in zip(self.articles, per_article, strict=True)}
        return self._counts.get(article.key, 0)

    def position_in_paragraph(self, sentence: int) -> int:
        """0 for a paragraph's first sentence, 1 for its second, …"""
        return self.index.position_in_paragraph(sentence)

    def sentence_answer(self, sentence: int) -> Answer:
        """Sentence ``sentence`` as an Answer (for facts and buttons)."""
        return Answer(
            text=self.index.sentence_text(sentence),
            article=self.index.article_of(sentence),
            paragraph=int(self.index.sent_paragraph[sentence]),
            sentence=sentence,
            score=1.0,
        )

    def notable_sentences(self, limit: int = 50_000) -> list[int]:
        """Sentences worth offering as a fact: they hold a number, a date or
        a name (not only at their start), and are not short fragments."""
        if self._notable is None:
            out = []
            for sid in range(min(self.index.n_sentences, limit)):
                text = self.index.sentence_text(sid)
                if len(text) < 40:
                    continue
                if matches_type("number", text) or matches_type("when", text) or matches_type("who", text):
                    out.append(sid)
            self._notable = out
        return self._notable

    def topics(self, limit: int = 25) -> list[str]:
        """The names the corpus mentions most, for topic suggestions."""
        if self._topics is None:
            counts: dict[str, int] = {}
            for sid in range(min(self.index.n_sentences, 50_000)):
                for name in _NAME.findall(self.index.sentence_text(sid)):
                    counts[name] = counts.get(name, 0) + 1
            self._topics = [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:200]
        return self._topics[:limit]

    # -- answering -------------------------------------------------------------

    def ask(self, question: str, *, top: int = 3, previous: str | None = None) -> Result:
        """The best sentences for ``question``, and whether they answer it
        (``previous``: the question this one follows up)."""
        t0 = time.perf_counter()
        top = max(1, top)
        q = self.query_terms(question, previous)
        if q.asks_nothing:
            return _result(question, False, (), t0, Reason.NO_CONTENT)
        about = self._about.answers(question, q, top)
        if about is not None:
            return dataclasses.replace(_result(question, True, about, t0), confidence=1.0)
        return self._answer_from_sentences(question, q, top, t0)

    def _answer_from_sentences(self, question: str, q: QueryTerms, top: int, t0: float) -> Result:
        """The best sentences, judged; with the sentence the best one
        depends on, when it opens with "He", "This", …"""
        judged = self._judged(q, top)
        ids, scores = judged.ids, judged.scores
        answers = tuple(answer_of(self.index, int(i), float(s), q) for i, s in zip(ids, scores, strict=True))
        if not answers:
            return _result(question, False, (), t0, Reason.NO_MATCH)
        best = int(ids[0])
        rule = self.confident(best, q)  # what the answerability decider doubts of it is hedged
        answered, confidence = rule, min(1.0, max(0.0, self.confidence(best, q)))
        if judged.answered is not None:
            answered, confidence = rule and judged.answered, judged.confidence
        if not answered:
            reason = Reason.CLOSE if rule else Reason.NOT_COVERED
            return dataclasses.replace(_result(question, False, answers, t0, reason), confidence=confidence)
        result = dataclasses.replace(_result(question, True, answers, t0), confidence=confidence)
        context = self.ranker.context_of(best, q)
        return result if context is None else dataclasses.replace(result, context=context)

    # -- the steps, for measuring and for a judge built on them ----------------

    def query_terms(self, question: str, previous: str | None = None) -> QueryTerms:
        """The question's weighted terms (``query.QuestionReader.terms``)."""
        return self.reader.terms(question, previous)

    def rank(self, q: QueryTerms, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences for the question's terms, best first
        (the judge's order and probabilities for the first ``judge.depth``
        when the judge is on)."""
        judged = self._judged(q, k)
        return judged.ids, judged.scores

    def _judged(self, q: QueryTerms, k: int) -> Judged:
        """``rank``'s sentences and scores, and the judge's decision (None
        when the judge is off or does not decide, ``judge.DECIDES``:
        ``confident`` decides)."""
        judge = self.judge if self.use_judge else None
        if judge is None or not q.text:
            ids, scores = self.ranker.rank(q, k)
            return Judged(ids, scores)
        ids, scores = self.ranker.rank(q, max(k, judge.depth))
        if not len(ids):
            return Judged(ids, scores)
        verdict = judge.judge(q.text, q, ids, scores)
        head = len(verdict.probabilities)
        # After the judged ones, the engine's order, scored no higher than them.
        rest = np.minimum(scores[head:], float(verdict.probabilities.min()))
        ranked = verdict.ids[:k], np.concatenate([verdict.probabilities, rest])[:k]
        if not judge.decides:
            return Judged(*ranked)
        return Judged(*ranked, verdict.answered, verdict.answer_probability)

    def coverage(self, sentence: int, q: QueryTerms) -> float:
        """Share of the question's own weight that ``sentence`` (in its
        context) contains (``rank.Ranker.coverage``)."""
        return self.ranker.coverage(sentence, q)

    def context_terms(self, sentence: int) -> frozenset[str]:
        """The terms ``coverage`` looks in: the sentence's, the sentence's
        before it in its paragraph, and its article's title's."""
        return self.ranker.context_terms(sentence)

    def confidence(self, sentence: int, q: QueryTerms) -> float:
        """How sure the engine is that ``sentence`` answers the question."""
        return self.ranker.confidence(sentence, q)

    def confident(self, sentence: int, q: QueryTerms) -> bool:
        """Whether ``sentence`` answers the question well enough to be offered."""
        return self.ranker.confident(sentence, q)


def _result(
    question: str, answered: bool, answers: Sequence[Answer], t0: float, reason: Reason | None = None
) -> Result:
    took = (time.perf_counter() - t0) * 1000.0
    return Result(question, answered, tuple(answers), took, reason)
