"""``StoryService`` (``bot/service/core.py``) without Discord: ``ask``
answers a question (a follow-up joined to the one before), ``remember``
keeps which question each reply answered and logs a reader's question (a
fake question log here), ``record_vote`` keeps the votes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.engine import Engine
from bot.service import NotReady, StoryService, Where, core
from bot.settings import load_settings
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[2]
WHERE_MEET = "Where did Putin and Assad meet?"
MEETING = "Putin and Assad met Tuesday at a Russian command post in Damascus"
HERE = Where(guild_id=10, channel_id=20)


class FakeLog:
    """Records what the service writes to the question log."""

    def __init__(self) -> None:
        self.questions: list[dict[str, Any]] = []
        self.votes: list[dict[str, Any]] = []

    async def record_question(self, **row: Any) -> None:
        self.questions.append(row)

    async def record_vote(self, **row: Any) -> None:
        self.votes.append(row)

    async def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def story() -> Engine:
    return Engine.from_folder(STORY_CORPUS)


@pytest.fixture
async def service(story: Engine) -> AsyncIterator[StoryService]:
    settings = load_settings(semantic=False, corpus_dir=STORY_CORPUS)
    service = StoryService(settings, engine_factory=lambda: story, question_log=False)
    await service.reload()
    yield service
    await service.close()


@pytest.fixture
def fake_log(service: StoryService) -> FakeLog:
    log = FakeLog()
    service.log_keeper.store = log  # type: ignore[assignment]
    return log


async def test_asking_before_the_engine_is_built_is_not_ready() -> None:
    service = StoryService(load_settings(semantic=False), question_log=False)
    with pytest.raises(NotReady):
        await service.ask(WHERE_MEET)
    await service.close()


async def test_ask_answers_with_what_a_reply_needs(service: StoryService, story: Engine) -> None:
    asked = await service.ask(WHERE_MEET, where=HERE)

    assert asked.question == asked.own_question == WHERE_MEET
    assert asked.result.answered
    best = asked.result.answers[0]
    assert MEETING in best.text
    assert asked.best == best.sentence
    assert asked.position == story.position_in_paragraph(best.sentence)
    assert asked.articles == story.articles
    assert asked.where == HERE


async def test_a_declined_question_has_no_position(service: StoryService) -> None:
    asked = await service.ask("How do I bake a chocolate cake?")

    assert not asked.result.answered
    assert asked.best is None
    assert asked.position is None


async def test_a_follow_up_is_answered_and_remembered_with_the_question_before(service: StoryService) -> None:
    first = "When did Putin visit Syria?"
    asked = await service.ask("and when did he come before?", previous=first)

    assert asked.question == f"{first} and when did he come before?"
    assert asked.own_question == "and when did he come before?"
    assert asked.result.answered
    assert "2017" in asked.result.answers[0].text


async def test_remember_keeps_the_question_of_each_reply(service: StoryService) -> None:
    asked = await service.ask("and when did he come before?", previous="When did Putin visit Syria?")
    assert service.question_of(1) is None

    await service.remember(asked, 1)

    assert service.question_of(1) == asked.question  # the whole question, for the next follow-up
    await service.remember(asked, None)  # a reply without an id: nothing to remember it by
    assert service.question_of(1) == asked.question


async def test_the_memory_keeps_the_latest_replies(service: StoryService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "REMEMBERED_ANSWERS", 3)
    asked = await service.ask(WHERE_MEET)
    for reply_id in (1, 2, 3):
        await service.remember(asked, reply_id)
    await service.remember(asked, 1)  # remembered again: now the latest
    await service.remember(asked, 4)

    assert [service.question_of(n) is not None for n in (1, 2, 3, 4)] == [True, False, True, True]


async def test_remember_logs_a_readers_question_without_who_asked(service: StoryService, fake_log: FakeLog) -> None:
    answered = await service.ask(WHERE_MEET, where=HERE)
    declined = await service.ask("How do I bake a chocolate cake?", where=Where(None, 30))

    await service.remember(answered, 1)
    await service.remember(declined, 2)

    best = answered.result.answers[0]
    assert fake_log.questions == [
        {
            "question": WHERE_MEET,
            "guild_id": 10,
            "channel_id": 20,
            "answered": True,
            "quote": best.text,
            "article_key": best.article.key,
            "paragraph": 6,
            "sentence": answered.position,
        },
        {
            "question": "How do I bake a chocolate cake?",
            "guild_id": None,
            "channel_id": 30,
            "answered": False,
            "quote": None,
            "article_key": None,
            "paragraph": None,
            "sentence": None,
        },
    ]


async def test_the_log_keeps_the_readers_own_words_of_a_follow_up(service: StoryService, fake_log: FakeLog) -> None:
    asked = await service.ask("and when did he come before?", previous="When did Putin visit Syria?", where=HERE)

    await service.remember(asked, 1)

    [row] = fake_log.questions
    assert row["question"] == "and when did he come before?"


async def test_what_was_not_asked_somewhere_is_not_logged(service: StoryService, fake_log: FakeLog) -> None:
    """ "Next best answer" asks again without ``where``: remembered, not logged."""
    asked = await service.ask(WHERE_MEET, top=5)

    await service.remember(asked, 7)

    assert service.question_of(7) == WHERE_MEET
    assert fake_log.questions == []


async def test_without_a_log_remember_still_remembers(service: StoryService) -> None:
    assert service.store is None
    asked = await service.ask(WHERE_MEET, where=HERE)

    await service.remember(asked, 1)

    assert service.question_of(1) == WHERE_MEET


async def test_votes_are_kept_and_logged(service: StoryService, fake_log: FakeLog) -> None:
    await service.record_vote("abc", 6, 0, True, guild_id=10)
    await service.record_vote("abc", 6, 0, False)

    assert list(service.votes) == [("abc", 6, 0, True), ("abc", 6, 0, False)]
    assert fake_log.votes == [
        {"article_key": "abc", "paragraph": 6, "sentence": 0, "helpful": True, "guild_id": 10},
        {"article_key": "abc", "paragraph": 6, "sentence": 0, "helpful": False, "guild_id": None},
    ]


async def test_votes_in_memory_are_bounded(service: StoryService) -> None:
    for n in range(core.MAX_VOTES_KEPT + 5):
        await service.record_vote("abc", 1, n, True)

    assert len(service.votes) == core.MAX_VOTES_KEPT
    assert service.votes[0][2] == 5  # the oldest went first
