"""Articles written for these tests (invented; nothing of the story), and
engines over them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.engine import Article, Corpus, Engine
from bot.engine.judge.nlp import Pipeline, load_nlp

HARBOUR = Article(
    id="harbour",
    title="Harbour town opens new ferry terminal",
    publisher="The Coastal Herald",
    authors=("Mina Ortiz",),
    published="2021-03-12",
    paragraphs=(
        "PORTHAVEN — Harbour Commissioner Elena Marsh opened the town's new ferry terminal on Thursday, "
        "ending a wait that began in 2016.",
        "Marsh said the terminal would carry 400 passengers a day. Marsh's office paid for the ramp.",
        "Tomas Reyes, the keeper of the Porthaven lighthouse, watched the first crossing.",
        "Reyes, 62, said the last ferry left the old pier last week.",
        "The terminal was first proposed in May 2018 by the Porthaven Council.",
        "In recent weeks, the Coastal Ferry Company hired twelve new crew members.",
        "Mina Ortiz contributed to this report.",
    ),
)
"""A news article with a publication date (a Friday)."""

VALLEY = Article(
    id="valley",
    title="Valley farmers brace for a dry summer",
    publisher="Valley Daily",
    authors=("Jon Bell",),
    paragraphs=(
        "Farmers across the valley are planting less wheat, agricultural adviser Priya Nand said on Monday.",
        "Nand, a soil scientist, said wells fell to their lowest level since 1998.",
        "Elena Marsh, who grew up on a farm, visited the growers in June 2020.",
    ),
)
"""One without a publication date, naming a person of the other."""

QUIET = Article(
    id="quiet",
    title="The reading room",
    paragraphs=("The library keeps its reading room quiet.", "Books line every wall of the hall."),
)
"""One with no person and no date at all."""


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    found = load_nlp()
    if found is None:
        pytest.skip("spaCy's English model is not installed")
    return found


@pytest.fixture(scope="session")
def engine_of() -> Callable[..., Engine]:
    made: dict[tuple[str, ...], Engine] = {}

    def build(*articles: Article) -> Engine:
        key = tuple(a.id for a in articles)
        if key not in made:
            made[key] = Engine(Corpus(list(articles)))
        return made[key]

    return build


def sentences_of(engine: Engine) -> set[str]:
    return {engine.index.sentence_text(s) for s in range(engine.n_sentences)}
