"""Discord's text (``bot/ui/formatting.py``): verbatim quotes with markdown
escaped and the matched words in bold, links that do not unfurl, and every
reply within Discord's limits.  What a reply says, the same on the command
line: ``tests/test_render.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Answer, Article, Engine, Reason, Result, word_spans
from bot.ui.formatting import (
    MAX_CONTENT,
    escape,
    highlight,
    paragraph_text,
    quote_block,
    reply_text,
    source_line,
)
from tests.harness.replies import ARTICLE, unescape
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def story() -> Engine:
    return Engine.from_folder(STORY_CORPUS)


def test_story_answer_looks_like_the_product(story: Engine) -> None:
    text = reply_text(story.ask("Where did Putin and Assad meet?"), story.articles)
    first, source = text.split("\n")[:2]
    assert first.startswith("> **Putin** and **Assad met** Tuesday at a Russian command post in Damascus")
    assert source == (
        "\u2014 \u201cPutin visits Syria to meet Assad, a key Iran ally\u201d, "
        "The Associated Press (Albert Aji and Daria Litvinova), paragraph 6"
    )


def test_quote_shows_the_corpus_text_as_written(story: Engine) -> None:
    result = story.ask("Where did Putin and Assad meet?")
    quoted = reply_text(result, story.articles).split("\n")[0][2:]
    assert unescape(quoted.replace("**", "")) == result.answers[0].text


def test_markdown_is_escaped() -> None:
    assert escape("a *b* _c_ ~~d~~ `e` |f|") == r"a \*b\* \_c\_ \~\~d\~\~ \`e\` \|f\|"
    assert "\n" not in escape("line one\nline two")


def test_bold_only_on_matched_words() -> None:
    out = highlight("Putin met Assad in Damascus.", frozenset({"putin", "damascus"}))
    assert out == "**Putin** met Assad in **Damascus**."


def test_adjacent_matches_merge_into_one_bold_run() -> None:
    assert highlight("Putin and Assad met", frozenset({"assad", "meet"})) == "Putin and **Assad met**"


def test_source_line_has_link_and_escaped_title() -> None:
    line = source_line(ARTICLE, 2)
    assert line.startswith("\u2014 \u201cA \\*bold\\* title\u201d, The Daily (Ann Lee and Bo Chan), paragraph 2")
    assert line.endswith("<https://example.com/story>")


def test_byline_answers_say_byline() -> None:
    assert source_line(ARTICLE, 0).endswith("byline <https://example.com/story>")


def test_paragraph_text_quotes_the_whole_paragraph() -> None:
    text = paragraph_text(ARTICLE, 2)
    # Shown as written: Discord hides a backslash before punctuation.
    assert text.startswith("> Second paragraph with \\*\\*stars\\*\\* and \\@everyone.")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=6000), st.text(min_size=1, max_size=3000))
def test_any_text_stays_within_limits(sentence: str, title: str) -> None:
    article = Article(id="x", title=title, paragraphs=(sentence or "x",), publisher=title, authors=(title,))
    answers = (Answer(sentence, article, 1, 0, 1.0), Answer(sentence, article, 1, 0, 1.0))
    assert len(reply_text(Result("q", True, answers, 1.0), [article])) <= MAX_CONTENT
    assert len(reply_text(Result("q", False, answers, 1.0, Reason.NOT_COVERED), [article] * 50)) <= MAX_CONTENT
    assert len(paragraph_text(article, 1)) <= MAX_CONTENT


def test_mention_syntax_in_corpus_text_shows_as_written() -> None:
    """``<@id>`` in a sentence would show as a mention (and @everyone
    highlighted) if left as is; escaped, Discord shows the characters."""
    text = escape("Ask <@123>, <@&45> or <#9> at <t:1700000000> (@everyone, @here).")
    assert text == "Ask \\<@123>, \\<@&45> or \\<#9> at \\<t:1700000000> (\\@everyone, \\@here)."


def test_a_run_of_sentences_is_one_quote_with_its_source() -> None:
    first = Answer("Ann Lee founded the paper.", ARTICLE, 2, 4, 0.0)
    sold = frozenset(term for _, _, term in word_spans("sold"))
    second = Answer("She sold it in 2010.", ARTICLE, 2, 5, 1.0, sold)
    assert quote_block(first, second) == (
        "> Ann Lee founded the paper.\n> She **sold** it in 2010.\n" + source_line(ARTICLE, 2)
    )


def test_the_decline_names_the_story_escaped_and_fits() -> None:
    text = reply_text(Result("chess?", False, (), 1.0, Reason.NOT_COVERED), [ARTICLE])
    assert text == "The story doesn't say. It covers \u201cA \\*bold\\* title\u201d."
    hi = reply_text(Result("hi", False, (), 1.0, Reason.NO_CONTENT), [ARTICLE] * 50)
    assert hi.startswith("Ask me a question about the story in plain words")
    assert hi.endswith("and 47 more.")
    assert len(hi) <= MAX_CONTENT
