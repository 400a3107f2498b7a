"""The answerability model as shipped: it loads, reads a question with a
candidate, and tells an answering sentence from one that is not."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.engine.judge.cross import MODEL_FILE, load_cross
from bot.engine.judge.cross_input import pair


@pytest.fixture(scope="module")
def cross(encoder: Any) -> Any:
    model = load_cross(encoder)
    assert model is not None, "the shipped answerability model did not load"
    return model


# An invented article (not the story): what it says, and what it never says.
TITLE = "Harbour town opens its new library"
SENTENCES = {
    "opened": "The library opened on Saturday after three years of building work, the mayor, Ana Ribeiro, said.",
    "cost": "It cost 4.2 million euros, most of it paid by a regional fund.",
    "books": "Its shelves hold about 60,000 books and a collection of old sea charts.",
}


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("How much did the library cost?", "cost"),
        pytest.param(
            "When did the library open?",
            "opened",
            marks=pytest.mark.xfail(
                strict=True,
                reason="a known miss of the shipped model (450 batches of training): the cost sentence scores higher",
            ),
        ),
        ("How many books does the library have?", "books"),
        ("Who is the mayor?", "opened"),
    ],
)
def test_the_answering_sentence_scores_highest(cross: Any, question: str, answer: str) -> None:
    keys = list(SENTENCES)
    texts = [pair(SENTENCES[k], None, TITLE) for k in keys]
    probs = cross.probabilities(question, texts)
    assert probs.shape == (len(keys),)
    assert np.all((probs >= 0) & (probs <= 1))
    assert keys[int(np.argmax(probs))] == answer


def test_a_sentence_on_the_topic_that_does_not_answer_scores_below_one_that_does(cross: Any) -> None:
    answering = cross.logits("How much did the library cost?", [pair(SENTENCES["cost"], None, TITLE)])[0]
    not_said = cross.logits("How old is the mayor?", [pair(SENTENCES["opened"], None, TITLE)])[0]
    assert not_said < answering


def test_the_batch_does_not_change_a_candidate_s_score(cross: Any) -> None:
    texts = [pair(s, None, TITLE) for s in SENTENCES.values()]
    together = cross.logits("When did the library open?", texts)
    alone = [cross.logits("When did the library open?", [t])[0] for t in texts]
    assert together == pytest.approx(alone, abs=1e-4)


def test_an_altered_file_is_refused(encoder: Any, tmp_path: Path) -> None:
    copy = tmp_path / MODEL_FILE.name
    shutil.copy(MODEL_FILE, copy)
    with copy.open("r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\0\0\0\0")
    assert load_cross(encoder, copy) is None
    assert load_cross(encoder, tmp_path / "missing.safetensors") is None
