"""``all_finite``: the check every loaded float array passes (a large
corpus's float16 vectors checked by their exponent bits)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.engine.index import checks
from bot.engine.index.checks import all_finite, word_sum


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_value_that_is_not_finite_is_found_in_any_block(
    dtype: type, bad: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "_BLOCK", 64)
    values = np.random.default_rng(0).uniform(-1, 1, size=(50, 7)).astype(dtype)
    values[0, 0] = np.finfo(dtype).max  # the largest finite value is finite
    values[1, 1] = -np.finfo(dtype).tiny / 4  # and so is a subnormal
    assert all_finite(values)
    for where in [(0, 1), (9, 3), (49, 6)]:  # first, a middle and the last block
        spoiled = values.copy()
        spoiled[where] = bad
        assert not all_finite(spoiled)


def test_empty_and_strided_arrays() -> None:
    assert all_finite(np.zeros((0, 384), dtype=np.float16))
    values = np.ones((10, 4), dtype=np.float16)
    values[3, 2] = np.nan
    assert not all_finite(values[:, 2])  # not contiguous
    assert all_finite(values[:, 1])


def test_a_flipped_bit_anywhere_changes_the_word_sum() -> None:
    values = np.random.default_rng(1).uniform(-1, 1, size=(33, 5)).astype(np.float16)  # 330 bytes: a short last word
    total = word_sum(values)
    raw = values.view(np.uint8).reshape(-1)
    for at in (0, 7, 8, 200, 329):
        for bit in (0, 7):
            raw[at] ^= 1 << bit
            assert word_sum(values) != total
            raw[at] ^= 1 << bit
    assert word_sum(values) == total
    assert word_sum(np.zeros(0, dtype=np.float16)) == 0
