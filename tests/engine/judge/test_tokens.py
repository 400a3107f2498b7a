"""Token match: the question's words met in context by a candidate's, the
states kept per sentence (computed once, lent, saved and checked), and the
judge's plain order where they are not kept."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Article, Corpus, Engine, IndexCache
from bot.engine.judge import judge as judge_mod
from bot.engine.judge.model import load_model
from bot.engine.judge.nlp import Pipeline
from bot.engine.judge.tokens import PROJECTED, TokenStore, project, question_rows, token_columns
from bot.engine.semantic.encoder import SentenceEncoder
from tests.story import STORY_CORPUS

CORPUS = STORY_CORPUS
SENTENCES = (
    "Debus was named the center's first director in 1962.",
    "The weather at the coast was cold and wet that week.",
    "Rain kept the fishing boats in the harbour.",
)


@pytest.fixture(scope="module")
def projection() -> np.ndarray:
    model = load_model()
    assert model is not None
    assert model.projection is not None
    return model.projection


def _store(encoder: SentenceEncoder, projection: np.ndarray, limit: int = 100) -> TokenStore:
    return TokenStore(encoder, projection, limit)


def test_the_sentence_that_meets_the_question_s_words_in_meaning_matches_best(
    encoder: SentenceEncoder, projection: np.ndarray
) -> None:
    """ "appointed … position" is met by "named … director", in no word shared."""
    _, (question,) = encoder.encode_tokens(["To what position was Debus appointed?"])
    store = _store(encoder, projection)
    columns = token_columns(question_rows(question, projection), store.rows(range(3), SENTENCES.__getitem__))
    match, gap = columns[:, 0], columns[:, 1]
    assert int(np.argmax(match)) == 0
    assert match[0] > match[1] + 0.05
    np.testing.assert_allclose(gap, match.max() - match)


def test_the_question_s_function_words_are_not_counted(encoder: SentenceEncoder, projection: np.ndarray) -> None:
    _, (question,) = encoder.encode_tokens(["Who was the director of the center?"])
    assert question.words == ("who", "was", "the", "director", "of", "the", "center", "?")
    rows = question_rows(question, projection)
    assert rows.shape == (2, PROJECTED)  # "director", "center"
    _, (only,) = encoder.encode_tokens(["What is it?"])
    assert question_rows(only, projection).shape == (len(only.words), PROJECTED)  # nothing else to count


def test_projected_states_are_unit_float16(encoder: SentenceEncoder, projection: np.ndarray) -> None:
    _, (tokens,) = encoder.encode_tokens([SENTENCES[0]])
    rows = project(tokens.vectors, projection)
    assert rows.dtype == np.float16
    assert rows.shape == (len(tokens.words), PROJECTED)
    np.testing.assert_allclose(np.linalg.norm(rows.astype(np.float32), axis=1), 1.0, atol=2e-3)


def test_a_sentence_is_encoded_once_and_lent_by_its_text(
    encoder: SentenceEncoder, projection: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    real = encoder.encode_tokens

    def counting(texts: list[str], *args: object, **kwargs: object) -> object:
        encoded.extend(texts)
        return real(texts, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(encoder, "encode_tokens", counting)
    store = _store(encoder, projection)
    first = store.rows([0, 1], SENTENCES.__getitem__)
    again = store.rows([1, 0, 2], SENTENCES.__getitem__)
    assert encoded == [SENTENCES[0], SENTENCES[1], SENTENCES[2]]
    assert again[0] is first[1]
    other = _store(encoder, projection)
    other.lend(store.known(SENTENCES.__getitem__))
    encoded.clear()
    other.rows([2, 1], SENTENCES.__getitem__)
    assert encoded == []


def test_states_are_encoded_a_batch_at_a_time(
    encoder: SentenceEncoder, projection: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole corpus's full-width states never exist at once: each batch is
    projected before the next is encoded."""
    from bot.engine.judge import tokens as tokens_mod

    monkeypatch.setattr(tokens_mod, "ENCODE_BATCH", 2)
    batches: list[int] = []
    real = encoder.encode_tokens

    def counting(texts: list[str], *args: object, **kwargs: object) -> object:
        batches.append(len(texts))
        return real(texts, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(encoder, "encode_tokens", counting)
    rows = _store(encoder, projection).rows(range(3), SENTENCES.__getitem__)
    assert batches == [2, 1]
    assert [len(r) for r in rows] == [len(real([t])[1][0].words) for t in SENTENCES]


def test_the_store_is_bounded(encoder: SentenceEncoder, projection: np.ndarray) -> None:
    store = _store(encoder, projection, limit=2)
    rows = store.rows([0, 1, 2], SENTENCES.__getitem__)
    assert len(rows) == 3
    assert all(r is not None for r in rows)
    assert len(store) == 2
    again = store.rows([0, 1, 2, 0], SENTENCES.__getitem__)  # more than it keeps, in one question
    assert len(again) == 4
    np.testing.assert_array_equal(again[0], again[3])


def test_saved_states_load_and_damaged_ones_are_refused(encoder: SentenceEncoder, projection: np.ndarray) -> None:
    store = _store(encoder, projection)
    assert store.dump(3) is None  # not all kept
    rows = store.rows(range(3), SENTENCES.__getitem__)
    blob = store.dump(3)
    assert blob is not None
    loaded = _store(encoder, projection)
    assert loaded.load(blob, 3)
    for a, b in zip(loaded.rows(range(3), SENTENCES.__getitem__), rows, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not _store(encoder, projection).load(blob, 4)  # another corpus's
    assert not _store(encoder, projection).load(b"not an archive", 3)
    assert not _store(encoder, projection).load(blob[: len(blob) // 2], 3)  # cut short
    bad = _store(encoder, projection)
    bad.memo.update([(0, np.full((2, PROJECTED), np.nan, dtype=np.float16)), (1, rows[1]), (2, rows[2])])
    damaged = bad.dump(3)
    assert damaged is not None
    assert not _store(encoder, projection).load(damaged, 3)


@pytest.fixture(scope="module")
def story(pipeline: Pipeline, encoder: SentenceEncoder) -> Engine:
    engine = Engine.from_folder(CORPUS, encoder=encoder)
    assert engine.judge is not None
    return engine


def test_the_judge_orders_with_token_states_and_plainly_without(
    story: Engine, encoder: SentenceEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the states kept, the model's order reads them; above
    ``WARM_PARSE`` none are kept and its plain order decides."""
    judge = story.judge
    assert judge is not None
    monkeypatch.setattr(judge, "answerability", None)  # the judge's own decider (the answerability one decides else)
    assert judge.tokens is not None
    assert len(judge.tokens) == story.n_sentences  # a story's are all made with the judge
    model = judge.model
    assert model.plain is not None
    q = story.query_terms("Where did Putin and Assad meet?")
    story.use_judge = False
    try:
        ids, scores = story.rank(q, judge.depth)
    finally:
        story.use_judge = True
    x = judge.features(q.text, q, ids, scores)
    columns = judge.token_columns(q, ids)
    assert columns is not None
    verdict = judge.judge(q.text, q, ids, scores)
    rows = np.hstack([x, columns])
    np.testing.assert_allclose(np.sort(verdict.probabilities), np.sort(model.probabilities(rows)))
    first = list(ids).index(int(verdict.ids[0]))
    assert verdict.answer_probability == pytest.approx(float(model.answer_probabilities(rows[first : first + 1])[0]))
    monkeypatch.setattr(judge_mod, "WARM_PARSE", 5)
    large = Engine.from_folder(CORPUS, encoder=encoder)
    assert large.judge is not None
    assert large.judge.tokens is None
    assert large.judge.token_columns(q, ids) is None
    large.judge.answerability = None
    plain = large.judge.judge(q.text, q, ids, scores)
    np.testing.assert_allclose(np.sort(plain.probabilities), np.sort(model.plain.probabilities(x)))
    first = list(ids).index(int(plain.ids[0]))
    answer = float(model.plain.answer_probabilities(x[first : first + 1])[0])
    assert plain.answer_probability == pytest.approx(answer)
    assert plain.answered == (answer >= model.plain.threshold)
    assert not np.allclose(np.sort(plain.probabilities), np.sort(verdict.probabilities))


def test_token_states_are_saved_with_the_index_and_loaded_on_restart(
    pipeline: Pipeline, encoder: SentenceEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = IndexCache(tmp_path)
    first = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)
    assert list(tmp_path.glob("tokens-*.npz"))
    encoded: list[str] = []
    real = SentenceEncoder.encode_tokens

    def counting(self: SentenceEncoder, texts: list[str], *args: object, **kwargs: object) -> object:
        encoded.extend(texts)
        return real(self, texts, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SentenceEncoder, "encode_tokens", counting)
    again = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)
    assert again.judge is not None
    assert again.judge.tokens is not None
    assert again.judge.complete()
    assert encoded == []  # none encoded again
    assert first.ask("Who is the Kremlin spokesman?").answers == again.ask("Who is the Kremlin spokesman?").answers


def test_a_server_s_own_sentences_get_their_states_when_asked(story: Engine, encoder: SentenceEncoder) -> None:
    own = Article(id="own", title="Launch center", paragraphs=(SENTENCES[0],))
    server = Engine(Corpus(articles=[*story.corpus.articles, own]), encoder=encoder, previous=story)
    assert server.judge is not None
    assert server.judge.tokens is not None
    assert len(server.judge.tokens) == 0  # lent, not computed at build
    assert "Debus" in server.ask("To what position was Debus appointed?").answers[0].text
    assert len(server.judge.tokens) >= 1
    server.warm_up()
    assert len(server.judge.tokens) == server.n_sentences


def test_a_model_without_its_token_projection_orders_plainly(story: Engine) -> None:
    judge = story.judge
    assert judge is not None
    bare = dataclasses.replace(judge.model, projection=None, plain=None)
    assert judge_mod.Judge(story, judge.pipeline, bare).tokens is None
