"""The engine deciding with the answerability model (``judge/answerability.py``):
it answers only what its own rule would, and hedges what the model doubts;
without the model's files it decides as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.engine import Engine, Reason
from bot.engine.judge import judge as judge_mod
from bot.engine.judge.nlp import Pipeline
from tests.story import STORY_CORPUS

STORY_QUESTIONS = Path(__file__).resolve().parents[3] / "benchmarks" / "story_questions.json"
"""Readers' questions about the story (looked at here, never fitted on)."""


@pytest.fixture(scope="module")
def story(pipeline: Pipeline, encoder: object) -> Engine:
    engine = Engine.from_folder(STORY_CORPUS, encoder=encoder)  # type: ignore[arg-type]
    assert engine.judge is not None
    return engine


def questions() -> list[str]:
    data = json.loads(STORY_QUESTIONS.read_text(encoding="utf-8"))
    return [item["question"] for kind in ("answerable", "unanswerable") for item in data[kind]]


def test_the_shipped_model_decides(story: Engine) -> None:
    assert story.judge is not None
    assert story.judge.answerability is not None
    assert story.judge.decides


def test_it_answers_only_what_the_engine_s_rule_would_and_hedges_what_it_doubts(story: Engine) -> None:
    reasons = set()
    for question in questions():
        result = story.ask(question, top=3)
        assert 0.0 <= result.confidence <= 1.0, question
        reasons.add(result.reason)
        if not result.answers or not result.answers[0].paragraph:
            continue  # the byline, or nothing to quote
        q = story.query_terms(question)
        rule = story.confident(result.answers[0].sentence, q)
        if result.answered:
            assert rule, question  # never answers beyond the engine's own rule
        elif result.reason is Reason.CLOSE:
            assert rule, question  # a hedge is a doubted answer, quoted as the closest
    assert Reason.CLOSE in reasons  # the story set has doubted answers
    assert None in reasons  # and answered ones


def test_answered_questions_are_more_confident_than_hedged_ones(story: Engine) -> None:
    answered, hedged = [], []
    for question in questions():
        result = story.ask(question, top=1)
        if result.answered and result.answers and result.answers[0].paragraph:
            answered.append(result.confidence)
        elif result.reason is Reason.CLOSE:
            hedged.append(result.confidence)
    assert answered
    assert hedged
    assert min(answered) >= max(hedged)


def test_without_the_model_s_files_the_engine_decides_as_before(
    encoder: object, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(judge_mod, "_ANSWERABILITY", {})
    monkeypatch.setattr(judge_mod, "load_decider", lambda: None)
    engine = Engine.from_folder(STORY_CORPUS, encoder=encoder)  # type: ignore[arg-type]
    assert engine.judge is not None
    assert engine.judge.answerability is None
    assert not engine.judge.decides
    for question in questions()[:20]:
        result = engine.ask(question, top=1)
        assert result.reason is not Reason.CLOSE
        if result.answers and result.answers[0].paragraph:
            q = engine.query_terms(question)
            assert result.answered == engine.confident(result.answers[0].sentence, q)
