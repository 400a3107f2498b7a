"""The bot's log (``bot/logs.py``, ``LOG_FORMAT``; issue 31, point 3):
JSON, one object a line, with guild and shard where known; plain text
without colour codes when not on a terminal."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import log_context, setup_logging
from bot.settings import SettingsError, load_settings


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_one_object_a_line_with_guild_and_shard(restore_root: None) -> None:
    stream = io.StringIO()
    setup_logging("INFO", "json", stream)
    log = logging.getLogger("bot.test")

    async def event() -> None:
        log_context(1234, 5)
        log.info("answered in %d ms", 12)

    asyncio.run(event())
    log.warning("no guild here")
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        log.exception("failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3  # a traceback stays inside its record's line
    first, second, third = (json.loads(line) for line in lines)
    assert first["message"] == "answered in 12 ms"
    assert (first["guild"], first["shard"], first["level"], first["logger"]) == (1234, 5, "INFO", "bot.test")
    assert first["time"].endswith("+00:00")
    assert "guild" not in second  # set in the event's task only
    assert "RuntimeError: boom" in third["error"]
    assert "\x1b" not in stream.getvalue()


def test_text_has_no_colour_off_a_terminal_and_colour_on_one(restore_root: None) -> None:
    plain = io.StringIO()
    setup_logging("INFO", "text", plain)
    logging.getLogger("bot.test").info("hello")
    assert "\x1b" not in plain.getvalue()
    assert " INFO     bot.test hello" in plain.getvalue()
    tty = Tty()
    setup_logging("INFO", "text", tty)
    logging.getLogger("bot.test").info("hello")
    assert "\x1b[" in tty.getvalue()
    json_tty = Tty()
    setup_logging("INFO", "json", json_tty)
    logging.getLogger("bot.test").info("hello")
    assert "\x1b" not in json_tty.getvalue()


def test_log_format_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert load_settings().log_format.lower() == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings()
