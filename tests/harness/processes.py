"""Real bot processes: ``python -m bot run`` as a subprocess against a fake
Discord, configured only through the environment (as an operator would),
for the wire tests and the benchmark of several processes (#16).

The process runs in a folder of its own (no ``.env`` from the developer's
checkout) with only the settings given; its log goes to a file, read for
the line the bot logs once every shard is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.harness.fake_discord import TOKEN, FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "connected as"
"""What ``StoryBot.on_ready`` logs once every shard of the process is ready."""
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "HF_HOME", "XDG_CACHE_HOME")
"""Environment kept from the test's own (nothing that is a setting)."""


@dataclass
class BotProcess:
    """One ``python -m bot run`` and its log file."""

    proc: asyncio.subprocess.Process
    log: Path
    name: str

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    async def wait_ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109 - a plain number reads best
        """Until the bot logged that it is connected; fails with the log's
        tail if the process ends or ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        while READY_LINE not in self.output():
            if self.proc.returncode is not None:
                raise AssertionError(f"{self.name} exited ({self.proc.returncode}):\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} not ready within {timeout} s:\n{self.output()[-3000:]}")
            await asyncio.sleep(0.1)

    async def stop(self) -> int:
        """SIGTERM (the bot closes cleanly), then SIGKILL after 15 s."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode if self.proc.returncode is not None else -1


def bot_environment(fake: FakeDiscord, *, api_base_url: str | None = None, **settings: object) -> dict[str, str]:
    """The process's environment: the fake's endpoints, the token, BM25
    only, and ``settings`` (``shard_count=2`` becomes ``SHARD_COUNT=2``;
    None values are left out)."""
    env = {k: v for k, v in os.environ.items() if k in KEPT}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE_URL=api_base_url or fake.api_base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        SEMANTIC="false",
        LOG_LEVEL="INFO",
    )
    env.update({k.upper(): str(v) for k, v in settings.items() if v is not None})
    return env


async def start_bot_process(
    fake: FakeDiscord,
    folder: Path,
    settings: Mapping[str, object],
    *,
    name: str = "bot",
    api_base_url: str | None = None,
) -> BotProcess:
    """Start ``python -m bot run`` in ``folder`` (created) against ``fake``
    with ``settings`` (as for ``bot_environment``)."""
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - a test harness, before the process starts
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=folder,
            env=bot_environment(fake, api_base_url=api_base_url, **settings),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    return BotProcess(proc, log, name)
