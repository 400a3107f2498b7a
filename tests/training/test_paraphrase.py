"""training.paraphrase: training questions reworded with words of like
meaning that their answer sentence does not use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.engine.text.tokens import tokenize
from training.paraphrase import Paraphraser, proper_words

# Words on a few directions: a word's neighbours are the words sharing its direction.
_AXES = {
    "soldiers": 0,
    "troops": 0,
    "soldier": 0,
    "killed": 1,
    "murdered": 1,
    "killing": 1,
    "safety": 2,
    "unsafe": 2,
    "tuesday": 3,
    "monday": 3,
    "kremlin": 4,
    "moscow": 4,
    "met": 5,
    "greeted": 5,
}


class FakeEncoder:
    """Each word a unit vector on its axis, tilted a little so that no two are equal."""

    model_dir = Path("/nonexistent")

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> npt.NDArray[np.float32]:
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            word = text.lower()
            out[i, _AXES.get(word, 7)] = 1.0
            out[i, 6] = 0.1 * (sorted(_AXES).index(word) + 1 if word in _AXES else 0)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def _paraphraser(proper: frozenset[str] = frozenset()) -> Paraphraser:
    return Paraphraser(FakeEncoder(), sorted(_AXES), proper)  # type: ignore[arg-type]


def _terms(sentence: str) -> frozenset[str]:
    return frozenset(tokenize(sentence))


def test_words_shared_with_the_answer_are_replaced_by_near_words_it_does_not_use() -> None:
    gold = _terms("Two soldiers were killed on Tuesday near the Kremlin.")
    reworded = _paraphraser().reword("When were the soldiers killed?", gold)
    assert reworded == "When were the troops murdered?"


def test_words_the_answer_does_not_use_are_kept() -> None:
    gold = _terms("Putin met Assad in Damascus.")
    assert _paraphraser().reword("When were the soldiers killed?", gold) is None
    assert _paraphraser().reword("Where had Putin met Assad?", gold) == "Where had Putin greeted Assad?"


def test_names_days_relatives_by_form_and_negations_are_not_used() -> None:
    gold = _terms("On Tuesday the Kremlin spoke of safety for soldiers.")
    p = _paraphraser(proper=frozenset({"kremlin", "moscow"}))
    # "tuesday" is a closed word, "Kremlin" a name; "safety" has only "unsafe"
    # near it (a negation); "soldiers" has "troops", not "soldier" (its stem).
    assert p.reword("What did the Kremlin say on tuesday of safety?", gold) is None
    assert p.reword("Which soldiers?", gold) == "Which troops?"


def test_a_capital_inside_a_sentence_marks_a_name() -> None:
    texts = ["The Kremlin said so. Officials in the Kremlin agreed.", "Kremlin aides and the press met."]
    proper = proper_words(texts)
    assert "kremlin" in proper
    assert "press" not in proper
    assert "officials" not in proper
