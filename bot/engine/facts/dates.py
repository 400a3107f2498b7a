"""Dates as news articles write them, found in a sentence and resolved
against the article's publication date.

Found: years ("in 2015"), months ("May 2018", "in October"), full dates
("Jan. 5, 2020", "5 January 2020", "2020-01-05"), weekdays ("on Friday",
"Tuesday"), and relative expressions ("yesterday", "last week", "last
month", "three years ago", "in recent weeks").  Each is kept as written,
with the preposition that introduces it ("On Friday", "in 2015").

Resolved: a year or a month with its year needs nothing; a weekday, "last
month", "two days ago" or a day without its year need the publication date
(a weekday is the latest such day on or before it; "next Friday" the first
after it).  What a publication date cannot fix to a day, month or year
("last week", "in recent weeks") stays unresolved: ``Found.date`` None.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sept sep",
            "october oct",
            "november nov",
            "december dec",
        )
    )
    for name in names.split()
}
WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
NUMBERS = {w: i + 1 for i, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split())}
NUMBERS.update({"a": 1, "an": 1, "several": 0, "a few": 0, "few": 0})

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_COUNT = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an|several|a few)"
_UNIT = r"(?:day|week|month|year)s?"
_LEAD = r"(?:\b(?i:on|in|since|by|until|during|from|before|after|early|late|earlier|mid-?)\s+)?"

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile((_LEAD if kind != "month" else "") + body))
    for kind, body in (
        ("iso", r"\b(?P<y>" + _YEAR + r")-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b"),
        ("mdy", r"\b(?P<mon>" + _MONTH + r")\s+(?P<d>" + _DAY + r")(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
        ("dmy", r"\b(?P<d>" + _DAY + r")\s+(?P<mon>" + _MONTH + r")(?:,?\s+(?P<y>" + _YEAR + r"))?\b"),
        ("my", r"\b(?P<mon>" + _MONTH + r"),?\s+(?P<y>" + _YEAR + r")\b"),
        (
            "month",
            r"\b(?<!-)(?i:in|since|until|by|during|early|late|mid-?|last|next|this|in\s+early|in\s+late)\s+"
            r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)\b",
        ),
        ("year", r"(?<![\d,.$€£])\b(?P<y>" + _YEAR + r")\b(?!\d|,\d|%|\s*(?:people|percent|troops|times))"),
        (
            "weekday",
            r"\b(?P<rel>last\s+|next\s+|this\s+|[Ll]ate\s+|[Ee]arly\s+)?(?P<wd>" + _WEEKDAY + r")\b"
            r"(?:\s+(?P<part>morning|afternoon|evening|night))?",
        ),
        ("season", r"\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his)\s+(?P<season>spring|summer|autumn|fall|winter)\b"),
        ("day", r"\b(?P<word>[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow)\b"),
        ("ago", r"\b(?P<n>" + _COUNT + r")\s+(?P<unit>" + _UNIT + r")\s+ago\b"),
        ("last", r"\b(?P<rel>[Ll]ast|[Nn]ext|[Tt]his|[Ee]arlier\s+this|[Ll]ater\s+this)\s+(?P<unit>week|month|year)\b"),
        (
            "recent",
            r"\b(?:[Ii]n\s+)?(?:recent|the\s+past|the\s+last|the\s+coming)\s+(?:few\s+)?(?P<unit>" + _UNIT + r")\b",
        ),
    )
)
"""Each kind of date expression; ``_LEAD`` takes the preposition with it."""

_RELATIVE_KINDS = frozenset({"weekday", "day", "ago", "last", "recent", "season"})
SEASON_STARTS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
"""The month each season starts in (the northern hemisphere's)."""


@dataclass(frozen=True, slots=True)
class Found:
    """One date expression of a sentence."""

    when: str
    """As written, with its preposition ("On Friday", "in May 2018")."""
    start: int
    """Where it starts in the sentence."""
    date: str | None
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; None when it cannot be fixed."""
    relative: bool
    """Whether it is written relative to the article's time ("Tuesday",
    "last week"), resolved or not."""


def parse_published(value: str | None) -> dt.date | None:
    """An article's publication date (``published``: ISO, with or without a
    time), or None."""
    if not value:
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if match is None:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


_FUTURE = re.compile(r"\b(?:will|won't|(?:is|are) (?:set|due|scheduled|expected) (?:for|to|on|in))\b|['\u2019]ll\b")
"""A sentence that speaks of what is to come: its weekdays and months lie
ahead of the publication date, not behind it."""


def find_dates(sentence: str, published: dt.date | None) -> list[Found]:
    """The date expressions of ``sentence``, in the order written, none
    overlapping another (the longer, more precise one wins)."""
    future = _FUTURE.search(sentence) is not None
    taken: list[tuple[int, int]] = []
    out: list[Found] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(sentence):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            if kind == "mdy" and match["mon"] == "May" and not match["y"] and not _is_day(match["d"]):
                continue
            date = _resolve(kind, match, published, future)
            taken.append(span)
            when, start = match[0].strip(), span[0]
            if sentence[span[1] : span[1] + 2] in ("'s", "\u2019s") and " " in when:
                start += len(when) - len(when.split(" ", 1)[1])
                when = when.split(" ", 1)[1]  # "in Tuesday's election": the date is "Tuesday"
            out.append(Found(when, start, date, kind in _RELATIVE_KINDS))
    return sorted(out, key=lambda f: f.start)


def _is_day(text: str) -> bool:
    return text.rstrip("stndrh").isdigit()


def _resolve(kind: str, m: re.Match[str], pub: dt.date | None, future: bool = False) -> str | None:
    """The date ``m`` names, as precisely as it says (``future``: a
    weekday or a month without its year lies ahead)."""
    groups = m.groupdict()
    if kind in ("iso", "mdy", "dmy", "my", "month", "year"):
        return _absolute(groups, pub, future)
    if pub is None:
        return None
    if kind == "weekday":
        target = WEEKDAYS[m["wd"].lower()]
        rel = (m["rel"] or "").strip().lower()
        if rel == "next" or (future and rel != "last"):
            return (pub + dt.timedelta(days=(target - pub.weekday() - 1) % 7 + 1)).isoformat()
        back = (pub.weekday() - target) % 7
        if rel == "last" and back == 0:
            back = 7
        return (pub - dt.timedelta(days=back)).isoformat()
    if kind == "day":
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[m["word"].lower()]
        return (pub + dt.timedelta(days=shift)).isoformat()
    if kind == "season":
        return _season(m["rel"].lower(), SEASON_STARTS[m["season"]], pub)
    if kind == "ago":
        return _ago(str(m["n"]).lower(), str(m["unit"]).lower().rstrip("s"), pub)
    if kind == "last":
        return _last(
            m["rel"].lower().split()[-1], m["unit"].lower(), pub, m["rel"].lower().startswith(("earlier", "later"))
        )
    return None


def _absolute(g: dict[str, str | None], pub: dt.date | None, future: bool = False) -> str | None:
    year = int(g.get("y") or 0) or None
    month = MONTHS.get((g.get("mon") or "").lower().rstrip("."), int(g.get("m") or 0))
    day = int((g.get("d") or "0").rstrip("stndrh") or 0)
    if year is None:
        if pub is None:
            return None
        year = pub.year
        if future and (month, day) < (pub.month, pub.day):
            year += 1  # "will open in March", written in October: the next one
        elif not future and (month, day) > (pub.month, pub.day) and (month - pub.month) % 12 > 1:
            year -= 1  # "in October", written in January: the last one
    if not month:
        return f"{year:04d}"
    if not day:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def _season(rel: str, start: int, pub: dt.date) -> str:
    """The year of "next summer" (the first to start after ``pub``), "last
    winter" (the latest to start before it) or "this spring"."""
    if rel == "next":
        return f"{pub.year if start > pub.month else pub.year + 1:04d}"
    if rel == "last":
        return f"{pub.year if start < pub.month else pub.year - 1:04d}"
    return f"{pub.year:04d}"


def _ago(n: str, unit: str, pub: dt.date) -> str | None:
    count = int(n) if n.isdigit() else NUMBERS.get(n, 0)
    if count <= 0:
        return None
    if unit == "day":
        return (pub - dt.timedelta(days=count)).isoformat()
    if unit == "week":
        return (pub - dt.timedelta(weeks=count)).isoformat()
    if unit == "month":
        months = pub.year * 12 + pub.month - 1 - count
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return f"{pub.year - count:04d}"


def _last(rel: str, unit: str, pub: dt.date, within: bool) -> str | None:
    """ "last month", "this year", "earlier this month"; a week has no
    written form of its own: None."""
    shift = 0 if within or rel == "this" else (-1 if rel == "last" else 1)
    if unit == "month":
        months = pub.year * 12 + pub.month - 1 + shift
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    if unit == "year":
        return f"{pub.year + shift:04d}"
    return None


def sort_key(date: str) -> tuple[int, int, int]:
    """A resolved date's place in time (a year before its months, a month
    before its days)."""
    parts = [int(p) for p in date.split("-")]
    return (parts[0], parts[1] if len(parts) > 1 else 0, parts[2] if len(parts) > 2 else 0)
