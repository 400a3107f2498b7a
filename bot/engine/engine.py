"""Answering a question from the index, or declining it honestly.

The steps, for one question:

1. The question's content words become index terms (``tokens.tokenize``).
   None left ("hi there", "ok", "!!!") -> declined.
2. Words the corpus never uses are matched to its vocabulary by edit
   distance when they look like a misspelling ("Solemani" -> "soleimani").
3. Questions about the story itself ("who wrote this?", "which outlet
   published it?", "what's the headline?", "what is the story about?") are
   answered from the article's title, byline and lead.
4. Otherwise the sentences are ranked (``index.SentenceIndex``) and the best
   one is checked: does it (with its paragraph's preceding sentence and its
   article's title) contain most of the question's weight?  Each question
   word weighs its idf, and words the corpus never uses weigh as much as the
   rarest word it has, so "What is Assad's favourite football team?" -- which
   shares only "Assad" with the story -- covers little of its weight and is
   declined, while "Where did Putin and Assad meet?" is answered.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.engine.cache import IndexCache, index_key
from bot.engine.corpus import CorpusError, load_corpus
from bot.engine.embedding import SentenceEncoder
from bot.engine.expansion import MAX_TERMS, WordNeighbours, surface_forms
from bot.engine.features import definition_subject, matches_type, phrase_matches, question_type
from bot.engine.index import IndexConfig, Reusable, SentenceIndex, article_digest
from bot.engine.models import Answer, Article, Corpus, LoadFailure, Result
from bot.engine.semantic import SemanticScorer
from bot.engine.tokens import normalize, tokenize, word_spans, word_term, words

MIN_COVERAGE = 0.6
"""Without sentence embeddings: share of the question's weight the best
sentence must contain to count as an answer.  More than half, so that one
matching word of two ("What is the capital of France?" against "… the
capital, Damascus") is not enough."""

MIN_CONFIDENCE = 0.45
"""With sentence embeddings: least ``cosine + COVERAGE_SHARE × coverage`` of
the best sentence for an answer.  On the story question set, off-topic
questions and noise score under 0.35 and answerable ones mostly over 0.45;
questions that share names with the story but ask what it never says fall on
both sides (see benchmarks/README.md)."""

COVERAGE_SHARE = 0.5
"""Weight of coverage beside cosine similarity in the confidence."""

FOLLOW_UP_WEIGHT = 0.5
"""Weight of an earlier question's words when a follow-up is asked."""

SPELLING_WEIGHT = 0.8
"""Weight of a word guessed from a misspelling."""

RELATED_WEIGHT = 0.5
"""Weight of a related form of a question's word ("syrian" for "syria")."""

RELATED_CREDIT = 0.7
"""Share of a question word's weight that a related form covers."""

MAX_SUFFIX = 3
"""Longest ending by which two related forms may differ."""

RELATED_ENDINGS = frozenset("n an ian ean ese i s es er ers ist al ic".split())
"""Endings that make a related form of a stem (as Snowball leaves them):
"syria" / "syrian", "iran" / "iranian", "europ" / "european".  Not any
three letters: "super" and "superior" or "supercar" are other words."""

SIMILAR_WEIGHT = 1.0
"""Weight of a corpus word standing for a question word the corpus lacks
(``expansion.WordNeighbours``), times their cosine similarity."""

MAX_EXPANDED_WORDS = 20
"""Question words the corpus lacks that are looked up by meaning, at most
(each is embedded: a question of a thousand strange words must not cost a
second)."""

SIMILAR_CREDIT = 0.5
"""Share of the missing word's weight that such a word covers, times their
cosine similarity."""


_FIRST_WORD = re.compile(r"\W*(\w+)")
_POINTS_BACK = frozenset(
    "he she it they him her them his hers its their theirs this these those such there both".split()
)
"""A sentence opening with one of these words depends on the one before."""

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")

# Greetings and acknowledgements: a message of nothing else asks nothing.
_CHATTER = frozenset(
    tokenize(
        "hi hello hey hiya howdy yo greetings thanks thank thx ty cheers ok okay k kk lol lmao haha bye goodbye "
        "yep nope bot everyone guys folks"
    )
)
"""A message made only of these asks nothing (it gets the help hint)."""

_GREETINGS = frozenset(tokenize("hi hello hey hiya howdy thanks thank thx lol lmao haha"))
"""Dropped from inside a question ("hi, where did …"); only words that are
never what a question is about ("folks", "OK" or "K-12" may be)."""

# Words that ask about the article rather than its content.
_META_GENERIC = frozenset(tokenize("story article piece news source text"))
_META_AUTHOR = frozenset(
    tokenize(
        "wrote write writer writers author authors authored reporter reporters journalist journalists byline credit"
    )
)
_META_PUBLISHER = frozenset(tokenize("published publisher publish outlet agency newspaper paper"))
_META_TITLE = frozenset(tokenize("title headline"))
_META_SUMMARY = frozenset(tokenize("summary summarize summarise gist tldr overview happened main point"))
_META_ALL = _META_GENERIC | _META_AUTHOR | _META_PUBLISHER | _META_TITLE | _META_SUMMARY


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """A question's terms with their weights in scoring and in coverage."""

    weights: dict[str, float]
    sequence: tuple[str, ...]
    """The question's own terms in order (for phrases)."""
    kind: str | None
    """The kind of answer the question wants (``features.question_type``)."""
    own: frozenset[str]
    """Terms of the question itself (not of an earlier one)."""
    corrections: dict[str, str]
    """Misspelled term -> corpus term it was taken for."""
    related: dict[str, frozenset[str]]
    """Own term -> corpus terms that are related forms of it."""
    vector: npt.NDArray[np.float32] | None = None
    """The question's sentence embedding (None without an encoder)."""
    similar: dict[str, dict[str, float]] = field(default_factory=dict)
    """Own term the corpus lacks -> corpus terms near it in meaning, with
    their cosine similarity (``expansion.WordNeighbours``)."""
    defines: frozenset[str] = frozenset()
    """For "who is X?" about a name the corpus has: X's terms."""


class Engine:
    """Answers questions from one corpus.  Immutable once built: a reload
    builds a new Engine and swaps it in."""

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
            raise CorpusError(_empty_message(corpus.failures))
        self.corpus = corpus
        config = config or IndexConfig()
        digests = [article_digest(a) for a in corpus.articles]
        key = index_key(corpus.articles, config, digests) if cache is not None else ""
        loaded = cache.load(key, corpus.articles, config) if cache is not None else None
        if loaded is None:
            reuse = previous.reusable() if previous is not None else None
            if reuse is None and cache is not None:
                reuse = cache.latest_reusable()
            built = SentenceIndex(corpus.articles, config, digests=digests, reuse=reuse)
            if cache is not None:
                cache.save(key, built)
        self.index: SentenceIndex = built if loaded is None else loaded
        self.index_loaded = loaded is not None
        """Whether the index came from the cache (else it was built)."""
        self.semantic: SemanticScorer | None = None
        if encoder is not None and config.semantic_weight > 0:
            self.semantic = self._semantic(encoder, cache, key)
        self.expand_words = True
        """Match question words the corpus lacks to its words nearest in
        meaning (``expansion.py``; only with embeddings, see ``neighbours``)."""
        self._neighbours: WordNeighbours | None = None
        eager = encoder is not None and self.semantic is not None and self.semantic.eager
        if encoder is not None and eager and len(self.index.sentences.vocab) <= MAX_TERMS:
            # At build time, in the builder's thread: a reader's first
            # question should not wait for it.
            self._neighbours = self._build_neighbours(encoder, cache, key)
        self._sorted_vocab: list[str] | None = None
        self._by_key: dict[str, Article] | None = None
        self._topics: list[str] | None = None
        self._notable: list[int] | None = None
        self._titles: dict[int, frozenset[str]] = {}
        self._counts: dict[str, int] | None = None
        self._names: dict[str, bool] = {}
        self._surfaces: dict[str, str | None] = {}
        self._byline_terms: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def reusable(self) -> Reusable:
        """This engine's sentences, for the engine a reload builds."""
        return self.index.reusable()

    def _semantic(self, encoder: SentenceEncoder, cache: IndexCache | None, key: str) -> SemanticScorer:
        n = self.index.n_sentences
        eager_max = self.index.config.semantic_eager_max
        model = encoder.identity
        matrix = None
        if cache is not None and model is not None and n <= eager_max:
            matrix = cache.load_vectors(key, model, n, encoder.dim)
        scorer = SemanticScorer(encoder, n, self.index.sentence_text, eager_max=eager_max, matrix=matrix)
        if cache is not None and model is not None and matrix is None and scorer.matrix is not None:
            cache.save_vectors(key, model, scorer.matrix)
        return scorer

    def neighbours(self) -> WordNeighbours | None:
        """The corpus's words by meaning (embedded when the engine is built:
        about 0.1 s for a story, 11 s for 14,000 terms; saved with the index
        when there is a cache); None without embeddings, or when the
        vocabulary is over ``expansion.MAX_TERMS``."""
        return self._neighbours if self.expand_words else None

    def _build_neighbours(self, encoder: SentenceEncoder, cache: IndexCache | None, key: str) -> WordNeighbours:
        terms, surfaces = surface_forms(self.index.n_sentences, self.index.sentence_text)
        model = f"{encoder.identity} words" if encoder.identity is not None else None
        matrix = None
        if cache is not None and model is not None:
            matrix = cache.load_vectors(key, model, len(terms), encoder.dim)
        found = WordNeighbours(encoder, terms, surfaces, matrix)
        if cache is not None and model is not None and matrix is None:
            cache.save_vectors(key, model, found.matrix)
        return found

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
            raise CorpusError(f"corpus folder {str(folder)!r}: " + _empty_message(corpus.failures))
        return cls(corpus, config, encoder, cache, previous)

    @property
    def articles(self) -> tuple[Article, ...]:
        return self.index.articles

    def article(self, key: str) -> Article | None:
        """The article with ``Article.key`` ``key``, if the corpus has it."""
        if self._by_key is None:
            self._by_key = {a.key: a for a in self.articles}
        return self._by_key.get(key)

    def sentence_count(self, article: Article) -> int:
        """Sentences of ``article`` (counted once for all articles)."""
        if self._counts is None:
            self._counts = {
                a.key: int(n)
                for a, n in zip(
                    self.articles, np.bincount(self.index.sent_article, minlength=len(self.articles)), strict=True
                )
            }
        return self._counts.get(article.key, 0)

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

    @property
    def failures(self) -> list[LoadFailure]:
        return self.corpus.failures

    # -- the question -------------------------------------------------------

    def query_terms(self, question: str, previous: str | None = None) -> QueryTerms:
        """The question's terms: misspellings corrected, related forms added,
        and an earlier question's terms (for a follow-up) at a lower weight."""
        weights: dict[str, float] = {}
        corrections: dict[str, str] = {}
        sequence: list[str] = []
        found = [(t, w) for w in words(question) if (t := word_term(w))]
        if any(t not in _GREETINGS for t, _ in found):
            found = [(t, w) for t, w in found if t not in _GREETINGS]  # "hi, where did …": the greeting asks nothing
        missing: dict[str, str] = {}  # own term the corpus lacks -> the word as asked
        for term, word in found:
            if not self.index.knows(term):
                fixed = corrections.get(term) or (self._correct(term) if self.index.config.spelling else None)
                if fixed is not None:
                    corrections[term] = fixed
                    weights.setdefault(fixed, SPELLING_WEIGHT)
                    sequence.append(fixed)
                    continue
                missing.setdefault(term, word)
            weights[term] = 1.0
            sequence.append(term)
        own = frozenset(weights)
        similar: dict[str, dict[str, float]] = {}
        neighbours = self.neighbours() if missing else None
        if neighbours is not None:
            near = neighbours.nearest(list(missing.values())[:MAX_EXPANDED_WORDS])
            for term, word in missing.items():
                if near.get(word):
                    similar[term] = dict(near[word])
                    for other, sim in near[word]:
                        weights.setdefault(other, SIMILAR_WEIGHT * sim)
        related: dict[str, frozenset[str]] = {}
        for term in own if self.index.config.related else ():
            forms = frozenset(f for f in self._related(term) if f not in own)
            if forms:
                related[term] = forms
                for f in forms:
                    weights.setdefault(f, RELATED_WEIGHT * weights[term])
        if previous:
            for term in tokenize(previous):
                if self.index.knows(term):
                    weights.setdefault(term, FOLLOW_UP_WEIGHT)
        vector = None
        if self.semantic is not None and own:
            asked = self._spelled(question, corrections) if corrections else question
            vector = self.semantic.question(f"{previous} {asked}" if previous else asked)
        return QueryTerms(
            weights,
            tuple(sequence),
            question_type(question),
            own,
            corrections,
            related,
            vector,
            similar,
            self._defines(question, corrections),
        )

    def _defines(self, question: str, corrections: dict[str, str]) -> frozenset[str]:
        """The terms of X in "who is X?" when X is a name the corpus has."""
        subject = definition_subject(question)
        if subject is None:
            return frozenset()
        terms = [corrections.get(t, t) for t in tokenize(subject)]
        if terms and all(self.index.knows(t) and self._is_name(t) for t in terms):
            return frozenset(terms)
        return frozenset()

    def _spelled(self, question: str, corrections: dict[str, str]) -> str:
        """``question`` with each misspelled word written as the corpus writes
        the word it was taken for ("Whos Qasem Solaimani?" -> "Whos Qassem
        Soleimani?"), for the sentence embedding: the model splits an unknown
        spelling into pieces that mean little, and the question would seem
        far from the sentences that answer it."""
        out: list[str] = []
        last = 0
        for start, end, term in word_spans(question):
            fixed = corrections.get(term)
            if fixed is None or start < last:
                continue
            written = self._surface(fixed)
            if written is not None:
                out += [question[last:start], written]
                last = end
        return "".join(out) + question[last:]

    def _surface(self, term: str) -> str | None:
        """``term`` as the corpus first writes it (a word of a sentence)."""
        found = self._surfaces.get(term)
        if found is None and term not in self._surfaces:
            tid = self.index.sentences.vocab.get(term)
            if tid is not None:
                docs, _ = self.index.sentences.postings(tid)
                text = self.index.sentence_text(int(docs[0])) if len(docs) else ""
                found = next((text[s:e] for s, e, t in word_spans(text) if t == term), None)
            self._surfaces[term] = found
        return found

    def _vocab(self) -> list[str]:
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self.index.sentences.vocab)
        return self._sorted_vocab

    def _related(self, term: str) -> list[str]:
        """Corpus terms that differ from ``term`` only by a short ending
        ("syria" / "syrian", "iran" / "iranian"): Snowball keeps such
        derived words apart, readers do not."""
        if len(term) < 4 or not term.isalpha():
            return []
        vocab = self._vocab()
        out = [
            term[:n]
            for n in range(max(4, len(term) - MAX_SUFFIX), len(term))
            if term[n:] in RELATED_ENDINGS and self.index.knows(term[:n])
        ]
        i = bisect.bisect_right(vocab, term)
        while i < len(vocab) and vocab[i].startswith(term) and len(out) < 8:
            if vocab[i][len(term) :] in RELATED_ENDINGS:
                out.append(vocab[i])
            i += 1
        return out

    def _correct(self, term: str) -> str | None:
        """The corpus term that ``term`` is most likely a misspelling of.

        Names are what readers misspell and what a story's vocabulary holds
        that a reader's does not; an ordinary word the corpus lacks is far
        more often just another word ("take" is not "make").  So short words
        are only corrected to names, and a name may be two edits away when
        long."""
        if len(term) < 4 or not term.isalpha():
            return None
        max_dist = 1 if len(term) <= 7 else 2
        hits = process.extract(term, self._vocab(), scorer=Levenshtein.distance, score_cutoff=max_dist, limit=10)
        df = self.index.sentences.df
        vocab = self.index.sentences.vocab
        for cand, dist, _ in sorted(hits, key=lambda h: (h[1], -df[vocab[h[0]]])):
            cand = str(cand)
            if abs(len(cand) - len(term)) > dist or not cand.isalpha():
                continue
            if self._is_name(cand) or (len(term) >= 8 and dist == 1):
                return cand
        return None

    def _is_name(self, term: str) -> bool:
        """Is ``term`` written with a capital inside sentences (a name)?"""
        known = self._names.get(term)
        if known is not None:
            return known
        docs, _ = self.index.sentences.postings(self.index.sentences.vocab[term])
        capital = seen = 0
        for sid in docs[:5]:
            text = self.index.sentence_text(int(sid))
            for start, _end, t in word_spans(text):
                if t == term and start > 0:
                    seen += 1
                    capital += text[start].isupper()
        result = seen > 0 and capital * 2 > seen
        self._names[term] = result
        return result

    # -- answering ----------------------------------------------------------

    def ask(self, question: str, *, top: int = 3, previous: str | None = None) -> Result:
        """The best sentences for ``question``, and whether they answer it."""
        t0 = time.perf_counter()
        top = max(1, top)
        q = self.query_terms(question, previous)
        if not q.own or q.own <= _CHATTER:
            return self._result(question, False, (), t0, "no-content")

        meta = self._metadata_answers(question, q, top)
        if meta is not None:
            return self._result(question, True, meta, t0)

        ids, scores = self.rank(q, top)
        answers = tuple(self._answer(int(i), float(s), q) for i, s in zip(ids, scores, strict=True))
        if not answers:
            return self._result(question, False, (), t0, "no-match")
        if not self.confident(int(ids[0]), q):
            return self._result(question, False, answers, t0, "not-covered")
        result = self._result(question, True, answers, t0)
        context = self._context_of(int(ids[0]), q)
        return result if context is None else dataclasses.replace(result, context=context)

    def _context_of(self, sentence: int, q: QueryTerms) -> Answer | None:
        """The sentence before ``sentence`` in its paragraph, when
        ``sentence`` opens with a word that points back to it ("He", "They",
        "This", "Its", …)."""
        idx = self.index
        if sentence == 0 or idx.sent_para[sentence - 1] != idx.sent_para[sentence]:
            return None
        first = _FIRST_WORD.match(idx.sentence_text(sentence))
        if first is None or first.group(1).lower() not in _POINTS_BACK:
            return None
        return self._answer(sentence - 1, 0.0, q)

    def confidence(self, sentence: int, q: QueryTerms) -> float:
        """How sure the engine is that ``sentence`` answers the question.

        With embeddings: cosine similarity plus half the question's weight
        that the sentence covers (``coverage``) -- meaning catches
        paraphrases ("death toll?"), coverage catches names the model has
        never seen ("Qasem Solaimani").  Without: coverage alone."""
        cov = self.coverage(sentence, q)
        if self.semantic is None or q.vector is None:
            return cov
        cos = float(self.semantic.similarities(q.vector, [sentence])[0])
        return cos + COVERAGE_SHARE * cov

    def confident(self, sentence: int, q: QueryTerms) -> bool:
        threshold = MIN_CONFIDENCE if self.semantic is not None and q.vector is not None else MIN_COVERAGE
        return self.confidence(sentence, q) >= threshold

    def rank(self, q: QueryTerms, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The ``k`` best sentences for the question's terms, best first."""
        cfg = self.index.config
        ids, scores = self.index.top(q.weights, max(k, cfg.rerank_depth))
        if len(ids) > 1 and (cfg.phrase_weight or (cfg.type_weight and q.kind)):
            scores = scores.copy()
            for n, sid in enumerate(ids):
                text = self.index.sentence_text(int(sid))
                if cfg.phrase_weight and len(q.sequence) > 1:
                    pairs = phrase_matches(q.sequence, tokenize(text))
                    scores[n] += cfg.phrase_weight * sum((self.index.idf(a) + self.index.idf(b)) / 2 for a, b in pairs)
                if cfg.type_weight and q.kind and matches_type(q.kind, text):
                    scores[n] *= 1.0 + cfg.type_weight
            order = np.lexsort((ids, -scores))
            ids, scores = ids[order], scores[order]
        if self.semantic is not None and q.vector is not None:
            ids, scores = self._fuse(q, q.vector, ids, scores)
        if q.defines and len(ids):
            ids, scores = self._first_mention_first(q.defines, ids, scores)
        return ids[:k], scores[:k]

    def _first_mention_first(
        self, terms: frozenset[str], ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """ "Who is Putin?": news names a person in full, with their title,
        where it first mentions them ("Russian President Vladimir Putin"), so
        the best article's first sentence naming them answers it best."""
        idx = self.index
        article = int(idx.sent_article[ids[0]])
        start = int(np.searchsorted(idx.sent_article, article))
        end = int(np.searchsorted(idx.sent_article, article, side="right"))
        rarest = min(terms, key=lambda t: idx.sentences.df[idx.sentences.vocab[t]])
        docs, _ = idx.sentences.postings(idx.sentences.vocab[rarest])
        for sid in docs[np.searchsorted(docs, start) : np.searchsorted(docs, end)]:
            if terms <= idx.terms_of(int(sid)):
                first = int(sid)
                break
        else:
            return ids, scores
        if first == int(ids[0]):
            return ids, scores
        rest = ids != first
        return np.concatenate([[first], ids[rest]]).astype(np.int64), np.concatenate([[scores[0]], scores[rest]])

    def _fuse(
        self,
        q: QueryTerms,
        vector: npt.NDArray[np.float32],
        ids: npt.NDArray[np.int64],
        scores: npt.NDArray[np.float64],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """BM25's candidates (and, when all sentences are embedded, those
        nearest in meaning) scored by both: BM25 divided by the best
        candidate's, and cosine similarity."""
        assert self.semantic is not None
        w = self.index.config.semantic_weight
        rest_ids, rest_scores = ids[:0], scores[:0]
        if not self.semantic.eager:  # each candidate is embedded on demand: the best few only
            depth = self.index.config.semantic_lazy_depth
            ids, scores, rest_ids, rest_scores = ids[:depth], scores[:depth], ids[depth:], scores[depth:]
        near = self.semantic.top(vector, self.index.config.semantic_depth)
        extra = np.setdiff1d(near, ids, assume_unique=False)
        cand = np.concatenate([ids, extra]).astype(np.int64)
        lexical = np.concatenate([scores, np.zeros(len(extra))])
        if self.index.config.semantic_norm == "query":
            best = max(self._ideal_score(q), float(lexical.max()) if len(lexical) else 0.0, 1e-9)
        else:
            best = float(lexical.max()) if len(lexical) and lexical.max() > 0 else 1.0
        cos = self.semantic.similarities(vector, cand).astype(np.float64)
        fused = (1.0 - w) * lexical / best + w * cos
        order = np.lexsort((cand, -fused))
        if len(rest_ids):  # after the re-ranked ones: BM25 alone, at most the lowest of them
            floor = float(fused[order[-1]]) if len(order) else 0.0
            rest = np.minimum((1.0 - w) * rest_scores / best, floor)
            return np.concatenate([cand[order], rest_ids]), np.concatenate([fused[order], rest])
        return cand[order], fused[order]

    def _ideal_score(self, q: QueryTerms) -> float:
        """Roughly the BM25 score of a sentence of average length holding each
        of the question's own words once (words the corpus lacks included, at
        the idf of its rarest word): how much lexical evidence a perfect
        match would have."""
        idx = self.index
        pw = idx.config.paragraph_weight
        unknown = idx.sentences.unseen_idf()
        total = 0.0
        for term in q.own:
            s_idf = idx.sentences.idf_of(term)
            p_idf = idx.paragraphs.idf_of(term)
            total += q.weights[term] * ((s_idf if s_idf is not None else unknown) + pw * (p_idf or unknown))
        return total

    def coverage(self, sentence: int, q: QueryTerms) -> float:
        """Share of the question's own weight that ``sentence`` (with the
        sentence before it in its paragraph, and its article's title)
        contains.  A word the corpus never uses weighs as much as its rarest
        word; a related form ("Syrian" for "Syria") counts for part."""
        idx = self.index
        context = set(idx.terms_of(sentence))
        if sentence > 0 and idx.sent_para[sentence - 1] == idx.sent_para[sentence]:
            context |= idx.terms_of(sentence - 1)
        context |= self._title_terms(int(idx.sent_article[sentence]))
        unknown = math.log(idx.sentences.n_docs + 1)
        total = found = 0.0
        for term in q.own:
            w = (idx.idf(term) if idx.knows(term) else unknown) * q.weights[term]
            total += w
            if term in context:
                found += w
            elif q.related.get(term, frozenset()) & context:
                found += RELATED_CREDIT * w
            elif term in q.similar:
                found += SIMILAR_CREDIT * w * max((s for t, s in q.similar[term].items() if t in context), default=0.0)
        return found / total if total else 0.0

    def _answer(self, sentence: int, score: float, q: QueryTerms) -> Answer:
        return Answer(
            text=self.index.sentence_text(sentence),
            article=self.index.article_of(sentence),
            paragraph=int(self.index.sent_paragraph[sentence]),
            sentence=sentence,
            score=score,
            matched=frozenset(t for t in q.weights if t in self.index.terms_of(sentence)),
        )

    def _result(self, question: str, answered: bool, answers: Sequence[Answer], t0: float, reason: str = "") -> Result:
        took = (time.perf_counter() - t0) * 1000.0
        return Result(question, answered, tuple(answers), took, reason)

    # -- questions about the article itself ----------------------------------

    def _title_terms(self, a_idx: int) -> frozenset[str]:
        terms = self._titles.get(a_idx)
        if terms is None:
            terms = self._titles[a_idx] = frozenset(tokenize(self.articles[a_idx].title))
        return terms

    def _byline(self, a_idx: int) -> tuple[frozenset[str], frozenset[str]]:
        """(publisher terms, author terms) of an article; the publisher's
        initials count ("AP" for The Associated Press)."""
        cached = self._byline_terms.get(a_idx)
        if cached is None:
            article = self.articles[a_idx]
            pub = set(tokenize(article.publisher or ""))
            caps = [w[0] for w in (article.publisher or "").split() if w[:1].isupper() and w.lower() != "the"]
            if len(caps) >= 2:
                pub.add("".join(caps).lower())
            authors = frozenset(tokenize(" ".join(article.authors)))
            cached = self._byline_terms[a_idx] = (frozenset(pub), authors)
        return cached

    def _metadata_answers(self, question: str, q: QueryTerms, top: int) -> tuple[Answer, ...] | None:
        """Answers from title, byline and lead when the question is about the
        article itself; None when it is about the story's content."""
        out: list[Answer] = []
        when = re.search(r"\bwhen\b", normalize(question)) is not None
        for a_idx, article in enumerate(self.articles):
            pub, authors = self._byline(a_idx)
            unknown = [t for t in q.own if t not in _META_ALL and t not in pub and t not in authors]
            if len(unknown) > (1 if q.own & (pub | authors) else 0):
                return None
            if unknown and self.index.knows(unknown[0]):
                return None
            answer: str | None
            if q.own & (_META_AUTHOR | authors):
                answer = article.credit or " and ".join(article.authors) or article.publisher
            elif q.own & (_META_PUBLISHER | pub):
                answer = article.published if when else article.publisher
            elif q.own & _META_TITLE:
                answer = article.title
            elif q.own & _META_SUMMARY or q.own <= _META_GENERIC:
                first = int(self.index.para_first_sentence[int(np.argmax(self.index.para_article == a_idx))])
                out.append(self._answer(first, 1.0, q))
                answer = None
            else:
                return None
            if answer:
                out.append(Answer(answer, article, 0, -1, 1.0))
            if len(out) >= top:
                break
        return tuple(out) if out else None


def _empty_message(failures: Sequence[LoadFailure]) -> str:
    if not failures:
        return "no article found (add .txt, .md or .jsonl files)"
    shown = "; ".join(str(f) for f in failures[:5])
    more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
    return f"no article could be loaded: {shown}{more}"
