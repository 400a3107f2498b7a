"""``/people`` and ``/timeline`` (``bot/exts/facts.py``), end to end in
simcord's offline Discord, on the project's corpus."""

from __future__ import annotations

import discord
import pytest
from simcord import assert_responded

from bot.ui import facts as facts_ui
from bot.ui import replies
from tests.harness.sim import STORY_TITLE, World, plain

FIELD_VALUE, EMBED_TEXT, FIELDS = 1024, 6000, 25


def embed_text(embed: discord.Embed) -> int:
    fields = sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    return len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "") + fields


def within_limits(embed: discord.Embed) -> None:
    assert embed_text(embed) <= EMBED_TEXT
    assert len(embed.fields) <= FIELDS
    assert all(len(f.value or "") <= FIELD_VALUE and len(f.name or "") <= 256 for f in embed.fields)


def quotes_of(embed: discord.Embed) -> list[str]:
    return [plain(line[2:]) for f in embed.fields for line in (f.value or "").splitlines() if line.startswith("> ")]


def story_sentences(world: World) -> str:
    engine = world.bot.service.engine
    assert engine is not None
    return " ".join(p for a in engine.articles for p in a.paragraphs)


async def test_people_lists_each_person_once_with_a_quoted_role(world: World) -> None:
    result = await world.alice.slash(world.channel, "people")

    assert_responded(result, ephemeral=False)
    assert result.response is not None
    [embed] = result.response.embeds
    within_limits(embed)
    names = [f.name or "" for f in embed.fields]
    assert len(names) == len(set(names))
    full = [n.split(" (also")[0] for n in names]
    surnames = [n.split()[-1] for n in full]
    assert len(surnames) == len(set(surnames))  # "Putin" merged into his full name, not listed apart
    assert all(q in story_sentences(world) for q in quotes_of(embed))
    assert STORY_TITLE in (embed.footer.text or "")  # the authors, kept apart from the people
    assert "Albert Aji" not in " ".join(full)
    assert all(" " in n for n in full)


async def test_one_persons_quotes(world: World) -> None:
    first, *_ = await world.alice.autocomplete(world.channel, "people", "person", "")
    name = first["value"]
    result = await world.alice.slash(world.channel, "people", person=name + "son")

    assert_responded(result, ephemeral=True)  # no one by that name
    assert result.response is not None
    assert "No one by that name" in result.response.content
    alias = await world.alice.slash(world.channel, "people", person=name.split()[-1])
    assert alias.response is not None
    assert name in (alias.response.embeds[0].title or "")  # a last name finds the person
    result = await world.alice.slash(world.channel, "people", person=name)
    assert_responded(result, ephemeral=False)
    assert result.response is not None
    embed = result.response.embeds[0]
    assert name in (embed.title or "")
    quotes = quotes_of(embed)
    assert quotes
    assert all(q in story_sentences(world) for q in quotes)


async def test_article_autocomplete_narrows_and_a_wrong_article_is_refused(world: World) -> None:
    choices = await world.alice.autocomplete(world.channel, "timeline", "article", "putin")
    assert [c["name"] for c in choices] == [STORY_TITLE]

    result = await world.alice.slash(world.channel, "timeline", article=choices[0]["value"])
    assert_responded(result, ephemeral=False)
    assert result.response is not None
    assert STORY_TITLE in (result.response.embeds[0].title or "")
    refused = await world.alice.slash(world.channel, "people", article="No such article")
    assert_responded(refused, ephemeral=True)
    assert refused.response is not None
    assert refused.response.content == replies.NO_SUCH_ARTICLE


async def test_timeline_is_in_time_order_and_pages_with_buttons(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_ui, "PER_PAGE", 2)
    result = await world.alice.slash(world.channel, "timeline")

    assert_responded(result, ephemeral=False)
    assert result.response is not None
    first = result.response.embeds[0]
    within_limits(first)
    assert len(first.fields) == 2
    assert (first.footer.text or "").startswith("Page 1 of ")
    assert all(q in story_sentences(world) for q in quotes_of(first))

    refused = await world.bob.click(result.response, label="Next")  # only who asked turns the pages
    assert_responded(refused, ephemeral=True)
    turned = await world.alice.click(result.response, label="Next")
    assert turned.response is not None
    second = turned.response.embeds[0]
    assert (second.footer.text or "").startswith("Page 2 of ")
    assert quotes_of(second) != quotes_of(first)
    dated = [f.name.split(" ")[0] for e in (first, second) for f in e.fields if f.name and f.name[0].isdigit()]
    assert dated == sorted(dated)
