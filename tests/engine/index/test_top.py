"""SentenceIndex.top must give the best of ``top.dense_scores``, best first, whatever
shortcut it takes."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Article
from bot.engine.index.build import build_index
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.index.top import dense_scores
from bot.engine.text.tokens import tokenize

WORDS = ["apple", "river", "stone", "cloud", "tiger", "lamp", "ocean", "maple"]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=4).map(" ".join)


corpora = st.lists(st.lists(paragraph, min_size=1, max_size=5), min_size=1, max_size=4)
questions = st.dictionaries(st.sampled_from([*WORDS, "absent"]), st.floats(0.1, 1.0), min_size=1, max_size=4)


def index_of(articles: list[list[str]]) -> SentenceIndex:
    return build_index([Article(id=f"a{i}", title="T", paragraphs=tuple(ps)) for i, ps in enumerate(articles)])


def assert_best(ids: np.ndarray, scores: np.ndarray, full: np.ndarray, k: int) -> None:
    """``ids`` and ``scores`` are the ``k`` best of ``full``, best first."""
    expected = [i for i in sorted(range(len(full)), key=lambda i: (-full[i], i)) if full[i] > 0][:k]
    # top works in single precision: equal to about 1e-7.
    np.testing.assert_allclose(scores, full[expected], rtol=1e-6)
    # The same sentences, up to which of several equal scores fill the last places.
    np.testing.assert_allclose(full[ids], full[expected], rtol=1e-6)
    assert list(scores) == sorted(scores, reverse=True)


@settings(max_examples=150, deadline=None)
@given(corpora, questions, st.integers(1, 12))
def test_top_equals_the_best_of_all_scores(articles: list[list[str]], terms: dict[str, float], k: int) -> None:
    index = index_of(articles)
    weights = {tokenize(t)[0]: w for t, w in terms.items()}
    ids, scores = index.top(weights, k)
    assert_best(ids, scores, dense_scores(index, weights), k)


@settings(max_examples=100, deadline=None)
@given(corpora, questions, st.integers(1, 12))
def test_top_without_paragraphs_is_sentence_bm25(articles: list[list[str]], terms: dict[str, float], k: int) -> None:
    index = index_of(articles)
    weights = {tokenize(t)[0]: w for t, w in terms.items()}
    ids, scores = index.top(weights, k, paragraph_weight=0.0)
    full = np.zeros(index.n_sentences)
    for term, w in weights.items():
        tid = index.sentences.vocab.get(term)
        if tid is not None:
            docs, ws = index.sentences.postings(tid)
            full[docs] += w * ws
    assert_best(ids, scores, full, k)
