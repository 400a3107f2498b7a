"""The Engine: ranking, declining, questions about the article, spelling,
related forms and follow-ups, on small hand-made corpora and on the story."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Article, Corpus, CorpusError, Engine, IndexConfig, Reason
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]


def make_engine(*paragraph_lists: list[str], config: IndexConfig | None = None, **meta: object) -> Engine:
    articles = [
        Article(
            id=f"a{i}",
            title=str(meta.get("title", f"Article {i}")),
            paragraphs=tuple(paragraphs),
            publisher=meta.get("publisher"),  # type: ignore[arg-type]
            authors=tuple(meta.get("authors", ())),  # type: ignore[call-overload]
            credit=meta.get("credit"),  # type: ignore[arg-type]
        )
        for i, paragraphs in enumerate(paragraph_lists)
    ]
    return Engine(Corpus(articles=articles), config)


@pytest.fixture(scope="module")
def story() -> Engine:
    return Engine.from_folder(STORY_CORPUS)


FARM = [
    "The farm grows apples and pears in the valley.",
    "Its owner, Maria Lopez, bought the land in 1998.",
    "Every autumn the harvest festival draws 5,000 visitors.",
    "The valley river floods most springs.",
]


def test_command_post_question_answers_paragraph_6(story: Engine) -> None:
    result = story.ask("Where did Putin and Assad meet?")
    assert result.answered
    best = result.answers[0]
    assert best.paragraph == 6
    assert best.text.startswith("Putin and Assad met Tuesday at a Russian command post in Damascus")
    assert best.article.publisher == "The Associated Press"
    assert best.article.authors == ("Albert Aji", "Daria Litvinova")


def test_answers_are_verbatim_corpus_sentences(story: Engine) -> None:
    result = story.ask("What did Putin say about Syria's statehood?", top=5)
    for answer in result.answers:
        assert answer.text in answer.article.paragraphs[answer.paragraph - 1]


@pytest.mark.parametrize(
    "question",
    [
        "What are the rules of chess?",
        "What was the football score last night?",
        "Give me a recipe for chocolate cake",
        "What is Assad's favourite football team?",
        "hi there",
        "ok",
        "!!!",
        "",
        "   ",
    ],
)
def test_off_topic_and_noise_are_declined(story: Engine, question: str) -> None:
    result = story.ask(question)
    assert not result.answered
    assert result.reason


def test_noise_has_no_content_reason(story: Engine) -> None:
    assert story.ask("what is it?").reason is Reason.NO_CONTENT


def test_declined_question_still_lists_closest_sentences() -> None:
    engine = make_engine(FARM)
    result = engine.ask("Who owns the football club in the valley?", top=2)
    assert not result.answered
    assert result.reason is Reason.NOT_COVERED
    assert result.answers  # the closest, for inspection


def test_whole_question_matters_not_one_shared_word() -> None:
    engine = make_engine(FARM)
    assert engine.ask("When did Maria Lopez buy the land?").answered
    # Shares only "Maria Lopez" with the corpus; the rest is never said.
    assert not engine.ask("What is Maria Lopez's favourite television programme?").answered


def test_top_limits_answers_and_orders_best_first(story: Engine) -> None:
    result = story.ask("Putin Syria visit", top=4)
    assert 1 <= len(result.answers) <= 4
    scores = [a.score for a in result.answers]
    assert scores == sorted(scores, reverse=True)
    assert story.ask("Putin Syria visit", top=1).answers.__len__() == 1


def test_took_ms_is_measured(story: Engine) -> None:
    result = story.ask("Where did Putin and Assad meet?")
    assert 0 < result.took_ms < 5000


# -- questions about the article itself -----------------------------------------


@pytest.mark.parametrize("question", ["Who wrote this article?", "authors?", "who are the reporters"])
def test_author_questions_quote_the_byline(story: Engine, question: str) -> None:
    result = story.ask(question)
    assert result.answered
    assert result.answers[0].text == "Albert Aji And Daria Litvinova"
    assert result.answers[0].paragraph == 0


@pytest.mark.parametrize("question", ["Which news agency published this?", "who is the publisher", "is it AP?"])
def test_publisher_questions(story: Engine, question: str) -> None:
    result = story.ask(question)
    assert result.answered
    assert result.answers[0].text == "The Associated Press"


def test_headline_question(story: Engine) -> None:
    result = story.ask("What's the headline?")
    assert result.answers[0].text == "Putin visits Syria to meet Assad, a key Iran ally"


def test_what_is_the_story_about_gives_the_lead(story: Engine) -> None:
    result = story.ask("What is this story about?")
    assert result.answered
    assert result.answers[0].paragraph == 1


def test_content_question_mentioning_news_is_not_a_byline_question() -> None:
    engine = make_engine(
        ["Photos released by the state news agency showed the leaders at a cathedral."],
        publisher="The Daily Planet",
    )
    result = engine.ask("Which news agency released photos?")
    assert result.answered
    assert result.answers[0].paragraph == 1


def test_author_question_without_byline_is_not_invented() -> None:
    engine = make_engine(FARM)  # no publisher, no authors
    result = engine.ask("Who wrote this?")
    assert not result.answered or result.answers[0].paragraph > 0


# -- spelling and related forms ----------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what did Solemani do in Syria", "Soleimani"),
        ("who is Peskow", "Dmitry Peskov"),
        ("where is idlb", "Idlib province"),
        ("Who did Vladmir Puttin meet with?", "Vladimir Putin travelled"),
    ],
)
def test_misspelled_names_are_matched(story: Engine, question: str, expected: str) -> None:
    result = story.ask(question)
    assert result.answered
    assert expected in result.answers[0].text


def test_ordinary_words_are_not_corrected_into_names() -> None:
    engine = make_engine(["Maria Lopez makes cider.", "The cake shop opened."])
    q = engine.query_terms("Can you take a cake?")
    assert "take" not in q.corrections  # "take" is a word, not a misspelling of "make"


def test_spelling_correction_is_what_finds_the_name() -> None:
    engine = make_engine(["Maria Lopez bought the farm in 1998.", "The river floods in spring."])
    q = engine.query_terms("When did Lopes buy it?")
    assert q.corrections == {"lope": "lopez"} or "lopez" in q.corrections.values()
    result = engine.ask("When did Lopes buy the farm?")
    assert result.answered
    assert "Lopez" in result.answers[0].text


def test_related_forms_meet() -> None:
    engine = make_engine(["Syrian troops advanced on the town.", "The weather was mild."])
    q = engine.query_terms("Where did the troops of Syria go?")
    assert "syrian" in q.related.get("syria", frozenset())
    result = engine.ask("What did the troops of Syria do?")
    assert result.answered
    assert result.answers[0].text.startswith("Syrian troops")


# -- follow-ups ----------------------------------------------------------------


def test_follow_up_borrows_the_earlier_questions_words(story: Engine) -> None:
    alone = story.query_terms("and when did he come before?")
    follow = story.query_terms("and when did he come before?", previous="When did Putin visit Syria?")
    assert "putin" not in alone.weights
    assert 0 < follow.weights["putin"] < 1
    assert follow.own == alone.own
    result = story.ask("and when did he come before?", previous="When did Putin visit Syria?")
    assert result.answered
    assert "2017" in result.answers[0].text


# -- the corpus as a whole -----------------------------------------------------


def test_empty_corpus_is_a_clear_error() -> None:
    with pytest.raises(CorpusError, match="no article"):
        Engine(Corpus())


@pytest.mark.parametrize("message", ["hello bot", "hey everyone", "thanks!", "ok lol"])
def test_greetings_get_the_help_hint_not_a_decline(story: Engine, message: str) -> None:
    result = story.ask(message)
    assert not result.answered
    assert result.reason is Reason.NO_CONTENT


def test_greeting_words_inside_a_question_still_count(story: Engine) -> None:
    assert story.ask("hi, where did Putin and Assad meet?").answered


# -- "who is X?" --------------------------------------------------------------

BRIDGE = [
    "Harbour Mayor Ana Lopez opened the new bridge on Monday.",
    "Lopez said Lopez had promised the bridge, and Lopez kept the promise.",
    "The bridge cost 4 million dollars.",
]


@pytest.mark.parametrize("question", ["Who is Lopez?", "who's lopez", "Who was Ana Lopez?", "WHO IS LOPEZ??"])
def test_who_is_a_name_answers_with_its_first_mention(question: str) -> None:
    """News names a person in full, with a title, the first time: that
    sentence says who they are, not the one that repeats the name most."""
    engine = make_engine(BRIDGE)
    plain = engine.index.top(engine.query_terms("Lopez").weights, 1)[0]
    assert engine.index.sentence_text(int(plain[0])).startswith("Lopez said")  # BM25 alone prefers the repeats
    result = engine.ask(question)
    assert result.answered
    assert result.answers[0].text == BRIDGE[0]


def test_first_mention_only_for_names_and_plain_who_is_questions() -> None:
    engine = make_engine(BRIDGE)
    assert engine.query_terms("Who is Lopez?").defines == frozenset({"lopez"})
    assert not engine.query_terms("What is the bridge?").defines  # not a name
    assert not engine.query_terms("What did Lopez promise?").defines  # asks something else
    assert not engine.query_terms("Who is Smith?").defines  # a name the corpus lacks
    assert engine.ask("What did Lopez promise?").answers[0].text.startswith("Lopez said")


# -- the sentence an answer depends on ------------------------------------------

ORCHARD = [
    "Maria Lopez planted the orchard in 1998. She sold the orchard to a cooperative in 2010.",
    "The cooperative grows pears. Pears sell well at the autumn market.",
]


def test_an_answer_opening_with_a_pronoun_comes_with_the_sentence_before() -> None:
    engine = make_engine(ORCHARD)
    result = engine.ask("When was the orchard sold to the cooperative?")
    assert result.answered
    assert result.answers[0].text == "She sold the orchard to a cooperative in 2010."
    assert result.context is not None
    assert result.context.text == "Maria Lopez planted the orchard in 1998."
    # Shown in reading order, and counted apart from the answers.
    assert [a.text for a in result.shown()][:2] == [result.context.text, result.answers[0].text]
    assert result.answers_shown == len(result.shown()) - 1
    assert result.passages()[0] == result.shown()[:2]  # one quote, one source line


def test_no_context_for_a_sentence_that_stands_alone_or_opens_its_paragraph() -> None:
    engine = make_engine(ORCHARD)
    assert engine.ask("Who planted the orchard?").context is None  # first of its paragraph
    assert engine.ask("Where do pears sell well?").context is None  # "Pears" points nowhere
