"""Shared harness for the in-process behaviour tests: the real ``StoryBot``
run against simcord's offline Discord.

The fixtures are imported by ``tests/exts/conftest.py`` and
``tests/ui/conftest.py``:

* ``simcord_bot`` builds the bot (simcord's own ``simcord_env`` fixture
  starts it); per-test settings come from ``@pytest.mark.story_settings(...)``;
* ``world`` syncs the command tree (as ``python -m bot sync`` would) and
  arranges a guild, a channel and two readers, Alice and Bob.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import discord
import pytest
import simcord

from bot.client import StoryBot
from bot.engine import Engine
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"

STORY_TITLE = "Putin visits Syria to meet Assad, a key Iran ally"
BYLINE = "The Associated Press (Albert Aji and Daria Litvinova)"
WHERE_MEET = "Where did Putin and Assad meet?"
MEETING = "Putin and Assad met Tuesday at a Russian command post in Damascus"
SOURCE_P6 = f"\u2014 \u201c{STORY_TITLE}\u201d, {BYLINE}, paragraph 6"
OFF_TOPIC = "How do I bake a chocolate cake?"
SORRY = "Something went wrong"
MAX_CONTENT = 2000

DEFAULT_SETTINGS: dict[str, Any] = {
    "question_cooldown_rate": 1000,  # the maximum: no test trips it by accident
    "question_cooldown_seconds": 60.0,
    "answer_channel_ids": [],  # never taken from the developer's environment
}


def make_bot(**overrides: Any) -> StoryBot:
    """The bot as the tests build it: BM25 only (``semantic=False``)."""
    settings = load_settings(corpus_dir=CORPUS, semantic=False, **{**DEFAULT_SETTINGS, **overrides})
    return StoryBot(settings, engine_factory=lambda: Engine.from_folder(CORPUS))


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


@dataclass
class World:
    env: simcord.Env
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor
    bob: simcord.MemberActor

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "story_settings(**overrides): settings for the StoryBot that simcord_env runs")


@pytest.fixture
def simcord_bot(request: pytest.FixtureRequest) -> StoryBot:
    marker = request.node.get_closest_marker("story_settings")
    return make_bot(**(marker.kwargs if marker else {}))


@pytest.fixture
async def world(simcord_env: simcord.Env) -> World:
    await simcord_env.bot.tree.sync()  # type: ignore[attr-defined]
    guild = simcord_env.create_guild("Readers")
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    bob = guild.add_member(simcord_env.create_user("bob"))
    return World(simcord_env, guild, channel, alice, bob)
