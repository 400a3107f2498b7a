"""A small fake Discord (REST + gateway) for wire-level end-to-end tests.

It speaks just enough of Discord's API v10 for a discord.py 2.7 bot to log
in, connect, receive events and answer them, and it records everything the
bot sends so a test can assert on the exact JSON that went over the wire.

    async with FakeDiscord() as fake:
        settings = load_settings(
            discord_token="...",
            discord_api_base_url=fake.api_base_url,
            discord_gateway_url=fake.gateway_url,
        )
        ...  # apply_endpoints(settings); bot.login(); bot.connect()
        await fake.wait_for_identify()
        await fake.dispatch("MESSAGE_CREATE", fake.message_create("<@...> hi"))
        request = await fake.wait_for_request("POST", r"/channels/\\d+/messages")
        request.json["content"]

Everything listens on 127.0.0.1 only, on a free port chosen by the OS.

REST (under ``/api/v10``): ``GET /users/@me``, ``GET /gateway``,
``GET /gateway/bot``, ``GET /applications/@me`` (and the ``/oauth2/`` form
discord.py uses), channel messages (``POST``, ``GET``, ``PATCH``,
``DELETE``), typing, reactions, interaction callbacks, interaction webhooks
(follow-ups, ``@original``), application command sync (``PUT``/``GET``).
Any other route is recorded (``known=False``) and answered 404 with a JSON
error, like Discord.  Every JSON reply carries ``Content-Type:
application/json`` exactly: discord.py compares the header verbatim and
treats anything else as text.

Gateway (``ws://127.0.0.1:PORT/``): HELLO, IDENTIFY -> READY (guilds
unavailable) + GUILD_CREATE, HEARTBEAT -> HEARTBEAT_ACK, RESUME -> RESUMED.
Privileged intents are checked as Discord does: an IDENTIFY asking for one
the application has not enabled (``FakeDiscord(privileged_intents=...)``,
none by default) is closed with 4014 "Disallowed intent(s)".  Message
content too: a session without ``MESSAGE_CONTENT`` gets a server message
that is neither the bot's own nor mentions the bot (a reply with the reply
ping switched off, a plain message in a channel) with empty ``content``,
``embeds``, ``attachments`` and ``components``; DMs keep theirs.
Shards: an IDENTIFY with ``shard: [id, count]`` gets a READY carrying it,
and the first guild (READY's list, GUILD_CREATE) only when ``(guild_id >> 22)
% count == id``; ``dispatch`` sends an event to the connection of its guild's
shard (DMs to shard 0).  ``/gateway/bot`` recommends ``shards`` with
``max_concurrency``.  REST is served under ``/api/v10`` and under
``proxy_prefix`` (``proxy_api_base_url``), as a rate-limit proxy would.
Frames are plain JSON text by default.  discord.py always asks for
``compress=zlib-stream`` in the URL query but reads text frames as they are;
``FakeDiscord(zlib_stream=True)`` sends real zlib-stream binary frames
instead, to exercise the other path.

Injections: ``rate_limit_once`` (a 429 with ``retry_after``, per route or
global, the way Discord sends it, ``Via`` header included: discord.py treats a
429 without it as a Cloudflare ban and gives up), ``fail_once`` (any status
and body), ``close_gateway`` (a close frame with any code; optionally the
session is invalidated too, so the bot's RESUME gets INVALID_SESSION, as
after Discord's 4007 / 4009), ``drop_gateway`` (the TCP connection cut, no
close frame), ``invalid_session`` (op 9, resumable or not) and ``send_op``
(any raw opcode, e.g. op 7 RECONNECT).

Like Discord, the fake keeps the session's dispatches: a RESUME gets the
events after its ``seq`` replayed, then RESUMED, and ``dispatch(...,
queue_if_down=True)`` while no connection is up holds the event for that
replay.  Each connection records when every HEARTBEAT arrived
(``GatewayConnection.heartbeats``, ``time.perf_counter`` seconds) so a test
can check the heartbeat keeps its interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import itertools
import json
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

HOST = "127.0.0.1"
TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMQ.WireTest.s3cr3t-t0ken-NEVER-LOG-ME-7f3a9c"
"""The token the wire tests' bots log in with."""
MANAGERS = 1_100_000_000_000_000_500
"""A role with Manage Server (``add_managers``): members with it are admins."""
MANAGE_GUILD = 1 << 5
API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1_420_070_400_000

# Gateway opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_VOICE_STATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Privileged gateway intents (enabled per application in the developer portal).
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Interaction callback types.
CALLBACK_PONG = 1
CALLBACK_MESSAGE = 4
CALLBACK_DEFERRED_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE = 8
CALLBACK_MODAL = 9

ALL_PERMISSIONS = str((1 << 53) - 1)
EVERYONE_PERMISSIONS = "1071698660929"  # view, send, read history, use app commands, ...
OPTION_TYPES: dict[type, int] = {str: 3, int: 4, bool: 5, float: 10}


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class SnowflakeFactory:
    """Fresh, increasing, realistic snowflakes (time in the top bits)."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (next(self._counter) & 0x3FFFFF)


@dataclass
class RecordedRequest:
    """One HTTP request the bot made, and what the fake answered."""

    method: str
    path: str
    """Relative to ``/api/v10`` (or the proxy prefix) when under it (``/channels/1/messages``), else the full path."""
    full_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    """The JSON body; for multipart requests the ``payload_json`` part; else None."""
    params: dict[str, str] = field(default_factory=dict)
    """The route's parameters (``channel_id``, ``token``, ...)."""
    known: bool = True
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.perf_counter)

    def __repr__(self) -> str:  # the body can be long; keep reprs short
        return f"<RecordedRequest {self.method} {self.path} -> {self.status}>"


def replies_to(message: Mapping[str, Any]) -> Callable[[RecordedRequest], bool]:
    """A ``predicate`` for ``find_requests`` / ``wait_for_request``: a message
    the bot sent as a reply to ``message`` (by its ``message_reference``)."""

    def check(rec: RecordedRequest) -> bool:
        body = rec.json if isinstance(rec.json, dict) else {}
        ref = body.get("message_reference") or {}
        return str(ref.get("message_id")) == str(message["id"])

    return check


@dataclass
class _Injection:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    times: int


class GatewayConnection:
    """One websocket connection from the bot."""

    def __init__(
        self,
        ws: web.WebSocketResponse,
        query: Mapping[str, str],
        *,
        zlib_stream: bool,
        transport: asyncio.Transport | None = None,
    ) -> None:
        self.ws = ws
        self.transport = transport
        self.query = dict(query)
        self.zlib_stream = zlib_stream
        self._compressor = zlib.compressobj() if zlib_stream else None
        self._lock = asyncio.Lock()
        self.received: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.identified = False
        self.session_id: str | None = None
        self.closed = asyncio.Event()
        self.heartbeats: list[float] = []
        """When each HEARTBEAT (op 1) arrived, in ``time.perf_counter`` seconds."""
        self.shard: tuple[int, int] | None = None
        """``(shard_id, shard_count)`` from its IDENTIFY, when it sent one."""
        self.identified_at: float | None = None
        """When its IDENTIFY arrived (``time.perf_counter`` seconds)."""

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                raise ConnectionResetError("the gateway connection is closed")
            self.sent.append(payload)
            if self._compressor is not None:
                data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(text)


def _json_response(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """JSON with ``Content-Type: application/json`` exactly (no charset)."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(obj).encode(), headers=all_headers)


def _error(status: int, message: str, code: int = 0) -> web.Response:
    return _json_response({"message": message, "code": code}, status=status)


def _payload_json_from_multipart(content_type: str, body: bytes) -> Any:
    parser = email.parser.BytesParser()
    msg = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    for part in msg.walk():
        if part.get_param("name", header="content-disposition") == "payload_json":
            payload = part.get_payload(decode=True)
            return json.loads(payload) if isinstance(payload, bytes) else None
    return None


class FakeDiscord:
    """The fake server.  Start it with ``async with FakeDiscord() as fake`` (or
    ``await fake.start()`` / ``await fake.stop()``)."""

    def __init__(
        self,
        *,
        token: str | None = None,
        heartbeat_interval_ms: int = 1000,
        zlib_stream: bool = False,
        bot_id: int = 1_100_000_000_000_000_001,
        application_id: int | None = None,
        guild_id: int = 1_100_000_000_000_000_100,
        channel_id: int = 1_100_000_000_000_000_200,
        reader_id: int = 1_100_000_000_000_000_301,
        owner_id: int = 1_100_000_000_000_000_302,
        interactions_endpoint_url: str | None = None,
        privileged_intents: int = 0,
        shards: int = 1,
        max_concurrency: int = 1,
        proxy_prefix: str = "/proxy" + API_PREFIX,
    ) -> None:
        """``token``: when set, REST calls with another ``Authorization`` get
        401 and an IDENTIFY with another token is closed with 4004, like
        Discord.  When None, any token is accepted (and recorded).
        ``privileged_intents``: the privileged intents the application has
        enabled (``INTENT_MESSAGE_CONTENT``, ...); an IDENTIFY asking for
        another is closed with 4014."""
        self.token = token
        self.privileged_intents = privileged_intents
        self.shards = shards
        """The shard count ``/gateway/bot`` recommends."""
        self.max_concurrency = max_concurrency
        """``session_start_limit.max_concurrency`` of ``/gateway/bot``."""
        self.proxy_prefix = proxy_prefix
        """REST is served under this prefix too, as a rate-limit proxy would (``proxy_api_base_url``)."""
        self.session_intents = 0
        """The intents the current session identified with."""
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.zlib_stream = zlib_stream
        self.snowflake = SnowflakeFactory()

        self.bot_id = bot_id
        self.application_id = application_id or bot_id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.reader_id = reader_id
        self.owner_id = owner_id
        self.interactions_endpoint_url = interactions_endpoint_url

        self.users: dict[int, dict[str, Any]] = {}
        self.bot_user = self.add_user(bot_id, "storybot", bot=True)
        self.reader = self.add_user(reader_id, "reader")
        self.owner = self.add_user(owner_id, "owner")
        self.roles: dict[int, dict[str, Any]] = {
            guild_id: self.make_role(guild_id, "@everyone", permissions=EVERYONE_PERMISSIONS, position=0)
        }
        self.channels: dict[int, dict[str, Any]] = {channel_id: self.make_text_channel(channel_id, "story-questions")}
        self.member_ids: list[int] = [bot_id, reader_id, owner_id]
        self.other_guilds: dict[int, dict[str, Any]] = {}
        """Guilds added by ``add_guild``: each one's ``channel`` and ``roles``."""
        self.threads: dict[int, dict[str, Any]] = {}
        """Threads of the guild (forum posts: ``tests/harness/community.py``)."""

        # What the bot did.
        self.requests: list[RecordedRequest] = []
        self.unknown_requests: list[RecordedRequest] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.connections: list[GatewayConnection] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.interactions: dict[int, dict[str, Any]] = {}
        self.commands: dict[int | None, list[dict[str, Any]]] = {}

        self.session_id: str | None = None
        self.sequence = 0
        self._session_events: list[dict[str, Any]] = []
        """Every dispatch of the current session (for replay on RESUME)."""
        self.resume_gate: asyncio.Event | None = None
        """When set to an event, a RESUME is answered only once it is set
        (so a test can dispatch events while the bot is reconnecting)."""
        self._injections: list[_Injection] = []
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- life cycle ------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self.resume_gate is not None:
            self.resume_gate.set()  # no handler stays parked on it
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def proxy_api_base_url(self) -> str:
        """The REST base through the prefix (``/proxy/api/v10``), like a
        rate-limit proxy such as nirn-proxy: the same routes under its own
        base; ``RecordedRequest.full_path`` keeps the raw path."""
        return self.base_url + self.proxy_prefix

    @property
    def api_base_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{HOST}:{self.port}/"

    # -- data builders ---------------------------------------------------------

    def add_user(self, user_id: int, username: str, *, bot: bool = False, member: bool = False) -> dict[str, Any]:
        """Register a user (and, with ``member=True``, make them a member of the guild)."""
        user = {
            "id": str(user_id),
            "username": username,
            "global_name": None if bot else username.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
            "flags": 0,
        }
        self.users[user_id] = user
        if member and user_id not in getattr(self, "member_ids", []):
            self.member_ids.append(user_id)
        return user

    def add_managers(self) -> dict[str, Any]:
        """The ``MANAGERS`` role, with Manage Server."""
        return self.add_role(MANAGERS, "managers", permissions=str(MANAGE_GUILD))

    def add_role(self, role_id: int, name: str, **fields: Any) -> dict[str, Any]:
        role = self.make_role(role_id, name, **fields)
        self.roles[role_id] = role
        return role

    def make_role(
        self, role_id: int, name: str, *, permissions: str = "0", position: int = 1, mentionable: bool = True
    ) -> dict[str, Any]:
        return {
            "id": str(role_id),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": permissions,
            "managed": False,
            "mentionable": mentionable,
            "flags": 0,
        }

    def make_text_channel(self, channel_id: int, name: str, *, position: int = 0) -> dict[str, Any]:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "topic": "Ask the bot about the story",
            "parent_id": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def member(self, user_id: int, *, with_user: bool = True, permissions: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [],
            "nick": None,
            "avatar": None,
            "banner": None,
            "premium_since": None,
            "joined_at": "2024-01-07T10:00:00.000000+00:00",
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.users[user_id]
        if permissions is not None:
            data["permissions"] = permissions
        return data

    def on_shard(self, guild_id: int, shard: tuple[int, int] | None) -> bool:
        """Whether ``guild_id``'s events go to ``shard`` (``(id, count)``;
        None: an unsharded session gets every guild), as Discord routes
        them: ``(guild_id >> 22) % count == id``."""
        return shard is None or (guild_id >> 22) % shard[1] == shard[0]

    def ready_payload(self, shard: tuple[int, int] | None = None) -> dict[str, Any]:
        return {
            **({"shard": list(shard)} if shard else {}),
            "v": 10,
            "user": {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US"},
            "guilds": [{"id": str(self.guild_id), "unavailable": True}] if self.on_shard(self.guild_id, shard) else [],
            "session_id": self.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["local"],
            "user_settings": {},
            "_trace": ["fake-discord"],
        }

    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.guild_id),
            "name": "Story readers",
            "icon": None,
            "owner_id": str(self.owner_id),
            "unavailable": False,
            "large": False,
            "member_count": len(self.member_ids),
            "joined_at": "2024-01-07T10:00:00.000000+00:00",
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": str(self.channel_id),
            "features": [],
            "roles": list(self.roles.values()),
            "channels": list(self.channels.values()),
            "members": [self.member(uid) for uid in self.member_ids],
            "emojis": [],
            "stickers": [],
            "presences": [],
            "voice_states": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def application_payload(self) -> dict[str, Any]:
        return {
            "id": str(self.application_id),
            "name": "storybot",
            "icon": None,
            "description": "Answers questions about the story",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner,
            "team": None,
            "flags": 0,
            "summary": "",
            "interactions_endpoint_url": self.interactions_endpoint_url,
            "bot": self.bot_user,
            "redirect_uris": [],
            "tags": [],
        }

    def mention(self, user_id: int | None = None) -> str:
        return f"<@{user_id or self.bot_id}>"

    def message_create(
        self,
        content: str,
        *,
        author: Mapping[str, Any] | None = None,
        channel_id: int | None = None,
        guild: bool = True,
        mentions: Iterable[Mapping[str, Any]] | None = None,
        mention_roles: Iterable[int | str] | None = None,
        mention_everyone: bool | None = None,
        referenced_message: Mapping[str, Any] | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE payload, as Discord sends it.

        By default mentions are worked out from the content the way Discord
        does: ``<@id>`` of a known user, ``<@&id>`` of a known role,
        ``@everyone``/``@here``.  Pass them explicitly to override."""
        author = dict(author or self.reader)
        author_id = int(author["id"])
        if mentions is None:
            ids = [int(m) for m in re.findall(r"<@!?(\d+)>", content)]
            mentions = [self.users[i] for i in dict.fromkeys(ids) if i in self.users]
        if mention_roles is None:
            mention_roles = [int(r) for r in re.findall(r"<@&(\d+)>", content) if int(r) in self.roles]
        if mention_everyone is None:
            mention_everyone = "@everyone" in content or "@here" in content
        data: dict[str, Any] = {
            "id": str(message_id or self.snowflake()),
            "type": 19 if referenced_message else 0,
            "channel_id": str(channel_id or self.channel_id),
            "author": author,
            "content": content,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": bool(mention_everyone),
            "mentions": [],
            "mention_roles": [str(r) for r in mention_roles],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": 0,
            "components": [],
            "nonce": str(self.snowflake()),
        }
        if guild:
            data["guild_id"] = str(self.guild_id)
            data["member"] = self.member(author_id, with_user=False)
            data["mentions"] = [
                {**m, "member": self.member(int(m["id"]), with_user=False)} if int(m["id"]) in self.member_ids else m
                for m in mentions
            ]
        else:
            data["mentions"] = list(mentions)
        if referenced_message is not None:
            data["message_reference"] = {
                "type": 0,
                "message_id": referenced_message["id"],
                "channel_id": referenced_message["channel_id"],
                **({"guild_id": str(self.guild_id)} if guild else {}),
            }
            data["referenced_message"] = dict(referenced_message)
        return data

    def resolved_permissions(self, roles: Iterable[int]) -> str:
        """A member's permissions with ``roles``, as Discord resolves them for
        an interaction (``member.permissions``): the ``@everyone`` role's and
        the roles' together (no channel overwrites in this fake)."""
        value = 0
        for role_id in (self.guild_id, *roles):
            value |= int(self.roles[role_id]["permissions"])
        return str(value)

    def _interaction_base(
        self,
        itype: int,
        *,
        user: Mapping[str, Any] | None,
        channel_id: int | None,
        guild: bool,
        roles: Iterable[int] = (),
    ) -> dict[str, Any]:
        user = dict(user or self.reader)
        roles = list(roles)
        iid = self.snowflake()
        data: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": "itok-" + secrets.token_urlsafe(24),
            "version": 1,
            "locale": "en-US",
            "app_permissions": ALL_PERMISSIONS,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            cid = channel_id or self.channel_id
            data.update(
                guild_id=str(self.guild_id),
                guild={"id": str(self.guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(cid),
                channel=self.channels.get(cid, self.make_text_channel(cid, "channel")),
                member={
                    **self.member(int(user["id"]), permissions=self.resolved_permissions(roles)),
                    "roles": [str(r) for r in roles],
                },
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=0,
            )
        else:
            cid = channel_id or self.snowflake()
            data.update(
                channel_id=str(cid),
                channel={"id": str(cid), "type": 1, "recipients": [user], "last_message_id": None, "flags": 0},
                user=user,
                authorizing_integration_owners={"0": str(self.guild_id)},
                context=1,
            )
        return data

    def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | list[dict[str, Any]] | None = None,
        *,
        command_id: int | None = None,
        user: Mapping[str, Any] | None = None,
        channel_id: int | None = None,
        guild: bool = True,
        roles: Iterable[int] = (),
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for a (global) chat-input command.
        ``options`` as ``{"question": "..."}`` (types inferred) or Discord's list;
        ``roles``: the member's roles (e.g. ``[MANAGERS]`` for an admin), which
        their resolved permissions follow."""
        if isinstance(options, Mapping):
            opts = [{"name": k, "type": OPTION_TYPES[type(v)], "value": v} for k, v in options.items()]
        else:
            opts = list(options or [])
        data = self._interaction_base(2, user=user, channel_id=channel_id, guild=guild, roles=roles)
        data["data"] = {"id": str(command_id or self.snowflake()), "name": name, "type": 1, "options": opts}
        return data

    def button_click(
        self,
        custom_id: str,
        message: Mapping[str, Any],
        *,
        user: Mapping[str, Any] | None = None,
        guild: bool = True,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for a press of button ``custom_id`` under ``message``."""
        data = self._interaction_base(3, user=user, channel_id=int(message["channel_id"]), guild=guild)
        data["message"] = dict(message)
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        return data

    def _message_from_body(
        self,
        body: Mapping[str, Any] | None,
        channel_id: int | str,
        *,
        webhook_id: int | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        body = body or {}
        message: dict[str, Any] = {
            "id": str(message_id or self.snowflake()),
            "type": 19 if body.get("message_reference") else 0,
            "channel_id": str(channel_id),
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "pinned": False,
            "flags": int(body.get("flags") or 0),
        }
        guild_id = self.guild_of_channel(int(channel_id))
        if guild_id is not None:
            message["guild_id"] = str(guild_id)
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        ref = body.get("message_reference")
        if ref:
            message["message_reference"] = {k: str(v) for k, v in ref.items() if k.endswith("_id")}
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        return message

    # -- more guilds -------------------------------------------------------------

    def add_guild(
        self,
        guild_id: int,
        channel_id: int,
        member_ids: Iterable[int],
        *,
        roles: Iterable[Mapping[str, Any]] = (),
        name: str = "Other readers",
    ) -> dict[str, Any]:
        """Another guild, with one text channel, ``roles`` (``make_role``; its
        ``@everyone`` is added) and the bot and ``member_ids`` (registered
        users) as members.  Returns its GUILD_CREATE payload: ``dispatch`` it
        once the bot is ready (the bot joins the guild).  The bot's messages
        to the channel belong to the guild; ``to_guild`` moves an event built
        for the first guild there."""
        everyone = self.make_role(guild_id, "@everyone", permissions=EVERYONE_PERMISSIONS, position=0)
        guild_roles = {guild_id: everyone, **{int(r["id"]): dict(r) for r in roles}}
        channel = {**self.make_text_channel(channel_id, "questions"), "guild_id": str(guild_id)}
        self.other_guilds[guild_id] = {"channel": channel, "roles": guild_roles}
        members = [self.bot_id, *member_ids]
        return {
            **self.guild_payload(),
            "id": str(guild_id),
            "name": name,
            "member_count": len(members),
            "system_channel_id": str(channel_id),
            "roles": list(guild_roles.values()),
            "channels": [channel],
            "members": [self.member(uid) for uid in members],
        }

    def to_guild(self, payload: dict[str, Any], guild_id: int, *, roles: Iterable[int] = ()) -> dict[str, Any]:
        """``payload`` (from ``message_create``, ``slash_command`` or
        ``button_click``) as sent in ``add_guild``'s guild ``guild_id``, in
        its channel; an interaction's member has that guild's ``roles`` and
        the permissions they give."""
        guild = self.other_guilds[guild_id]
        channel = guild["channel"]
        data = {**payload, "guild_id": str(guild_id), "channel_id": channel["id"]}
        if "token" in payload:  # an interaction
            permissions = 0
            for role_id in (guild_id, *roles):
                permissions |= int(guild["roles"][role_id]["permissions"])
            data.update(
                guild={**payload["guild"], "id": str(guild_id)},
                channel=channel,
                member={**payload["member"], "roles": [str(r) for r in roles], "permissions": str(permissions)},
                authorizing_integration_owners={"0": str(guild_id)},
            )
        return data

    def guild_of_channel(self, channel_id: int) -> int | None:
        """The guild a (text) channel is in; None for a channel the fake does not know."""
        if channel_id in self.channels or channel_id in self.threads:
            return self.guild_id
        for guild_id, guild in self.other_guilds.items():
            if int(guild["channel"]["id"]) == channel_id:
                return guild_id
        return None

    # -- gateway ---------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if not web.WebSocketResponse().can_prepare(request).ok:
            return await self._rest(request)
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(ws, request.query, zlib_stream=self.zlib_stream, transport=request.transport)
        self.connections.append(conn)
        await self._notify()
        try:
            await conn.send(
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": []},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type is aiohttp.WSMsgType.TEXT:
                    await self._on_gateway_message(conn, json.loads(msg.data))
                elif msg.type is aiohttp.WSMsgType.BINARY:  # discord.py sends text; record anything else
                    self.gateway_received.append({"binary": bytes(msg.data)})
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            conn.closed.set()
            await self._notify()
        return ws

    async def _on_gateway_message(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        conn.received.append(payload)
        self.gateway_received.append(payload)
        op = payload.get("op")
        d = payload.get("d")
        data: dict[str, Any] = d if isinstance(d, dict) else {}
        if op == OP_HEARTBEAT:
            conn.heartbeats.append(time.perf_counter())
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            conn.identified_at = time.perf_counter()
            self.identifies.append(payload)
            if self.token is not None and data.get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            intents = int(data.get("intents") or 0)
            if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
                await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
                return
            self.session_intents = intents
            self.session_id = secrets.token_hex(16)
            self.sequence = 0
            self._session_events = []
            conn.identified = True
            conn.session_id = self.session_id
            shard = data.get("shard")
            if shard is not None:
                if not (isinstance(shard, list) and len(shard) == 2 and 0 <= int(shard[0]) < int(shard[1])):
                    await conn.ws.close(code=4010, message=b"Invalid shard.")
                    return
                conn.shard = (int(shard[0]), int(shard[1]))
            await self._send_dispatch(conn, "READY", self.ready_payload(conn.shard))
            if self.on_shard(self.guild_id, conn.shard):
                await self._send_dispatch(conn, "GUILD_CREATE", self.guild_payload())
        elif op == OP_RESUME:
            self.resumes.append(payload)
            await self._notify()
            if self.resume_gate is not None:
                await self.resume_gate.wait()
            if data.get("session_id") != self.session_id or (
                self.token is not None and data.get("token") != self.token
            ):
                await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
                return
            conn.identified = True
            conn.session_id = self.session_id
            # Like Discord: the events the bot missed, in order, then RESUMED.
            seq = int(data.get("seq") or 0)
            for frame in [f for f in self._session_events if f["s"] > seq]:
                await conn.send(frame)
            await self._send_dispatch(conn, "RESUMED", {"_trace": ["fake-discord"]})
        await self._notify()

    async def _send_dispatch(self, conn: GatewayConnection | None, event: str, data: Any) -> int:
        """Number the event in the session and send it on ``conn`` (None: keep
        it for the replay after the bot's RESUME)."""
        self.sequence += 1
        seq = self.sequence
        if event == "INTERACTION_CREATE":
            self.interactions[int(data["id"])] = {"payload": data, "acknowledged": False, "original": None}
        elif event == "MESSAGE_CREATE":
            self.messages[int(data["id"])] = data
            data = self.as_delivered(data)
        frame = {"op": OP_DISPATCH, "t": event, "s": seq, "d": data}
        self._session_events.append(frame)
        if conn is not None:
            await conn.send(frame)
        return seq

    def as_delivered(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """``message`` as Discord delivers it to the session: without the
        Message Content intent a server message that is not the bot's and
        does not mention it (``mentions``, which a reply ping fills) comes
        with its content, embeds, attachments and components empty."""
        delivered = dict(message)
        if delivered.get("referenced_message"):
            delivered["referenced_message"] = self.as_delivered(delivered["referenced_message"])
        if (
            self.session_intents & INTENT_MESSAGE_CONTENT
            or "guild_id" not in delivered
            or str(delivered.get("author", {}).get("id")) == str(self.bot_id)
            or any(str(m.get("id")) == str(self.bot_id) for m in delivered.get("mentions") or ())
        ):
            return delivered
        return {**delivered, "content": "", "embeds": [], "attachments": [], "components": []}

    def connection_for(self, data: Any) -> GatewayConnection:
        """The connection an event goes to: with several shards connected,
        the one of the event's guild (a GUILD_CREATE's ``id``, else its
        ``guild_id``; DMs to shard 0), as Discord routes them; else
        ``connection``."""
        shards = [c for c in self.connections if c.open and c.identified and c.shard is not None]
        if not shards or not isinstance(data, Mapping):
            return self.connection
        guild_id = int(data.get("guild_id") or (data.get("id") if "channels" in data else 0) or 0)
        for conn in reversed(shards):
            assert conn.shard is not None
            if self.on_shard(guild_id, conn.shard) if guild_id else conn.shard[0] == 0:
                return conn
        raise RuntimeError(f"no identified gateway connection for the shard of guild {guild_id}")

    @property
    def connection(self) -> GatewayConnection:
        """The current (most recent, open, identified) gateway connection."""
        for conn in reversed(self.connections):
            if conn.open and conn.identified:
                return conn
        raise RuntimeError("no identified gateway connection")

    async def dispatch(self, event: str, data: Any, *, queue_if_down: bool = False) -> int:
        """Send a DISPATCH (op 0) event ``event`` with ``data`` to the bot;
        returns its sequence number.  With no identified connection up this
        raises ``RuntimeError``, unless ``queue_if_down``: then the event is
        numbered and kept, and reaches the bot when it RESUMEs the session
        (as Discord replays missed events)."""
        try:
            conn: GatewayConnection | None = self.connection_for(data)
        except RuntimeError:
            if not queue_if_down or self.session_id is None:
                raise
            conn = None
        return await self._send_dispatch(conn, event, data)

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw non-dispatch opcode (7 RECONNECT, 9 INVALID_SESSION, 1 HEARTBEAT...)."""
        await self.connection.send({"op": op, "d": data, "s": None, "t": None})

    async def close_gateway(
        self,
        code: int = 4000,
        message: bytes = b"fake discord closed the connection",
        *,
        invalidate_session: bool = False,
    ) -> None:
        """Close every open gateway connection from the server side.  With
        ``invalidate_session`` the session ends too (as Discord does with 4007
        Invalid seq or 4009 Session timed out): a RESUME then gets
        INVALID_SESSION (false) and the bot must IDENTIFY again."""
        if invalidate_session:
            self.invalidate_session()
        for conn in self.connections:
            if conn.open:
                await conn.ws.close(code=code, message=message)

    async def drop_gateway(self) -> None:
        """Cut every open gateway connection at the TCP level: no close frame,
        as when the network goes away."""
        for conn in self.connections:
            if conn.open and conn.transport is not None:
                conn.transport.abort()

    def invalidate_session(self) -> None:
        """Forget the session: a later RESUME gets INVALID_SESSION (false)."""
        self.session_id = None
        self._session_events = []

    async def invalid_session(self, *, resumable: bool) -> None:
        """Send op 9 INVALID_SESSION on the current connection; when not
        ``resumable`` the session is gone (the bot must IDENTIFY again)."""
        if not resumable:
            self.invalidate_session()
        await self.send_op(OP_INVALID_SESSION, resumable)

    async def wait_for_identify(self, timeout: float = 5.0, *, count: int = 1) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait until ``count`` IDENTIFY payloads arrived; return the last."""
        await self._wait_until(lambda: len(self.identifies) >= count, timeout, f"{count} IDENTIFY")
        return self.identifies[count - 1]

    async def wait_for_gateway(
        self,
        op: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in tests
        *,
        since: int = 0,
        predicate: Callable[[Any], bool] | None = None,
    ) -> dict[str, Any]:
        """The first gateway payload with opcode ``op`` received (from index ``since``)."""

        def find() -> dict[str, Any] | None:
            for payload in self.gateway_received[since:]:
                if payload.get("op") == op and (predicate is None or predicate(payload)):
                    return payload
            return None

        await self._wait_until(lambda: find() is not None, timeout, f"gateway op {op}")
        found = find()
        assert found is not None
        return found

    # -- REST ------------------------------------------------------------------

    def rate_limit_once(
        self, method: str, path_regex: str, *, retry_after: float = 0.05, is_global: bool = False, times: int = 1
    ) -> None:
        """The next ``times`` matching requests get a 429 with ``retry_after``.

        Per route (the default), with the bucket headers; or ``is_global``,
        the way Discord sends the global limit: ``"global": true`` in the
        body, ``X-RateLimit-Global`` and ``X-RateLimit-Scope: global``, no
        bucket headers."""
        headers = {"Via": "1.1 google", "Retry-After": str(max(1, round(retry_after)))}
        if is_global:
            headers.update({"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"})
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": "fake-" + secrets.token_hex(4),
                    "X-RateLimit-Scope": "user",
                }
            )
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global, "code": 0}
        self.fail_once(method, path_regex, 429, body, headers=headers, times=times)

    def fail_once(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` matching requests get ``status`` with the JSON ``body``."""
        if body is None:
            body = {"message": f"{status}: injected by the fake", "code": 0}
        self._injections.append(
            _Injection(method.upper(), re.compile(path_regex), status, body, dict(headers or {}), times)
        )

    def _take_injection(self, method: str, path: str) -> _Injection | None:
        for inj in self._injections:
            if inj.method == method and inj.pattern.fullmatch(path) and inj.times > 0:
                inj.times -= 1
                if inj.times == 0:
                    self._injections.remove(inj)
                return inj
        return None

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        content_type = request.headers.get("Content-Type", "")
        parsed: Any = None
        if body and content_type.startswith("application/json"):
            parsed = json.loads(body)
        elif body and content_type.startswith("multipart/form-data"):
            parsed = _payload_json_from_multipart(content_type, body)
        full_path = request.path
        prefix = next((p for p in (API_PREFIX, self.proxy_prefix) if full_path.startswith(p + "/")), "")
        path = full_path[len(prefix) :]
        rec = RecordedRequest(
            method=request.method,
            path=path,
            full_path=full_path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
            json=parsed,
        )
        self.requests.append(rec)
        try:
            response = await self._route(rec)
        except Exception as exc:  # a bug in the fake must not look like a hang
            response = _error(500, f"fake discord error: {type(exc).__name__}: {exc}")
        rec.status = response.status
        if isinstance(response, web.Response) and response.body is not None:
            with contextlib.suppress(ValueError, TypeError):
                rec.response = json.loads(response.body)  # type: ignore[arg-type]
        if not rec.known:
            self.unknown_requests.append(rec)
        await self._notify()
        return response

    def _routes(self) -> list[tuple[str, str, Callable[[RecordedRequest], Any]]]:
        channel = r"/channels/(?P<channel_id>\d+)"
        message = channel + r"/messages/(?P<message_id>\d+)"
        webhook = r"/webhooks/(?P<application_id>\d+)/(?P<token>[^/]+)"
        webhook_message = webhook + r"/messages/(?P<message_id>@original|\d+)"
        commands = r"/applications/(?P<application_id>\d+)(?:/guilds/(?P<guild_id>\d+))?/commands"
        return [
            ("GET", r"/users/@me", self._get_me),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", r"/(?:oauth2/)?applications/@me", self._get_application),
            ("POST", channel + r"/messages", self._create_message),
            ("GET", message, self._get_message),
            ("PATCH", message, self._edit_message),
            ("DELETE", message, self._no_content),
            ("POST", channel + r"/typing", self._no_content),
            ("PUT", message + r"/reactions/[^/]+/@me", self._no_content),
            ("DELETE", message + r"/reactions/[^/]+/@me", self._no_content),
            ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._interaction_callback),
            ("POST", webhook, self._followup),
            ("PATCH", webhook, self._edit_webhook_message),
            ("GET", webhook_message, self._get_webhook_message),
            ("PATCH", webhook_message, self._edit_webhook_message),
            ("DELETE", webhook_message, self._no_content),
            ("GET", commands, self._get_commands),
            ("PUT", commands, self._put_commands),
        ]

    def _match_route(self, rec: RecordedRequest) -> Callable[[RecordedRequest], Any] | None:
        if rec.path == rec.full_path:  # under neither REST prefix
            return None
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, rec.path)
            if method == rec.method and match:
                rec.params = {k: v for k, v in match.groupdict().items() if v is not None}
                return handler
        return None

    async def _route(self, rec: RecordedRequest) -> web.StreamResponse:
        handler = self._match_route(rec)
        if handler is None:
            rec.known = False
            return _error(404, "404: Not Found")
        injection = self._take_injection(rec.method, rec.path)
        if injection is not None:
            return _json_response(injection.body, injection.status, injection.headers)
        if self.token is not None and not self._authorised(rec):
            return _error(401, "401: Unauthorized")
        result = handler(rec)
        if asyncio.iscoroutine(result):
            result = await result
        assert isinstance(result, web.StreamResponse)
        return result

    def _authorised(self, rec: RecordedRequest) -> bool:
        if rec.path.startswith(("/interactions/", "/webhooks/")):
            return True  # authorised by the interaction token in the path
        return rec.headers.get("Authorization") == f"Bot {self.token}"

    def _get_me(self, rec: RecordedRequest) -> web.Response:
        return _json_response({**self.bot_user, "verified": True, "mfa_enabled": False, "locale": "en-US"})

    def _get_gateway(self, rec: RecordedRequest) -> web.Response:
        return _json_response({"url": self.gateway_url})

    def _get_gateway_bot(self, rec: RecordedRequest) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": self.max_concurrency}
        return _json_response({"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit})

    def _get_application(self, rec: RecordedRequest) -> web.Response:
        return _json_response(self.application_payload())

    def _no_content(self, rec: RecordedRequest) -> web.Response:
        return web.Response(status=204)

    def _create_message(self, rec: RecordedRequest) -> web.Response:
        channel_id = int(rec.params["channel_id"])
        if self.guild_of_channel(channel_id) is None:
            return _error(404, "Unknown Channel", 10003)
        body = rec.json or {}
        if not (body.get("content") or body.get("embeds") or body.get("components") or body.get("sticker_ids")):
            return _error(400, "Cannot send an empty message", 50006)
        if len(body.get("content") or "") > 2000:
            return _error(400, "Invalid Form Body (content: Must be 2000 or fewer in length.)", 50035)
        message = self._message_from_body(body, channel_id)
        self.messages[int(message["id"])] = message
        return _json_response(message)

    def _get_message(self, rec: RecordedRequest) -> web.Response:
        message = self.messages.get(int(rec.params["message_id"]))
        if message is None:
            return _error(404, "Unknown Message", 10008)
        return _json_response(message)

    def _edit_message(self, rec: RecordedRequest) -> web.Response:
        message = self.messages.get(int(rec.params["message_id"]))
        if message is None:
            return _error(404, "Unknown Message", 10008)
        message.update({k: v for k, v in (rec.json or {}).items() if k in ("content", "embeds", "components", "flags")})
        message["edited_timestamp"] = now_iso()
        return _json_response(message)

    def _interaction(self, rec: RecordedRequest) -> dict[str, Any] | None:
        token = rec.params["token"]
        for entry in self.interactions.values():
            if entry["payload"]["token"] == token:
                return entry
        return None

    def _interaction_callback(self, rec: RecordedRequest) -> web.Response:
        entry = self.interactions.get(int(rec.params["interaction_id"]))
        if entry is None or entry["payload"]["token"] != rec.params["token"]:
            return _error(404, "Unknown interaction", 10062)
        if entry["acknowledged"]:
            return _error(400, "Interaction has already been acknowledged.", 40060)
        entry["acknowledged"] = True
        body = rec.json or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        payload = entry["payload"]
        channel_id = payload.get("channel_id") or payload["channel"]["id"]
        resource: dict[str, Any] | None = None
        message: dict[str, Any] | None = None
        if ctype in (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE):
            if ctype == CALLBACK_MESSAGE and len(data.get("content") or "") > 2000:
                return _error(400, "Invalid Form Body (data.content: Must be 2000 or fewer in length.)", 50035)
            message = self._message_from_body(data, channel_id, webhook_id=self.application_id)
            if ctype == CALLBACK_DEFERRED_MESSAGE:
                message["flags"] = int(message["flags"]) | 128  # LOADING
            message["interaction_metadata"] = {
                "id": payload["id"],
                "type": payload["type"],
                "user": payload.get("member", {}).get("user") or payload.get("user"),
                "authorizing_integration_owners": payload.get("authorizing_integration_owners", {}),
            }
            entry["original"] = message
            self.messages[int(message["id"])] = message
            resource = {"type": ctype, "message": message}
        elif ctype == CALLBACK_UPDATE_MESSAGE and "message" in payload:
            message = {**payload["message"], **{k: v for k, v in data.items() if k in ("content", "components")}}
            resource = {"type": ctype, "message": message}
        elif ctype in (CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE_MESSAGE, CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL):
            resource = {"type": ctype}
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        flags = int((message or {}).get("flags") or data.get("flags") or 0)
        reply: dict[str, Any] = {
            "interaction": {
                "id": payload["id"],
                "type": payload["type"],
                "activity_instance_id": None,
                "response_message_id": message["id"] if message else None,
                "response_message_loading": ctype == CALLBACK_DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(flags & 64),
            }
        }
        if resource is not None:
            reply["resource"] = resource
        return _json_response(reply)

    def _followup(self, rec: RecordedRequest) -> web.Response:
        entry = self._interaction(rec)
        if entry is None or int(rec.params["application_id"]) != self.application_id:
            return _error(404, "Unknown Webhook", 10015)
        if not entry["acknowledged"]:
            return _error(404, "Unknown Webhook", 10015)  # Discord's answer to a follow-up before the response
        payload = entry["payload"]
        message = self._message_from_body(rec.json, payload["channel_id"], webhook_id=self.application_id)
        self.messages[int(message["id"])] = message
        if rec.query.get("wait") in ("1", "true", "True"):
            return _json_response(message)
        return web.Response(status=204)

    def _webhook_message(self, rec: RecordedRequest) -> dict[str, Any] | None:
        entry = self._interaction(rec)
        if entry is None:
            return None
        mid = rec.params.get("message_id", "@original")
        if mid == "@original":
            original: dict[str, Any] | None = entry["original"]
            return original
        return self.messages.get(int(mid))

    def _get_webhook_message(self, rec: RecordedRequest) -> web.Response:
        message = self._webhook_message(rec)
        if message is None:
            return _error(404, "Unknown Message", 10008)
        return _json_response(message)

    def _edit_webhook_message(self, rec: RecordedRequest) -> web.Response:
        if "message_id" not in rec.params:  # PATCH /webhooks/{id}/{token}: edit the webhook itself
            return _json_response({"id": rec.params["application_id"], "type": 3, "name": "storybot"})
        message = self._webhook_message(rec)
        if message is None:
            return _error(404, "Unknown Message", 10008)
        body = rec.json or {}
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        message["flags"] = int(message.get("flags") or 0) & ~128
        message["edited_timestamp"] = now_iso()
        return _json_response(message)

    def _get_commands(self, rec: RecordedRequest) -> web.Response:
        guild_id = rec.params.get("guild_id")
        return _json_response(self.commands.get(int(guild_id) if guild_id else None, []))

    def _put_commands(self, rec: RecordedRequest) -> web.Response:
        guild_id = rec.params.get("guild_id")
        stored = []
        for command in rec.json or []:
            stored.append(
                {
                    "id": str(self.snowflake()),
                    "application_id": str(self.application_id),
                    "version": str(self.snowflake()),
                    "type": 1,
                    "description": "",  # context menus have none
                    "default_member_permissions": None,
                    "dm_permission": True,
                    "nsfw": False,
                    **({"guild_id": guild_id} if guild_id else {}),
                    **command,
                }
            )
        self.commands[int(guild_id) if guild_id else None] = stored
        return _json_response(stored)

    # -- waiting ---------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _wait_until(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        try:
            async with asyncio.timeout(seconds):
                async with self._changed:
                    await self._changed.wait_for(condition)
        except TimeoutError:
            raise TimeoutError(f"fake discord: no {what} within {seconds} s; requests: {self.requests}") from None

    def find_requests(
        self,
        method: str,
        path_regex: str,
        *,
        since: int = 0,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:
        """Recorded requests (from index ``since``) with ``method`` whose path
        (relative to ``/api/v10``) fully matches ``path_regex``."""
        pattern = re.compile(path_regex)
        return [
            r
            for r in self.requests[since:]
            if r.method == method.upper() and pattern.fullmatch(r.path) and (predicate is None or predicate(r))
        ]

    async def wait_for_request(
        self,
        method: str,
        path_regex: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - a plain number reads best in tests
        *,
        since: int = 0,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """The first request (from index ``since`` of ``requests``) matching
        ``method`` and ``path_regex``, waiting up to ``timeout`` seconds for it."""
        await self._wait_until(
            lambda: bool(self.find_requests(method, path_regex, since=since, predicate=predicate)),
            timeout,
            f"{method} {path_regex}",
        )
        return self.find_requests(method, path_regex, since=since, predicate=predicate)[0]
