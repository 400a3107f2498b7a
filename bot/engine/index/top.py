"""Top-k retrieval: the best sentences for a question's weighted terms.

``top_sentences`` gives the same sentences and scores as the best of
``dense_scores`` (a property test checks it), to single precision, but
without touching every sentence: a question's work is in proportion to its
terms' postings, not to the corpus (see benchmarks/README.md, "Scale").

* Scores gather in per-thread single-precision buffers that only the
  postings' entries touch.
* The candidates are the sentences holding a question term.  The k-th best
  of the rarest terms' sentences is a floor for the k-th best of all: only
  candidates whose own score plus the largest paragraph share reaches it
  are looked at further (a comparison, not a selection, over the postings).
* Equal scores keep corpus order.
* A sentence without a question term scores only its paragraph's share, so
  the sentences of a paragraph join the candidates only when that share
  reaches the k-th best candidate's score.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from bot.engine.index.sentence_index import SentenceIndex

FLOOR_POSTINGS = 10_000
"""``top_sentences`` scores up to this many of the shortest postings first,
to learn a floor for the k-th best score."""

F32 = npt.NDArray[np.float32]
Hits = list[npt.NDArray[np.int32]]


class Buffers:
    """Scratch space for one thread's questions (zero between questions)."""

    def __init__(self, n_sentences: int, n_paragraphs: int) -> None:
        self.sent = np.zeros(n_sentences, dtype=np.float32)
        self.para = np.zeros(n_paragraphs, dtype=np.float32)


def dense_scores(index: SentenceIndex, terms: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """Every sentence's score for question terms weighted by ``terms`` (1.0
    for the question's own words, less for words borrowed from an earlier
    question or guessed from a misspelling): the definition that
    ``top_sentences`` computes the best of."""
    sent = np.zeros(index.n_sentences, dtype=np.float64)
    para = np.zeros(index.n_paragraphs, dtype=np.float64)
    for term, weight in terms.items():
        index.sentences.add_scores(sent, [term], weight)
        index.paragraphs.add_scores(para, [term], weight)
    if index.config.paragraph_weight:
        sent += index.config.paragraph_weight * para[index.sent_para]
    return sent


def top_sentences(
    index: SentenceIndex, terms: Mapping[str, float], k: int, paragraph_weight: float | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The ``k`` best sentences (ids, scores), best first; only sentences
    with a positive score.  ``paragraph_weight`` (default: the config's) 0
    ranks by the sentence's own BM25 alone."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    buffers = index.scratch()
    sent, para = buffers.sent, buffers.para
    pw = index.config.paragraph_weight if paragraph_weight is None else paragraph_weight
    sent_hits: Hits = []
    para_hits: Hits = []
    try:
        _gather(index, terms, pw, buffers, sent_hits, para_hits)
        if not sent_hits:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cand, cand_scores = _candidates(index, sent_hits, para_hits, buffers, pw, k)
    finally:
        for docs in sent_hits:
            sent[docs] = 0.0
        for docs in para_hits:
            para[docs] = 0.0
    order = np.lexsort((cand, -cand_scores))
    order = order[cand_scores[order] > 0]
    return cand[order].astype(np.int64), cand_scores[order].astype(np.float64)


def _gather(
    index: SentenceIndex, terms: Mapping[str, float], pw: float, buffers: Buffers, sent_hits: Hits, para_hits: Hits
) -> None:
    """Add each known term's weighted postings into the buffers (sentences,
    and paragraphs when ``pw``), noting the postings touched in the hits."""
    sentences = index.sentences
    found = [(tid, w) for t, w in terms.items() if (tid := sentences.vocab.get(t)) is not None]
    # The longest postings first: the buffers are zero, so they are
    # written, not added to.
    found.sort(key=lambda tw: sentences.indptr[tw[0]] - sentences.indptr[tw[0] + 1])
    fields = [(sentences, sent_hits, buffers.sent)]
    if pw:
        fields.append((index.paragraphs, para_hits, buffers.para))
    for n, (tid, weight) in enumerate(found):
        for bm25, hits_of, buffer in fields:
            docs, weights = bm25.postings32(tid)
            hits_of.append(docs)
            if weight != 1.0:
                weights = np.float32(weight) * weights
            if n == 0:
                buffer[docs] = weights
            else:
                buffer[docs] += weights


def _candidates(
    index: SentenceIndex, sent_hits: Hits, para_hits: Hits, buffers: Buffers, pw: float, k: int
) -> tuple[npt.NDArray[Any], F32]:
    """The ``k`` best sentences (unordered) from the filled buffers."""
    sent, para = buffers.sent, buffers.para
    hits = np.concatenate(sent_hits)
    touched = np.concatenate(para_hits) if para_hits else np.zeros(0, dtype=np.int32)
    share = np.float32(pw) * para[touched]
    most = share.max() if len(share) else np.float32(0.0)  # the largest paragraph share
    sample, n_lists = _floor_sample(sent_hits)
    # A sentence stands in the sample at most n_lists times: its
    # k × n_lists best entries hold k sentences at least.
    depth = k * n_lists
    if len(sample) >= depth and len(hits) > len(sample):
        sample_scores = _blend(index, sample, buffers, pw)
        floor = np.partition(sample_scores, len(sample) - depth)[len(sample) - depth]
        # A sentence's score is at most its own part plus the largest share.
        keep = hits[sent[hits] + most >= floor]
        kept = _blend(index, keep, buffers, pw)
        reached = kept >= floor
        cand, cand_scores = _best(keep[reached], kept[reached], k, len(sent_hits))
    else:
        cand, cand_scores = _best(hits, _blend(index, hits, buffers, pw), k, len(sent_hits))
    if len(touched):
        # The k-th best score so far; paragraphs whose share reaches it
        # may have sentences in the top k without a term of their own.
        bar = cand_scores.min() if len(cand) >= k else np.float32(0.0)
        strong = np.unique(touched[(share >= bar) & (share > 0)])
        if len(strong):
            cand = np.unique(np.concatenate([cand, _sentences_of(index, strong)]))
            cand, cand_scores = _best(cand, _blend(index, cand, buffers, pw), k)
    return cand, cand_scores


def _floor_sample(sent_hits: Hits) -> tuple[npt.NDArray[np.int32], int]:
    """The shortest postings, as many as ``FLOOR_POSTINGS`` allow (one at
    least): their k-th best sentence is a floor for the k-th best.  Returns
    them as one array, and how many lists it holds."""
    shortest = sorted(sent_hits, key=len)
    n_lists = 1
    while n_lists < len(shortest) and sum(map(len, shortest[: n_lists + 1])) <= FLOOR_POSTINGS:
        n_lists += 1
    sample = np.concatenate(shortest[:n_lists]) if n_lists > 1 else shortest[0]
    return sample, n_lists


def _best(ids: npt.NDArray[Any], scores: F32, k: int, repeats: int = 1) -> tuple[npt.NDArray[Any], F32]:
    """The ``k`` best distinct ids (unordered), where ``ids`` may hold an
    id up to ``repeats`` times (always with the same score)."""
    if len(ids) > k * repeats:  # the k best ids are among the k × repeats best entries
        best = np.argpartition(-scores, k * repeats - 1)[: k * repeats]
        ids, scores = ids[best], scores[best]
    ids, first = np.unique(ids, return_index=True)
    scores = scores[first]
    if len(ids) > k:
        best = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[best], scores[best]
    return ids, scores


def _blend(index: SentenceIndex, ids: npt.NDArray[Any], buffers: Buffers, pw: float) -> F32:
    """Scores of sentences ``ids`` from the filled buffers: each sentence's
    own score plus ``pw`` times its paragraph's."""
    out: F32 = buffers.sent[ids]
    if pw:
        out = out + np.float32(pw) * buffers.para[index.sent_para[ids]]
    return out


def _sentences_of(index: SentenceIndex, paragraphs: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """All sentence ids of ``paragraphs``."""
    first = index.para_first_sentence[paragraphs].astype(np.int64)
    counts = index.para_first_sentence[paragraphs + 1] - first
    starts = np.repeat(first - (np.cumsum(counts) - counts), counts)
    out: npt.NDArray[np.int64] = starts + np.arange(int(counts.sum()), dtype=np.int64)
    return out
