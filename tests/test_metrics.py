"""Metrics and health (``bot/metrics.py``, ``METRICS_PORT``; issue 31,
point 2): the named metrics, labels bounded to the outcome, ``/healthz``
503 until connected with the corpus loaded, then 200."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.metrics import OUTCOMES, Metrics, app
from bot.runner import StartupError, _serve_metrics
from tests.harness.fake_discord import FakeDiscord
from tests.harness.wire import ask_by_mention, running_bot


def samples(text: str, name: str) -> dict[str, float]:
    """``name``'s samples in Prometheus's text format, by their labels."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name) and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key[len(name) :]] = float(value)
    return out


def test_questions_are_counted_by_outcome_only() -> None:
    metrics = Metrics(engines_loaded=lambda: 2.0)
    metrics.question("answered", 0.03)
    metrics.question("declined", 0.02)
    metrics.question("busy")
    metrics.question("cooldown")
    metrics.question("cooldown")
    text = metrics.text().decode()
    counts = samples(text, "storybot_questions_total")
    assert counts == {f'{{outcome="{o}"}}': n for o, n in zip(OUTCOMES, (1.0, 1.0, 1.0, 2.0), strict=True)}
    assert samples(text, "storybot_answer_seconds_count") == {"": 2.0}
    assert samples(text, "storybot_engines_loaded") == {"": 2.0}
    assert "storybot_gateway_latency_seconds" in text
    with pytest.raises(ValueError, match="unknown outcome"):
        metrics.question("Where did Putin go?")  # never a question's text as a label


async def test_healthz_is_503_until_healthy() -> None:
    problem: list[str | None] = ["not connected to Discord"]
    async with TestClient(TestServer(app(Metrics(), lambda: problem[0]))) as client:
        response = await client.get("/healthz")
        assert response.status == 503
        assert "not connected" in await response.text()
        problem[0] = None
        assert (await client.get("/healthz")).status == 200
        metrics = await client.get("/metrics")
        assert metrics.status == 200
        assert metrics.headers["Content-Type"].startswith("text/plain")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_a_running_bot_serves_health_and_counts_questions(fake: FakeDiscord) -> None:
    port = free_port()
    async with running_bot(fake, metrics_port=port) as bot:
        server = await _serve_metrics(bot)
        assert server is not None
        try:
            base = f"http://127.0.0.1:{port}"
            assert (await get(f"{base}/healthz"))[0] == 200
            await ask_by_mention(fake, "Where did Putin and Assad meet?")
            await ask_by_mention(fake, "How do I bake a chocolate cake?")
            status, text = await get(f"{base}/metrics")
            assert status == 200
            counts = samples(text, "storybot_questions_total")
            assert counts['{outcome="answered"}'] == 1.0
            assert counts['{outcome="declined"}'] == 1.0
            assert samples(text, "storybot_engines_loaded") == {"": 1.0}
            assert samples(text, "storybot_answer_seconds_count") == {"": 2.0}
            await bot.close()
            assert (await get(f"{base}/healthz"))[0] == 503
        finally:
            await server.cleanup()


async def test_a_metrics_port_in_use_is_a_configuration_error(fake: FakeDiscord) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with running_bot(fake, metrics_port=port) as bot:
            with pytest.raises(StartupError, match=f"127.0.0.1:{port}.*METRICS_PORT"):
                await _serve_metrics(bot)


def test_metrics_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.setenv("METRICS_PORT", "99999")
    with pytest.raises(SettingsError, match="METRICS_PORT"):
        load_settings()
    monkeypatch.setenv("METRICS_PORT", "9108")
    settings: Any = load_settings()
    assert (settings.metrics_port, settings.metrics_host) == (9108, "127.0.0.1")
