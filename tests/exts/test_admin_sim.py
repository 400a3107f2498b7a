"""Admin commands in simcord's offline Discord: who may run them, and /reload."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import simcord
from simcord import SetupError, assert_responded

from bot.client import StoryBot
from bot.settings import load_settings
from tests.exts.simworld import plain

ROOT = Path(__file__).resolve().parents[2]
NEW_ARTICLE = """Lighthouse keeper retires after forty years

The Harbour Gazette
Mina Ortiz

PORTHAVEN — The keeper of the Porthaven lighthouse, Tomas Reyes, retired on Sunday after forty years of service.
The town will replace him with an automatic lamp next spring.
"""


@dataclass
class Admins:
    env: simcord.Env
    bot: StoryBot
    corpus: Path
    channel: simcord.ChannelHandle
    admin: simcord.MemberActor
    reader: simcord.MemberActor
    moderator: simcord.MemberActor  # has Manage Server, but not the configured admin role


@pytest.fixture
def simcord_bot(corpus: Path) -> StoryBot:
    settings = load_settings(corpus_dir=corpus, semantic=False, question_cooldown_rate=1000, answer_channel_ids=[])
    return StoryBot(settings)


@pytest.fixture
async def admins(simcord_env: simcord.Env, corpus: Path, request: pytest.FixtureRequest) -> Admins:
    env = simcord_env
    bot = env.bot
    assert isinstance(bot, StoryBot)
    await bot.tree.sync()
    guild = env.create_guild("Readers")
    channel = guild.create_text_channel("general")
    managers = guild.create_role("managers", permissions=discord.Permissions(manage_guild=True))
    editors = guild.create_role("editors")
    admin = guild.add_member(env.create_user("admin"), roles=[managers, editors])
    reader = guild.add_member(env.create_user("reader"))
    moderator = guild.add_member(env.create_user("moderator"), roles=[managers])
    if request.node.get_closest_marker("admin_roles") is not None:
        bot.settings.admin_role_ids = [editors.id]
    return Admins(env, bot, corpus, channel, admin, reader, moderator)


def response_text(result: simcord.InteractionResult) -> str:
    messages = [m.content for m in [result.response, *result.followups] if m is not None and m.content]
    return "\n".join(messages)


async def test_manage_server_member_may_reload(admins: Admins) -> None:
    result = await admins.admin.slash(admins.channel, "reload")
    assert_responded(result, ephemeral=True)
    assert "Reloaded: 1 articles" in response_text(result)


async def test_command_is_hidden_from_readers(admins: Admins) -> None:
    # Default permissions: a reader's client does not even offer /reload.
    with pytest.raises(SetupError, match="not visible"):
        await admins.reader.slash(admins.channel, "reload")


@pytest.mark.admin_roles
async def test_configured_roles_replace_manage_server(admins: Admins) -> None:
    # The moderator's client shows /reload (Manage Server) but the run-time check refuses.
    refused = await admins.moderator.slash(admins.channel, "reload")
    assert "permission" in response_text(refused).lower()
    allowed = await admins.admin.slash(admins.channel, "reload")
    assert "Reloaded" in response_text(allowed)


async def test_reload_makes_a_new_article_answerable(admins: Admins) -> None:
    before = await admins.reader.send(admins.channel, f"{admins.bot.user.mention} Who kept the Porthaven lighthouse?")
    assert "doesn't say" in admins.channel.history()[-1].content
    (admins.corpus / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    result = await admins.admin.slash(admins.channel, "reload")
    text = response_text(result)
    assert "1 added" in text
    assert "Lighthouse keeper retires after forty years" in text
    await admins.reader.send(admins.channel, f"{admins.bot.user.mention} Who kept the Porthaven lighthouse?")
    reply = admins.channel.history()[-1]
    assert reply.id > before.id
    assert "Tomas Reyes" in plain(reply.content)


async def test_broken_file_is_named_and_the_story_still_answers(admins: Admins) -> None:
    (admins.corpus / "broken.txt").write_bytes(b"\xff\xfe not text")
    result = await admins.admin.slash(admins.channel, "reload")
    text = response_text(result)
    assert "broken.txt" in text
    assert "UTF-8" in text
    await admins.reader.send(admins.channel, f"{admins.bot.user.mention} Where did Putin and Assad meet?")
    assert "command post" in plain(admins.channel.history()[-1].content)


async def test_empty_result_keeps_the_old_index(admins: Admins) -> None:
    old = admins.bot.engine
    for path in admins.corpus.iterdir():
        path.unlink()
    result = await admins.admin.slash(admins.channel, "reload")
    text = response_text(result)
    assert "Reload failed" in text
    assert "still serving" in text
    assert admins.bot.engine is old


async def test_missing_folder_keeps_the_old_index(admins: Admins) -> None:
    old = admins.bot.engine
    shutil.rmtree(admins.corpus)
    result = await admins.admin.slash(admins.channel, "reload")
    assert "does not exist" in response_text(result)
    assert admins.bot.engine is old
