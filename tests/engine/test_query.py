"""Related forms: a stem meets its derived forms ("Syria" / "Syrian"), not
every word that happens to begin with it; spelling correction is bounded."""

from __future__ import annotations

import pytest

from bot.engine import Article, Corpus, Engine
from bot.engine.query import MAX_CORRECTED_WORDS

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


def test_spelling_is_corrected_for_a_few_words_each_tried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question of a hundred strange words (or one word a hundred times)
    tries at most ``MAX_CORRECTED_WORDS`` corrections, each word once: each
    is a match against the whole vocabulary.  A name misspelled among them
    early is still corrected."""
    found = engine()
    tried: list[str] = []
    real = found.reader._correct

    def counting(term: str) -> str | None:
        tried.append(term)
        return real(term)

    monkeypatch.setattr(found.reader, "_correct", counting)
    q = found.query_terms("Iraniann " + " ".join(f"zqxw{chr(97 + i % 26)}{i}ord" for i in range(100)))
    assert len(tried) == MAX_CORRECTED_WORDS
    assert q.corrections == {"iraniann": "iranian"}
    tried.clear()
    found.query_terms(" ".join(["zqxwvord"] * 50))
    assert tried == ["zqxwvord"]
