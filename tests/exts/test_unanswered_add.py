"""``/unanswered``'s *Add an article* (``bot/ui/add_article.py``) in
simcord's offline Discord: a button per question; pressed, a form for the
article's link; submitted, the ``/corpus add url`` way (fetched from the
tests' own news site on loopback, kept among the server's own articles,
reloaded, answered from).  And a command the bot no longer has (a client
whose commands are stale) is one log line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from discord import app_commands
from simcord import assert_responded

from bot.ui import replies
from tests.harness.news_site import Server, files_in, server
from tests.harness.sim import World, button_labels, plain, response_text

__all__ = ["server"]

QUESTION = "How many drivers does the Valley district employ?"


async def ask(world: World, text: str) -> str:
    assert world.bot.user is not None
    await world.alice.send(world.channel, f"{world.bot.user.mention} {text}")
    return plain(world.channel.history()[-1].content)


async def test_an_article_added_from_unanswered_answers_the_question(world: World, server: Server) -> None:
    world.bot.settings.fetch_allow_private = True
    assert "62 drivers" not in await ask(world, QUESTION)
    listed = await world.admin.slash(world.channel, "unanswered")
    [message] = [m for m in [listed.response, *listed.followups] if m is not None and m.components]
    [label] = button_labels(message)
    assert label.startswith("Add an article: How many drivers")

    shown = await world.admin.click(message, label=label)
    assert shown.modal is not None
    added = await world.admin.submit_modal(shown, {"url": server.url("/news/valley_meta")})
    assert_responded(added, ephemeral=True)
    assert "Added \u201cSchool district delays start times" in response_text(added)
    assert len(files_in(world.own)) == 1
    assert "62 drivers" in await ask(world, QUESTION)


async def test_a_bad_link_in_the_form_gets_one_line_and_writes_nothing(world: World, server: Server) -> None:
    await ask(world, QUESTION)
    listed = await world.admin.slash(world.channel, "unanswered")
    [message] = [m for m in [listed.response, *listed.followups] if m is not None and m.components]
    shown = await world.admin.click(message, label=button_labels(message)[0])
    added = await world.admin.submit_modal(shown, {"url": server.url("/news/valley_meta")})  # loopback refused
    text = response_text(added)
    assert text.startswith("Not added:")
    assert "\n" not in text
    assert not world.own.exists() or files_in(world.own) == []


async def test_a_stale_command_is_one_log_line(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Discord sends a command the bot no longer has (the client's list is
    out of date): the user gets one line, the log one line, no traceback."""
    caplog.set_level(logging.WARNING)
    world.bot.tree.remove_command("fact")  # the client still offers it
    result = await world.alice.slash(world.channel, "fact")
    assert response_text(result) == replies.STALE_COMMAND
    stale = [r for r in caplog.records if "stale command" in r.getMessage()]
    assert len(stale) == 1
    assert stale[0].exc_info is None
    assert not [r for r in caplog.records if r.exc_info]
    assert isinstance(app_commands.CommandNotFound("fact", []), app_commands.AppCommandError)
