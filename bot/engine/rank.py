"""Ranking and judging: a question's terms in, the best sentences out, and
whether the best one answers the question.

Ranking (``Ranker.rank``), for one question:

1. BM25 proposes the best sentences (``SentenceIndex.top``: a sentence's
   score plus a share of its paragraph's).
2. Cheap features re-rank the best few dozen: the question's phrases found
   in the sentence, and a sentence holding the kind of thing the question
   asks for (a date for "when", …; ``text.features``).
3. With embeddings, BM25's score (scaled by what a perfect lexical match
   would score) is fused with the sentence's cosine similarity to the
   question, and the sentences nearest in meaning join the candidates.
4. "Who is X?": the best article's first sentence naming X goes first.

Judging (``Ranker.confident``): does the best sentence (with its
paragraph's preceding sentence and its article's title) contain most of the
question's weight (``coverage``)?  Each question word weighs its idf, and
words the corpus never uses weigh as much as the rarest word it has, so
"What is Assad's favourite football team?" -- which shares only "Assad" with
the story -- covers little of its weight and is declined, while "Where did
Putin and Assad meet?" is answered.  With embeddings the judgement is
cosine similarity plus half the coverage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.models import Answer
from bot.engine.query import QueryTerms
from bot.engine.semantic.scorer import SemanticScorer
from bot.engine.text.features import matches_type, phrase_matches
from bot.engine.text.tokens import tokenize

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

RELATED_CREDIT = 0.7
"""Share of a question word's weight that a related form covers."""

SIMILAR_CREDIT = 0.5
"""Share of the missing word's weight that a corpus word near it in meaning
covers, times their cosine similarity."""

_FIRST_WORD = re.compile(r"\W*(\w+)")
_POINTS_BACK = frozenset(
    "he she it they him her them his hers its their theirs this these those such there both".split()
)
"""A sentence opening with one of these words depends on the one before."""

Ids = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]


def answer_of(index: SentenceIndex, sentence: int, score: float, q: QueryTerms) -> Answer:
    """Sentence ``sentence`` as an answer to the question ``q``."""
    return Answer(
        text=index.sentence_text(sentence),
        article=index.article_of(sentence),
        paragraph=int(index.sent_paragraph[sentence]),
        sentence=sentence,
        score=score,
        matched=frozenset(t for t in q.weights if t in index.terms_of(sentence)),
    )


class Ranker:
    """Ranks and judges the sentences of one index for questions."""

    def __init__(self, index: SentenceIndex, semantic: SemanticScorer | None) -> None:
        self.index = index
        self.semantic = semantic
        self._titles: dict[int, frozenset[str]] = {}

    # -- ranking -------------------------------------------------------------

    def rank(self, q: QueryTerms, k: int) -> tuple[Ids, Scores]:
        """The ``k`` best sentences for the question's terms, best first."""
        cfg = self.index.config
        ids, scores = self.index.top(q.weights, max(k, cfg.rerank_depth))
        if len(ids) > 1 and (cfg.phrase_weight or (cfg.type_weight and q.kind)):
            ids, scores = self._rerank(q, ids, scores)
        if self.semantic is not None and q.vector is not None:
            ids, scores = self._fuse(q, q.vector, ids, scores)
        if q.defines and len(ids):
            ids, scores = self._first_mention_first(q.defines, ids, scores)
        keep = self._distinct(ids, k)
        return ids[keep], scores[keep]

    def _distinct(self, ids: Ids, k: int) -> list[int]:
        """Positions of the first ``k`` sentences whose text is not one
        already kept (case and spacing aside): the same wire story in
        several articles was quoted three times in one answer."""
        seen: set[str] = set()
        keep: list[int] = []
        for n, sid in enumerate(ids):
            text = " ".join(self.index.sentence_text(int(sid)).casefold().split())
            if text not in seen:
                seen.add(text)
                keep.append(n)
                if len(keep) == k:
                    break
        return keep

    def _rerank(self, q: QueryTerms, ids: Ids, scores: Scores) -> tuple[Ids, Scores]:
        """BM25's candidates with the cheap features' bonuses: the question's
        phrases found in the sentence, and the kind of answer it asks for."""
        cfg = self.index.config
        scores = scores.copy()
        for n, sid in enumerate(ids):
            text = self.index.sentence_text(int(sid))
            if cfg.phrase_weight and len(q.sequence) > 1:
                pairs = phrase_matches(q.sequence, tokenize(text))
                scores[n] += cfg.phrase_weight * sum((self.index.idf(a) + self.index.idf(b)) / 2 for a, b in pairs)
            if cfg.type_weight and q.kind and matches_type(q.kind, text):
                scores[n] *= 1.0 + cfg.type_weight
        order = np.lexsort((ids, -scores))
        return ids[order], scores[order]

    def _first_mention_first(self, terms: frozenset[str], ids: Ids, scores: Scores) -> tuple[Ids, Scores]:
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

    def _fuse(self, q: QueryTerms, vector: npt.NDArray[np.float32], ids: Ids, scores: Scores) -> tuple[Ids, Scores]:
        """BM25's candidates (and, when all sentences are embedded, those
        nearest in meaning) scored by both: BM25 divided by the best
        candidate's, and cosine similarity."""
        assert self.semantic is not None
        cfg = self.index.config
        w = cfg.semantic_weight
        rest_ids, rest_scores = ids[:0], scores[:0]
        if not self.semantic.eager:  # each candidate is embedded on demand: the best few only
            depth = cfg.semantic_lazy_depth
            ids, scores, rest_ids, rest_scores = ids[:depth], scores[:depth], ids[depth:], scores[depth:]
        near = self.semantic.top(vector, cfg.semantic_depth)
        extra = np.setdiff1d(near, ids, assume_unique=False)
        cand = np.concatenate([ids, extra]).astype(np.int64)
        lexical = np.concatenate([scores, np.zeros(len(extra))])
        if cfg.semantic_norm == "query":
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
        ``SentenceIndex.unseen_idf``): how much lexical evidence a perfect
        match would have."""
        idx = self.index
        pw = idx.config.paragraph_weight
        unknown = idx.unseen_idf()
        total = 0.0
        for term in q.own:
            s_idf = idx.sentences.idf_of(term)
            p_idf = idx.paragraphs.idf_of(term)
            total += q.weights[term] * ((s_idf if s_idf is not None else unknown) + pw * (p_idf or unknown))
        return total

    # -- judging -------------------------------------------------------------

    def coverage(self, sentence: int, q: QueryTerms) -> float:
        """Share of the question's own weight that ``sentence`` (with the
        sentence before it in its paragraph, and its article's title)
        contains.  A word the corpus never uses weighs
        ``SentenceIndex.missing_word_idf``, as much as its rarest word; a
        related form ("Syrian" for "Syria") counts for part."""
        idx = self.index
        context = self.context_terms(sentence)
        unknown = idx.missing_word_idf()
        total = found = 0.0
        for term in q.own:
            w = (idx.idf(term) if idx.knows(term) else unknown) * q.weights[term]
            total += w
            found += w * word_credit(term, context, q.related, q.similar)
        return found / total if total else 0.0

    def context_terms(self, sentence: int) -> frozenset[str]:
        """The terms ``coverage`` looks for the question's words in: the
        sentence's, the sentence's before it in its paragraph, and its
        article's title's."""
        idx = self.index
        context = set(idx.terms_of(sentence))
        if sentence > 0 and idx.sent_para[sentence - 1] == idx.sent_para[sentence]:
            context |= idx.terms_of(sentence - 1)
        context |= self._title_terms(int(idx.sent_article[sentence]))
        return frozenset(context)

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
        """Does ``sentence`` answer the question well enough to be offered
        as its answer (``confidence`` against its threshold)?"""
        threshold = MIN_CONFIDENCE if self.semantic is not None and q.vector is not None else MIN_COVERAGE
        return self.confidence(sentence, q) >= threshold

    def context_of(self, sentence: int, q: QueryTerms) -> Answer | None:
        """The sentence before ``sentence`` in its paragraph, when
        ``sentence`` opens with a word that points back to it ("He", "They",
        "This", "Its", …)."""
        idx = self.index
        if sentence == 0 or idx.sent_para[sentence - 1] != idx.sent_para[sentence]:
            return None
        first = _FIRST_WORD.match(idx.sentence_text(sentence))
        if first is None or first.group(1).lower() not in _POINTS_BACK:
            return None
        return answer_of(idx, sentence - 1, 0.0, q)

    def _title_terms(self, a_idx: int) -> frozenset[str]:
        terms = self._titles.get(a_idx)
        if terms is None:
            terms = self._titles[a_idx] = frozenset(tokenize(self.index.articles[a_idx].title))
        return terms


def word_credit(
    term: str,
    context: frozenset[str] | set[str],
    related: Mapping[str, frozenset[str]],
    similar: Mapping[str, Mapping[str, float]],
) -> float:
    """How much of a question word's weight ``context`` covers: all of it
    for the word itself, ``RELATED_CREDIT`` for a related form ("Syrian"
    for "Syria"), ``SIMILAR_CREDIT`` times the cosine for a corpus word near
    it in meaning (a word the corpus lacks), else nothing."""
    if term in context:
        return 1.0
    if related.get(term, frozenset()) & context:
        return RELATED_CREDIT
    if term in similar:
        return SIMILAR_CREDIT * max((c for t, c in similar[term].items() if t in context), default=0.0)
    return 0.0
