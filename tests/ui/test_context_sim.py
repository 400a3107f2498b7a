"""An answer that depends on the sentence before it, on Discord: both are
quoted together, and "Next best answer" does not quote that sentence again."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.client import StoryBot
from bot.engine import Engine
from bot.settings import load_settings
from tests.exts.simworld import DEFAULT_SETTINGS, World, button_labels, plain, quoted

ORCHARD = (
    "The orchard\n\n"
    "Maria Lopez planted the orchard in 1998. She sold the orchard to a cooperative in 2010.\n"
    "The cooperative still runs the orchard, and its pears sell at the autumn market.\n"
)
BEFORE = "Maria Lopez planted the orchard in 1998."
BEST = "She sold the orchard to a cooperative in 2010."


@pytest.fixture
def simcord_bot(tmp_path: Path) -> StoryBot:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "orchard.txt").write_text(ORCHARD, encoding="utf-8")
    settings = load_settings(corpus_dir=folder, semantic=False, **DEFAULT_SETTINGS)
    return StoryBot(settings, engine_factory=lambda: Engine.from_folder(folder))


async def test_the_sentence_before_is_quoted_with_the_answer_and_not_offered_again(world: World) -> None:
    reply = await world.ask(world.alice, "When was the orchard sold to the cooperative?")
    lines = plain(reply.content).split("\n")
    assert lines[:2] == [f"> {BEFORE}", f"> {BEST}"]
    assert lines[2].startswith("\u2014 \u201cThe orchard\u201d")

    engine = world.bot.engine
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
