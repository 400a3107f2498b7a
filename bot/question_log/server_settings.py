"""Each server's own settings, as the question log keeps them (one row a
server, the settings as JSON), and the hand-offs already made (one row a
question handed to people, so that it is handed off once).

``ServerSettings`` says only what the server's admins chose: the operator's
defaults (``ANSWER_CHANNEL_IDS``) are applied by the service
(``bot/service/server_settings.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class ServerSettings:
    """One server's choices (nothing chosen: the operator's defaults)."""

    guild_id: int
    answer_channels: dict[int, bool] = field(default_factory=dict)
    """Channels an admin turned on (True) or off (False) as answer channels."""
    forum_channels: frozenset[int] = frozenset()
    """Forums whose new posts are answered."""
    handoff_channel: int | None = None
    handoff_role: int | None = None

    @property
    def handoff(self) -> tuple[int, int] | None:
        """The hand-off channel and role, when both are set."""
        if self.handoff_channel is None or self.handoff_role is None:
            return None
        return self.handoff_channel, self.handoff_role

    def with_answer_channel(self, channel_id: int, on: bool) -> ServerSettings:
        return replace(self, answer_channels={**self.answer_channels, channel_id: on})

    def with_forum(self, channel_id: int, on: bool) -> ServerSettings:
        forums = self.forum_channels | {channel_id} if on else self.forum_channels - {channel_id}
        return replace(self, forum_channels=frozenset(forums))

    def with_handoff(self, channel_id: int | None, role_id: int | None) -> ServerSettings:
        return replace(self, handoff_channel=channel_id, handoff_role=role_id)

    def to_json(self) -> str:
        data = {
            "answer": {str(k): v for k, v in sorted(self.answer_channels.items())},
            "forum": sorted(self.forum_channels),
            "handoff": [self.handoff_channel, self.handoff_role],
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, guild_id: int, text: str | None) -> ServerSettings:
        """The settings a row holds; an unreadable row reads as nothing chosen."""
        try:
            data: Any = json.loads(text) if text else {}
            answer = {int(k): bool(v) for k, v in dict(data.get("answer", {})).items()}
            forums = frozenset(int(c) for c in data.get("forum", []))
            channel, role = [*(data.get("handoff") or ()), None, None][:2]
            return cls(
                guild_id,
                answer,
                forums,
                int(channel) if channel is not None else None,
                int(role) if role is not None else None,
            )
        except (ValueError, TypeError, AttributeError):
            return cls(guild_id)


SQLITE_STEP = (
    """
    CREATE TABLE server_settings (
        guild_id    INTEGER PRIMARY KEY,
        data        TEXT    NOT NULL,
        updated_at  REAL    NOT NULL
    )
    """,
    """
    CREATE TABLE handoffs (
        message_id  INTEGER PRIMARY KEY,
        guild_id    INTEGER,
        handed_at   REAL    NOT NULL
    )
    """,
    "CREATE INDEX handoffs_by_time ON handoffs (handed_at)",
)
"""The SQLite schema step (3) that adds them."""

POSTGRES_STEP = (
    """
    CREATE TABLE server_settings (
        guild_id    bigint      PRIMARY KEY,
        data        text        NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE handoffs (
        message_id  bigint      PRIMARY KEY,
        guild_id    bigint,
        handed_at   timestamptz NOT NULL
    )
    """,
    "CREATE INDEX handoffs_by_time ON handoffs (handed_at)",
)
"""The PostgreSQL schema step (3) that adds them."""

PG_READ = "SELECT data FROM server_settings WHERE guild_id = $1"
PG_SAVE = """
    INSERT INTO server_settings (guild_id, data) VALUES ($1, $2)
    ON CONFLICT (guild_id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()
"""
PG_CLAIM = "INSERT INTO handoffs (message_id, guild_id, handed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
PG_RELEASE = "DELETE FROM handoffs WHERE message_id = $1"
