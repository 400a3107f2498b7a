"""The analyser shared by corpus and questions (bot/engine/text/tokens.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.text.tokens import STOP_WORDS, normalize, term, tokenize, without_pictographs, word_spans

# ---------------------------------------------------------------------------
# Apostrophes, case, possessives.


@pytest.mark.parametrize(
    "text",
    [
        "Syria",
        "Syria's",
        "Syria\u2019s",  # curly apostrophe, as the story writes it
        "Syria\u2018s",
        "Syria\u02bcs",
        "Syria\uff07s",  # full-width apostrophe
        "SYRIA'S",
        "syria\u2019S",
        "  Syria  ",
    ],
)
def test_apostrophes_case_and_possessive_give_one_term(text: str) -> None:
    assert tokenize(text) == ["syria"]


def test_possessive_in_a_phrase() -> None:
    assert tokenize("Syria\u2019s civil war") == tokenize("syria's civil war") == ["syria", "civil", "war"]
    assert tokenize("Putin\u2019s visit") == tokenize("Putin visit")


def test_contractions_are_stop_words_whatever_the_apostrophe() -> None:
    assert tokenize("don't") == []
    assert tokenize("don\u2019t") == []
    assert tokenize("DON\u2019T") == []


def test_name_with_apostrophe_keeps_one_term() -> None:
    assert tokenize("O'Brien") == tokenize("O\u2019Brien") == tokenize("OBrien")
    assert len(tokenize("O'Brien")) == 1


def test_normalize_case_folds_and_unifies_apostrophes() -> None:
    assert normalize("Syria\u2019s") == "syria's"
    assert normalize("STRASSE") == normalize("stra\u00dfe")  # casefold, not lower


# ---------------------------------------------------------------------------
# Hyphens and numbers.


def test_hyphenated_words_give_their_parts() -> None:
    assert tokenize("Iranian-backed") == ["iranian", "back"]
    assert tokenize("Iranian-backed") == tokenize("Iranian backed")


def test_age_compound_keeps_the_number() -> None:
    assert tokenize("9-year-old") == ["9", "year", "old"]
    assert "9" in tokenize("nearly 9-year-old civil war")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("400,000", "400000"),
        ("More than 400,000 people", "more than 400000 people"),
        ("1,000,000", "1000000"),
        ("1,000.5", "1000.5"),
    ],
)
def test_thousands_separators_are_dropped(a: str, b: str) -> None:
    assert tokenize(a) == tokenize(b)


def test_numbers_stay_whole() -> None:
    assert tokenize("400,000") == ["400000"]
    assert tokenize("3.5") == ["3.5"]
    assert tokenize("in 2015") == ["2015"]
    assert tokenize("\uff13.\uff15") == ["3.5"]  # full-width digits (NFKC)


# ---------------------------------------------------------------------------
# Stemming, irregular verbs, stop words.


def test_stemming_joins_inflections() -> None:
    assert tokenize("killed") == tokenize("killing") == tokenize("kills") == tokenize("kill") == ["kill"]
    assert tokenize("visits") == tokenize("visited") == tokenize("visit")


@pytest.mark.parametrize(
    ("form", "base"),
    [
        ("met", "meet"),
        ("meeting", "meet"),
        ("led", "lead"),
        ("won", "win"),
        ("fought", "fight"),
        ("took", "take"),
        ("came", "come"),
        ("children", "child"),
    ],
)
def test_irregular_forms_meet_their_base(form: str, base: str) -> None:
    assert tokenize(form) == tokenize(base)
    assert tokenize(form.upper()) == tokenize(base)


def test_stop_words_are_dropped() -> None:
    assert tokenize("the and of is to a in") == []
    assert tokenize("Where did Putin and Assad meet?") == ["putin", "assad", "meet"]
    # The verbs of asking carry no topic.
    assert tokenize("Tell me what they said") == []
    for word in ("the", "and", "said", "where"):
        assert word in STOP_WORDS
        assert term(word) is None


def test_tokens_keep_text_order() -> None:
    assert tokenize("Assad met Putin in Damascus") == ["assad", "meet", "putin", "damascus"]


# ---------------------------------------------------------------------------
# Invisible characters and accents.


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_do_not_split_words(invisible: str) -> None:
    assert tokenize(f"Sy{invisible}ria") == ["syria"]
    assert tokenize(f"Da{invisible}mas{invisible}cus") == tokenize("Damascus")


@pytest.mark.parametrize("text", ["Pok\u00e9mon", "Poke\u0301mon", "POK\u00c9MON", "Pokemon"])
def test_accents_are_folded(text: str) -> None:
    assert tokenize(text) == ["pokemon"]


def test_accents_fold_in_names() -> None:
    assert tokenize("Beyonc\u00e9") == tokenize("Beyonce")
    assert tokenize("S\u00e3o Paulo") == tokenize("Sao Paulo")


def test_compatibility_forms_are_normalised() -> None:
    assert tokenize("\ufb01nd") == tokenize("find")  # "fi" ligature
    assert tokenize("\uff21\uff53\uff53\uff41\uff44") == ["assad"]  # full-width letters


# ---------------------------------------------------------------------------
# Odd input.


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "\U0001f389\U0001f525",
        "!!!???...",
        "\x00\x01\x7f",
        "_",
        "\ud800",  # lone surrogate
        "\u202eevil\u202c",
        "a" * 10_000,
        "\u0301\u0301\u0301",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    ],
)
def test_odd_input_does_not_crash(text: str) -> None:
    result = tokenize(text)
    assert isinstance(result, list)
    assert all(isinstance(t, str) and t for t in result)
    list(word_spans(text))


def test_emoji_and_punctuation_give_no_terms() -> None:
    assert tokenize("\U0001f389\U0001f525 !!! ???") == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_tokenize_never_crashes_and_gives_non_empty_terms(text: str) -> None:
    terms = tokenize(text)
    assert all(isinstance(t, str) and t and t not in STOP_WORDS for t in terms)
    for start, end, t in word_spans(text):
        assert 0 <= start < end <= len(text)
        assert t


# ---------------------------------------------------------------------------
# word_spans: offsets into the original text.


def test_word_spans_offsets_point_into_the_original() -> None:
    text = "Syria\u2019s civil war, 9-year-old, 400,000 Pok\u00e9mon and the killing"
    spans = list(word_spans(text))
    assert [(text[a:b], t) for a, b, t in spans] == [
        ("Syria\u2019s", "syria"),
        ("civil", "civil"),
        ("war", "war"),
        ("9", "9"),
        ("year", "year"),
        ("old", "old"),
        ("400,000", "400000"),
        ("Pok\u00e9mon", "pokemon"),
        ("killing", "kill"),
    ]
    assert [t for _, _, t in spans] == tokenize(text)


def test_word_spans_with_text_whose_normal_form_is_shorter_or_longer() -> None:
    # NFKC and case folding change lengths ("\ufb01" -> "fi", "\u00df" -> "ss"),
    # the offsets must still select the original characters.
    text = "\ufb01nd Stra\u00dfe \uff21\uff53\uff53\uff41\uff44 \u0130stanbul"
    spans = list(word_spans(text))
    assert [text[a:b] for a, b, _ in spans] == [
        "\ufb01nd",
        "Stra\u00dfe",
        "\uff21\uff53\uff53\uff41\uff44",
        "\u0130stanbul",
    ]
    assert [t for _, _, t in spans] == tokenize(text)


def test_word_spans_skip_stop_words() -> None:
    text = "Where did Putin and Assad meet?"
    assert [(text[a:b], t) for a, b, t in word_spans(text)] == [
        ("Putin", "putin"),
        ("Assad", "assad"),
        ("meet", "meet"),
    ]


_WORDY = st.text(
    st.sampled_from(list("abcdeXYZ019 .,;:!?'\u2019-\u00e9\u00c9\u00df\ufb01\u201c\u201d()\n")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_WORDY)
def test_word_spans_are_ordered_and_each_span_analyses_to_its_term(text: str) -> None:
    previous = (0, 0)
    for start, end, t in word_spans(text):
        # A word giving several terms ("G7") repeats its span; spans never overlap otherwise.
        assert (start, end) == previous or previous[1] <= start
        assert start < end <= len(text)
        previous = (start, end)
        assert t in tokenize(text[start:end])


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u2060"])
def test_word_spans_invisible_characters_do_not_split_words(invisible: str) -> None:
    text = f"Sy{invisible}ria"
    assert list(word_spans(text)) == [(0, len(text), "syria")]


def test_word_spans_decomposed_accents_do_not_split_words() -> None:
    text = "Poke\u0301mon"
    assert list(word_spans(text)) == [(0, len(text), "pokemon")]


def test_word_spans_terms_match_tokenize_for_letters_and_digits() -> None:
    text = "the G7 summit"
    assert [t for _, _, t in word_spans(text)] == tokenize(text)


@pytest.mark.parametrize(
    ("asked", "read"),
    [
        ("death toll? 🤔", "death toll?"),
        ("👍🏽 who won", "who won"),  # a skin tone
        ("🇸🇾 where is Idlib", "where is Idlib"),  # a flag: two regional indicators
        ("👨‍👩‍👧 how many children", "how many children"),  # joined by zero-width joiners
        ("weather in Damascus ☀️", "weather in Damascus"),  # a dingbat and its variation selector
        ("how long? 😂 🤔\n", "how long?"),
        ("pick one 1️⃣", "pick one 1"),  # a keycap keeps its digit
    ],
)
def test_without_pictographs_takes_emoji_out(asked: str, read: str) -> None:
    assert without_pictographs(asked) == read


@pytest.mark.parametrize(
    "text",
    [
        "Qu’est-ce que c’est ? Æ ß 東京 مرحبا 50 °C £5 —",
        "plain ascii :) <3",
        "line one\nline two",
        "What English phrase does I ❤ NY represent?",  # between words: it may mean something
    ],
)
def test_without_pictographs_keeps_every_other_character_and_those_between_words(text: str) -> None:
    assert without_pictographs(text) == text
