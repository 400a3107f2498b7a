"""When answering fails (``bot/exts/errors.py`` for commands, the
questions extension for messages): the reader gets a short message, the log
gets the traceback, and the bot keeps answering."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from simcord import assert_responded

from bot.service import Asked
from tests.harness.sim import MEETING, SORRY, WHERE_MEET, World, plain


def break_the_engine(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    async def ask(question: str, **_: Any) -> Asked:
        raise RuntimeError("the engine broke")

    monkeypatch.setattr(world.bot.service, "ask", ask)


def logged_failures(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == logger
        and record.levelno >= logging.ERROR
        and record.exc_info is not None
        and isinstance(record.exc_info[1], RuntimeError)
        and str(record.exc_info[1]) == "the engine broke"
    ]


async def test_ask_failure_is_a_short_ephemeral_message_and_the_bot_recovers(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    with monkeypatch.context() as patch:
        break_the_engine(world, patch)
        failed = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)

    assert_responded(failed, contains=SORRY, ephemeral=True)
    assert failed.response is not None
    assert "RuntimeError" not in failed.response.content
    [record] = logged_failures(caplog, "bot.exts.errors")
    assert "/ask" in record.getMessage()
    assert "Traceback (most recent call last)" in caplog.text
    assert "RuntimeError: the engine broke" in caplog.text

    answered = await world.alice.slash(world.channel, "ask", question=WHERE_MEET)
    assert_responded(answered, ephemeral=False)
    assert answered.response is not None
    assert MEETING in plain(answered.response.content)
    assert world.env.errors == []  # handled by the bot, not left to simcord


async def test_mention_failure_is_a_short_reply_and_the_bot_recovers(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    with monkeypatch.context() as patch:
        break_the_engine(world, patch)
        question = await world.alice.send(world.channel, world.mention(WHERE_MEET))

    [reply] = world.replies_to(question)
    assert reply.content.startswith(SORRY)
    assert reply.reference is not None
    assert reply.reference.message_id == question.id
    assert reply.flags.ephemeral is False  # a message reply cannot be ephemeral
    [record] = logged_failures(caplog, "bot.exts.questions")
    assert str(question.id) in record.getMessage()
    assert "Traceback (most recent call last)" in caplog.text

    answer = await world.ask(world.alice, WHERE_MEET)
    assert MEETING in plain(answer.content)
    assert world.env.errors == []
