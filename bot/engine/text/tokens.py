"""Turning text into index terms.

One analyser serves both the corpus and the questions, so that whatever a
reader types meets the story's words in the same form:

* Unicode is normalised (NFKC, then accents folded) and case-folded, so
  "Syria’s" (curly apostrophe) and "Syria's" and "SYRIA'S" are one word;
  zero-width characters and soft hyphens are dropped first so they cannot
  split a word in two.
* Possessives lose their "'s" ("Syria's" -> "syria"); contractions keep one
  token ("don't") which the stop list then drops.
* Hyphenated words give their parts ("Iranian-backed" -> "iranian",
  "backed"; "9-year-old" -> "9", "year", "old").
* Numbers keep their digits together: "400,000" and "400000" are one term.
* Common irregular verb forms are mapped to their base form before stemming
  ("met" -> "meet", "said" -> "say"), which Snowball alone cannot do.
* Words are stemmed with the Snowball English stemmer (PyStemmer, in C).
* Stop words are dropped (see ``STOP_WORDS``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

# Characters that are invisible in a message but would split a word.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
# Apostrophe look-alikes folded to "'" (NFKC leaves these alone).
_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u2032\uff07`\u00b4"), "'")
_COMBINING = re.compile(r"[\u0300-\u036f]+")
# A word as written in the original text (for highlighting).
_WORD_CHAR = r"(?:[^\W_]|[\u0300-\u036f\u00ad\u180e\u200b-\u200d\u2060\ufeff])"
_SURFACE = re.compile(rf"{_WORD_CHAR}+(?:['\u2019]{_WORD_CHAR}+)*(?:[.,]\d+)*")

# A number with thousands separators or decimals, or a word with an optional
# apostrophe part ("syria's", "don't").  Letters and digits only: "_" is not a
# word character for us.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)?|[^\W_]+")

STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren't as at be
    because been before being below between both but by can can't cannot could
    couldn't did didn't do does doesn't doing don't down during each few for
    from further had hadn't has hasn't have haven't having he he'd he'll he's
    her here here's hers herself him himself his how how's i i'd i'll i'm i've
    if in into is isn't it it's its itself let's me more most mustn't my myself
    no nor not of off on once only or other ought our ours ourselves out over
    own same shan't she she'd she'll she's should shouldn't so some such than
    that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up
    very was wasn't we we'd we'll we're we've were weren't what what's when
    when's where where's which while who who's whom why why's with won't would
    wouldn't you you'd you'll you're you've your yours yourself yourselves
    s t d ll re ve m also just us one ever yet still will shall may might must
    many much whos whats wheres whens hows co
    tell say said says know please anyone someone something thing things
    anything everything nothing go goes going get gets got put like kind sort
    """.split()
)
"""Function words, plus the verbs of asking ("tell me", "what did X say" still
keeps X): they carry no topic, so a question made only of them has no content.
"say" is a stop word because every news story is full of "said"."""

# Irregular English forms whose Snowball stem differs from the base form's.
_IRREGULAR = {
    "met": "meet",
    "meets": "meet",
    "meeting": "meet",
    "came": "come",
    "comes": "come",
    "coming": "come",
    "went": "go",
    "gone": "go",
    "goes": "go",
    "going": "go",
    "won": "win",
    "wins": "win",
    "winning": "win",
    "led": "lead",
    "leads": "lead",
    "leading": "lead",
    "fought": "fight",
    "fights": "fight",
    "fighting": "fight",
    "sought": "seek",
    "seeks": "seek",
    "took": "take",
    "taken": "take",
    "takes": "take",
    "taking": "take",
    "retook": "retake",
    "retaken": "retake",
    "gave": "give",
    "given": "give",
    "gives": "give",
    "began": "begin",
    "begun": "begin",
    "begins": "begin",
    "held": "hold",
    "holds": "hold",
    "holding": "hold",
    "left": "leave",
    "leaves": "leave",
    "leaving": "leave",
    "made": "make",
    "makes": "make",
    "making": "make",
    "told": "tell",
    "saw": "see",
    "seen": "see",
    "sees": "see",
    "knew": "know",
    "known": "know",
    "thought": "think",
    "brought": "bring",
    "bought": "buy",
    "caught": "catch",
    "taught": "teach",
    "found": "find",
    "got": "get",
    "gotten": "get",
    "spoke": "speak",
    "spoken": "speak",
    "wrote": "write",
    "written": "write",
    "writes": "write",
    "writing": "write",
    "chose": "choose",
    "chosen": "choose",
    "drove": "drive",
    "driven": "drive",
    "flew": "fly",
    "flown": "fly",
    "flies": "fly",
    "grew": "grow",
    "grown": "grow",
    "threw": "throw",
    "thrown": "throw",
    "broke": "break",
    "broken": "break",
    "fell": "fall",
    "fallen": "fall",
    "rose": "rise",
    "risen": "rise",
    "ran": "run",
    "sat": "sit",
    "stood": "stand",
    "struck": "strike",
    "sent": "send",
    "spent": "spend",
    "built": "build",
    "lost": "lose",
    "paid": "pay",
    "sold": "sell",
    "kept": "keep",
    "slept": "sleep",
    "felt": "feel",
    "dealt": "deal",
    "meant": "mean",
    "heard": "hear",
    "became": "become",
    "ate": "eat",
    "eaten": "eat",
    "drew": "draw",
    "drawn": "draw",
    "wore": "wear",
    "worn": "wear",
    "swore": "swear",
    "sworn": "swear",
    "shot": "shoot",
    "hid": "hide",
    "hidden": "hide",
    "bore": "bear",
    "born": "bear",
    "died": "die",
    "dies": "die",
    "dying": "die",
    "killed": "kill",
    "children": "child",
    "men": "man",
    "women": "woman",
    "mice": "mouse",
    "feet": "foot",
    "teeth": "tooth",
}

_stemmer = Stemmer.Stemmer("english")
_stemmer.maxCacheSize = 200_000


PICTOGRAPHS = (
    "[\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff"  # emoji, clocks, dingbats, stars
    "\ufe0e\ufe0f\u200d\u20e3\U000e0020-\U000e007f]"  # what joins and dresses them
)
"""Emoji and other pictographs (faces, hands, flags, dingbats, clocks,
stars), with what joins and dresses them: zero-width joiners, variation
selectors, keycaps and flag tags (skin tones lie in the first range): a
regular expression's character class."""
_PICTOGRAPH = re.compile(PICTOGRAPHS)


def without_pictographs(text: str) -> str:
    """``text`` without the emoji and other pictographs it opens or ends
    with (and the white space around them): readers decorate questions with
    them ("death toll? 🤔"); they ask nothing, but they move the question's
    sentence embedding enough to change its answer.  One between words may
    mean something ("I ❤ NY") and stays."""
    if text.isascii():
        return text
    start, end = 0, len(text)
    while start < end and _decoration(text[start]):
        start += 1
    if text[:start].isspace():
        start = 0  # white space alone is left as it was
    while end > start and _decoration(text[end - 1]):
        end -= 1
    if text[end:].isspace():
        end = len(text)
    return text[start:end]


def _decoration(ch: str) -> bool:
    return ch.isspace() or _PICTOGRAPH.match(ch) is not None


def normalize(text: str) -> str:
    """Case-folded, NFKC-normalised, accent-free text with apostrophes unified.

    The result is only used for matching; quotes always show the original.
    """
    text = text.translate(_INVISIBLE)
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return text.casefold().translate(_APOSTROPHES)


def _words(normalized: str) -> Iterator[str]:
    for match in _TOKEN.finditer(normalized):
        word = match.group()
        if word[0].isdigit():
            if "," in word:
                word = word.replace(",", "")
            yield word
            continue
        if word.endswith("'s"):
            word = word[:-2]
        yield word


@lru_cache(maxsize=500_000)
def term(word: str) -> str | None:
    """The index term of one normalised word, or None for a stop word."""
    if word in STOP_WORDS:
        return None
    if "'" in word:
        # Contractions other than the stop-listed ones ("o'brien"): drop the
        # apostrophe so that "O'Brien" and "OBrien" meet.
        word = word.replace("'", "")
    base = _IRREGULAR.get(word, word)
    if base in STOP_WORDS:
        return None
    stem: str = _stemmer.stemWord(base)
    return None if stem in STOP_WORDS else stem  # "ifs" -> "if"


_WORD_TERMS: dict[str, str] = {}
"""Each word as ``_TOKEN`` finds it in normalised text -> its term ("" for a
stop word): a word is analysed once, then looked up (tokenizing a corpus is
mostly dictionary look-ups)."""
_WORD_TERMS_MAX = 2_000_000


def _analyse(raw: str) -> str:
    """The term of one word as ``_TOKEN`` found it, "" for a stop word (the
    same steps as ``_words`` then ``term``)."""
    word = raw
    if word[0].isdigit():
        if "," in word:
            word = word.replace(",", "")
    elif word.endswith("'s"):
        word = word[:-2]
    found = term(word) or ""
    if len(_WORD_TERMS) >= _WORD_TERMS_MAX:
        _WORD_TERMS.clear()  # a bound on memory for endless new words
    _WORD_TERMS[raw] = found
    return found


def words(text: str) -> list[str]:
    """The words of ``text`` as the tokenizer sees them (normalised; before
    possessives, stemming and stop words): feed each to ``word_term``."""
    return _TOKEN.findall(normalize(text))


def word_term(word: str) -> str:
    """The term of one of ``words``' words; "" for a stop word."""
    found = _WORD_TERMS.get(word)
    return _analyse(word) if found is None else found


def tokenize(text: str) -> list[str]:
    """Index terms of ``text``, in order, stop words removed."""
    table = _WORD_TERMS
    out: list[str] = []
    for word in _TOKEN.findall(normalize(text)):
        found = table.get(word)
        if found is None:
            found = _analyse(word)
        if found:
            out.append(found)
    return out


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, term)`` for each content word of ``text``.

    Offsets index the original text, so that a reply can bold the words of a
    quoted sentence that matched the question without changing the quote.
    Normalisation can change a string's length (NFKC, accents), so words are
    found in the original (invisible characters and combining accents count
    as part of a word) and each is analysed on its own; a word that gives
    several terms ("G7") yields each with the word's span.
    """
    for match in _SURFACE.finditer(text):
        for word in _words(normalize(match.group())):
            t = term(word)
            if t is not None:
                yield match.start(), match.end(), t
