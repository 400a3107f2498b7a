"""Shared fixtures, and the in-process harness's (``tests/harness/sim.py``)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.harness.fake_discord import TOKEN, FakeDiscord
from tests.harness.postgres import pg_proxy, pg_url
from tests.harness.sim import pytest_configure, simcord_bot, world
from tests.story import STORY_CORPUS

__all__ = ["pg_proxy", "pg_url", "pytest_configure", "simcord_bot", "world"]  # the harnesses, for every test

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on 127.0.0.1 (``tests/harness/fake_discord.py``) that accepts
    ``TOKEN``, with the ``MANAGERS`` admin role."""
    async with FakeDiscord(token=TOKEN, heartbeat_interval_ms=500) as server:
        server.add_managers()
        yield server


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the project's corpus folder, for tests that change it."""
    folder = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, folder)
    return folder


@pytest.fixture(autouse=True)
def restore_endpoints() -> Iterator[None]:
    """``bot.runner.apply_endpoints`` changes discord.py class attributes
    (REST base, gateway URL): put them back after every test."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture(autouse=True)
def question_log_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bots built by tests keep their question log in a temporary folder,
    never in the working tree."""
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path_factory.mktemp("db") / "bot.sqlite3"))
    monkeypatch.delenv("DATABASE_URL", raising=False)  # nor in a real database
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path_factory.mktemp("index-cache")))
    monkeypatch.setenv("CORPUS_DIR", str(STORY_CORPUS))  # never the working folder's corpus/ (tests/story.py)
