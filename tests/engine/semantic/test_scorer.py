"""Sentence embeddings beside BM25: paraphrases found, off-topic declined,
eager and on-demand embedding agree, unverified weights refused."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Engine, IndexConfig, load_encoder
from bot.engine.semantic import encoder as semantic_mod
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]

encoder = load_encoder()
pytestmark = pytest.mark.skipif(encoder is None, reason="sentence encoder not installed")


@pytest.fixture(scope="module")
def hybrid() -> Engine:
    return Engine.from_folder(STORY_CORPUS, encoder=encoder)


@pytest.fixture(scope="module")
def lexical() -> Engine:
    return Engine.from_folder(STORY_CORPUS)


def test_story_is_embedded_whole(hybrid: Engine) -> None:
    assert hybrid.semantic is not None
    assert hybrid.semantic.eager
    assert hybrid.semantic.matrix is not None
    assert hybrid.semantic.matrix.shape == (hybrid.index.n_sentences, 384)


def test_paraphrase_without_shared_words_is_found(hybrid: Engine, lexical: Engine) -> None:
    question = "How has Tehran responded to the assassination?"  # the story says "Iran has vowed revenge"
    best = hybrid.ask(question).answers[0]
    assert best.text.startswith("Iran has vowed revenge")
    assert not lexical.ask(question).answers  # BM25 alone finds nothing


def test_meaning_reranks_bm25_candidates(hybrid: Engine, lexical: Engine) -> None:
    question = "How many Syrians are living as refugees abroad?"
    assert "5 million who are refugees" in hybrid.ask(question).answers[0].text
    q = lexical.query_terms(question)
    assert q.vector is None
    assert hybrid.query_terms(question).vector is not None


@pytest.mark.parametrize(
    "question",
    ["How does castling work in chess?", "Can you give me a recipe for chocolate cake?", "hello bot", "thanks"],
)
def test_off_topic_is_declined(hybrid: Engine, question: str) -> None:
    assert not hybrid.ask(question).answered


def test_shares_a_name_but_is_not_answered(hybrid: Engine) -> None:
    assert not hybrid.ask("What is Assad's favourite football team?").answered


def test_command_post_question_still_answers_paragraph_6(hybrid: Engine) -> None:
    result = hybrid.ask("Where did Putin and Assad meet?")
    assert result.answered
    assert result.answers[0].paragraph == 6


def test_on_demand_embedding_agrees_with_eager(hybrid: Engine) -> None:
    lazy = Engine.from_folder(STORY_CORPUS, dataclasses.replace(IndexConfig(), semantic_eager_max=0), encoder)
    assert lazy.semantic is not None
    assert not lazy.semantic.eager
    q = hybrid.query_terms("Who released photos of the visit?")
    assert q.vector is not None
    ids = list(range(hybrid.index.n_sentences))
    np.testing.assert_allclose(
        lazy.semantic.similarities(q.vector, ids), hybrid.semantic.similarities(q.vector, ids), atol=1e-5
    )
    # The lazy engine ranks BM25's candidates the same way.
    assert lazy.ask("Who released photos of the visit?").answers[0].text.startswith("Photos released by SANA")


def test_on_demand_embedding_reranks_only_the_best_bm25_candidates() -> None:
    """Above the eager limit each candidate costs an embedding: only the
    ``semantic_lazy_depth`` best BM25 candidates are embedded and re-ranked,
    the others follow in BM25's order."""
    cfg = dataclasses.replace(IndexConfig(), semantic_eager_max=0, semantic_lazy_depth=3)
    lazy = Engine.from_folder(STORY_CORPUS, cfg, encoder)
    lazy.use_judge = False  # the ranker's own order (the judge re-orders after it)
    lexical = Engine.from_folder(STORY_CORPUS, dataclasses.replace(cfg, semantic_weight=0.0))
    question = "What did Putin say to Assad about Syria?"
    q = lazy.query_terms(question)
    bm25_ids, _ = lexical.rank(lexical.query_terms(question), 10)
    assert len(bm25_ids) > 3
    assert lazy.semantic is not None
    embedded = len(lazy.semantic._cache)
    ids, scores = lazy.rank(q, 10)
    assert len(lazy.semantic._cache) - embedded == 3  # the question's 3 best BM25 candidates, no more
    assert set(ids[:3]) == set(bm25_ids[:3])  # re-ranked among themselves
    assert list(ids[3:]) == list(bm25_ids[3:10])  # the rest in BM25's order, after them
    assert list(scores) == sorted(scores, reverse=True)


def test_unverified_weights_are_refused(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(semantic_mod, "MODEL_SHA256", "0" * 64)
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic.encoder"):
        assert load_encoder() is None
    assert "sha256" in caplog.text


def test_missing_model_turns_embeddings_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.engine.semantic.encoder"):
        assert load_encoder(tmp_path / "nowhere") is None
    assert "BM25 alone" in caplog.text


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("Whos Qasem Solaimani?", "Whos Qassem Soleimani?"),
        ("Who did Vladmir Puttin meet with?", "Who did Vladimir Putin meet with?"),
    ],
)
def test_misspelled_names_are_embedded_as_the_corpus_writes_them(hybrid: Engine, asked: str, meant: str) -> None:
    q = hybrid.query_terms(asked)
    assert q.corrections
    assert q.vector is not None
    assert hybrid.reader.spelled(asked, q.corrections) == meant
    # Nearer the answer than the question as typed.
    answer = int(hybrid.rank(q, 1)[0][0])
    assert hybrid.semantic is not None
    typed, _ = hybrid.semantic.question_tokens(asked)
    as_typed, corrected = (
        hybrid.semantic.similarities(typed, [answer])[0],
        hybrid.semantic.similarities(q.vector, [answer])[0],
    )
    assert corrected > as_typed + 0.05


def test_known_similarities_embed_nothing(hybrid: Engine) -> None:
    """The judge's look at a candidate's neighbours costs no embedding: on
    demand, only the sentences already embedded are compared; once every
    sentence is, all are, as ``similarities`` gives them."""
    lazy = Engine.from_folder(STORY_CORPUS, dataclasses.replace(IndexConfig(), semantic_eager_max=0), encoder)
    assert lazy.semantic is not None
    assert hybrid.semantic is not None
    q = hybrid.query_terms("Who released photos of the visit?")
    assert q.vector is not None
    assert lazy.semantic.known_similarities(q.vector, [0, 1, 2]) == {}
    assert len(lazy.semantic._cache) == 0
    lazy.semantic.similarities(q.vector, [1])  # embedded on demand, and kept
    assert set(lazy.semantic.known_similarities(q.vector, [0, 1, 2])) == {1}
    eager = hybrid.semantic.known_similarities(q.vector, [0, 1, 2])
    np.testing.assert_allclose(list(eager.values()), hybrid.semantic.similarities(q.vector, [0, 1, 2]), atol=1e-6)
    assert eager[1] == pytest.approx(lazy.semantic.known_similarities(q.vector, [1])[1], abs=1e-5)


def test_the_judge_embeds_no_more_than_its_candidates_on_demand() -> None:
    cfg = dataclasses.replace(IndexConfig(), semantic_eager_max=0, semantic_lazy_depth=3)
    lazy = Engine.from_folder(STORY_CORPUS, cfg, encoder)
    if lazy.judge is None:
        pytest.skip("the judge is off (spaCy's model not installed)")
    assert lazy.semantic is not None
    lazy.ask("What did Putin say to Assad about Syria?")
    # The 3 best BM25 candidates re-ranked, among the judge's own 12; not
    # the sentences next to them (14 when those were embedded too).
    assert len(lazy.semantic._cache) == min(lazy.judge.depth, lazy.index.n_sentences)
