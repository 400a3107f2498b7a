"""The question log behind the bot: questions and votes kept (no user ids),
/unanswered for admins, and a broken log never stops an answer."""

from __future__ import annotations

import sqlite3

import discord
import pytest

from bot.client import StoryBot
from tests.exts.simworld import WHERE_MEET, World


def rows(bot: StoryBot, sql: str) -> list[tuple[object, ...]]:
    assert bot.store is not None
    with sqlite3.connect(bot.store.path) as conn:
        return conn.execute(sql).fetchall()


async def test_questions_are_logged_without_user_ids(world: World) -> None:
    await world.ask(world.alice, WHERE_MEET)
    await world.ask(world.bob, "How do I bake a chocolate cake?")
    logged = rows(world.bot, "SELECT question, answered, guild_id, channel_id FROM questions ORDER BY rowid")
    assert logged == [
        (WHERE_MEET, 1, world.guild.id, world.channel.id),
        ("How do I bake a chocolate cake?", 0, world.guild.id, world.channel.id),
    ]
    columns = " ".join(str(r) for r in rows(world.bot, "SELECT sql FROM sqlite_master"))
    assert str(world.alice.id) not in columns
    for table in ("questions", "votes"):
        values = rows(world.bot, f"SELECT * FROM {table}")
        assert all(world.alice.id not in row and world.bob.id not in row for row in values)


async def test_votes_reach_the_log(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)
    await world.alice.click(reply, label="Not helpful")
    assert rows(world.bot, "SELECT helpful, paragraph FROM votes") == [(0, 6)]


async def test_unanswered_groups_questions_for_admins(world: World) -> None:
    managers = world.guild.create_role("managers", permissions=discord.Permissions(manage_guild=True))
    admin = world.guild.add_member(world.env.create_user("admin"), roles=[managers])
    for text in ("What is the capital of Australia?", "what is the capital of australia", "Who won the World Cup?"):
        await world.ask(world.alice, text)
    result = await admin.slash(world.channel, "unanswered")
    text = "\n".join(m.content for m in [result.response, *result.followups] if m is not None)
    assert "capital of Australia" in text or "capital of australia" in text
    assert "2\u00d7" in text
    assert text.index("capital") < text.index("World Cup")


async def test_a_broken_log_never_stops_an_answer(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert world.bot.store is not None
    await world.bot.store.close()  # writes now fail (and are logged)
    reply = await world.ask(world.alice, WHERE_MEET)
    assert "command post" in reply.content
