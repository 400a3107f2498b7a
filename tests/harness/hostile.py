"""Hostile questions, and what every reply to one must satisfy.

Shared by ``tests/exts/test_hostile.py`` (simcord, property-based) and
``tests/wire/test_hostile_questions.py`` (the catalogue over the wire fake):

* ``CATALOGUE``: named questions that have broken bots before;
* ``questions()``: a hypothesis strategy mixing words of the story with
  markdown, mentions, zero-width, right-to-left and combining characters,
  emoji, links and arbitrary text;
* ``check_reply``: within Discord's limits, pings nobody, and is exactly
  what the engine's answer formats to, with each quote reading as the
  corpus sentence once Discord has rendered its markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from bot.engine import Engine, Result
from bot.exts.questions import clean_question
from bot.render import shorten
from bot.ui.formatting import MAX_QUOTE, reply_text
from bot.ui.replies import HELP_HINT

MAX_CONTENT = 2000
MAX_CUSTOM_ID = 100
MAX_LABEL = 80
ANSWERED_QUESTION = "Where did Putin and Assad meet?"


def zalgo(text: str, marks: int = 6) -> str:
    """Every letter buried under combining marks."""
    accents = "".join(chr(0x0300 + (i * 7) % 0x70) for i in range(marks))
    return "".join(ch + accents if ch.isalpha() else ch for ch in text)


CATALOGUE: dict[str, str] = {
    "empty": "",
    "whitespace": " \t\n \u00a0\u3000\u2003 \r\n ",
    "10000 characters": (ANSWERED_QUESTION + " ") * 312 + ANSWERED_QUESTION[: 10_000 - 32 * 312],
    "10000 characters, one word": "Damascus" * 1250,
    "zalgo question": zalgo(ANSWERED_QUESTION),
    "zalgo only": zalgo("HE COMES", marks=40),
    "right-to-left override": "\u202e" + ANSWERED_QUESTION + "\u202c",
    "right-to-left scripts": "\u0623\u064a\u0646 \u0627\u0644\u062a\u0642\u0649 \u0628\u0648\u062a\u064a\u0646 "
    "\u05d5\u05d0\u05e1\u05d3? \u200fWhere did Putin and Assad meet?\u200e",
    "zero-width inside words": "Where\u200b did\u200c Putin\u200d and\u2060 Assad\ufeff meet?",
    "zero-width only": "\u200b\u200c\u200d\u2060\ufeff\u180e",
    "zero-width split everyone": "@every\u200bone @\u200bhere Where did Putin and Assad meet?",
    "emoji only": "\U0001f600\U0001f1f8\U0001f1fe\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f525",
    "emoji in a question": "\U0001f1f7\U0001f1fa Where did Putin \U0001f91d Assad meet? \U0001f1f8\U0001f1fe",
    "code block": "```py\nimport os; os.system('rm -rf /')\n```\nWhere did Putin and Assad meet?",
    "unclosed code block": "```Where did Putin and Assad meet?",
    "inline code": "`Where` did `Putin` and ``Assad`` meet?",
    "markdown that breaks the quote": "**Putin** _Assad_ ~~met~~ ||where|| \\\n> quote\n# heading\n-# small\n"
    "- item\n1. first\n>>> Where did Putin and Assad meet?",
    "heading": "# Where did Putin and Assad meet?",
    "nested quotes": "> > >>> Where did Putin and Assad meet?",
    "spoilers": "||" * 300 + " Assad",
    "masked link": "[Where did Putin and Assad meet?](https://evil.example/phish)",
    "backslashes": "\\\\ Where \\*did\\* Putin and Assad meet? \\",
    "@everyone": "@everyone Where did Putin and Assad meet?",
    "@here": "@here where did Putin and Assad meet",
    "user mention": "<@123> <@!123> Where did Putin and Assad meet?",
    "role mention": "<@&456> Where did Putin and Assad meet?",
    "channel mention": "<#789> Where did Putin and Assad meet?",
    "mentions only": "@everyone @here <@123> <@!123> <@&456> <#789>",
    "a wall of pings": "@everyone " * 199,
    "custom emoji and timestamps": "<:putin:111> <a:wave:222> <t:1700000000:R> Where did Putin and Assad meet?",
    "links": "https://example.com/where_did_putin_meet?x=1&y=**2** Where did Putin and Assad meet?",
    "link only": "<https://example.com/a_b_c>",
    "control characters": "Where\x00 did\x07 Putin\x1b[31m and Assad\x7f meet?\x0b\x0c\x1c\x85",
    "format strings": "%s %d %(token)s {0} {question!r} ${DISCORD_TOKEN} Where did Putin and Assad meet?",
    "sql": "'; DROP TABLE questions; -- Where did Putin and Assad meet?",
    "html": '</script><script>alert("Assad")</script><img src=x onerror=alert(1)>',
}

_FRAGMENTS = [
    # words of the story, so that many generated questions are answered
    "Where",
    "When",
    "who",
    "did",
    "Putin",
    "Assad",
    "meet",
    "met",
    "Damascus",
    "Syria",
    "Iran",
    "Russian",
    "command post",
    "Tuesday",
    "2017",
    "Peskov",
    "?",
    # markdown
    "**",
    "*",
    "_",
    "__",
    "~~",
    "||",
    "`",
    "```",
    "\\",
    "> ",
    ">>> ",
    "# ",
    "-# ",
    "- ",
    "1. ",
    "[x](https://evil.example)",
    # mentions
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#789>",
    "<:e:1>",
    "<t:1:R>",
    # invisible, right-to-left, emoji, white space
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u200f",
    "\u05e4\u05d5\u05d8\u05d9\u05df",
    "\u0628\u0648\u062a\u064a\u0646",
    "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1f8\U0001f1fe",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "\u3000",
    # links
    "https://example.com/a_b?c=*d*",
    "<https://example.com>",
]


def questions(max_size: int = 1900) -> st.SearchStrategy[str]:
    """Hostile questions: catalogue entries, mixes of fragments, arbitrary text."""
    fragment = st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.sampled_from(_FRAGMENTS[:17]).map(zalgo),
        st.text(max_size=12),
    )
    mixed = st.lists(fragment, max_size=20).map(" ".join)
    glued = st.lists(fragment, max_size=20).map("".join)
    catalogue = st.sampled_from([q for q in CATALOGUE.values() if len(q) <= max_size])
    return st.one_of(mixed, glued, catalogue, st.text(max_size=300)).map(lambda q: q[:max_size])


# -- what a reader sees ----------------------------------------------------------------


def _escapes(ch: str) -> bool:
    """Discord's rule: a backslash escapes any character but letters, digits
    and white space; before those it is shown as it is."""
    return not ((ch.isascii() and ch.isalnum()) or ch.isspace())


def rendered(line: str) -> str:
    """One line of a reply as Discord shows it, for the markdown the bot
    writes (escapes and ``**`` bold); fails on any markdown left live."""
    assert not re.match(r"(?:>>?>?\s|#{1,3}\s|\s*-|\s*\d+\.\s)", line), f"line-start markdown in {line!r}"
    out: list[str] = []
    bold = 0
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and _escapes(line[i + 1]):
            out.append(line[i + 1])
            i += 2
        elif line.startswith("**", i):
            bold += 1
            i += 2
        else:
            assert ch not in "*_~|`", f"live markdown {ch!r} at {i} in {line!r}"
            if ch == "[":
                assert not re.match(r"\[[^\n]*\]\([^\n]*\)", line[i:]), f"live masked link in {line!r}"
            out.append(ch)
            i += 1
    assert bold % 2 == 0, f"unbalanced bold in {line!r}"
    return "".join(out)


def quotes(content: str) -> list[str]:
    """The quoted sentences of a reply (``> `` lines), as Discord shows them."""
    return [rendered(line[2:]) for line in content.split("\n") if line.startswith("> ")]


# -- the checks ----------------------------------------------------------------------


PING_SYNTAX = re.compile(r"@everyone|@here|<@[!&]?\d+>")
EMBED_LIMITS = {"title": 256, "description": 4096}


def assert_within_limits(payload: Mapping[str, Any]) -> None:
    """Content, embeds and components within what Discord accepts."""
    content = payload.get("content") or ""
    assert 0 < len(content) <= MAX_CONTENT, len(content)
    embeds = payload.get("embeds") or []
    assert len(embeds) <= 10
    total = 0
    for embed in embeds:
        for key, limit in EMBED_LIMITS.items():
            assert len(embed.get(key) or "") <= limit, key
        fields = embed.get("fields") or []
        assert len(fields) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
        assert len((embed.get("footer") or {}).get("text") or "") <= 2048
        assert len((embed.get("author") or {}).get("name") or "") <= 256
        total += sum(len(embed.get(k) or "") for k in EMBED_LIMITS)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= 6000
    rows = payload.get("components") or []
    assert len(rows) <= 5
    ids = []
    for row in rows:
        children = row.get("components") or []
        assert 1 <= len(children) <= 5
        for child in children:
            if "custom_id" in child:
                assert 1 <= len(child["custom_id"]) <= MAX_CUSTOM_ID, child["custom_id"]
                ids.append(child["custom_id"])
            assert len(child.get("label") or "") <= MAX_LABEL, child.get("label")
    assert len(ids) == len(set(ids)), ids


NO_PINGS = {"parse": [], "replied_user": False}
"""What ``AllowedMentions.none()`` serialises to on a message reply."""


def assert_no_pings(payload: Mapping[str, Any], *, reply: bool = False) -> None:
    """``allowed_mentions`` lets nothing through.  A message reply must also say
    ``replied_user: false`` (else Discord pings the asker); an interaction
    response is not a reply, so discord.py leaves that key out there."""
    allowed = payload.get("allowed_mentions")
    assert allowed is not None, payload
    assert allowed.get("parse") == [], allowed
    assert not allowed.get("users"), allowed
    assert not allowed.get("roles"), allowed
    assert allowed.get("replied_user", False) is False, allowed
    if reply:
        assert allowed == NO_PINGS, allowed


def assert_pings_nobody(payload: Mapping[str, Any], *, reply: bool) -> None:
    """``assert_no_pings``, and the content holds no mention syntax at all,
    so it could not ping even if ``allowed_mentions`` were ignored."""
    assert_no_pings(payload, reply=reply)
    content = payload.get("content") or ""
    assert not PING_SYNTAX.search(content), content


def expected_reply(engine: Engine, asked: str) -> tuple[str, Result | None]:
    """What the bot must reply to ``asked`` (a message's whole content, or the
    ``/ask`` option): the help hint when no words are left, else the
    engine's answer, formatted."""
    question = clean_question(asked)
    if not question:
        return HELP_HINT, None
    result = engine.ask(question, top=3)
    return reply_text(result, engine.articles), result


def check_reply(payload: Mapping[str, Any], engine: Engine, asked: str, *, reply: bool) -> Result | None:
    """Everything a reply to a hostile question must be; returns the engine's result."""
    assert_within_limits(payload)
    assert_pings_nobody(payload, reply=reply)
    content = payload["content"]
    expected, result = expected_reply(engine, asked)
    assert content == expected
    shown = quotes(content)
    if result is not None and result.answered:
        sentences = [a.text if len(a.text) <= MAX_QUOTE else shorten(a.text, MAX_QUOTE) for a in result.shown()]
        assert shown, content
        assert shown == sentences[: len(shown)]  # the corpus text as written
        assert payload.get("components"), "an answer has its buttons"
    else:
        assert shown == []
        assert not payload.get("components")
    return result
