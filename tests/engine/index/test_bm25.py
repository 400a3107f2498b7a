"""SparseBM25 gives rank-bm25's numbers (bot/engine/index/bm25.py)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
import rank_bm25
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.index.bm25 import SparseBM25

RTOL = 1e-9
ATOL = 1e-12  # for scores that are zero (or cancel to nearly zero) on both sides

Docs = list[list[str]]


def reference(docs: Docs, variant: str, k1: float, b: float, epsilon: float, delta: float) -> rank_bm25.BM25:
    if variant == "okapi":
        return rank_bm25.BM25Okapi(docs, k1=k1, b=b, epsilon=epsilon)
    return rank_bm25.BM25Plus(docs, k1=k1, b=b, delta=delta)


def assert_same_ranking(ours: npt.NDArray[np.float64], theirs: npt.NDArray[np.float64], k: int) -> None:
    """The top-``k`` order is the same wherever the reference scores are not tied."""
    scale = max(1.0, float(np.max(np.abs(theirs)))) if len(theirs) else 1.0
    tie = 1e-7 * scale
    ref_order = np.argsort(-theirs, kind="stable")
    our_order = np.argsort(-ours, kind="stable")
    ref_sorted = theirs[ref_order]
    k = min(k, len(theirs))
    for i in range(k):
        left_apart = i == 0 or ref_sorted[i - 1] - ref_sorted[i] > tie
        right_apart = i + 1 >= len(ref_sorted) or ref_sorted[i] - ref_sorted[i + 1] > tie
        if left_apart and right_apart:
            assert our_order[i] == ref_order[i], (i, ours, theirs)
    if k < len(theirs) and ref_sorted[k - 1] - ref_sorted[k] > tie:
        assert set(our_order[:k].tolist()) == set(ref_order[:k].tolist())


def check(
    docs: Docs,
    queries: list[list[str]],
    variant: str,
    *,
    k1: float = 1.5,
    b: float = 0.75,
    epsilon: float = 0.25,
    delta: float = 1.0,
) -> None:
    ours = SparseBM25(docs, variant=variant, k1=k1, b=b, epsilon=epsilon, delta=delta)  # type: ignore[arg-type]
    theirs = reference(docs, variant, k1, b, epsilon, delta)
    for query in queries:
        got = ours.get_scores(query)
        want = np.asarray(theirs.get_scores(query), dtype=np.float64)
        assert got.shape == want.shape == (len(docs),)
        assert np.all(np.isfinite(got))
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=f"query={query!r}")
        assert_same_ranking(got, want, k=5)


# ---------------------------------------------------------------------------
# Hand-made corpora.

STORY_LIKE: Docs = [
    ["putin", "visit", "syria", "meet", "assad"],
    ["visit", "syria", "key", "alli", "iran", "tension", "middl", "east", "iran", "unit", "state"],
    ["friday", "u", "drone", "strike", "kill", "top", "iranian", "general", "lead", "forc", "assad", "syria"],
    ["iran", "vow", "reveng"],
    ["putin", "assad", "meet", "tuesday", "russian", "command", "post", "damascus"],
    ["russia", "join", "war", "2015"],
    [],
    ["400000", "peopl", "kill", "syria", "civil", "war"],
]

HAND_QUERIES = [
    ["putin", "assad", "meet"],
    ["syria"],
    ["syria", "syria"],  # repeated term counts twice
    ["iran", "iran", "iran", "putin"],
    ["nowhere"],  # not in the corpus
    ["nowhere", "kill", "elsewhere"],
    [],
    ["war", "2015", "russia"],
]


@pytest.mark.parametrize("variant", ["okapi", "plus"])
def test_story_like_corpus(variant: str) -> None:
    check(STORY_LIKE, HAND_QUERIES, variant)


@pytest.mark.parametrize("variant", ["okapi", "plus"])
@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (0.5, 0.0), (2.0, 0.3), (1.5, 0.9)])
def test_story_like_corpus_other_parameters(variant: str, k1: float, b: float) -> None:
    check(STORY_LIKE, HAND_QUERIES, variant, k1=k1, b=b, epsilon=0.1, delta=0.5)


@pytest.mark.parametrize("variant", ["okapi", "plus"])
def test_single_document(variant: str) -> None:
    check([["a", "b", "a"]], [["a"], ["b", "b"], ["c"], ["a", "b", "c"]], variant)


@pytest.mark.parametrize("variant", ["okapi", "plus"])
def test_term_in_every_document_gets_okapi_floor(variant: str) -> None:
    # "x" is in every document: Okapi's idf is negative and floored to epsilon x mean idf.
    docs = [["x", "a"], ["x", "b"], ["x", "c"], ["x", "x", "d"]]
    check(docs, [["x"], ["x", "a"], ["a", "b", "c", "d"]], variant)


def test_plus_scores_every_term_positively_and_okapi_does_not() -> None:
    docs = [["putin", "assad"], ["putin", "assad", "meet"], ["putin", "war"]]
    plus = SparseBM25(docs, variant="plus")
    okapi = SparseBM25(docs, variant="okapi")
    plus_idf, okapi_idf = plus.idf_of("putin"), okapi.idf_of("putin")
    assert plus_idf is not None
    assert okapi_idf is not None
    assert plus_idf > 0
    assert okapi_idf < plus_idf
    assert plus.idf_of("nowhere") is None
    assert plus.unseen_idf() == pytest.approx(math.log(4 / 0.5))


def test_constant_is_the_delta_part_for_plus_only() -> None:
    docs = [["a", "b"], ["b", "c"], ["c"]]
    plus = SparseBM25(docs, variant="plus", delta=1.0)
    okapi = SparseBM25(docs, variant="okapi")
    assert okapi.constant(["a", "b"]) == 0.0
    assert plus.constant(["a", "b", "zzz"]) == pytest.approx(plus.idf_of("a") + plus.idf_of("b"))  # type: ignore[operator]
    assert SparseBM25(docs, variant="plus", delta=0.0).constant(["a"]) == 0.0


def test_empty_collection_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one document"):
        SparseBM25([])


def test_term_ids_keep_repeats_and_drop_unknown() -> None:
    bm = SparseBM25([["a", "b"], ["c"]])
    assert bm.term_ids(["a", "zzz", "a", "c"]) == [bm.vocab["a"], bm.vocab["a"], bm.vocab["c"]]


def test_add_scores_scales() -> None:
    docs = [["a", "b"], ["b", "c"], ["c", "a", "a"]]
    bm = SparseBM25(docs, variant="okapi")
    once = np.zeros(3)
    bm.add_scores(once, ["a", "c"])
    scaled = np.zeros(3)
    bm.add_scores(scaled, ["a", "c"], 0.5)
    np.testing.assert_allclose(scaled, 0.5 * once, rtol=RTOL)
    np.testing.assert_allclose(once, bm.get_scores(["a", "c"]), rtol=RTOL)


# ---------------------------------------------------------------------------
# Random corpora.

ALPHABET = [f"t{i}" for i in range(8)]
NOT_IN_ANY_DOC = ["zz0", "zz1"]

docs_strategy = st.lists(
    st.lists(st.sampled_from(ALPHABET), min_size=0, max_size=12),
    min_size=1,
    max_size=12,
).filter(lambda docs: any(docs))  # rank-bm25 cannot handle a collection without any word

queries_strategy = st.lists(
    st.lists(st.sampled_from(ALPHABET + NOT_IN_ANY_DOC), min_size=0, max_size=6),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(
    docs=docs_strategy,
    queries=queries_strategy,
    k1=st.floats(0.1, 3.0),
    b=st.floats(0.0, 0.95),
    epsilon=st.floats(0.0, 0.5),
)
def test_okapi_equals_rank_bm25_on_random_corpora(
    docs: Docs, queries: list[list[str]], k1: float, b: float, epsilon: float
) -> None:
    check(docs, queries, "okapi", k1=k1, b=b, epsilon=epsilon)


@settings(max_examples=150, deadline=None)
@given(
    docs=docs_strategy,
    queries=queries_strategy,
    k1=st.floats(0.1, 3.0),
    b=st.floats(0.0, 0.95),
    delta=st.floats(0.0, 2.0),
)
def test_plus_equals_rank_bm25_on_random_corpora(
    docs: Docs, queries: list[list[str]], k1: float, b: float, delta: float
) -> None:
    check(docs, queries, "plus", k1=k1, b=b, delta=delta)


@settings(max_examples=100, deadline=None)
@given(docs=docs_strategy, queries=queries_strategy)
def test_default_parameters_equal_rank_bm25_defaults(docs: Docs, queries: list[list[str]]) -> None:
    ours_okapi, ours_plus = SparseBM25(docs, variant="okapi"), SparseBM25(docs, variant="plus")
    ref_okapi, ref_plus = rank_bm25.BM25Okapi(docs), rank_bm25.BM25Plus(docs)
    for query in queries:
        np.testing.assert_allclose(ours_okapi.get_scores(query), ref_okapi.get_scores(query), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(ours_plus.get_scores(query), ref_plus.get_scores(query), rtol=RTOL, atol=ATOL)
