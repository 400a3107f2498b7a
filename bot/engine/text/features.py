"""Cheap signals that re-rank the best BM25 candidates.

BM25 sees a bag of words.  Two things it misses are worth a few points of
P@1 each and cost a fraction of a millisecond on a few dozen candidates:

* **Phrases**: a question's consecutive content words that stand next to each
  other in the sentence too ("command post", "civil war", "Super Bowl").
* **Answer types**: a "when" question is answered by a sentence with a date
  or a day in it, "how many" by one with a number, "where" by one that names
  a place, "who" by one that names a person.  Lexical cues are enough to
  break ties between sentences that share the same question words.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from bot.engine.text.tokens import normalize

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|twenty|thirty|forty|"
    "fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|"
    "billions|trillion|half|percent|several|few"
)

_TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    "when": re.compile(
        rf"\b(?:{_MONTHS}|{_DAYS})\b|\b(?:1\d{{3}}|20\d{{2}})s?\b|\b\d{{1,2}}(?:st|nd|rd|th)\b|"
        r"\b(?:century|centuries|decade|yesterday|today|tomorrow|ago|morning|evening|night|week|weekend|"
        r"month|year|season|era|period|since|until|during)\b",
        re.IGNORECASE,
    ),
    "number": re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    "where": re.compile(
        r"\b(?:in|at|near|from|to|into|across|outside|inside|toward|towards|between)\s+(?:the\s+)?"
        rf"(?!(?i:{_MONTHS}|{_DAYS})\b)[A-Z][\w'’-]+"
        r"|\b(?:city|town|village|capital|province|region|country|state|county|district|island|"
        r"river|mountain|border|north|south|east|west|northern|southern|eastern|western|"
        r"northwestern|northeastern|southwestern|southeastern|headquarters|located|base|post)\b"
    ),
    "who": re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)+"),
}

_QUESTION_TYPES: list[tuple[str, re.Pattern[str]]] = [
    (
        "number",
        re.compile(
            r"\bhow (?:many|much|long|old|far|big|large|tall|high|often)\b|"
            r"\bwhat (?:number|percentage|percent|amount|proportion|share)\b"
        ),
    ),
    (
        "when",
        re.compile(
            r"\bwhen\b|\bwhat (?:year|date|day|time|month|decade|century|period)\b|"
            r"\bwhich (?:year|date|day|month|decade|century)\b|\bhow long ago\b"
        ),
    ),
    (
        "where",
        re.compile(
            r"\bwhere\b|\b(?:what|which) (?:country|city|town|place|region|state|province|"
            r"location|continent|area|venue|site)\b"
        ),
    ),
    (
        "who",
        re.compile(
            r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|man|woman|people|player|team|group|"
            r"company|organization|organisation|leader)\b"
        ),
    ),
]


def question_type(question: str) -> str | None:
    """The kind of answer a question wants: "when", "number", "where",
    "who", or None when it cannot tell (what/why/how questions)."""
    text = normalize(question)
    best: tuple[int, str] | None = None
    for kind, pattern in _QUESTION_TYPES:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None


_DEFINITION = re.compile(
    r"^\W*(?:who|what)(?:\s*'?\s*s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+)?(?P<subject>[^?.!]{1,60}?)\W*$"
)


def definition_subject(question: str) -> str | None:
    """What a "who is X?" / "what is X?" question asks to have defined (X),
    when that is all it asks; else None."""
    m = _DEFINITION.match(normalize(question))
    return m["subject"] if m else None


def matches_type(kind: str, sentence: str) -> bool:
    """Does ``sentence`` contain the kind of thing a ``kind`` question asks for?"""
    return _TYPE_PATTERNS[kind].search(sentence) is not None


def phrase_matches(question_terms: Sequence[str], sentence_terms: Sequence[str]) -> list[tuple[str, str]]:
    """Pairs of consecutive question terms that are also consecutive (or one
    word apart) in the sentence."""
    if len(question_terms) < 2 or len(sentence_terms) < 2:
        return []
    pos: dict[str, list[int]] = {}
    for i, t in enumerate(sentence_terms):
        pos.setdefault(t, []).append(i)
    found = []
    for a, b in itertools.pairwise(question_terms):
        if a == b or a not in pos or b not in pos:
            continue
        pb = pos[b]
        if any(0 < j - i <= 2 for i in pos[a] for j in pb):
            found.append((a, b))
    return found
