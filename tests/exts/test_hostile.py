"""Hostile questions against the real bot in simcord's offline Discord,
property-based: whatever a reader asks, by mention or with ``/ask``, the bot
replies once, within Discord's limits, pinging nobody, with exactly the
engine's answer, its quotes the corpus sentences as written.  The questions
come from ``tests/harness/hostile.py`` (the catalogue is always among them)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import simcord
from hypothesis import HealthCheck, example, given, settings

from bot.exts.questions import clean_question
from tests.harness.hostile import CATALOGUE, assert_pings_nobody, assert_within_limits, check_reply, questions
from tests.harness.sim import World

F = TypeVar("F", bound=Callable[..., Any])

PROPERTY = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")),  # more for a long hunt
    deadline=None,
    derandomize="HOSTILE_EXAMPLES" not in os.environ,  # the suite asks the same questions on every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""One bot for all the examples of a test (the world fixture is not rebuilt
per example: the bot keeps no state between questions that matters here)."""


def with_catalogue(max_size: int) -> Callable[[F], F]:
    """Every catalogue question that fits is an explicit example."""

    def decorate(test: F) -> F:
        for text in CATALOGUE.values():
            if len(text) <= max_size:
                test = example(question=text)(test)
        return test

    return decorate


def no_trouble(world: World, caplog: pytest.LogCaptureFixture) -> None:
    assert world.env.errors == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def the_message(result: simcord.InteractionResult) -> simcord.ResponseMessage:
    """The one message the asker sees: the response, or the follow-up after a defer."""
    messages = [m for m in [result.response, *result.followups] if m is not None and m.content]
    assert len(messages) == 1, messages
    return messages[0]


@PROPERTY
@with_catalogue(max_size=1970)
@given(question=questions(max_size=1970))
async def test_any_question_by_mention(world: World, caplog: pytest.LogCaptureFixture, question: str) -> None:
    caplog.set_level(logging.WARNING)
    engine = world.bot.service.engine
    assert engine is not None
    sent = await world.alice.send(world.channel, world.mention(question))

    [reply] = world.replies_to(sent)
    payload = world.sent_payload(reply.content)
    check_reply(payload, engine, sent.content, reply=True)
    # What simcord delivered: nobody mentioned, and the asker not pinged by the reply.
    assert reply.mention_everyone is False
    assert reply.mentions == []
    assert reply.role_mentions == []
    no_trouble(world, caplog)


@PROPERTY
@with_catalogue(max_size=500)
@given(question=questions(max_size=500).filter(bool))
async def test_any_question_by_slash_ask(world: World, caplog: pytest.LogCaptureFixture, question: str) -> None:
    caplog.set_level(logging.WARNING)
    engine = world.bot.service.engine
    assert engine is not None
    if not question:
        question = " "  # Discord requires at least one character (min_length=1)

    result = await world.alice.slash(world.channel, "ask", question=question)

    message = the_message(result)
    payload = world.sent_payload(message.content)
    answer = check_reply(payload, engine, question, reply=False)
    # A help hint is for the asker alone; an answer or a decline is public.
    assert message.ephemeral is (answer is None)
    assert message.message.mention_everyone is False
    assert message.message.mentions == []
    assert message.message.role_mentions == []
    no_trouble(world, caplog)


BUTTON_CASES = [
    "zalgo question",
    "right-to-left override",
    "zero-width inside words",
    "emoji in a question",
    "unclosed code block",
    "inline code",
    "heading",
    "nested quotes",
    "backslashes",
    "@everyone",
    "role mention",
]
"""Catalogue questions the story answers (so the reply has buttons)."""


async def test_buttons_under_an_answer_to_a_hostile_question_work(world: World) -> None:
    """The question rides in the "Next best answer" custom id: cut to fit the
    100 characters, read back when pressed, and answered within the limits.
    (A long question is cut, so "next best" answers its first words only.)"""
    for name in BUTTON_CASES:
        text = CATALOGUE[name]
        reply = await world.ask(world.alice, text)
        assert reply.components, (name, reply.content)
        next_id = next(
            c.custom_id for row in reply.components for c in row.children if c.custom_id.startswith("sb:next:")
        )  # type: ignore[attr-defined]
        assert len(next_id) <= 100
        assert clean_question(text).startswith(next_id.split(":", 4)[4])
        for label in ("Next best answer", "Show paragraph"):
            pressed = await world.alice.click(reply, label=label)
            message = the_message(pressed)
            assert message.ephemeral
            payload = world.sent_payload(message.content)
            assert_within_limits(payload)
            assert_pings_nobody(payload, reply=False)
            assert message.content.startswith("> ") or message.content == "That was the last answer the story has."
    assert world.env.errors == []
