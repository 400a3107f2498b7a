"""Question words the corpus lacks meet the corpus words nearest in meaning
(``bot/engine/semantic/neighbours.py``, ``bot/engine/query.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.engine.engine as engine_module
from bot.engine import Article, Corpus, Engine, IndexCache, load_encoder
from bot.engine.query import MAX_EXPANDED_WORDS
from bot.engine.semantic.neighbours import save_surfaces, surface_forms

encoder = load_encoder()
pytestmark = pytest.mark.skipif(encoder is None, reason="sentence encoder not installed")

PARAGRAPHS = (
    "About 600 troops are deployed in the province. The province has 40 schools and two hospitals.",
    "Photos released by the council showed the mayor at the cathedral.",
    "The mayor said the budget would be published next month.",
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    article = Article(id="town", title="A town at the border", paragraphs=PARAGRAPHS)
    return Engine(Corpus(articles=[article]), encoder=encoder)


def test_surface_forms_name_each_term_by_its_word() -> None:
    terms, surfaces = surface_forms(2, ["Troops were deployed.", "More troops came."].__getitem__)
    assert dict(zip(terms, surfaces, strict=True))["troop"] == "troops"


def test_missing_word_meets_its_nearest_corpus_word(engine: Engine) -> None:
    neighbours = engine.reader.neighbours
    assert neighbours is not None
    near = dict(neighbours.nearest(["soldiers", "pictures", "recipe"]))
    assert "troop" in dict(near["soldiers"])
    assert "photo" in dict(near["pictures"])
    assert "recipe" not in near  # nothing in the corpus is near enough


def test_expansion_finds_and_covers_the_sentence(engine: Engine) -> None:
    question = "How many soldiers are stationed there?"
    q = engine.query_terms(question)
    assert "troop" in q.weights
    assert "soldier" in q.similar
    ids, _ = engine.index.top(q.weights, 3)
    assert engine.index.sentence_text(int(ids[0])).startswith("About 600 troops")
    with_expansion = engine.coverage(int(ids[0]), q)

    engine.reader.expand_words = False
    try:
        plain = engine.query_terms(question)
        assert "troop" not in plain.weights
        assert not len(engine.index.top(plain.weights, 3)[0])  # BM25 alone finds nothing
        assert engine.coverage(int(ids[0]), plain) < with_expansion
    finally:
        engine.reader.expand_words = True


def test_no_expansion_without_embeddings() -> None:
    article = Article(id="town", title="A town at the border", paragraphs=PARAGRAPHS)
    lexical = Engine(Corpus(articles=[article]))
    assert lexical.reader.neighbours is None
    assert not lexical.query_terms("How many soldiers are stationed there?").similar


def test_only_so_many_missing_words_are_looked_up(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question of a thousand strange words embeds at most
    ``MAX_EXPANDED_WORDS`` of them."""
    neighbours = engine.reader.neighbours
    assert neighbours is not None
    asked: list[list[str]] = []
    real = neighbours.nearest

    def spy(words: list[str], *args: object, **kwargs: object) -> object:
        asked.append(list(words))
        return real(words, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(neighbours, "nearest", spy)
    engine.query_terms(" ".join(f"zqx{i}word" for i in range(1000)) + " soldiers")
    assert len(asked) == 1
    assert len(asked[0]) == MAX_EXPANDED_WORDS


def test_question_and_its_missing_words_are_embedded_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The question's vector and the vectors of the words the corpus lacks
    come from one call of the model (reading its weights is most of a
    question's cost), and are the vectors each would have on its own."""
    assert encoder is not None
    article = Article(id="town", title="A town at the border", paragraphs=PARAGRAPHS)
    fresh = Engine(Corpus(articles=[article]), encoder=encoder)
    calls: list[list[str]] = []
    real = encoder.encode_tokens

    def spy(texts: list[str], *args: object, **kwargs: object) -> object:
        calls.append(list(texts))
        return real(texts, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(encoder, "encode_tokens", spy)
    question = "How many soldiers guard the pictures?"
    q = fresh.query_terms(question)
    assert calls == [[question, "soldiers", "guard", "pictures"]]
    assert "troop" in q.weights
    assert "photo" in q.weights
    assert q.vector is not None
    (alone,) = encoder.encode([question])
    assert float(q.vector @ alone) > 0.9999
    assert q.tokens is not None  # the question's tokens, from the same pass
    assert q.tokens.words[:3] == ("how", "many", "soldiers")
    calls.clear()
    fresh.query_terms("Were soldiers there?")  # "soldiers" is kept: only the question is embedded
    assert calls == [["Were soldiers there?"]]


def test_the_surface_words_are_saved_with_the_index_and_not_found_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming each term by its most frequent word reads every sentence (14 s
    at 200,000): a restart takes them from the cache instead; saved ones
    that do not fit the corpus are found again."""
    article = Article(id="town", title="A town at the border", paragraphs=PARAGRAPHS)
    cache = IndexCache(tmp_path)
    first = Engine(Corpus(articles=[article]), encoder=encoder, cache=cache)
    assert first.reader.neighbours is not None
    scans: list[int] = []
    real = engine_module.surface_forms

    def counting(*args: object) -> object:
        scans.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "surface_forms", counting)
    again = Engine(Corpus(articles=[article]), encoder=encoder, cache=cache)
    assert scans == []
    assert again.reader.neighbours is not None
    assert again.reader.neighbours.terms == first.reader.neighbours.terms
    assert again.reader.neighbours.surfaces == first.reader.neighbours.surfaces
    assert "troop" in dict(again.reader.neighbours.nearest(["soldiers"])["soldiers"])
    save_surfaces(cache, again.cache_key or "", ["notacorpusterm"], ["word"])
    Engine(Corpus(articles=[article]), encoder=encoder, cache=cache)
    assert scans == [1]
