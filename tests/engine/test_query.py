"""Related forms: a stem meets its derived forms ("Syria" / "Syrian"), not
every word that happens to begin with it; spelling correction is bounded;
emoji, greetings and thanks around a question are read as not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Article, Corpus, Engine, load_encoder
from bot.engine.query import MAX_CORRECTED_WORDS, plain_question
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]

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


def test_emoji_are_read_as_not_there() -> None:
    q = engine().query_terms("Who came from Iran? 🇮🇷🤔")
    assert q.text == "Who came from Iran?"
    assert q.weights == engine().query_terms("Who came from Iran?").weights


@pytest.mark.skipif(load_encoder() is None, reason="sentence encoder not installed")
def test_emoji_do_not_change_the_answer() -> None:
    """They moved the question's sentence embedding enough to change the
    first sentence of 10 of the story set's 82 questions, and to decline
    "death toll?"."""
    story = Engine.from_folder(STORY_CORPUS, encoder=load_encoder())
    for question in ("death toll?", "What is Putin's official title?", "Who is the Kremlin's spokesman?"):
        plain = story.ask(question)
        for decorated in (f"{question} 🤔", f"😂😂 {question}", f"{question} 👍🏽"):
            asked = story.ask(decorated)
            assert asked.answered == plain.answered
            assert [a.sentence for a in asked.answers] == [a.sentence for a in plain.answers]


@pytest.mark.parametrize(
    ("asked", "read"),
    [
        ("hey bot, who wrote this?", "who wrote this?"),
        ("hi where did Putin go", "where did Putin go"),
        ("Good morning everyone! who is Peskov?", "who is Peskov?"),
        ("who wrote this pls", "who wrote this"),
        ("who wrote this? thanks!", "who wrote this?"),
        ("hi 👋 who wrote this? 🙏 thanks 😊", "who wrote this?"),
        ("😂😂 good morning everyone", "good morning everyone"),  # the emoji go; the greeting alone stays
        ("hi there pls", "hi there"),
        ("who won??", "who won?"),  # marks doubled for insistence made one
        ("where did they meet?!!", "where did they meet?"),
    ],
)
def test_greetings_and_thanks_around_a_question_are_read_as_not_there(asked: str, read: str) -> None:
    assert plain_question(asked) == read


@pytest.mark.parametrize(
    "text",
    [
        "Hello Kitty maker?",  # a name that begins with a greeting
        "Did Putin say thank you",  # thanks that are what is asked about
        "hi there",  # a greeting alone: it gets the help hint
        "Who produced the first geological map of the U.S.?",  # an abbreviation's full stop
        "What was the final score of Super Bowl 50? ",  # white space alone is left as asked
    ],
)
def test_what_only_looks_like_a_greeting_or_thanks_stays(text: str) -> None:
    assert plain_question(text) == text


def test_a_question_about_the_article_stays_one_when_asked_politely() -> None:
    """ "who wrote this" is answered from the byline only while every word
    asks about the article; "pls" made it a question about the content."""
    story = Engine.from_folder(STORY_CORPUS)
    plain = story.ask("who wrote this")
    assert plain.answered
    for polite in ("hey bot, who wrote this pls", "who wrote this? thanks 🙏"):
        asked = story.ask(polite)
        assert asked.question == polite  # echoed as asked
        assert [a.text for a in asked.answers] == [a.text for a in plain.answers]
