"""What the answerability model reads of a question and a candidate."""

from __future__ import annotations

from typing import Any

import pytest

from bot.engine.judge.cross_input import MAX_TOKENS, configure, encode_pairs, pair


@pytest.fixture(scope="module")
def tokenizer(encoder: Any) -> Any:
    from tokenizers import Tokenizer

    return configure(Tokenizer.from_file(str(encoder.model_dir / "tokenizer.json")))


def test_the_sentence_comes_first_then_title_and_the_sentence_before() -> None:
    text = pair("They met in the capital.", "The leaders flew in.", "Leaders meet")
    assert text == "They met in the capital. [SEP] Leaders meet: The leaders flew in."
    assert pair("They met.", None, "Leaders meet") == "They met. [SEP] Leaders meet"
    assert pair("They met.", None, "") == "They met."


def test_pairs_are_typed_and_padded_per_batch(tokenizer: Any) -> None:
    ids, types, mask = encode_pairs(tokenizer, "where did they meet?", [pair("They met.", None, "T"), "x " * 40])
    assert ids.shape == types.shape == mask.shape
    assert ids.shape[0] == 2
    first = int(mask[0].sum())
    assert first < ids.shape[1]  # the short pair is padded to the long one
    assert set(ids[0, first:].tolist()) == {0}
    # The question is segment 0, the candidate segment 1.
    words = tokenizer.decode(ids[0, :first].tolist(), skip_special_tokens=False)
    assert words.startswith("[CLS] where did they meet? [SEP] they met.")
    assert types[0, 1] == 0
    assert types[0, first - 2] == 1


def test_long_candidates_lose_their_context_first(tokenizer: Any) -> None:
    sentence = "The council approved the budget on Monday."
    ids, _, mask = encode_pairs(tokenizer, "what did the council approve?", [pair(sentence, "word " * 200, "Title")])
    assert int(mask[0].sum()) == MAX_TOKENS
    assert "the council approved the budget on monday." in tokenizer.decode(ids[0].tolist())


def test_a_huge_question_is_cut(tokenizer: Any) -> None:
    ids, types, mask = encode_pairs(tokenizer, "why " * 5_000, ["The answer is here."])
    assert int(mask[0].sum()) == MAX_TOKENS
    assert tokenizer.decode(ids[0].tolist()).endswith("the answer is here.")  # the candidate is kept whole
    assert int(types[0].sum()) == len(tokenizer.encode("The answer is here.", add_special_tokens=False).ids) + 1
