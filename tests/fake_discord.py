"""Moved to ``tests/harness/fake_discord.py``; this name stays only for
``benchmarks/latency.py``, which imports ``FakeDiscord`` from here (remove
it once that imports ``tests.harness.fake_discord``)."""

from tests.harness.fake_discord import FakeDiscord

__all__ = ["FakeDiscord"]
