"""The buttons under an answer (``bot/ui/buttons.py``), clicked by readers
in simcord's offline Discord; a button whose work fails; and an answer that
depends on the sentence before it."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from simcord import assert_responded

from bot.service import Asked
from bot.ui.replies import SORRY
from tests.harness.sim import (
    MEETING,
    SOURCE_P6,
    WHERE_MEET,
    World,
    button_labels,
    make_bot,
    plain,
    quoted,
)

BUTTONS = ["Show paragraph", "Next best answer", "Helpful", "Not helpful"]
PARAGRAPH_6 = (
    "Putin and Assad met Tuesday at a Russian command post in Damascus, and were presented with military "
    "reports on the situation in different regions of Syria, Kremlin spokesman Dmitry Peskov said."
)
PARAGRAPH_11 = (
    "The last time Putin came to Syria was in 2017 when he announced a scale-back of the Russian military "
    "presence there. Assad previously visited Russia and met with Putin in May 2018, November 2017 and "
    "October 2015."
)


async def test_an_answer_has_the_four_buttons(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)

    assert button_labels(reply) == BUTTONS


async def test_show_paragraph_replies_ephemerally_with_the_whole_paragraph(world: World) -> None:
    reply = await world.ask(world.alice, "When did Putin last come to Syria?")
    assert "2017" in quoted(reply.content)[0]

    result = await world.bob.click(reply, label="Show paragraph")  # anyone may look

    assert_responded(result, ephemeral=True)
    assert result.response is not None
    quote, source = result.response.content.split("\n")
    assert plain(quote) == f"> {PARAGRAPH_11}"
    assert source.endswith("paragraph 11")


async def test_next_best_answer_replies_ephemerally_with_another_sentence(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)

    result = await world.alice.click(reply, label="Next best answer")

    assert_responded(result, ephemeral=True)
    assert result.response is not None
    [sentence] = quoted(result.response.content)
    assert sentence
    assert MEETING not in sentence
    assert sentence not in quoted(reply.content)
    assert result.response.content.splitlines()[1] != SOURCE_P6


async def test_next_best_answer_is_not_a_sentence_already_shown(world: World) -> None:
    engine = world.bot.service.engine
    assert engine is not None
    candidates = ("Iran", "Who is Peskov?", "Who is Assad?")
    question = next((q for q in candidates if len(engine.ask(q, top=3).shown()) == 2), None)
    if question is None:
        pytest.skip("no candidate question is answered with two sentences any more")
    reply = await world.ask(world.alice, question)
    shown = quoted(reply.content)
    assert len(shown) == 2

    result = await world.alice.click(reply, label="Next best answer")

    assert result.response is not None
    [sentence] = quoted(result.response.content)
    assert sentence not in shown  # actual, for "Iran": the reply's second sentence again


async def test_helpful_from_the_asker_is_recorded(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)
    before = len(world.bot.service.votes)

    result = await world.alice.click(reply, label="Helpful")

    assert_responded(result, contains="Thanks", ephemeral=True)
    assert len(world.bot.service.votes) == before + 1
    key, paragraph, _sentence, helpful = world.bot.service.votes[-1]
    assert (paragraph, helpful) == (6, True)
    engine = world.bot.service.engine
    assert engine is not None
    assert key == engine.articles[0].key


async def test_helpful_from_someone_else_is_refused(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)
    before = list(world.bot.service.votes)

    helpful = await world.bob.click(reply, label="Helpful")
    not_helpful = await world.bob.click(reply, label="Not helpful")

    for result in (helpful, not_helpful):
        assert_responded(result, contains="Only the person who asked", ephemeral=True)
    assert list(world.bot.service.votes) == before


async def test_buttons_keep_working_after_a_restart(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)
    old_bot = world.bot

    await world.env.restart_bot(make_bot(world.corpus))
    new_bot = world.bot
    assert new_bot is not old_bot
    assert new_bot.service.question_of(reply.id) is None  # it remembers nothing: the custom_id must be enough

    paragraph = await world.alice.click(reply, label="Show paragraph")
    assert_responded(paragraph, ephemeral=True)
    assert paragraph.response is not None
    assert plain(paragraph.response.content.split("\n")[0]) == f"> {PARAGRAPH_6}"

    next_best = await world.alice.click(reply, label="Next best answer")
    assert_responded(next_best, ephemeral=True)
    assert next_best.response is not None
    assert MEETING not in quoted(next_best.response.content)[0]

    refused = await world.bob.click(reply, label="Helpful")
    assert_responded(refused, contains="Only the person who asked", ephemeral=True)
    voted = await world.alice.click(reply, label="Not helpful")
    assert_responded(voted, contains="not helpful", ephemeral=True)
    assert len(new_bot.service.votes) == 1
    assert new_bot.service.votes[0][1:] == (6, 0, False)
    assert list(old_bot.service.votes) == []


LONG_QUESTION = "so, if it is not too much for you, and if you would, could you please tell me this: " + WHERE_MEET
"""Longer than a custom id has room for."""


def spy_on_questions(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the bot answers from now on, in order."""
    asked: list[str] = []
    service = world.bot.service
    ask = service.ask

    async def spy(q: str, **kw: object) -> Asked:
        asked.append(q)
        return await ask(q, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "ask", spy)
    return asked


async def test_next_best_answer_to_a_long_question_answers_the_whole_question(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The button's custom id holds only the question's first words; the
    whole question the bot remembers for its reply is what gets answered."""
    question = LONG_QUESTION
    reply = await world.ask(world.alice, question)
    assert MEETING in quoted(reply.content)[0]
    asked = spy_on_questions(world, monkeypatch)
    result = await world.alice.click(reply, label="Next best answer")

    assert result.response is not None
    assert asked == [question]


async def test_next_best_chain_after_a_long_slash_question_answers_the_whole_question(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/ask replies, and each "Next best answer" reply, are remembered with
    the whole question, so the second press in a row still answers it, not
    the first words its custom id holds."""
    question = LONG_QUESTION
    asked = spy_on_questions(world, monkeypatch)
    first = await world.alice.slash(world.channel, "ask", question=question)
    assert first.response is not None
    second = await world.alice.click(first.response, label="Next best answer")
    assert second.response is not None
    third = await world.alice.click(second.response, label="Next best answer")
    assert_responded(third, ephemeral=True)

    assert asked == [question, question, question]


async def test_votes_reach_the_log(world: World) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)
    await world.alice.click(reply, label="Not helpful")
    store = world.bot.service.store
    assert store is not None
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("SELECT helpful, paragraph FROM votes").fetchall() == [(0, 6)]


# -- a button whose work fails ---------------------------------------------------------------


async def test_failing_button_gets_a_short_ephemeral_message(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reply = await world.ask(world.alice, WHERE_MEET)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(world.bot.service, "ask", broken)
    with caplog.at_level(logging.ERROR):
        result = await world.alice.click(reply, label="Next best answer")
    assert_responded(result, ephemeral=True)
    assert result.response is not None
    assert result.response.content == SORRY
    assert "engine exploded" in caplog.text

    monkeypatch.undo()
    again = await world.alice.click(reply, label="Show paragraph")  # still working
    assert_responded(again, ephemeral=True)


# -- an answer that depends on the sentence before it ----------------------------------------

ORCHARD = (
    "The orchard\n\n"
    "Maria Lopez planted the orchard in 1998. She sold the orchard to a cooperative in 2010.\n"
    "The cooperative still runs the orchard, and its pears sell at the autumn market.\n"
)
BEFORE = "Maria Lopez planted the orchard in 1998."
BEST = "She sold the orchard to a cooperative in 2010."


async def answer_from_the_orchard(world: World) -> None:
    """The orchard is the corpus's one article."""
    for path in world.corpus.iterdir():
        path.unlink()
    (world.corpus / "orchard.txt").write_text(ORCHARD, encoding="utf-8")
    engine = await world.bot.service.reload()
    assert [a.title for a in engine.articles] == ["The orchard"]


async def test_the_sentence_before_is_quoted_with_the_answer_and_not_offered_again(world: World) -> None:
    await answer_from_the_orchard(world)
    reply = await world.ask(world.alice, "When was the orchard sold to the cooperative?")
    lines = plain(reply.content).split("\n")
    assert lines[:2] == [f"> {BEFORE}", f"> {BEST}"]
    assert lines[2].startswith("\u2014 \u201cThe orchard\u201d")

    engine = world.bot.service.engine
    assert engine is not None
    ranked = [a.text for a in engine.ask("When was the orchard sold to the cooperative?", top=5).answers]
    assert BEFORE in ranked[1:]  # it is also a ranked answer, after the best

    seen = set(quoted(reply.content))
    message = reply
    for _ in range(3):
        result = await world.alice.click(message, label="Next best answer")
        assert result.response is not None
        if not result.response.content.startswith(">"):
            break  # "That was the last answer the story has."
        [sentence] = quoted(result.response.content)
        assert sentence not in seen
        seen.add(sentence)
        if "Next best answer" not in button_labels(result.response):
            break
        message = result.response
