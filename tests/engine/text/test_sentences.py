"""Sentence splitting of news paragraphs (bot/engine/text/sentences.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.engine import load_corpus, sentences, split_sentences
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]
STORY_FILE = "putin-visits-syria-to-meet-assad.txt"

STORY_QUOTE = (
    "Putin said \u201chuge distance has been covered in terms of restoring Syria\u2019s statehood,\u201d Peskov said."
)
DRONE_STRIKE = (
    "On Friday, a U.S. drone strike killed a top Iranian general who led forces supporting Assad "
    "in Syria\u2019s civil war."
)

CASES = [
    # Abbreviations.
    pytest.param(
        "Mr. Smith went to Washington. He arrived late.",
        ["Mr. Smith went to Washington.", "He arrived late."],
        id="mr",
    ),
    pytest.param(
        "Gen. Qassem Soleimani was killed. Iran vowed revenge.",
        ["Gen. Qassem Soleimani was killed.", "Iran vowed revenge."],
        id="gen",
    ),
    pytest.param(
        "Sen. John McCain spoke. He was brief.",
        ["Sen. John McCain spoke.", "He was brief."],
        id="sen",
    ),
    pytest.param(
        "He lives on St. Mark Street. It is quiet.",
        ["He lives on St. Mark Street.", "It is quiet."],
        id="st",
    ),
    pytest.param(
        "The talks began Jan. 5 in Geneva. They ended a week later.",
        ["The talks began Jan. 5 in Geneva.", "They ended a week later."],
        id="jan-5",
    ),
    pytest.param(
        "Dr. Jones met Prof. Smith. They talked.",
        ["Dr. Jones met Prof. Smith.", "They talked."],
        id="dr-prof",
    ),
    # Initials and acronyms.
    pytest.param(
        "The book is by J. K. Rowling. It sold well.",
        ["The book is by J. K. Rowling.", "It sold well."],
        id="initials",
    ),
    pytest.param(
        "On Friday, a U.S. drone strike killed a general. Iran vowed revenge.",
        ["On Friday, a U.S. drone strike killed a general.", "Iran vowed revenge."],
        id="us-mid-sentence",
    ),
    pytest.param(
        "The U.S. Army arrived. Troops deployed.",
        ["The U.S. Army arrived.", "Troops deployed."],
        id="us-army",
    ),
    pytest.param(
        "The troops stayed in the U.S. The next day they left.",
        ["The troops stayed in the U.S.", "The next day they left."],
        id="us-end-of-sentence",
    ),
    # Quotes.
    pytest.param(
        "He said, \u201cWe will win.\u201d The crowd cheered.",
        ["He said, \u201cWe will win.\u201d", "The crowd cheered."],
        id="closing-curly-quote-after-stop",
    ),
    pytest.param(
        'He said, "We will win." The crowd cheered.',
        ['He said, "We will win."', "The crowd cheered."],
        id="closing-straight-quote-after-stop",
    ),
    pytest.param(
        "\u201cWe will win,\u201d he said. The crowd cheered.",
        ["\u201cWe will win,\u201d he said.", "The crowd cheered."],
        id="comma-inside-quote",
    ),
    pytest.param(
        STORY_QUOTE,
        [STORY_QUOTE],
        id="story-quote",
    ),
    pytest.param(
        "He said \u201cno.\u201d Then he left.",
        ["He said \u201cno.\u201d", "Then he left."],
        id="quoted-no",
    ),
    pytest.param(
        "(This is an aside.) Another sentence.",
        ["(This is an aside.)", "Another sentence."],
        id="closing-bracket",
    ),
    # Datelines.
    pytest.param(
        "DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled to Syria. He met Assad.",
        ["DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled to Syria.", "He met Assad."],
        id="dateline",
    ),
    # Numbers.
    pytest.param(
        "More than 400,000 people have been killed. The war went on.",
        ["More than 400,000 people have been killed.", "The war went on."],
        id="thousands",
    ),
    pytest.param(
        "Growth was 3.5 percent. It was slow.",
        ["Growth was 3.5 percent.", "It was slow."],
        id="decimal",
    ),
    pytest.param(
        "The nearly 9-year-old war continues. It is bloody.",
        ["The nearly 9-year-old war continues.", "It is bloody."],
        id="9-year-old",
    ),
    pytest.param(
        "He was born in 1990. 400,000 people were there.",
        ["He was born in 1990.", "400,000 people were there."],
        id="number-starts-sentence",
    ),
    # Other endings.
    pytest.param(
        "What happened? Nobody knows! The end.",
        ["What happened?", "Nobody knows!", "The end."],
        id="question-exclamation",
    ),
    pytest.param("Really?! Yes.", ["Really?!", "Yes."], id="interrobang"),
    pytest.param("Wait... What happened?", ["Wait...", "What happened?"], id="ellipsis"),
    pytest.param("He paused\u2026 Then he spoke.", ["He paused\u2026", "Then he spoke."], id="ellipsis-char"),
    # "No." before a number vs the word "no".
    pytest.param(
        "He is ranked No. 5 in the world. He won.",
        ["He is ranked No. 5 in the world.", "He won."],
        id="no-5",
    ),
    pytest.param(
        "The answer was no. The vote failed.",
        ["The answer was no.", "The vote failed."],
        id="answer-was-no",
    ),
    # Shape.
    pytest.param("Putin met Assad in Damascus.", ["Putin met Assad in Damascus."], id="one-sentence"),
    pytest.param("Putin met Assad in Damascus", ["Putin met Assad in Damascus"], id="no-final-stop"),
    pytest.param("  He left.   She stayed.  ", ["He left.", "She stayed."], id="extra-space"),
    pytest.param("He left.\nShe stayed.", ["He left.", "She stayed."], id="newline"),
    pytest.param("", [], id="empty"),
    pytest.param("   \n ", [], id="blank"),
]


@pytest.mark.parametrize(("paragraph", "expected"), CASES)
def test_split(paragraph: str, expected: list[str]) -> None:
    assert sentences(paragraph) == expected


@pytest.mark.parametrize(("paragraph", "expected"), CASES)
def test_spans_select_the_sentences(paragraph: str, expected: list[str]) -> None:
    assert [paragraph[a:b] for a, b in split_sentences(paragraph)] == expected


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        pytest.param(
            "\u201cWhy now?\u201d he asked. Nobody answered.",
            ["\u201cWhy now?\u201d he asked.", "Nobody answered."],
            id="question-in-quote-then-attribution",
        ),
        pytest.param(
            '"Stop!" she shouted. He stopped.',
            ['"Stop!" she shouted.', "He stopped."],
            id="exclamation-in-quote-then-attribution",
        ),
        pytest.param(
            "He arrived at 5 p.m. and left at 6.",
            ["He arrived at 5 p.m. and left at 6."],
            id="pm-then-lower-case",
        ),
    ],
)
def test_lower_case_next_word_does_not_start_a_sentence(paragraph: str, expected: list[str]) -> None:
    assert sentences(paragraph) == expected


# ---------------------------------------------------------------------------
# Properties of the spans for any text.

_NEWSY = st.lists(
    st.sampled_from(
        [
            *"aZq1 .!?\u2026\"'\u201c\u201d\u2018\u2019()[]\u00ab\u00bb,:;-\u2014\n\t\u00a0\u2003\u00e9",
            "Mr.",
            "U.S.",
            "J.",
            "No.",
            " 5",
            "e.g.",
            "St.",
            " The ",
            " the ",
            "...",
        ]
    ),
    max_size=40,
).map("".join)


def _check_spans(paragraph: str) -> None:
    spans = split_sentences(paragraph)
    previous_end = 0
    covered = [False] * len(paragraph)
    for start, end in spans:
        assert previous_end <= start < end <= len(paragraph), spans
        text = paragraph[start:end]
        assert text, spans
        assert text == text.strip(), spans
        for i in range(start, end):
            covered[i] = True
        previous_end = end
    for i, ch in enumerate(paragraph):
        assert covered[i] or ch.isspace(), f"character {i} ({ch!r}) is in no sentence: {spans}"
    assert sentences(paragraph) == [paragraph[a:b] for a, b in spans]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80) | _NEWSY)
@example("")
@example(" . . . ")
@example(". Hello")
@example("Mr. \u00a0 Smith.\u2003 He")
@example("\u201cNo.\u201d \u201cYes.\u201d")
def test_spans_are_ordered_stripped_and_cover_all_text(paragraph: str) -> None:
    _check_spans(paragraph)


# ---------------------------------------------------------------------------
# The real story.


@pytest.fixture(scope="module")
def story_paragraphs() -> tuple[str, ...]:
    corpus = load_corpus(STORY_CORPUS)
    (article,) = [a for a in corpus.articles if a.source == STORY_FILE]
    return article.paragraphs


def test_story_splits_into_17_sentences(story_paragraphs: tuple[str, ...]) -> None:
    all_sentences = [s for p in story_paragraphs for s in sentences(p)]
    assert len(all_sentences) == 17
    for paragraph in story_paragraphs:
        _check_spans(paragraph)


def test_story_us_drone_strike_sentence_is_whole(story_paragraphs: tuple[str, ...]) -> None:
    all_sentences = [s for p in story_paragraphs for s in sentences(p)]
    assert DRONE_STRIKE in all_sentences


def test_story_sentence_counts_per_paragraph(story_paragraphs: tuple[str, ...]) -> None:
    assert [len(sentences(p)) for p in story_paragraphs] == [1, 1, 2, 1, 2, 1, 1, 2, 1, 2, 2, 1]


def test_story_dateline_and_us_killing_stay_in_their_sentences(story_paragraphs: tuple[str, ...]) -> None:
    all_sentences = [s for p in story_paragraphs for s in sentences(p)]
    assert all_sentences[0].startswith("DAMASCUS, Syria \u2014 Russian President Vladimir Putin travelled")
    assert any(s.startswith("While the official statements made no mention of the U.S. killing") for s in all_sentences)
    assert "Russia joined the war in 2015." in all_sentences
