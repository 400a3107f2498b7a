"""``/reload`` and ``/unanswered`` (``bot/exts/admin.py``) in simcord's
offline Discord.  A server's admin reloads the server's own articles; an
operator, with ``shared``, the shared ones.  Who may run them:
``tests/exts/test_checks.py``."""

from __future__ import annotations

import shutil

import pytest
from simcord import assert_responded

from tests.harness.sim import NEW_ARTICLE, WHERE_MEET, World, plain, response_text

# -- /reload ---------------------------------------------------------------------------------


async def test_manage_server_member_may_reload(world: World) -> None:
    result = await world.admin.slash(world.channel, "reload")
    assert_responded(result, ephemeral=True)
    assert "Reloaded: 1 articles" in response_text(result)


async def test_reload_makes_a_new_article_of_the_servers_own_answerable(world: World) -> None:
    before = await world.ask(world.alice, "Who kept the Porthaven lighthouse?")
    assert "doesn't say" in before.content
    world.own.mkdir(parents=True)
    (world.own / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    result = await world.admin.slash(world.channel, "reload")
    text = response_text(result)
    assert "1 added" in text
    assert "Lighthouse keeper retires after forty years" in text
    reply = await world.ask(world.alice, "Who kept the Porthaven lighthouse?")
    assert reply.id > before.id
    assert "Tomas Reyes" in plain(reply.content)


@pytest.mark.operator
async def test_reload_of_the_shared_articles_makes_a_new_article_answerable(world: World) -> None:
    before = await world.ask(world.alice, "Who kept the Porthaven lighthouse?")
    assert "doesn't say" in before.content
    (world.corpus / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    result = await world.admin.slash(world.channel, "reload", shared=True)
    text = response_text(result)
    assert "1 added" in text
    assert "Lighthouse keeper retires after forty years" in text
    reply = await world.ask(world.alice, "Who kept the Porthaven lighthouse?")
    assert "Tomas Reyes" in plain(reply.content)


async def test_broken_file_is_named_and_the_story_still_answers(world: World) -> None:
    world.own.mkdir(parents=True)
    (world.own / "broken.txt").write_bytes(b"\xff\xfe not text")
    result = await world.admin.slash(world.channel, "reload")
    text = response_text(result)
    assert "broken.txt" in text
    assert "UTF-8" in text
    reply = await world.ask(world.alice, WHERE_MEET)
    assert "command post" in plain(reply.content)


@pytest.mark.operator
async def test_broken_shared_file_is_named_and_the_story_still_answers(world: World) -> None:
    (world.corpus / "broken.txt").write_bytes(b"\xff\xfe not text")
    result = await world.admin.slash(world.channel, "reload", shared=True)
    text = response_text(result)
    assert "broken.txt" in text
    assert "UTF-8" in text
    reply = await world.ask(world.alice, WHERE_MEET)
    assert "command post" in plain(reply.content)


@pytest.mark.operator
async def test_empty_result_keeps_the_old_index(world: World) -> None:
    old = world.bot.service.engine
    for path in world.corpus.iterdir():
        path.unlink()
    result = await world.admin.slash(world.channel, "reload", shared=True)
    text = response_text(result)
    assert "Reload failed" in text
    assert "still serving" in text
    assert world.bot.service.engine is old


@pytest.mark.operator
async def test_missing_folder_keeps_the_old_index(world: World) -> None:
    old = world.bot.service.engine
    shutil.rmtree(world.corpus)
    result = await world.admin.slash(world.channel, "reload", shared=True)
    assert "does not exist" in response_text(result)
    assert world.bot.service.engine is old


# -- /unanswered -----------------------------------------------------------------------------


async def test_unanswered_groups_questions_for_admins(world: World) -> None:
    for text in ("What is the capital of Australia?", "what is the capital of australia", "Who won the World Cup?"):
        await world.ask(world.alice, text)
    result = await world.admin.slash(world.channel, "unanswered")
    text = response_text(result)
    assert "capital of Australia" in text or "capital of australia" in text
    assert "2\u00d7" in text
    assert text.index("capital") < text.index("World Cup")


async def test_unanswered_shows_only_the_servers_own_questions(world: World) -> None:
    other = world.env.create_guild("Elsewhere")
    elsewhere = other.create_text_channel("general")
    carol = other.add_member(world.env.create_user("carol"))
    await world.ask(world.alice, "What is the capital of Australia?")
    await world.ask(carol, "Who won the World Cup?", channel=elsewhere)
    text = response_text(await world.admin.slash(world.channel, "unanswered"))
    assert "capital of Australia" in text
    assert "World Cup" not in text


@pytest.mark.operator
async def test_an_operator_s_unanswered_in_a_dm_lists_every_server_s_questions(world: World) -> None:
    """One question log for every server (and every process): an operator
    asking in a DM sees them all; a server's admin sees their server's."""
    from tests.exts.test_checks import call_unanswered

    other = world.env.create_guild("Elsewhere")
    elsewhere = other.create_text_channel("general")
    carol = other.add_member(world.env.create_user("carol"))
    await world.ask(world.alice, "What is the capital of Australia?")
    await world.ask(carol, "Who won the World Cup?", channel=elsewhere)
    interaction = await world.direct_interaction(world.admin, dm=True)
    await call_unanswered(world.bot, interaction)
    text = interaction.followup.send.await_args.args[0]
    assert "in any server" in text
    assert "capital of Australia" in text
    assert "World Cup" in text
