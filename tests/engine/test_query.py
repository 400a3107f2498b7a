"""Related forms: a stem meets its derived forms ("Syria" / "Syrian"), not
every word that happens to begin with it."""

from __future__ import annotations

from bot.engine import Article, Corpus, Engine

SENTENCES = (
    "Syrian troops moved north.",
    "Iranian advisers stayed behind.",
    "The superior court ruled on Monday.",
    "A supercar raced through the square.",
    "The Super Bowl was played in February.",
)


def engine() -> Engine:
    return Engine(Corpus(articles=(Article(id="a", title="T", paragraphs=(" ".join(SENTENCES),)),)))


def test_a_stem_meets_its_derived_forms() -> None:
    e = engine()
    assert "syrian" in e.query_terms("What happened in Syria?").weights
    assert "iranian" in e.query_terms("Who came from Iran?").weights


def test_a_stem_does_not_meet_other_words_that_begin_with_it() -> None:
    weights = engine().query_terms("Who won the super bowl?").weights
    assert "super" in weights
    assert not {"superior", "supercar"} & set(weights)
