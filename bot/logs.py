"""The bot's log (``run``, ``sync``): ``LOG_FORMAT=text`` or ``json``.

* ``text``: one line a record; coloured (discord.py's formatter) only on a
  terminal -- a log file, a pipe or the journal gets no colour codes
  (discord.py colours in Docker even without a terminal);
* ``json``: one JSON object a line, for log collectors: ``time`` (UTC,
  ISO 8601), ``level``, ``logger``, ``message``, ``guild`` and ``shard``
  where known, ``error`` (the traceback) when there is one.  Never colour.

The guild and shard a record belongs to come from ``log_context``, set by
the Discord layer while it handles an event (each event runs in a task of
its own, and worker threads started from it copy its context), or from a
record's own ``extra={"guild": …, "shard": …}``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

import discord

QUIETED = {"asyncpg.pool": logging.ERROR}
"""Loggers whose warnings only repeat ours: asyncpg's pool logs a traceback
at every failed try to reconnect while PostgreSQL is down, where the
question log has said once, in one line, that the database is unreachable
and what is kept meanwhile."""

TEXT_FORMAT = "%(asctime)s %(levelname)-8s %(name)s %(message)s"
"""Plain text: discord.py's coloured layout, without the colours."""

guild_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("guild", default=None)
shard_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("shard", default=None)


def log_context(guild: int | None, shard: int | None) -> None:
    """The guild and shard the current task's records belong to."""
    guild_var.set(guild)
    shard_var.set(shard)


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, var in (("guild", guild_var), ("shard", shard_var)):
            value = getattr(record, name, None)
            value = var.get() if value is None else value
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["error"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter_for(log_format: str, stream: TextIO) -> logging.Formatter:
    """JSON, colour (a terminal, text) or plain text."""
    if log_format.lower() == "json":
        return JsonFormatter()
    if stream.isatty():
        return discord.utils._ColourFormatter()
    return logging.Formatter(TEXT_FORMAT)


def setup_logging(level: str, log_format: str = "text", stream: TextIO | None = None) -> None:
    """The root logger to ``stream`` (standard error) at ``level``."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_for(log_format, stream))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper()))
    for name, least in QUIETED.items():
        logging.getLogger(name).setLevel(max(least, root.level))
