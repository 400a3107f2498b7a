"""training.borrowed: a question of one article asked of another, its names
replaced by that article's, and dropped when the article might answer it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.text.tokens import tokenize
from training.borrowed import CHOICES, borrow, maybe_answered, names_by_label


@dataclass
class Ent:
    text: str
    label_: str


@dataclass
class Doc:
    ents: list[Ent]


def _terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def test_names_by_label_most_frequent_first_and_names_only() -> None:
    docs = [
        Doc([Ent("Putin", "PERSON"), Ent("Syria", "GPE"), Ent("2017", "DATE")]),
        Doc([Ent("Assad", "PERSON"), Ent("Assad", "PERSON"), Ent("Damascus", "GPE")]),
        Doc([Ent("Putin", "PERSON"), Ent("Assad", "PERSON"), Ent("nine", "CARDINAL")]),
    ]
    names = names_by_label(docs)
    assert names["PERSON"] == ["Assad", "Putin"]
    assert names["GPE"] == ["Syria", "Damascus"]  # a tie: first seen first
    assert "DATE" not in names
    assert "CARDINAL" not in names


def test_borrow_replaces_each_name_with_one_of_the_same_kind() -> None:
    names = {"PERSON": ["Putin", "Assad", "Soleimani", "Peskov"], "GPE": ["Syria"]}
    question = "How old was Chopin when he left Poland in 1830?"
    entities = [("Chopin", "PERSON"), ("Poland", "GPE"), ("1830", "DATE")]
    assert borrow(question, entities, names, 0) == "How old was Putin when he left Syria in 1830?"
    assert borrow(question, entities, names, 1) == "How old was Assad when he left Syria in 1830?"
    # Only the article's most frequent few are borrowed.
    seen = {borrow(question, entities, names, n) for n in range(10)}
    assert len(seen) == CHOICES
    assert not any("Peskov" in str(s) for s in seen)


def test_borrow_refuses_what_it_cannot_make_another_articles_question() -> None:
    names = {"PERSON": ["Putin"]}
    # Nothing named: there is nothing to borrow.
    assert borrow("What year did the war begin?", [("year", "DATE")], names, 0) is None
    # The article has no name of that kind.
    assert borrow("Where is Poland?", [("Poland", "GPE")], names, 0) is None
    # The same name: the question would be the article's own.
    assert borrow("How old is putin?", [("putin", "PERSON")], names, 0) is None


def test_maybe_answered_drops_questions_the_article_might_answer() -> None:
    sentences = [_terms("Putin was born in Leningrad in 1952."), _terms("He met Assad in Damascus.")]
    # "born" stands in a sentence: "When was Putin born?" may be answered.
    assert maybe_answered(_terms("born"), sentences)
    # "breakfast" does not: the article never says.
    assert not maybe_answered(_terms("eat breakfast"), sentences)
    # Every focus word must stand in one sentence together.
    assert not maybe_answered(_terms("born met"), sentences)
    # A question asking nothing beyond its names is not borrowed.
    assert maybe_answered(frozenset(), sentences)
