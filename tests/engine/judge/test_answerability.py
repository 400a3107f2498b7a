"""The answerability decider: its parameters, the re-ordering and its inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from bot.engine.judge import answerability
from bot.engine.judge.answerability import FEATURES, decider_from, decision_row, load_decider, rerank


def params(**changes: object) -> dict[str, object]:
    n = len(FEATURES)
    data: dict[str, object] = {
        "features": list(FEATURES),
        "mean": [0.0] * n,
        "scale": [1.0] * n,
        "weights": [1.0] + [0.0] * (n - 1),
        "bias": 0.0,
        "threshold": 0.6,
        "rerank": 1.0,
        "depth": 4,
    }
    return data | changes


def test_the_probability_follows_the_weights() -> None:
    decider = decider_from(params())  # the first candidate's log-odds alone, weight 1
    row = decision_row(np.array([np.log(9.0), -1.0]), 0.5)
    assert decider.probability(row) == pytest.approx(0.9, abs=1e-6)
    assert decider.probability(decision_row(np.array([np.log(1 / 9)]), 0.5)) < decider.threshold


def test_decision_row_reads_the_first_the_best_and_the_margin() -> None:
    row = decision_row(np.array([1.0, 3.0, -2.0]), 0.7)
    assert row.tolist() == pytest.approx([1.0, 3.0, 2.0, 0.7])
    assert decision_row(np.array([2.0]), 0.1)[2] == 0.0  # one candidate: no margin


def test_rerank_adds_the_cross_log_odds_and_keeps_ties_in_order() -> None:
    judge = np.array([0.6, 0.5, 0.4])
    assert rerank(judge, np.zeros(3), 1.0).tolist() == [0, 1, 2]
    assert rerank(judge, np.array([-5.0, 0.0, 5.0]), 1.0).tolist() == [2, 1, 0]
    assert rerank(judge, np.array([-5.0, 0.0, 5.0]), 0.0).tolist() == [0, 1, 2]
    assert rerank(np.array([0.5, 0.5]), np.zeros(2), 1.0).tolist() == [0, 1]


@pytest.mark.parametrize(
    "change",
    [{"features": ["cross_first"]}, {"weights": [1.0]}, {"threshold": "high"}, {"depth": None}],
)
def test_parameters_that_do_not_fit_are_refused(change: dict[str, object], tmp_path: Path) -> None:
    path = tmp_path / "answerability.json"
    path.write_text(json.dumps(params(**change)))
    assert load_decider(path, verify=False) is None


def test_an_altered_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "answerability.json"
    path.write_text(json.dumps(params()))
    monkeypatch.setattr(answerability, "DECIDER_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    assert load_decider(path) is not None
    path.write_text(json.dumps(params(threshold=0.0)))
    assert load_decider(path) is None


def test_the_shipped_decider_loads() -> None:
    decider = load_decider()
    assert decider is not None
    assert 0.0 < decider.threshold < 1.0
    assert decider.depth >= 2
