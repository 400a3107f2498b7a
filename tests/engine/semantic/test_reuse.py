"""``semantic/reuse.py``: an engine built with ``previous`` embeds only the
sentences and words ``previous`` does not hold, and its vectors are those a
build from scratch gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.engine import Article, Corpus, Engine, load_corpus
from tests.engine.index.test_cache import CountingEncoder

ROOT = Path(__file__).resolve().parents[3]
NEW = Article(
    id="new.txt",
    title="Lighthouse keeper retires",
    paragraphs=("Tom Ellis kept the Porthaven lighthouse for forty years.", "Gulls nested on its gallery."),
)


def test_a_new_engine_embeds_only_what_the_previous_one_lacks() -> None:
    story = load_corpus(ROOT / "corpus")
    first = CountingEncoder()
    old = Engine(story, encoder=first)  # type: ignore[arg-type]
    assert old.semantic is not None
    assert old.semantic.matrix is not None
    second = CountingEncoder()
    new = Engine(Corpus(articles=[*story.articles, NEW]), encoder=second, previous=old)  # type: ignore[arg-type]
    old_sentences = {old.index.sentence_text(i) for i in range(old.n_sentences)}
    assert not old_sentences & set(second.texts)  # none embedded again
    assert "Tom Ellis kept the Porthaven lighthouse for forty years." in second.texts
    assert {"porthaven", "lighthouse", "gulls"} <= {t.lower() for t in second.texts}  # new words, for neighbours
    scratch = Engine(Corpus(articles=[*story.articles, NEW]), encoder=CountingEncoder())  # type: ignore[arg-type]
    assert new.semantic is not None
    assert scratch.semantic is not None
    np.testing.assert_array_equal(new.semantic.matrix, scratch.semantic.matrix)
    assert new.reader.neighbours is not None
    assert scratch.reader.neighbours is not None
    np.testing.assert_array_equal(new.reader.neighbours.matrix, scratch.reader.neighbours.matrix)
