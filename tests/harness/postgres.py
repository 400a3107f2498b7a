"""A real PostgreSQL server for the tests that need one.

``TEST_DATABASE_URL`` names a database the tests may create schemas in
(``.ci/run`` starts the server and sets it).  Unset, those tests are skipped
with the reason, except in CI (``CI=true``), where they fail: there the
server must be there.  Each test gets a schema of its own (``search_path``
in the URL), dropped afterwards.

``TcpProxy`` stands between the bot and the server, so that a test can cut
the database off (every connection dropped, new ones refused) and bring it
back on the same address.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]
import pytest

SKIP_REASON = (
    "TEST_DATABASE_URL is not set: no PostgreSQL server to test against "
    "(start one and set TEST_DATABASE_URL=postgresql://user:password@127.0.0.1:5432/db; see .ci/run)"
)


def test_database_url() -> str:
    """The server's URL; skips the test (fails it in CI) when there is none."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run in CI")
        pytest.skip(SKIP_REASON)
    return url


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


def with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, f"search_path={schema}") if q)
    return urlunsplit(parts._replace(query=query))


def via(url: str, port: int) -> str:
    """``url`` with the host and port of a proxy on 127.0.0.1."""
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"))


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A URL to an empty schema of its own on the test server."""
    url = test_database_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    yield with_search_path(url, schema)
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await conn.close()


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to the server; ``cut`` and ``restore`` it."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()
        for task in list(self._tasks):
            task.cancel()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()
        self._writers.discard(sink)


@pytest.fixture
async def pg_proxy(pg_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy to the test server, and the test's URL through it."""
    parts = urlsplit(pg_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    yield proxy, via(pg_url, proxy.port)
    await proxy.close()
