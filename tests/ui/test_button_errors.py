"""A button whose work fails tells the presser briefly, logs the traceback,
and the bot goes on."""

from __future__ import annotations

import logging

import pytest
from simcord import assert_responded

from bot.exts.errors import SORRY
from tests.exts.simworld import WHERE_MEET, World


async def test_failing_button_gets_a_short_ephemeral_message(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(world.bot, "answer", broken)
    with caplog.at_level(logging.ERROR):
        result = await world.alice.click(reply, label="Next best answer")
    assert_responded(result, ephemeral=True)
    assert result.response is not None
    assert result.response.content == SORRY
    assert "engine exploded" in caplog.text

    monkeypatch.undo()
    again = await world.alice.click(reply, label="Show paragraph")  # still working
    assert_responded(again, ephemeral=True)
