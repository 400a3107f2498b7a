"""What the wire-level fake Discord (``fake_discord.py``) needs for forum
posts and message context menus, as Discord sends them: a forum channel in
the guild, a post (``THREAD_CREATE`` of a public thread, then the
``MESSAGE_CREATE`` of its first message, whose id is the thread's), and a
message command's ``INTERACTION_CREATE`` with its target message resolved.

Without the Message Content intent Discord sends the post's first message
with empty ``content`` (it mentions nobody), over the gateway and over REST
alike: ``post`` stores it so for ``GET /channels/<thread>/messages/<id>``."""

from __future__ import annotations

from typing import Any

from tests.harness.fake_discord import FakeDiscord, now_iso


def add_forum(fake: FakeDiscord, channel_id: int, name: str = "ask-the-story") -> dict[str, Any]:
    """A forum channel of the guild (add it before the bot connects)."""
    forum = {
        **fake.make_text_channel(channel_id, name, position=1),
        "type": 15,
        "available_tags": [],
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "default_thread_rate_limit_per_user": 0,
    }
    fake.channels[channel_id] = forum
    return forum


def add_text_channel(fake: FakeDiscord, channel_id: int, name: str) -> dict[str, Any]:
    channel = fake.make_text_channel(channel_id, name, position=2)
    fake.channels[channel_id] = channel
    return channel


def thread_payload(
    fake: FakeDiscord,
    forum_id: int,
    title: str,
    *,
    owner: dict[str, Any] | None = None,
    archived: bool = False,
    locked: bool = False,
) -> dict[str, Any]:
    """A new post's thread, as ``THREAD_CREATE`` carries it."""
    thread_id = fake.snowflake()
    owner = owner or fake.reader
    thread = {
        "id": str(thread_id),
        "guild_id": str(fake.guild_id),
        "parent_id": str(forum_id),
        "owner_id": owner["id"],
        "type": 11,
        "name": title,
        "last_message_id": str(thread_id),
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [],
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 4320,
            "archive_timestamp": now_iso(),
            "locked": locked,
            "create_timestamp": now_iso(),
        },
        "newly_created": True,
    }
    fake.threads[thread_id] = thread
    return thread


async def post(
    fake: FakeDiscord, forum_id: int, title: str, body: str, *, owner: dict[str, Any] | None = None, **flags: bool
) -> dict[str, Any]:
    """A reader opens a post: ``THREAD_CREATE``, then its first message
    (``MESSAGE_CREATE``, as delivered: empty without the intent).  The thread."""
    thread = thread_payload(fake, forum_id, title, owner=owner, **flags)
    starter = fake.message_create(body, author=owner, channel_id=int(thread["id"]), message_id=int(thread["id"]))
    delivered = fake.as_delivered(starter)  # what the gateway and REST give the bot alike
    fake.messages[int(thread["id"])] = delivered
    await fake.dispatch("THREAD_CREATE", thread)
    await fake.dispatch("MESSAGE_CREATE", delivered)
    return thread


def message_command(
    fake: FakeDiscord, name: str, target: dict[str, Any], *, user: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message context menu command on ``target``: Discord resolves the
    target message, its content included, for the command."""
    data = fake._interaction_base(2, user=user, channel_id=int(target["channel_id"]), guild=True)
    data["data"] = {
        "id": str(fake.snowflake()),
        "name": name,
        "type": 3,
        "target_id": target["id"],
        "resolved": {"messages": {target["id"]: dict(target)}},
    }
    return data
