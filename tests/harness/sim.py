"""The in-process harness: the real ``StoryBot`` (its real ``StoryService``,
BM25 only) run against simcord's offline Discord.

The fixtures are imported by ``tests/conftest.py``:

* ``simcord_bot`` builds the bot on a copy of the corpus (the ``corpus``
  fixture), so a test may change it; simcord's own ``simcord_env`` fixture
  starts it.  Per-test settings come from ``@pytest.mark.story_settings(...)``;
  a module may override ``simcord_bot`` for another corpus (``make_bot``).
* ``world`` syncs the command tree (as ``python -m bot sync`` would) and
  arranges a guild, a channel, two readers (Alice and Bob), an admin (the
  ``managers`` role, with Manage Server, and the ``editors`` role) and a
  moderator (``managers`` only).  ``@pytest.mark.admin_roles`` makes
  ``editors`` the one admin role (``ADMIN_ROLE_IDS``), so the moderator's
  client shows the admin commands but the bot refuses them;
  ``@pytest.mark.operator`` makes the admin an operator (``ADMIN_USER_IDS``),
  who may also change the shared articles (the commands' ``shared`` option).
  The guild's own articles live in ``World.own``.

``World.direct_interaction`` builds the one kind of interaction simcord
does not send: an admin command's callback called directly, bypassing the
command tree (``tests/exts/test_checks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from unittest.mock import MagicMock, create_autospec

import discord
import pytest
import simcord

from bot.client import StoryBot
from bot.service import server_folder
from bot.settings import load_settings
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
CORPUS = STORY_CORPUS

STORY_TITLE = "Putin visits Syria to meet Assad, a key Iran ally"
STORY_FILE = "putin-visits-syria-to-meet-assad.txt"
BYLINE = "The Associated Press (Albert Aji and Daria Litvinova)"
WHERE_MEET = "Where did Putin and Assad meet?"
MEETING = "Putin and Assad met Tuesday at a Russian command post in Damascus"
SOURCE_P6 = f"\u2014 \u201c{STORY_TITLE}\u201d, {BYLINE}, paragraph 6"
OFF_TOPIC = "How do I bake a chocolate cake?"
SORRY = "Something went wrong"
MAX_CONTENT = 2000

NEW_ARTICLE = """Lighthouse keeper retires after forty years

The Harbour Gazette
Mina Ortiz

PORTHAVEN — The keeper of the Porthaven lighthouse, Tomas Reyes, retired on Sunday after forty years of service.
The town will replace him with an automatic lamp next spring.
"""
"""An article the corpus lacks, for the admin commands to add."""
LIGHTHOUSE = NEW_ARTICLE.encode()
LIGHTHOUSE_FILE = "lighthouse-keeper-retires-after-forty-years.txt"
"""The name ``/corpus add`` gives it (from its title)."""

DEFAULT_SETTINGS: dict[str, Any] = {
    "question_cooldown_rate": 1000,  # the maximum: no test trips it by accident
    "question_cooldown_seconds": 60.0,
    "answer_channel_ids": [],  # never taken from the developer's environment
}


def make_bot(corpus: Path, **overrides: Any) -> StoryBot:
    """The bot as the tests build it: its own service on ``corpus``, BM25
    only (``semantic=False``)."""
    settings = load_settings(corpus_dir=corpus, semantic=False, **{**DEFAULT_SETTINGS, **overrides})
    return StoryBot(settings)


def plain(text: str) -> str:
    """Message text without the bold and the markdown escapes (the words as written)."""
    return re.sub(r"\\(.)", r"\1", text.replace("**", ""))


def quoted(text: str) -> list[str]:
    """The quoted sentences of a reply (``> `` lines), as plain text."""
    return [plain(line[2:]) for line in text.splitlines() if line.startswith("> ")]


def button_labels(message: discord.Message | simcord.ResponseMessage) -> list[str]:
    rows = (
        message.components
        if isinstance(message, simcord.ResponseMessage)
        else [row.to_dict() for row in message.components]
    )
    return [child["label"] for row in rows for child in row.get("components", []) if child.get("type") == 2]


def response_text(result: simcord.InteractionResult) -> str:
    """Everything an interaction showed its user: the response and the follow-ups."""
    messages = [m.content for m in [result.response, *result.followups] if m is not None and m.content]
    return "\n".join(messages)


@dataclass
class World:
    env: simcord.Env
    corpus: Path
    """The bot's corpus folder (a copy: tests may change it)."""
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor
    admin: simcord.MemberActor
    """Manage Server (``managers``) and the ``editors`` role."""
    moderator: simcord.MemberActor
    """Manage Server (``managers``), not ``editors``."""

    @property
    def own(self) -> Path:
        """The guild's own articles' folder (``CORPUS_DIR/servers/<guild id>/``;
        none until an article is added)."""
        return server_folder(self.corpus, self.guild.id)

    @property
    def bot(self) -> StoryBot:
        """The bot now attached (a restart may attach a new instance)."""
        return cast(StoryBot, self.env.bot)

    def mention(self, text: str = "") -> str:
        assert self.bot.user is not None
        return f"{self.bot.user.mention} {text}".rstrip()

    def replies_to(
        self, question: discord.Message, channel: simcord.ChannelHandle | None = None
    ) -> list[discord.Message]:
        """Messages the bot posted in the channel after ``question``."""
        assert self.bot.user is not None
        history = (channel or self.channel).history()
        return [m for m in history if m.author.id == self.bot.user.id and m.id > question.id]

    async def ask(
        self,
        member: simcord.MemberActor,
        text: str,
        *,
        channel: simcord.ChannelHandle | None = None,
        mention: bool = True,
    ) -> discord.Message:
        """``member`` asks (mentioning the bot); the one reply the bot posted."""
        channel = channel or self.channel
        question = await member.send(channel, self.mention(text) if mention else text)
        replies = self.replies_to(question, channel)
        assert len(replies) == 1, f"expected one reply to {text!r}, got {[r.content for r in replies]}"
        return replies[0]

    def sent_payload(self, content: str) -> dict[str, Any]:
        """The JSON body of the REST call that posted ``content`` (a channel
        message, an interaction response or a followup)."""
        for entry in reversed(self.env.http_requests):
            body = entry.json
            if entry.method != "POST" or not isinstance(body, dict):
                continue
            data = body.get("data") if "/interactions/" in entry.path else body
            if isinstance(data, dict) and data.get("content") == content:
                return data
        raise AssertionError(f"no request posted {content!r}")

    def posted_contents(self) -> list[str]:
        """The content of every message the bot posted or edited over REST."""
        out = []
        for entry in self.env.http_requests:
            body = entry.json
            if entry.method not in ("POST", "PATCH") or not isinstance(body, dict):
                continue
            data = body.get("data") if "/interactions/" in entry.path else body
            if isinstance(data, dict) and isinstance(data.get("content"), str):
                out.append(data["content"])
        return out

    async def direct_interaction(self, member: simcord.MemberActor, *, dm: bool = False) -> MagicMock:
        """A slash-command interaction by ``member`` (in ``channel``, or in a
        DM), for calling a command's callback directly: the real bot, the
        member as discord.py knows them (fetched: the bot has no members
        intent), the permissions Discord would resolve for them in the
        channel, and a response and follow-up that record what was sent."""
        bot = self.bot
        interaction = create_autospec(discord.Interaction, instance=True)
        interaction.client = bot
        interaction.command = None
        if dm:
            interaction.user = await bot.fetch_user(member.id)
            interaction.guild = None
            interaction.guild_id = None
            interaction.channel_id = None
            interaction.permissions = discord.Permissions.none()  # what discord.py reads outside a guild
        else:
            guild = bot.get_guild(self.guild.id)
            assert guild is not None
            channel = guild.get_channel(self.channel.id)
            assert isinstance(channel, discord.TextChannel)
            user = await guild.fetch_member(member.id)
            interaction.user = user
            interaction.guild = guild
            interaction.guild_id = guild.id
            interaction.channel_id = channel.id
            interaction.permissions = channel.permissions_for(user)
        interaction.response = create_autospec(discord.InteractionResponse, instance=True)
        interaction.response.is_done.return_value = False
        interaction.followup = create_autospec(discord.Webhook, instance=True)
        return interaction


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "story_settings(**overrides): settings for the StoryBot that simcord_env runs")
    config.addinivalue_line("markers", "operator: the world's admin is an operator (ADMIN_USER_IDS)")


@pytest.fixture
def simcord_bot(request: pytest.FixtureRequest, corpus: Path) -> StoryBot:
    marker = request.node.get_closest_marker("story_settings")
    return make_bot(corpus, **(marker.kwargs if marker else {}))


@pytest.fixture
async def world(simcord_env: simcord.Env, request: pytest.FixtureRequest) -> World:
    bot = cast(StoryBot, simcord_env.bot)
    await bot.tree.sync()
    guild = simcord_env.create_guild("Readers")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    managers = guild.create_role("managers", permissions=discord.Permissions(manage_guild=True))
    editors = guild.create_role("editors")
    admin = guild.add_member(simcord_env.create_user("admin"), roles=[managers, editors])
    moderator = guild.add_member(simcord_env.create_user("moderator"), roles=[managers])
    if request.node.get_closest_marker("admin_roles") is not None:
        bot.settings.admin_role_ids = [editors.id]
    if request.node.get_closest_marker("operator") is not None:
        bot.settings.admin_user_ids = [admin.id]
    return World(simcord_env, bot.settings.corpus_dir, guild, channel, alice, bob, admin, moderator)
