"""What a reply says (``bot/render.py``), the same on the command line and on
Discord: the quotes and their source lines, a second sentence only when it
adds something, the sentence an answer depends on, what goes first when a
reply is too long, and the honest decline.  Discord's escaping and bold:
``tests/ui/test_formatting.py``."""

from __future__ import annotations

from bot.engine import Answer, Article, Reason, Result
from bot.render import PLAIN, answer_text, covers, decline_text, ranked_text, result_text, shorten, source_line
from bot.ui.formatting import DISCORD
from tests.harness.replies import ARTICLE, unescape

OTHER = Article(id="b", title="Another story", paragraphs=("Its only paragraph.",))


# -- source lines ----------------------------------------------------------------------------


def test_source_line_names_title_publisher_authors_paragraph_and_link() -> None:
    assert source_line(ARTICLE, 2) == (
        "\u2014 \u201cA *bold* title\u201d, The Daily (Ann Lee and Bo Chan), paragraph 2, https://example.com/story"
    )
    assert source_line(OTHER, 1) == "\u2014 \u201cAnother story\u201d, paragraph 1"


def test_byline_answers_say_byline() -> None:
    assert source_line(ARTICLE, 0).endswith("byline, https://example.com/story")
    assert source_line(ARTICLE, 0, DISCORD).endswith("byline <https://example.com/story>")


# -- what an answer quotes -------------------------------------------------------------------


def test_second_answer_only_when_close() -> None:
    a = Answer("First paragraph.", ARTICLE, 1, 0, 1.0)
    close = Answer("Second paragraph with **stars** and @everyone.", ARTICLE, 2, 1, 0.95)
    far = Answer("Second paragraph with **stars** and @everyone.", ARTICLE, 2, 1, 0.5)
    assert len(Result("q", True, (a, close), 1.0).shown()) == 2
    assert len(Result("q", True, (a, far), 1.0).shown()) == 1
    both = answer_text(Result("q", True, (a, close), 1.0)).split("\n\n")
    assert [block.split("\n")[0] for block in both] == [f"> {a.text}", f"> {close.text}"]
    assert answer_text(Result("q", True, (a, far), 1.0)) == f"> {a.text}\n{source_line(ARTICLE, 1)}"


def test_a_sentence_and_the_one_it_depends_on_share_one_quote() -> None:
    before = Answer("Ann Lee founded the paper.", ARTICLE, 2, 4, 0.0)
    best = Answer("She sold it in 2010.", ARTICLE, 2, 5, 1.0)
    for style in (PLAIN, DISCORD):
        text = answer_text(Result("q", True, (best,), 1.0, context=before), style)
        lines = text.split("\n")
        assert [unescape(line) for line in lines[:2]] == ["> Ann Lee founded the paper.", "> She sold it in 2010."]
        assert lines[2] == source_line(ARTICLE, 2, style)
        assert len(lines) == 3


def test_a_long_sentence_before_the_answer_is_dropped_rather_than_the_source() -> None:
    before = Answer("*" * 900, ARTICLE, 2, 4, 0.0)
    best = Answer("She sold it in 2010, " + "*" * 870, ARTICLE, 2, 5, 1.0)
    text = answer_text(Result("q", True, (best,), 1.0, context=before), DISCORD, 2000)
    assert len(text) <= 2000
    assert text.startswith("> She sold it in 2010")
    assert text.split("\n")[-1] == source_line(ARTICLE, 2, DISCORD)


def test_over_the_limit_the_second_best_passage_goes_first() -> None:
    a = Answer("A" * 600 + ".", ARTICLE, 1, 0, 1.0)
    close = Answer("B" * 600 + ".", ARTICLE, 2, 1, 0.95)
    result = Result("q", True, (a, close), 1.0)
    assert len(answer_text(result)) > 1000
    assert answer_text(result, PLAIN, 1000) == f"> {a.text}\n{source_line(ARTICLE, 1)}"


# -- the decline -----------------------------------------------------------------------------


def test_decline_is_short_and_names_the_story() -> None:
    result = Result("chess?", False, (), 1.0, Reason.NOT_COVERED)
    text = decline_text(result, [ARTICLE], DISCORD)
    assert text.startswith("The story doesn't say.")
    assert "A \\*bold\\* title" in text
    assert len(text) < 300
    assert decline_text(result, [ARTICLE]) == "The story doesn't say. It covers \u201cA *bold* title\u201d."


def test_a_message_that_asks_nothing_is_shown_how_to_ask() -> None:
    result = Result("hi", False, (), 1.0, Reason.NO_CONTENT)
    text = decline_text(result, [ARTICLE])
    assert text == (
        "Ask me a question about the story in plain words, for example "
        "\u201cWhere did Putin and Assad meet?\u201d. It covers \u201cA *bold* title\u201d."
    )
    assert decline_text(result, [ARTICLE], DISCORD).endswith("It covers \u201cA \\*bold\\* title\u201d.")


def test_covers_names_three_titles_and_counts_the_rest() -> None:
    articles = [Article(id=str(n), title=f"Story {n}", paragraphs=("Text.",)) for n in range(5)]
    assert covers(articles) == "\u201cStory 0\u201d, \u201cStory 1\u201d, \u201cStory 2\u201d and 2 more"
    assert covers(articles[:3]) == "\u201cStory 0\u201d, \u201cStory 1\u201d, \u201cStory 2\u201d"


def test_result_text_is_the_quotes_or_the_decline_within_the_limit() -> None:
    answered = Result("q", True, (Answer("First paragraph.", ARTICLE, 1, 0, 1.0),), 1.0)
    assert result_text(answered, [ARTICLE]) == answer_text(answered)
    declined = Result("q", False, (Answer("First paragraph.", ARTICLE, 1, 0, 0.1),), 1.0, Reason.NO_MATCH)
    assert result_text(declined, [ARTICLE]) == decline_text(declined, [ARTICLE])
    many = [ARTICLE, OTHER, ARTICLE, OTHER]
    assert len(result_text(declined, many, PLAIN, 40)) <= 40


def test_ranked_text_lists_every_sentence_with_its_source() -> None:
    a = Answer("First paragraph.", ARTICLE, 1, 0, 1.0)
    b = Answer("Its only paragraph.", OTHER, 1, 0, 0.2)
    assert ranked_text(Result("q", True, (a, b), 1.0), [ARTICLE, OTHER]) == (
        f"> {a.text}\n{source_line(ARTICLE, 1)}\n\n> {b.text}\n{source_line(OTHER, 1)}"
    )
    declined = ranked_text(Result("q", False, (b,), 1.0, Reason.NO_MATCH), [ARTICLE, OTHER])
    assert declined.split("\n\n")[:2] == [
        decline_text(Result("q", False, (), 1.0), [ARTICLE, OTHER]),
        "Closest sentences:",
    ]


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("short", 10) == "short"
    assert shorten("one two three four", 10) == "one two\u2026"
    assert len(shorten("x" * 50, 10)) == 10


def test_a_close_miss_says_the_story_does_not_say_exactly_and_quotes_the_closest() -> None:
    closest = Answer("Second paragraph *starred*.", ARTICLE, 2, 0, 0.4)
    result = Result("q", False, (closest, Answer("First paragraph.", ARTICLE, 1, 0, 0.1)), 1.0, Reason.CLOSE)
    text = result_text(result, [ARTICLE])
    assert text.startswith("The story doesn't say exactly. The closest it comes:")
    assert "> Second paragraph *starred*." in text
    assert "First paragraph." not in text  # the closest one only
    on_discord = result_text(result, [ARTICLE], DISCORD, 2000)
    assert "\\*starred\\*" in on_discord  # quoted as written
    assert len(result_text(result, [ARTICLE], DISCORD, 60)) <= 60
    # Without a sentence to quote it is the plain decline.
    assert result_text(Result("q", False, (), 1.0, Reason.CLOSE), [ARTICLE]).startswith("The story doesn't say. ")
