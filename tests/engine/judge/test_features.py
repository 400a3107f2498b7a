"""The judge's features that read word order and a sentence's neighbours:
the question's word pairs found in order, how close its words stand, the
cosine of the sentences around a candidate, and words the corpus never uses
(training asks that of the corpus without the gold paragraphs)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bot.engine import Article, Corpus, Engine, SentenceEncoder
from bot.engine.judge.features import FEATURES, bigram_share, candidate_features, proximity, question_pairs
from bot.engine.judge.judge import Judge
from bot.engine.judge.model import JudgeModel
from bot.engine.judge.nlp import Pipeline
from bot.engine.judge.soft import soft_shares

UNUSED = JudgeModel("logistic", 0.5, np.zeros(1), np.ones(1), np.zeros(1), 0.0)


def test_question_pairs_keep_the_question_s_order() -> None:
    pairs = question_pairs(("kremlin", "spokesman", "say"), frozenset({"kremlin", "spokesman", "say"}))
    assert pairs == {("kremlin", "spokesman"), ("spokesman", "say")}
    assert question_pairs(("kremlin",), frozenset({"kremlin"})) == frozenset()


def test_bigram_share_counts_pairs_in_order_and_at_most_one_word_apart() -> None:
    pairs = frozenset({("kremlin", "spokesman")})
    assert bigram_share(pairs, ["kremlin", "spokesman", "dmitri"]) == 1.0
    assert bigram_share(pairs, ["kremlin", "chief", "spokesman"]) == 1.0
    assert bigram_share(pairs, ["kremlin", "chief", "deputy", "spokesman"]) == 0.0
    assert bigram_share(pairs, ["spokesman", "kremlin"]) == 0.0  # the other order
    assert bigram_share(frozenset(), ["kremlin", "spokesman"]) == 0.0


def test_proximity_is_the_terms_matched_over_their_shortest_span() -> None:
    own = frozenset({"putin", "assad", "meet"})
    assert proximity(own, ["putin", "meet", "assad", "war"]) == 1.0
    assert proximity(own, ["putin", "x", "meet", "y", "assad"]) == pytest.approx(3 / 5)
    # The shortest span, not the first one.
    assert proximity(own, ["putin", "a", "b", "c", "meet", "assad", "putin"]) == 1.0
    assert proximity(own, ["putin", "war"]) == 0.0  # one term: nothing to be close to
    assert proximity(own, []) == 0.0


@pytest.fixture(scope="module")
def judge(pipeline: Pipeline, encoder: SentenceEncoder) -> Judge:
    """A judge of a small corpus, with a model that is not used (the
    features alone, whatever model ships)."""
    paragraphs = (
        "The lighthouse keeper retired on Friday after forty years. "
        "He kept the Porthaven light through every winter storm.",
        "The town council met on Monday to choose a new keeper.",
    )
    corpus = Corpus(articles=[Article(id="porthaven", title="Porthaven news", paragraphs=paragraphs)])
    return Judge(Engine(corpus, encoder=encoder), pipeline, UNUSED)  # type: ignore[arg-type]


def _rows(judge: Judge, question: str, knows: object = None) -> tuple[np.ndarray, list[int]]:
    q = judge.engine.query_terms(question)
    ids = list(range(judge.engine.index.n_sentences))
    scores = [1.0] * len(ids)
    return judge.features(question, q, ids, scores, knows), ids  # type: ignore[arg-type]


def test_a_candidate_s_neighbours_cosine_is_the_best_around_it_in_its_paragraph(judge: Judge) -> None:
    rows, _ = _rows(judge, "When did the lighthouse keeper retire?")
    col = FEATURES.index("neighbour_cosine")
    cos = FEATURES.index("cosine")
    assert rows[0, col] == pytest.approx(rows[1, cos], abs=1e-6)  # its paragraph's other sentence
    assert rows[1, col] == pytest.approx(rows[0, cos], abs=1e-6)
    assert rows[2, col] == 0.0  # alone in its paragraph


def test_words_the_corpus_never_uses_are_counted_as_the_caller_says(judge: Judge) -> None:
    col = FEATURES.index("focus_unknown")
    rows, _ = _rows(judge, "Why did the keeper retire?")
    assert rows[0, col] == 0.0
    rows, _ = _rows(judge, "Why did the keeper retire?", lambda term: False)
    assert rows[0, col] == 1.0  # as if the story never used them


def test_the_feature_row_has_every_named_column(judge: Judge) -> None:
    rows, ids = _rows(judge, "Who kept the Porthaven light?")
    assert rows.shape == (len(ids), len(FEATURES))
    assert candidate_features is not None
    assert rows[1, FEATURES.index("bigram_share")] > rows[2, FEATURES.index("bigram_share")]


def test_a_word_the_corpus_lacks_counts_by_a_word_near_it_in_meaning(judge: Judge) -> None:
    """In the exact shares and the soft one alike."""
    question = "When did the lighthouse custodian retire?"
    q = judge.engine.query_terms(question)
    col = FEATURES.index("sentence_share")
    custodian = next(t for t in q.own if t.startswith("custodian"))
    keeper = next(t for t in judge.engine.index.terms_of(0) if t.startswith("keeper"))
    apart = dataclasses.replace(q, similar={})
    near = dataclasses.replace(q, similar={custodian: {keeper: 0.8}})
    rows_apart = judge.features(question, apart, [0], [1.0])
    rows_near = judge.features(question, near, [0], [1.0])
    assert rows_near[0, col] > rows_apart[0, col]
    soft = FEATURES.index("soft_share")
    assert rows_near[0, soft] > rows_apart[0, soft]


def test_soft_share_counts_each_question_word_by_its_nearest_word_in_the_sentence(judge: Judge) -> None:
    engine = judge.engine
    q = engine.query_terms("Did the council choose the keeper?")
    first = engine.index.terms_of(0)
    soft = soft_shares(engine, q.own, [first, frozenset(), frozenset(q.own)], q.similar)
    assert soft is not None
    exact = FEATURES.index("sentence_share")
    rows = judge.features("Did the council choose the keeper?", q, [0], [1.0])
    assert soft[0] > rows[0, exact]  # "council" and "choose" count by their nearest words there
    assert soft[1] == 0.0  # nothing to be near
    assert soft[2] == pytest.approx(1.0)  # every word itself
    assert rows[0, FEATURES.index("soft_share")] == pytest.approx(soft[0])


def test_without_the_corpus_s_word_vectors_the_exact_share_stands_in(judge: Judge) -> None:
    engine = judge.engine
    words, engine.reader.neighbours = engine.reader.neighbours, None
    try:
        q = engine.query_terms("Who kept the Porthaven light?")
        assert soft_shares(engine, q.own, [engine.index.terms_of(1)]) is None
        rows = judge.features("Who kept the Porthaven light?", q, [1], [1.0])
    finally:
        engine.reader.neighbours = words
    assert rows[0, FEATURES.index("soft_share")] == rows[0, FEATURES.index("sentence_share")]
