"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route


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
    monkeypatch.setenv("INDEX_CACHE_DIR", str(tmp_path_factory.mktemp("index-cache")))
