"""Hostile questions over the wire: the unmodified bot against the fake
Discord, every question of the catalogue (``tests/harness/hostile.py``) asked by
mention and with ``/ask``, on one running bot.

Each reply: sent once and accepted (the fake refuses content over 2,000
characters), within Discord's limits, ``allowed_mentions`` letting nothing
through and no mention syntax in the text, exactly the engine's answer with
its quotes reading as the corpus sentences; nothing logged as an error.  The
wire lets through what Discord's client would not (a 10,000-character
message or ``/ask`` option, an empty option), so the bot meets those too.

Also here: the property behind "the quote is the corpus text as written",
for any sentence and any words in bold (``highlight``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.client import StoryBot
from bot.engine import Engine, word_spans
from bot.exts.questions import clean_question
from bot.render import shorten
from bot.runner import apply_endpoints
from bot.ui.formatting import escape, highlight
from tests.harness.fake_discord import MANAGERS, TOKEN, FakeDiscord
from tests.harness.hostile import CATALOGUE, assert_pings_nobody, assert_within_limits, check_reply, rendered
from tests.harness.wire import CALLBACK, FOLLOWUP, MESSAGES, running_bot

ROOT = Path(__file__).resolve().parents[2]
BYSTANDER = 123
ROLE = 456


# -- the quote is the corpus text as written, whatever is bold ---------------------------

_MARKDOWN = [
    "*",
    "**",
    "_",
    "__",
    "~~",
    "`",
    "```",
    "|",
    "||",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "[a](https://x.example)",
    "> ",
    ">>> ",
    "#",
    "# ",
    "-",
    " - ",
    "-# ",
    "1. ",
    "<@123>",
    "@everyone",
]
_WORDS = ["Putin", "Assad", "met", "Damascus", "1", "2017", "Iranian-backed", "don't", "caf\u00e9", "e\u0301t\u00e9"]
sentences = st.lists(
    st.one_of(
        st.sampled_from(_MARKDOWN),
        st.sampled_from(_WORDS),
        st.just(" "),
        st.text(alphabet=st.characters(exclude_characters="\r\n\u2028\u2029"), max_size=4),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=sentences, data=st.data())
@example(text="Putin - Assad met", data=None)
@example(text="see [the report](https://evil.example) and [more](https://evil.example)", data=None)
@example(text="  - Putin met", data=None)
@example(text="1. Putin met", data=None)
def test_a_quote_reads_as_the_corpus_sentence_whatever_is_bold(text: str, data: Any) -> None:
    terms = sorted({term for _, _, term in word_spans(text)})
    if data is None:
        matched = frozenset(terms)
    else:
        matched = frozenset(data.draw(st.sets(st.sampled_from(terms)))) if terms else frozenset()
    assert rendered(highlight(text, matched)) == text
    assert rendered(escape(text)) == text


# -- the catalogue over the wire, on one bot ----------------------------------------------

ON_ONE_BOT = pytest.mark.asyncio(loop_scope="module")
"""The wire tests share one event loop, and so one fake and one bot."""


@dataclass
class Wire:
    fake: FakeDiscord
    bot: StoryBot

    @property
    def engine(self) -> Engine:
        assert self.bot.service.engine is not None
        return self.bot.service.engine


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def wire(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Wire]:
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as fake:
        fake.add_user(BYSTANDER, "bystander", member=True)
        fake.add_role(ROLE, "readers")
        fake.add_managers()
        database = tmp_path_factory.mktemp("hostile-db") / "bot.sqlite3"
        async with running_bot(fake, question_cooldown_rate=1000, database_path=database) as bot:
            yield Wire(fake, bot)


@pytest.fixture(autouse=True)
def endpoints(wire: Wire) -> None:
    """``restore_endpoints`` (tests/conftest.py) puts discord.py's REST base
    back after every test; the shared bot needs the fake's for each one."""
    apply_endpoints(wire.bot.settings)


@pytest.fixture
def errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def by_mention(wire: Wire, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A guild message mentioning the bot; the message and the one reply (sent, accepted)."""
    fake = wire.fake
    mark = len(fake.requests)
    message = fake.message_create(f"{fake.mention()} {text}")
    await fake.dispatch("MESSAGE_CREATE", message)
    reply = await fake.wait_for_request("POST", MESSAGES, since=mark, timeout=15)
    assert reply.status == 200, reply.response
    return message, reply.json


async def by_slash(wire: Wire, question: str) -> dict[str, Any]:
    """``/ask question``; the message the asker sees (sent, accepted)."""
    fake = wire.fake
    mark = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", fake.slash_command("ask", {"question": question}))
    callback = await fake.wait_for_request("POST", CALLBACK, since=mark, timeout=15)
    assert callback.status == 200, callback.response
    if callback.json["type"] == 4:
        data: dict[str, Any] = callback.json["data"]
        return data
    assert callback.json["type"] == 5, callback.json
    followup = await fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=15)
    assert followup.status == 200, followup.response
    body: dict[str, Any] = followup.json
    return body


@ON_ONE_BOT
@pytest.mark.usefixtures("errors_logged")
@pytest.mark.parametrize("name", CATALOGUE)
async def test_catalogue_question_by_mention(wire: Wire, name: str) -> None:
    message, reply = await by_mention(wire, CATALOGUE[name])
    check_reply(reply, wire.engine, message["content"], reply=True)
    assert int(reply["message_reference"]["message_id"]) == int(message["id"])


@ON_ONE_BOT
@pytest.mark.usefixtures("errors_logged")
@pytest.mark.parametrize("name", CATALOGUE)
async def test_catalogue_question_by_slash_ask(wire: Wire, name: str) -> None:
    question = CATALOGUE[name]
    data = await by_slash(wire, question)
    result = check_reply(data, wire.engine, question, reply=False)
    ephemeral = bool(int(data.get("flags") or 0) & 64)
    assert ephemeral is (result is None)  # only the help hint is private


@ON_ONE_BOT
@pytest.mark.usefixtures("errors_logged")
async def test_unanswered_shows_hostile_questions_within_limits_pinging_nobody(wire: Wire) -> None:
    """The one reply that shows readers' questions back: ``/unanswered``.
    Each question is asked three times, so it is among the most frequent."""
    store = wire.bot.service.store
    assert store is not None
    # Declined ones: markdown around a question the story answers is taken
    # off before it is asked (``clean_question``), and the question answered.
    names = ("html", "link only", "10000 characters, one word")
    asked = [CATALOGUE[n] for n in names]
    asked.append("@everyone <@123> <@&456> " + "\u0336".join("who won the world cup") + " ||x||" * 40)
    asked.append("who won the world cup? \\ <t:1700000000:R>\n- item\n1. first\n# not a heading > y || *")
    asked.append("**chess** ~~openings~~ ||castling|| `e4` > [how](https://evil.example/p) #1 \\")
    for text in asked * 3:
        _, reply = await by_mention(wire, text)
        assert not reply["content"].startswith("> "), reply["content"]  # declined
    questions = [clean_question(text) for text in asked]
    for _ in range(200):  # the question log is written just after the reply
        groups = await store.unanswered(limit=50, days=1)
        if sum(g.count >= 3 for g in groups if g.question in questions) == len(questions):
            break
        await asyncio.sleep(0.02)

    payload: dict[str, Any] = wire.fake.slash_command("unanswered", roles=[MANAGERS])
    mark = len(wire.fake.requests)
    await wire.fake.dispatch("INTERACTION_CREATE", payload)
    callback = await wire.fake.wait_for_request("POST", CALLBACK, since=mark)
    assert callback.json["type"] == 5, callback.json  # deferred, ephemeral
    followup = await wire.fake.wait_for_request("POST", FOLLOWUP, since=mark, timeout=15)
    assert followup.status == 200, followup.response
    report: dict[str, Any] = followup.json
    assert_within_limits(report)
    assert_pings_nobody(report, reply=False)
    lines = report["content"].split("\n")
    assert lines[0].startswith("**Questions the story could not answer**")
    listed = [rendered(line) for line in lines[1:]]  # no live markdown on any line
    for question in questions:
        shown = shorten(question, 150)
        assert any(re.fullmatch(rf"\u2022 {re.escape(shown)} \(\d+\u00d7, last .*\)", line) for line in listed), shown


@ON_ONE_BOT
async def test_the_bot_is_still_connected_and_answering(wire: Wire) -> None:
    _, reply = await by_mention(wire, "Where did Putin and Assad meet?")
    assert "command post" in reply["content"]
    assert wire.bot.is_ready()
    assert not wire.fake.unknown_requests
