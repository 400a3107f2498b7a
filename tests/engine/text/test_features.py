"""Re-ranking signals: each test shows the signal changing a ranking, so it
fails if the signal is removed."""

from __future__ import annotations

import dataclasses

import pytest

from bot.engine import Article, Corpus, Engine, IndexConfig
from bot.engine.text.features import matches_type, phrase_matches, question_type


def engine_of(sentences: list[str], **config: float) -> Engine:
    cfg = dataclasses.replace(IndexConfig(), **config)
    # One sentence a paragraph, so paragraph context does not mix them.
    return Engine(Corpus(articles=[Article(id="a", title="T", paragraphs=tuple(sentences))]), cfg)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When did Russia join the war?", "when"),
        ("what year was it", "when"),
        ("How many people were killed?", "number"),
        ("how much did it cost", "number"),
        ("Where did they meet?", "where"),
        ("In which city did they meet?", "where"),
        ("which city did they meet in", "where"),
        ("Who is the spokesman?", "who"),
        ("Why did he go?", None),
        ("What did he announce?", None),
    ],
)
def test_question_type(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "expected"),
    [
        ("when", "They met on Tuesday.", True),
        ("when", "Russia joined the war in 2015.", True),
        ("when", "They met at a command post.", False),
        ("number", "More than 400,000 people died.", True),
        ("number", "Many people died.", False),
        ("where", "They met at a command post in Damascus.", True),
        ("where", "They met in May.", False),
        ("who", "The visit was announced by Dmitry Peskov yesterday.", True),
        ("who", "the visit was announced yesterday.", False),
    ],
)
def test_matches_type(kind: str, sentence: str, expected: bool) -> None:
    assert matches_type(kind, sentence) is expected


def test_phrase_matches_need_adjacent_terms() -> None:
    assert phrase_matches(["command", "post"], ["russian", "command", "post", "damascus"]) == [("command", "post")]
    assert phrase_matches(["command", "post"], ["post", "damascus", "command"]) == []


def test_answer_type_breaks_a_tie() -> None:
    sentences = [
        "The leaders met and talked about the war for a long while.",
        "The leaders met on Tuesday and talked about the war.",
    ]
    with_type = engine_of(sentences)
    without = engine_of(sentences, type_weight=0.0)
    q = "When did the leaders meet to talk about the war?"
    assert int(without.rank(without.query_terms(q), 1)[0][0]) == 0
    assert int(with_type.rank(with_type.query_terms(q), 1)[0][0]) == 1


def test_phrase_outranks_scattered_words() -> None:
    # Same words, same length: BM25 ties them; only word order differs.
    sentences = [
        "The post of the command was in the city.",
        "There was a command post in the city.",
        "Farmers sold apples.",
    ]
    with_phrase = engine_of(sentences, type_weight=0.0)
    without = engine_of(sentences, type_weight=0.0, phrase_weight=0.0)
    q = "Was there a command post in the city?"
    assert int(with_phrase.rank(with_phrase.query_terms(q), 1)[0][0]) == 1
    assert int(without.rank(without.query_terms(q), 1)[0][0]) == 0


def test_paragraph_context_lifts_a_sentence_that_says_he() -> None:
    paragraphs = (
        "Maria Lopez bought the farm in 1998. She planted apple trees the next spring.",
        "The town planted trees.",
    )
    article = Article(id="a", title="T", paragraphs=paragraphs)
    q = "What trees did Maria Lopez plant?"
    with_para = Engine(Corpus(articles=[article]))
    without = Engine(Corpus(articles=[article]), dataclasses.replace(IndexConfig(), paragraph_weight=0.0))

    def position(engine: Engine, sentence: int) -> int:
        ids = [int(i) for i in engine.rank(engine.query_terms(q), 10)[0]]
        return ids.index(sentence)

    # Sentence 1 ("She planted apple trees") against sentence 2 ("The town
    # planted trees"): only the paragraph says who "she" is.
    assert position(with_para, 1) < position(with_para, 2)
    assert position(without, 1) > position(without, 2)
