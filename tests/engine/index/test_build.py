"""A rebuild after some files changed takes the unchanged articles'
sentences from the earlier index (in memory, or the last one saved) and
scores exactly as a fresh build."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.engine.index.build as index_module
from bot.engine import Article, Corpus, Engine, IndexCache
from bot.engine.index.build import build_index, reusable
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.index.top import dense_scores
from bot.engine.text.tokens import tokenize

WORDS = ["apple", "river", "stone", "cloud", "tiger", "lamp", "ocean", "maple", "Putin", "Damascus"]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=3).map(" ".join)
article_text = st.lists(paragraph, min_size=1, max_size=3)


def articles_of(texts: list[list[str]], prefix: str = "a") -> list[Article]:
    return [Article(id=f"{prefix}{i}", title=f"T{i}", paragraphs=tuple(ps)) for i, ps in enumerate(texts)]


def assert_same_index(got: SentenceIndex, fresh: SentenceIndex) -> None:
    for name in ("sent_article", "sent_paragraph", "sent_para", "span_start", "span_end", "para_first_sentence"):
        np.testing.assert_array_equal(getattr(got, name), getattr(fresh, name), err_msg=name)
    assert set(got.vocabulary()) == set(fresh.vocabulary())
    for term in fresh.vocabulary():
        weights = {term: 1.0}
        np.testing.assert_allclose(dense_scores(got, weights), dense_scores(fresh, weights), err_msg=term)
    everything = dict.fromkeys(fresh.vocabulary(), 0.7)
    np.testing.assert_allclose(dense_scores(got, everything), dense_scores(fresh, everything))
    _, got_scores = got.top(everything, 5)
    _, fresh_scores = fresh.top(everything, 5)
    np.testing.assert_allclose(got_scores, fresh_scores)


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(article_text, min_size=1, max_size=5),
    after_new=st.lists(article_text, min_size=0, max_size=3),
    keep=st.lists(st.booleans(), min_size=5, max_size=5),
    order=st.randoms(use_true_random=False),
)
def test_reusing_an_earlier_index_scores_as_a_fresh_build(
    before: list[list[str]], after_new: list[list[str]], keep: list[bool], order: object
) -> None:
    old = build_index(articles_of(before))
    kept = [texts for texts, k in zip(before, keep, strict=False) if k]
    after = kept + after_new
    if not after:
        return
    order.shuffle(after)  # type: ignore[attr-defined]
    new_articles = articles_of(after, "b")
    got = build_index(new_articles, reuse=reusable(old))
    fresh = build_index(new_articles)
    assert_same_index(got, fresh)
    old_texts = {tuple(t) for t in before}
    assert got.reused_articles == sum(tuple(t) in old_texts for t in after)
    # And again from the reused one: the chain holds.
    again = build_index(new_articles, reuse=reusable(got))
    assert_same_index(again, fresh)
    assert again.reused_articles == len(new_articles)


STORY_LIKE = [
    ["Putin and Assad met Tuesday at a command post in Damascus.", "They talked for an hour. Then they left."],
    ["More than 400,000 people have been killed in the war."],
    ["The rules of chess were set long ago.", "Nobody plays it on Tuesdays."],
]


@pytest.fixture
def splits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paragraphs the index splits into sentences (the work reuse saves)."""
    seen: list[str] = []
    real = index_module.split_sentences

    def counting(paragraph: str) -> list[tuple[int, int]]:
        seen.append(paragraph)
        return real(paragraph)

    monkeypatch.setattr(index_module, "split_sentences", counting)
    return seen


def test_only_changed_articles_are_split_again(splits: list[str]) -> None:
    first = Engine(Corpus(articles=tuple(articles_of(STORY_LIKE))))
    splits.clear()
    changed = [STORY_LIKE[0], ["A new article about Tuesday's talks."], STORY_LIKE[2]]
    second = Engine(Corpus(articles=tuple(articles_of(changed))), previous=first)
    assert splits == ["A new article about Tuesday's talks."]
    assert second.index.reused_articles == 2
    assert second.ask("Where did Putin and Assad meet?").answers[0].text.startswith("Putin and Assad met")
    assert second.index.terms_of(0) == frozenset(tokenize(STORY_LIKE[0][0]))


def test_a_restart_after_a_file_changed_reuses_the_last_saved_index(
    tmp_path: Path, splits: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    cache = IndexCache(tmp_path)
    Engine(Corpus(articles=tuple(articles_of(STORY_LIKE))), cache=cache)
    splits.clear()
    changed = [*STORY_LIKE[:2], ["The rules of go were set long ago."]]
    with caplog.at_level(logging.INFO, logger="bot.engine.index.cache"):
        engine = Engine(Corpus(articles=tuple(articles_of(changed))), cache=cache)  # no engine in memory
    assert not engine.index_loaded
    assert engine.index.reused_articles == 2
    assert splits == ["The rules of go were set long ago."]
    assert "reusing the unchanged articles" in caplog.text
    assert_same_index(engine.index, build_index(articles_of(changed)))


def test_a_damaged_last_index_is_not_reused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = IndexCache(tmp_path)
    Engine(Corpus(articles=tuple(articles_of(STORY_LIKE))), cache=cache)
    [path] = tmp_path.glob("index-*.npz")
    path.write_bytes(path.read_bytes()[:200])
    changed = [*STORY_LIKE[:2], ["The rules of go were set long ago."]]
    with caplog.at_level(logging.WARNING, logger="bot.engine.index.cache"):
        engine = Engine(Corpus(articles=tuple(articles_of(changed))), cache=cache)
    assert engine.index.reused_articles == 0
    assert "cannot be reused" in caplog.text
    assert_same_index(engine.index, build_index(articles_of(changed)))
