"""``python -m bot index`` prepares everything (``bot/service/prepare.py``,
issue 31): the index, every sentence's vector (each distinct text once, on
several threads: the vectors one thread gives) and the judge's parses, all
saved, so that the next start loads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from bot.engine import CorpusError, Engine, IndexConfig, ParallelEncoder, load_corpus, load_encoder, open_cache
from bot.service.prepare import prepare
from bot.settings import load_settings
from tests.story import STORY_CORPUS

encoder = load_encoder()
needs_model = pytest.mark.skipif(encoder is None, reason="sentence encoder not installed")


@needs_model
def test_parallel_encoder_gives_the_vectors_one_thread_gives() -> None:
    assert encoder is not None
    engine = Engine.from_folder(STORY_CORPUS)
    texts = [engine.index.sentence_text(i) for i in range(engine.n_sentences)] * 20  # 340: three chunks
    told: list[tuple[int, int]] = []
    parallel = ParallelEncoder(encoder, 3, lambda done, total: told.append((done, total)))
    assert np.abs(parallel.encode(texts) - encoder.encode(texts)).max() < 1e-5
    assert told[0] == (0, len(texts))
    assert told[-1] == (len(texts), len(texts))
    assert [d for d, _ in told] == sorted(d for d, _ in told)


@needs_model
def test_parallel_token_states_are_those_of_one_thread() -> None:
    assert encoder is not None
    engine = Engine.from_folder(STORY_CORPUS)
    texts = [engine.index.sentence_text(i) for i in range(engine.n_sentences)]
    vectors, rows = ParallelEncoder(encoder, 2).encode_tokens(texts)
    one_vectors, one_rows = encoder.encode_tokens(texts)
    assert np.abs(vectors - one_vectors).max() < 1e-5
    assert [r.words for r in rows] == [r.words for r in one_rows]
    assert max(float(np.abs(a.vectors - b.vectors).max()) for a, b in zip(rows, one_rows, strict=True)) < 1e-5


@needs_model
def test_a_large_corpus_vectors_built_at_once_on_threads_equal_the_eager_ones(tmp_path: Path) -> None:
    """A corpus above the eager limit (made small here) gets every vector,
    each distinct text embedded once, and they are saved: a new engine loads them."""
    assert encoder is not None
    lazy = dataclasses.replace(IndexConfig(), semantic_eager_max=10)
    eager = Engine(load_corpus(STORY_CORPUS), encoder=encoder)
    parallel = ParallelEncoder(encoder, 2)
    engine = Engine(load_corpus(STORY_CORPUS), config=lazy, encoder=parallel, cache=open_cache(tmp_path))
    assert engine.vectors_pending
    assert engine.build_vectors()
    assert engine.semantic is not None
    assert eager.semantic is not None
    assert engine.semantic.matrix is not None
    assert eager.semantic.matrix is not None
    assert np.abs(engine.semantic.matrix - eager.semantic.matrix).max() < 1e-5
    again = Engine(load_corpus(STORY_CORPUS), config=lazy, encoder=encoder, cache=open_cache(tmp_path))
    assert not again.vectors_pending


@needs_model
def test_prepare_builds_then_loads_everything(tmp_path: Path) -> None:
    settings = load_settings(index_cache_dir=tmp_path / "cache")
    steps: list[str] = []

    def step(what: str) -> object:
        steps.append(what)
        return lambda done, total: None

    first = prepare(settings, STORY_CORPUS, steps=step)  # type: ignore[arg-type]
    assert not first.engine.index_loaded
    assert first.engine.semantic is not None
    assert first.engine.semantic.eager
    assert first.engine.judge is not None
    assert first.engine.judge.complete()
    second = prepare(settings, STORY_CORPUS)
    assert second.engine.index_loaded
    assert second.engine.judge is not None
    assert second.engine.judge.complete()


def test_no_vectors_is_the_index_alone(tmp_path: Path) -> None:
    done = prepare(load_settings(index_cache_dir=tmp_path), STORY_CORPUS, vectors=False)
    assert done.engine.semantic is None
    assert done.engine.judge is None
    assert not done.vectors_built


def test_a_server_without_a_folder_is_said(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"server 999 has no articles of its own .*servers/999"):
        prepare(load_settings(index_cache_dir=tmp_path), STORY_CORPUS, 999, vectors=False)
