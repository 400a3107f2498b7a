"""``semantic/reuse.py``: an engine built with ``previous`` embeds only the
sentences and words ``previous`` does not hold, and its vectors are those a
build from scratch gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.engine import Article, Corpus, Engine, IndexCache, IndexConfig, load_corpus
from bot.engine.semantic.reuse import SavedVectors, saved_by_text, text_hashes
from tests.engine.index.test_cache import CountingEncoder
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]
NEW = Article(
    id="new.txt",
    title="Lighthouse keeper retires",
    paragraphs=("Tom Ellis kept the Porthaven lighthouse for forty years.", "Gulls nested on its gallery."),
)


def test_a_new_engine_embeds_only_what_the_previous_one_lacks() -> None:
    story = load_corpus(STORY_CORPUS)
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


# -- after a restart: the vectors saved for the corpus as it was -------------------


def _sentences(engine: Engine) -> set[str]:
    return {engine.index.sentence_text(i) for i in range(engine.n_sentences)}


def assert_as_from_scratch(engine: Engine, corpus: Corpus) -> None:
    """``engine``'s sentence vectors are those a build from scratch gives."""
    scratch = Engine(corpus, encoder=CountingEncoder())  # type: ignore[arg-type]
    assert engine.semantic is not None
    assert scratch.semantic is not None
    np.testing.assert_array_equal(engine.semantic.matrix, scratch.semantic.matrix)


def test_a_restart_after_an_article_was_added_embeds_only_its_sentences(tmp_path: Path) -> None:
    story = load_corpus(STORY_CORPUS)
    old = Engine(story, encoder=CountingEncoder(), cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    counting = CountingEncoder()
    grown = Corpus(articles=[*story.articles, NEW])
    new = Engine(grown, encoder=counting, cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert not _sentences(old) & set(counting.texts)
    assert "Tom Ellis kept the Porthaven lighthouse for forty years." in counting.texts
    assert_as_from_scratch(new, grown)


def test_an_upgrade_that_changes_the_index_key_embeds_no_sentence_again(tmp_path: Path) -> None:
    story = load_corpus(STORY_CORPUS)
    Engine(story, encoder=CountingEncoder(), cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    counting = CountingEncoder()
    other = IndexConfig(k1=1.3)  # another index key, as new index code gives
    new = Engine(story, config=other, encoder=counting, cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert not new.index_loaded
    assert not _sentences(new) & set(counting.texts)


def test_a_large_corpus_restarted_with_an_article_added_builds_only_its_vectors(tmp_path: Path) -> None:
    story = load_corpus(STORY_CORPUS)
    lazy = IndexConfig(semantic_eager_max=10)
    old = Engine(story, config=lazy, encoder=CountingEncoder(), cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert old.build_vectors()
    counting = CountingEncoder()
    grown = Corpus(articles=[*story.articles, NEW])
    new = Engine(grown, config=lazy, encoder=counting, cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert new.vectors_pending
    counting.texts.clear()
    assert new.build_vectors()
    assert not _sentences(old) & set(counting.texts)
    assert "Gulls nested on its gallery." in counting.texts
    assert_as_from_scratch(new, grown)


def test_vectors_saved_without_their_texts_or_damaged_are_embedded_again(tmp_path: Path) -> None:
    """A file from before the hashes were saved is not taken; nor is a
    damaged one (logged, and the sentences embedded)."""
    story = load_corpus(STORY_CORPUS)
    cache = IndexCache(tmp_path)
    old = Engine(story, encoder=CountingEncoder(), cache=cache)  # type: ignore[arg-type]
    assert old.semantic is not None
    assert old.semantic.matrix is not None
    assert old.cache_key is not None
    for path in tmp_path.glob("vectors-*.npz"):
        path.unlink()
    cache.save_vectors(old.cache_key, "test-model", old.semantic.matrix)  # no hashes
    grown = Corpus(articles=[*story.articles, NEW])
    counting = CountingEncoder()
    Engine(grown, encoder=counting, cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert _sentences(old) <= set(counting.texts)

    for path in tmp_path.glob("vectors-*.npz"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    counting = CountingEncoder()
    other = IndexConfig(k1=1.4)  # a key of its own: no vectors saved for it
    again = Engine(grown, config=other, encoder=counting, cache=IndexCache(tmp_path))  # type: ignore[arg-type]
    assert _sentences(again) <= set(counting.texts)
    assert again.ask("Where did Putin and Assad meet?").answers


def test_saved_vectors_are_found_by_their_text_and_only_when_finite() -> None:
    vectors = np.eye(3, 4, dtype=np.float16)
    vectors[2, 0] = np.nan
    saved = SavedVectors(text_hashes(["one", "two", "three"]), vectors)
    assert len(saved) == 3
    found = saved.get("two")
    assert found is not None
    np.testing.assert_array_equal(found, [0, 1, 0, 0])
    assert found.dtype == np.float32
    assert saved.get("three") is None  # not finite: embedded again
    assert saved.get("four") is None
    assert saved_by_text(None, "test-model", 4) is None
