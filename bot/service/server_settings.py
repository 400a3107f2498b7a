"""Each server's own settings (``/settings``), kept in the question log so
that every process sees them; here they are read, cached, changed, and the
operator's defaults (``ANSWER_CHANNEL_IDS``) laid under them.

A change is saved, then announced to the other processes the way reloads
are (``corpus_sync.CorpusSync``: a version bumped in the database and a
notification); a process told of a change forgets its copy and reads the
server's settings again when next needed, within seconds.  Hand-offs (a
question passed to people) are noted in the same database, so each
question is handed off once whichever process serves the button.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from bot.question_log import StoreError
from bot.question_log.server_settings import ServerSettings
from bot.service.log_keeper import LogKeeper
from bot.settings import Settings

log = logging.getLogger(__name__)

LOG_OFF = "the question log is off, and it keeps the servers' settings"
RETRY_UNREADABLE = 30.0
"""Seconds a server's settings that could not be read serve as the defaults
before they are read again (one warning, not one per message)."""

Announce = Callable[[int], Awaitable[None]]
"""Tells the other processes that a server's settings changed."""


class ServerSettingsBook:
    """Every server's settings this process has read, and the way to change one."""

    def __init__(self, settings: Settings, keeper: LogKeeper) -> None:
        self.settings = settings
        self.keeper = keeper
        self.announce: Announce | None = None
        self._cache: dict[int, ServerSettings] = {}
        self._handed: set[int] = set()
        self._unreadable_until: dict[int, float] = {}
        self.handoff_failures: dict[int, str] = {}
        """Why the last hand-off in a server failed (in this process), for ``/settings show``."""

    def cached(self, guild_id: int) -> ServerSettings | None:
        return self._cache.get(guild_id)

    async def of(self, guild_id: int) -> ServerSettings:
        """The server's settings (nothing chosen while the log cannot be read: logged)."""
        known = self._cache.get(guild_id)
        if known is not None:
            return known
        store = self.keeper.store
        if store is None or time.monotonic() < self._unreadable_until.get(guild_id, 0.0):
            return ServerSettings(guild_id)
        try:
            found = await store.server_settings(guild_id)
        except StoreError as exc:
            log.warning(
                "server %d's settings cannot be read now (%s); the defaults serve for %g s",
                guild_id,
                exc,
                RETRY_UNREADABLE,
            )
            self._unreadable_until[guild_id] = time.monotonic() + RETRY_UNREADABLE
            return ServerSettings(guild_id)
        self._unreadable_until.pop(guild_id, None)
        self._cache[guild_id] = found
        return found

    async def change(self, guild_id: int, how: Callable[[ServerSettings], ServerSettings]) -> ServerSettings:
        """Apply ``how`` to the server's saved settings, save and announce
        them; ``StoreError`` when they cannot be saved (nothing changed)."""
        store = self.keeper.store
        if store is None:
            raise StoreError(LOG_OFF)
        new = how(await store.server_settings(guild_id))
        await store.save_server_settings(new)
        self._cache[guild_id] = new
        log.info("server %d's settings changed: %s", guild_id, new.to_json())
        if self.announce is not None:
            await self.announce(guild_id)
        return new

    def forget(self, guild_id: int) -> None:
        """Another process changed the server's settings: read them again when next needed."""
        self._cache.pop(guild_id, None)

    # -- what they mean, the operator's defaults included ----------------------

    def is_answer_channel(self, guild_id: int | None, channel_id: int) -> bool:
        """Every message in this channel is a question (from the cache: a
        server's settings are read when its first message comes)."""
        chosen = self._cache.get(guild_id) if guild_id is not None else None
        if chosen is not None and channel_id in chosen.answer_channels:
            return chosen.answer_channels[channel_id]
        return channel_id in self.settings.answer_channel_ids

    async def is_forum(self, guild_id: int, channel_id: int | None) -> bool:
        return channel_id is not None and channel_id in (await self.of(guild_id)).forum_channels

    async def claim_handoff(self, message_id: int, guild_id: int | None) -> bool:
        """True the first time the question of ``message_id`` is handed to
        people (in memory only when the log is off); ``StoreError`` when the
        log cannot say."""
        store = self.keeper.store
        if store is None:
            first = message_id not in self._handed
            self._handed.add(message_id)
            return first
        return await store.claim_handoff(message_id, guild_id)

    async def release_handoff(self, message_id: int) -> None:
        """The hand-off failed: the question may be handed off again."""
        self._handed.discard(message_id)
        store = self.keeper.store
        if store is not None:
            await store.release_handoff(message_id)
