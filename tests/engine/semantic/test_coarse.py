"""A large corpus's vectors: kept in float16, matched first on a projection
on their principal directions, then exactly (``semantic/scorer.py``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from bot.engine.semantic import scorer as scorer_mod
from bot.engine.semantic.scorer import SemanticScorer

DIM = 384


class FixedEncoder:
    """Only the dimension is read: every vector is given."""

    dim = DIM
    identity = "fixed"
    batch_texts = 256
    """Texts embedded a batch at a time (as ``SentenceEncoder.batch_texts``)."""

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> npt.NDArray[np.float32]:
        raise AssertionError("nothing should be embedded")

    def encode_tokens(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> object:
        raise AssertionError("nothing should be embedded")


def unit(rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    out = rows.astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


@pytest.fixture
def vectors() -> npt.NDArray[np.float32]:
    """Sentences that, like a corpus's, vary in fewer directions than they have."""
    rng = np.random.default_rng(11)
    return unit(rng.normal(size=(3000, 40)) @ rng.normal(size=(40, DIM)))


def scorer(vectors: npt.NDArray[np.float32]) -> SemanticScorer:
    return SemanticScorer(FixedEncoder(), len(vectors), str, matrix=vectors)  # type: ignore[arg-type]


def test_a_small_corpus_keeps_float32_and_matches_every_vector(vectors: npt.NDArray[np.float32]) -> None:
    small = scorer(vectors)
    assert small.matrix is not None
    assert small.matrix.dtype == np.float32
    assert small._coarse is None


def test_a_large_corpus_keeps_float16_and_finds_the_same_nearest(
    vectors: npt.NDArray[np.float32], monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = scorer(vectors)
    monkeypatch.setattr(scorer_mod, "COARSE_MIN_SENTENCES", 1000)
    large = scorer(vectors)
    assert large.matrix is not None
    assert large.matrix.dtype == np.float16
    assert large._coarse is not None
    assert large._coarse.rows.shape == (len(vectors), scorer_mod.COARSE_DIM)
    rng = np.random.default_rng(5)
    questions = unit(vectors[rng.choice(len(vectors), 20)] + 0.05 * rng.normal(size=(20, DIM)))
    for q in questions:
        want = exact.top(q, 20)
        got = large.top(q, 20)
        assert got[0] == want[0]
        assert len(set(got) & set(want)) >= 19
        np.testing.assert_allclose(large.similarities(q, got), exact.similarities(q, got), atol=2e-3)


def test_switching_a_large_corpus_over_to_its_vectors(
    vectors: npt.NDArray[np.float32], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``use_matrix`` (the background builder's switch) keeps a large
    corpus's vectors as a build from saved ones does."""
    monkeypatch.setattr(scorer_mod, "COARSE_MIN_SENTENCES", 1000)
    lazy = SemanticScorer(FixedEncoder(), len(vectors), str, eager_max=10)  # type: ignore[arg-type]
    assert not lazy.eager
    lazy.use_matrix(vectors)
    assert lazy.eager
    assert lazy.matrix is not None
    assert lazy.matrix.dtype == np.float16
    assert lazy.top(vectors[7], 5)[0] == 7


def test_the_projection_is_saved_and_taken_back_not_fitted_again(
    vectors: npt.NDArray[np.float32], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart at 1,000,000 sentences must not fit the projection again
    (seconds): it is saved beside the vectors; a saved one that does not
    fit them is fitted anew."""
    monkeypatch.setattr(scorer_mod, "COARSE_MIN_SENTENCES", 1000)
    first = scorer(vectors)
    saved = first.saved_with()
    assert set(saved) == {"coarse_projection", "coarse_rows"}
    assert saved["coarse_rows"].dtype == np.float32  # as used: mapped on restart, not converted
    fitted: list[int] = []
    real_fit = scorer_mod._Coarse.fit

    def counting_fit(matrix: npt.NDArray[np.floating]) -> object:
        fitted.append(len(matrix))
        return real_fit(matrix)

    monkeypatch.setattr(scorer_mod._Coarse, "fit", staticmethod(counting_fit))
    half = vectors.astype(np.float16)
    again = SemanticScorer(FixedEncoder(), len(vectors), str, matrix=half, saved=saved)  # type: ignore[arg-type]
    assert fitted == []
    q = vectors[42]
    assert list(again.top(q, 10)) == list(first.top(q, 10))
    older = dict(saved, coarse_rows=saved["coarse_rows"].astype(np.float16))  # as saved before
    from_older = SemanticScorer(FixedEncoder(), len(vectors), str, matrix=half, saved=older)  # type: ignore[arg-type]
    assert fitted == []
    assert list(from_older.top(q, 10)) == list(first.top(q, 10))
    wrong = dict(saved, coarse_rows=saved["coarse_rows"][:-1])
    SemanticScorer(FixedEncoder(), len(vectors), str, matrix=half, saved=wrong)  # type: ignore[arg-type]
    assert fitted == [len(vectors)]


def test_a_small_corpus_saves_nothing_beside_its_vectors(vectors: npt.NDArray[np.float32]) -> None:
    assert scorer(vectors).saved_with() == {}


def test_a_large_corpus_s_vectors_are_built_in_float16(monkeypatch: pytest.MonkeyPatch) -> None:
    """The background build writes a large corpus's vectors straight into
    float16: no float32 copy of them all exists at its peak."""
    monkeypatch.setattr(scorer_mod, "COARSE_MIN_SENTENCES", 10)

    class Embeds(FixedEncoder):
        def encode(
            self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None
        ) -> npt.NDArray[np.float32]:
            rows = np.zeros((len(texts), DIM), dtype=np.float32)
            rows[:, 0] = 1.0
            return rows

    lazy = SemanticScorer(Embeds(), 40, str, eager_max=10)  # type: ignore[arg-type]
    built = lazy.embed_all()
    assert built is not None
    assert built.dtype == np.float16
    assert built.shape == (40, DIM)
