"""``/fact``, ``/sources`` and ``/help`` (``bot/exts/info.py``), end to end.
(``/ask``: ``tests/exts/test_questions.py``.)"""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import discord
import pytest
from simcord import assert_responded

from bot.ui import replies
from tests.harness.hostile import NO_PINGS
from tests.harness.sim import STORY_TITLE, WHERE_MEET, World, quoted

SOURCE_LINE = re.compile(r"^\u2014 \u201c(?P<title>[^\u201d]+)\u201d, .*, paragraph (?P<p>[1-9]\d*)$")


async def test_fact_with_a_topic_quotes_a_sentence_about_it(world: World) -> None:
    result = await world.alice.slash(world.channel, "fact", topic="Idlib")

    assert_responded(result, ephemeral=False)
    assert result.response is not None
    [sentence] = quoted(result.response.content)
    assert "Idlib" in sentence
    assert SOURCE_LINE.match(result.response.content.splitlines()[1])


async def test_fact_without_a_topic_quotes_the_story_not_the_byline(world: World) -> None:
    engine = world.bot.service.engine
    assert engine is not None
    [article] = engine.articles
    cog = world.bot.get_cog("Info")
    assert cog is not None
    cog._random = random.Random(2024)  # type: ignore[attr-defined]  # several different picks, reproducibly

    seen = set()
    for _ in range(6):
        result = await world.alice.slash(world.channel, "fact")
        assert_responded(result, ephemeral=False)
        assert result.response is not None
        [sentence] = quoted(result.response.content)
        source = SOURCE_LINE.match(result.response.content.splitlines()[1])
        assert source is not None, result.response.content  # "paragraph N", never "byline"
        assert source["title"] == STORY_TITLE
        assert sentence in article.paragraphs[int(source["p"]) - 1]
        assert "Albert Aji" not in sentence
        seen.add(sentence)
    assert len(seen) > 1


async def test_fact_topic_autocomplete_offers_putin(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "fact", "topic", "pu")

    names = [choice["name"] for choice in choices]
    assert "Putin" in names
    assert all("pu" in name.casefold() for name in names)
    assert len(choices) <= 25


async def test_fact_topic_echo_never_pings(world: World) -> None:
    # The only reply that repeats the reader's own words: make them mentions.
    role = world.guild.create_role("readers", mentionable=True)
    topic = f"@everyone @here {world.bob.mention} {role.mention}"

    result = await world.alice.slash(world.channel, "fact", topic=topic)

    assert result.response is not None
    content = result.response.content
    assert "@everyone" in content
    assert world.bob.mention in content
    assert world.sent_payload(content)["allowed_mentions"] == {"parse": []}
    assert result.response.message.mention_everyone is False
    # And replies to messages carry the same policy.
    reply = await world.ask(world.alice, WHERE_MEET)
    assert world.sent_payload(reply.content)["allowed_mentions"] == NO_PINGS


async def test_sources_lists_the_article(world: World) -> None:
    result = await world.alice.slash(world.channel, "sources")

    assert result.response is not None
    content = result.response.content
    assert STORY_TITLE in content
    assert "The Associated Press" in content
    assert "17 sentences" in content


async def test_help_is_ephemeral_and_mentions_ask(world: World) -> None:
    result = await world.alice.slash(world.channel, "help")

    assert_responded(result, contains="/ask", ephemeral=True)


async def test_fact_with_a_topic_defers_when_the_answer_is_slow(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Discord allows 3 s for the first response: a lookup slower than
    ``DEFER_AFTER`` (2 s) is deferred ("thinking…") while it runs, and the
    quote then fills the deferred response (the follow-up edits it, as on
    Discord)."""
    events: list[str] = []
    service = world.bot.service
    ask = service.ask
    defer = discord.InteractionResponse.defer

    async def slow_ask(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(replies.DEFER_AFTER + 0.5)
        events.append("answered")
        return await ask(*args, **kwargs)

    async def spy_defer(self: discord.InteractionResponse[Any], **kwargs: Any) -> Any:
        events.append(f"defer thinking={kwargs.get('thinking')}")
        return await defer(self, **kwargs)

    monkeypatch.setattr(service, "ask", slow_ask)
    monkeypatch.setattr(discord.InteractionResponse, "defer", spy_defer)
    result = await world.alice.slash(world.channel, "fact", topic="Idlib")

    assert events == ["defer thinking=True", "answered"]
    assert_responded(result, ephemeral=False)
    assert result.response is not None
    [sentence] = quoted(result.response.content)
    assert "Idlib" in sentence
    assert SOURCE_LINE.match(result.response.content.splitlines()[1])


async def test_fact_with_a_topic_answers_at_once_when_quick(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    deferred: list[object] = []
    monkeypatch.setattr(discord.InteractionResponse, "defer", lambda *a, **k: deferred.append(a))
    result = await world.alice.slash(world.channel, "fact", topic="Idlib")

    assert deferred == []
    assert_responded(result, ephemeral=False)
    assert result.followups == []
