"""A large corpus's sentence vectors, built after the engine serves
(``SemanticScorer.embed_all``, ``Engine.build_vectors``): the same vectors
an eager build gives, so the same answers; saved with the index and loaded
on the next start; a stop request leaves the engine on vectors on demand; a
reload embeds only what changed.  "Large" is made small here: the eager
limit (``semantic_eager_max``) is set below the story's size."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Engine, IndexConfig, load_corpus, load_encoder, open_cache
from bot.engine.semantic.encoder import SentenceEncoder
from tests.story import STORY_CORPUS

ROOT = Path(__file__).resolve().parents[3]

encoder = load_encoder()
pytestmark = pytest.mark.skipif(encoder is None, reason="sentence encoder not installed")

LAZY = IndexConfig(semantic_eager_max=10)
"""The story (about 60 sentences) counts as large."""

QUESTIONS = (
    "Where did Putin and Assad meet?",
    "How has Tehran responded to the assassination?",
    "Who is the Kremlin spokesman?",
)


class CountingEncoder:
    """The real encoder, counting the texts it embeds."""

    def __init__(self, inner: SentenceEncoder) -> None:
        self.inner = inner
        self.texts = 0
        self.seen: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> np.ndarray:
        self.texts += len(texts)
        self.seen.extend(texts)
        return self.inner.encode(texts, batch_size, max_tokens)

    def encode_tokens(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> object:
        self.texts += len(texts)
        self.seen.extend(texts)
        return self.inner.encode_tokens(texts, batch_size, max_tokens)


def lazy_engine(folder: Path = STORY_CORPUS, cache: Path | None = None, **kwargs: object) -> Engine:
    return Engine(
        load_corpus(folder),
        config=LAZY,
        encoder=kwargs.pop("encoder", encoder),  # type: ignore[arg-type]
        cache=open_cache(cache),
        **kwargs,  # type: ignore[arg-type]
    )


def answers(engine: Engine) -> list[list[str]]:
    return [[a.text for a in engine.ask(q, top=3).answers] for q in QUESTIONS]


def test_vectors_built_later_equal_an_eager_build() -> None:
    assert encoder is not None
    eager = Engine(load_corpus(STORY_CORPUS), encoder=encoder)
    lazy = lazy_engine()
    assert lazy.vectors_pending
    assert lazy.semantic_state == "on demand (large corpus)"
    lazy.ask(QUESTIONS[0])  # some vectors embedded on demand first: reused by the build
    assert lazy.build_vectors()
    assert not lazy.vectors_pending
    assert lazy.semantic_state == "all sentences"
    assert lazy.semantic is not None
    assert eager.semantic is not None
    assert eager.semantic.matrix is not None
    np.testing.assert_allclose(lazy.semantic.matrix, eager.semantic.matrix, atol=1e-5)
    assert not lazy.build_vectors()  # nothing left to do


def test_answers_change_from_on_demand_to_all_sentences() -> None:
    """With every sentence embedded, a sentence that shares no word with the
    question can be found (BM25's candidates alone before)."""
    assert encoder is not None
    eager = Engine(load_corpus(STORY_CORPUS), encoder=encoder, config=IndexConfig())
    lazy = lazy_engine()
    lazy.build_vectors()
    assert answers(lazy) == answers(eager)


def test_the_vectors_are_saved_and_loaded_on_the_next_start(tmp_path: Path) -> None:
    assert encoder is not None
    first = lazy_engine(cache=tmp_path)
    assert first.vectors_pending
    assert first.build_vectors()
    counting = CountingEncoder(encoder)
    again = lazy_engine(cache=tmp_path, encoder=counting)
    assert not again.vectors_pending
    assert counting.texts == 0
    assert answers(again) == answers(first)


def test_a_stop_leaves_the_engine_on_demand(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()
    engine = lazy_engine(cache=tmp_path)
    assert not engine.build_vectors(stop)
    assert engine.vectors_pending
    assert not list(tmp_path.rglob("vectors-*"))
    assert engine.ask(QUESTIONS[0]).answers


def test_a_reload_embeds_only_the_new_article(tmp_path: Path) -> None:
    assert encoder is not None
    folder = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, folder)
    old = lazy_engine(folder)
    old.build_vectors()
    article = "Tomas Reyes kept the Porthaven light for forty years. He retires on Friday."
    (folder / "lighthouse.txt").write_text(f"Lighthouse keeper retires\n\n{article}\n", "utf-8")
    counting = CountingEncoder(encoder)
    new = lazy_engine(folder, encoder=counting, previous=old)
    counting.seen.clear()
    assert new.build_vectors()
    # The new article's two sentences, and those of its words the story lacks.
    assert [t for t in counting.seen if " " in t] == [
        "Tomas Reyes kept the Porthaven light for forty years.",
        "He retires on Friday.",
    ]
    words = set(f"Lighthouse keeper retires {article}".lower().replace(".", "").split())
    assert {t for t in counting.seen if " " not in t} <= words
    assert "porthaven" in counting.seen
    assert "Tomas Reyes" in new.ask("Who kept the Porthaven light?").answers[0].text


def test_a_large_corpus_s_vectors_are_kept_in_float16_with_their_projection_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From ``COARSE_MIN_SENTENCES`` (lowered here below the story's size)
    the built vectors are kept in float16 and matched first on a projection,
    which is saved with them: the next start loads both and answers alike."""
    from bot.engine.semantic import scorer as scorer_mod

    monkeypatch.setattr(scorer_mod, "COARSE_MIN_SENTENCES", 10)
    first = lazy_engine(cache=tmp_path)
    assert first.build_vectors()
    assert first.semantic is not None
    assert first.semantic.matrix is not None
    assert first.semantic.matrix.dtype == np.float16
    with_projection = [p for p in tmp_path.glob("vectors-*.npz") if "coarse_rows" in np.load(p).files]
    assert len(with_projection) == 1
    fits: list[int] = []
    monkeypatch.setattr(scorer_mod._Coarse, "fit", staticmethod(lambda m: fits.append(1)))
    again = lazy_engine(cache=tmp_path)
    assert not again.vectors_pending
    assert fits == []
    assert answers(again) == answers(first)


def test_a_story_copied_into_another_article_is_embedded_once(tmp_path: Path) -> None:
    """A sentence that repeats an earlier one's text (a syndicated story in
    two articles) takes its vector: each text is embedded once, and the
    vectors are those of an eager build."""
    assert encoder is not None
    folder = tmp_path / "corpus"
    shutil.copytree(STORY_CORPUS, folder)
    story = next(folder.glob("*.txt"))
    (folder / "copy.txt").write_text(story.read_text("utf-8"), "utf-8")
    counting = CountingEncoder(encoder)
    engine = lazy_engine(folder, encoder=counting)
    counting.seen.clear()
    assert engine.build_vectors()
    sentences = [t for t in counting.seen if " " in t]
    assert len(sentences) == len(set(sentences))
    assert engine.semantic is not None
    texts = [engine.index.sentence_text(i) for i in range(engine.n_sentences)]
    assert len(sentences) == len(set(texts)) < len(texts)
    eager = Engine(load_corpus(folder), encoder=encoder)
    assert eager.semantic is not None
    assert eager.semantic.matrix is not None
    np.testing.assert_allclose(engine.semantic.matrix, eager.semantic.matrix, atol=1e-5)


def test_texts_of_one_hash_are_each_embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The copies are found by hash and checked by text: two texts that
    share a hash are not taken for one."""
    from bot.engine.semantic import scorer as scorer_mod

    texts = ["alpha", "beta", "alpha", "gamma", "beta"]
    assert list(scorer_mod.first_copies(5, texts.__getitem__)) == [0, 1, 0, 3, 1]
    monkeypatch.setattr(scorer_mod, "hash", lambda text: 7, raising=False)
    assert list(scorer_mod.first_copies(5, texts.__getitem__)) == [0, 1, 0, 3, 4]
