from __future__ import annotations

from typing import Any

import pytest

from bot.engine import SentenceEncoder, load_encoder
from bot.engine.judge.nlp import Pipeline, load_nlp


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    found = load_nlp()
    if found is None:
        pytest.skip("spaCy's English model is not installed")
    return found


@pytest.fixture(scope="session")
def parse(pipeline: Pipeline) -> Any:
    return pipeline.parse


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    found = load_encoder()
    if found is None:
        pytest.skip("the sentence encoder is not installed (the judge is trained with it)")
    return found
