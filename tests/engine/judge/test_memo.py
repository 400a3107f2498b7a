"""What the judge keeps per sentence: computed once, in batches, lent by
text, bounded, and all of a corpus's given in order for saving."""

from __future__ import annotations

from bot.engine.judge.memo import SentenceMemo

TEXTS = ["Putin met Assad.", "Assad thanked Putin.", "Iran vowed revenge.", "Russia joined the war in 2015."]


class Counting:
    """A compute function that records the batches it was given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, texts: list[str]) -> list[int]:
        self.batches.append(list(texts))
        return [len(t) for t in texts]


def test_each_sentence_is_computed_once_in_one_batch() -> None:
    compute = Counting()
    memo = SentenceMemo(compute, limit=10)
    assert memo.get([2, 0, 2], TEXTS.__getitem__) == [len(TEXTS[2]), len(TEXTS[0]), len(TEXTS[2])]
    assert compute.batches == [[TEXTS[2], TEXTS[0]]]
    assert memo.get([0, 1], TEXTS.__getitem__) == [len(TEXTS[0]), len(TEXTS[1])]
    assert compute.batches[1:] == [[TEXTS[1]]]  # 0 was kept
    assert len(memo) == 3


def test_another_engine_s_results_are_lent_by_text() -> None:
    shared = SentenceMemo(Counting(), limit=10)
    shared.get(range(2), TEXTS.__getitem__)
    compute = Counting()
    server = SentenceMemo(compute, limit=10)
    server.lent = shared.known(TEXTS.__getitem__)
    # The server's corpus holds the shared sentences at other ids.
    own = [TEXTS[3], TEXTS[1], TEXTS[0]]
    assert server.get(range(3), own.__getitem__) == [len(t) for t in own]
    assert compute.batches == [[TEXTS[3]]]


def test_bounded_oldest_forgotten_and_a_batch_larger_than_the_bound_still_answered() -> None:
    compute = Counting()
    memo = SentenceMemo(compute, limit=2)
    assert memo.get(range(4), TEXTS.__getitem__) == [len(t) for t in TEXTS]
    assert len(memo) == 2
    assert memo.ordered(4) is None
    memo.get([0], TEXTS.__getitem__)
    assert compute.batches[-1] == [TEXTS[0]]  # forgotten, computed again


def test_ordered_gives_every_result_or_none() -> None:
    memo = SentenceMemo(Counting(), limit=10)
    assert memo.ordered(2) is None
    memo.update([(1, 7), (0, 5)])
    assert memo.ordered(2) == [5, 7]
    assert memo.ordered(3) is None


def test_a_result_forgotten_while_its_batch_computes_is_computed_again() -> None:
    compute = Counting()
    memo: SentenceMemo[int] = SentenceMemo(compute, limit=2)
    memo.get([0, 1], TEXTS.__getitem__)

    def busy(texts: list[str]) -> list[int]:
        memo.compute = compute
        memo.get([3], TEXTS.__getitem__)  # another question's batch: 0 is forgotten meanwhile
        return compute(texts)

    memo.compute = busy
    assert memo.get([0, 2], TEXTS.__getitem__) == [len(TEXTS[0]), len(TEXTS[2])]
    assert [TEXTS[0]] in compute.batches[-2:]
