"""The judge's parameters: shipped, checked by sha256, evaluated in numpy."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from bot.engine.judge.features import FEATURES
from bot.engine.judge.model import MODEL_FILE, MODEL_SHA256, ModelRefused, load_model, parse_model
from bot.engine.judge.tokens import PROJECTED, TOKEN_FEATURES


def test_shipped_parameters_load_and_match_their_hash() -> None:
    model = load_model()
    assert model is not None
    assert model.digest == MODEL_SHA256 == hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()
    assert 0.0 < model.threshold < 1.0
    p = model.probabilities(np.zeros((3, len(FEATURES) + len(TOKEN_FEATURES))))
    assert p.shape == (3,)
    assert ((p > 0) & (p < 1)).all()
    assert model.projection is not None
    assert model.projection.shape == (384, PROJECTED)
    assert model.plain is not None
    assert model.plain.probabilities(np.zeros((3, len(FEATURES)))).shape == (3,)


def test_an_altered_file_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    data["threshold"] = 0.0  # answer everything
    altered = tmp_path / "judge_model.json"
    altered.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert load_model(altered) is None
    assert "not the trained file" in caplog.text
    # The same bytes with their own hash pinned load: the hash is what refused it.
    digest = hashlib.sha256(altered.read_bytes()).hexdigest()
    assert load_model(altered, sha256=digest) is not None


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert load_model(tmp_path / "nothing.json") is None


def test_parameters_for_other_features_are_refused() -> None:
    with pytest.raises(ModelRefused):
        parse_model({"kind": "logistic", "features": list(reversed(FEATURES))})


def test_logistic_model() -> None:
    n = len(FEATURES)
    weights = [0.0] * n
    weights[0] = 2.0
    model = parse_model(
        {
            "kind": "logistic",
            "features": list(FEATURES),
            "mean": [0.0] * n,
            "scale": [1.0] * n,
            "weights": weights,
            "bias": -1.0,
            "threshold": 0.5,
        }
    )
    x = np.zeros((2, n))
    x[1, 0] = 1.0
    np.testing.assert_allclose(model.probabilities(x), 1 / (1 + np.exp([1.0, -1.0])))


def test_tree_model() -> None:
    # One stump on feature 2: <= 0.5 -> -1, else +1; log-odds = 0.5 + 0.1 * leaf.
    tree = {"feature": [2, -2, -2], "threshold": [0.5, 0, 0], "left": [1, -1, -1], "right": [2, -1, -1]}
    tree["value"] = [0.0, -1.0, 1.0]
    model = parse_model(
        {"kind": "trees", "features": list(FEATURES), "bias": 0.5, "rate": 0.1, "trees": [tree], "threshold": 0.5}
    )
    x = np.zeros((2, len(FEATURES)))
    x[1, 2] = 1.0
    np.testing.assert_allclose(model.log_odds(x), [0.4, 0.6])
    bad = dict(tree, feature=[len(FEATURES), -2, -2])
    with pytest.raises(ModelRefused):
        parse_model({"kind": "trees", "features": list(FEATURES), "bias": 0, "rate": 1, "trees": [bad], "threshold": 0})


def _walk(tree: dict[str, list[float]], row: np.ndarray) -> float:
    node = 0
    while tree["left"][node] >= 0:
        go_left = row[int(tree["feature"][node])] <= tree["threshold"][node]
        node = int(tree["left"][node] if go_left else tree["right"][node])
    return float(tree["value"][node])


def test_trees_walked_together_give_each_trees_own_walk() -> None:
    """The shipped trees, all walked a level at a time (``Forest``), sum to
    what walking each tree node by node gives, for rows that stop at
    leaves of every depth."""
    data = json.loads(MODEL_FILE.read_bytes())
    model = parse_model(data)
    rng = np.random.default_rng(7)
    n = len(FEATURES) + len(TOKEN_FEATURES)
    x = np.vstack([rng.normal(size=(40, n)), rng.random((40, n)), np.zeros((1, n))])
    expected = [data["bias"] + data["rate"] * sum(_walk(t, row) for t in data["trees"]) for row in x]
    np.testing.assert_allclose(model.log_odds(x), expected, rtol=0, atol=1e-9)
    plain = data["plain"]
    assert model.plain is not None
    expected = [plain["bias"] + plain["rate"] * sum(_walk(t, row) for t in plain["trees"]) for row in x]
    np.testing.assert_allclose(model.plain.log_odds(x[:, : len(FEATURES)]), expected, rtol=0, atol=1e-9)


def test_a_tree_with_a_cycle_is_refused() -> None:
    tree = {"feature": [0, 0], "threshold": [0.5, 0.5], "left": [1, 0], "right": [1, 0], "value": [0.0, 0.0]}
    data = {"kind": "trees", "features": list(FEATURES), "bias": 0, "rate": 1, "trees": [tree], "threshold": 0}
    with pytest.raises(ModelRefused):
        parse_model(data)


def _stump(feature: int, bias: float) -> dict[str, object]:
    tree = {"feature": [feature, -2, -2], "threshold": [0.5, 0, 0], "left": [1, -1, -1], "right": [2, -1, -1]}
    tree["value"] = [0.0, -1.0, 1.0]
    return {"kind": "trees", "bias": bias, "rate": 1.0, "trees": [tree]}


def test_a_ranker_orders_and_its_decider_decides() -> None:
    """The order's model and the decision's are two: the ranker reads
    feature 2, the decider feature 3."""
    data = {**_stump(2, 0.0), "features": list(FEATURES), "threshold": 0.5, "decider": _stump(3, -2.0)}
    model = parse_model(data)
    assert model.decider is not None
    x = np.zeros((2, len(FEATURES)))
    x[0, 2] = 1.0
    x[1, 3] = 1.0
    np.testing.assert_allclose(model.probabilities(x), 1 / (1 + np.exp([-1.0, 1.0])))
    np.testing.assert_allclose(model.answer_probabilities(x), 1 / (1 + np.exp([3.0, 1.0])))
    plain = parse_model({**_stump(2, 0.0), "features": list(FEATURES), "threshold": 0.5})
    np.testing.assert_allclose(plain.answer_probabilities(x), plain.probabilities(x))


def test_a_decider_with_its_own_decider_is_refused() -> None:
    inner = {**_stump(3, 0.0), "decider": _stump(1, 0.0)}
    with pytest.raises(ModelRefused):
        parse_model({**_stump(2, 0.0), "features": list(FEATURES), "threshold": 0.5, "decider": inner})


def test_the_shipped_model_orders_with_a_ranker_and_decides_with_a_decider() -> None:
    model = load_model()
    assert model is not None
    assert model.decider is not None
    assert model.plain is not None
    assert model.plain.decider is not None
    assert 0.0 < model.plain.threshold < 1.0
    rng = np.random.default_rng(3)
    x = rng.random((50, len(FEATURES)))
    matched = rng.random((50, len(TOKEN_FEATURES)))
    rows = np.hstack([x, matched])
    assert not np.allclose(model.probabilities(rows), model.answer_probabilities(rows))
    # The decider reads the token match (more of it never lowers its probability) ...
    better = np.hstack([x, matched + np.array([0.2, -0.2])])
    assert (model.answer_probabilities(better) >= model.answer_probabilities(rows) - 1e-12).all()
    assert (model.answer_probabilities(better) > model.answer_probabilities(rows)).any()
    # ... and the plain order's decider decides without it.
    assert model.plain.answer_probabilities(x).shape == (50,)


def test_a_model_reading_token_states_needs_its_projection_and_plain_order() -> None:
    features = [*FEATURES, *TOKEN_FEATURES]
    plain = {**_stump(2, 0.0), "features": list(FEATURES), "threshold": 0.3, "decider": _stump(3, 0.0)}
    decider = {**_stump(len(FEATURES), 0.0), "features": features}
    projection = np.eye(384, PROJECTED).tolist()
    whole = {
        **_stump(len(FEATURES), 0.0),
        "features": features,
        "threshold": 0.5,
        "plain": plain,
        "decider": decider,
        "tokens": {"projection": projection},
    }
    model = parse_model(whole)
    assert model.plain is not None
    assert model.projection is not None
    x = np.zeros((2, len(features)))
    x[0, len(FEATURES)] = 1.0  # the token match: only the full order reads it
    assert model.probabilities(x)[0] > model.probabilities(x)[1]
    assert model.plain.probabilities(x[:, : len(FEATURES)])[0] == model.plain.probabilities(x[:, : len(FEATURES)])[1]
    # The decider reads the token match too; the plain order has its own, and its own threshold.
    assert model.answer_probabilities(x)[0] > model.answer_probabilities(x)[1]
    assert model.plain.decider is not None
    assert model.plain.threshold == 0.3
    assert model.threshold == 0.5
    for broken in (
        {k: v for k, v in whole.items() if k != "plain"},
        {**whole, "plain": {k: v for k, v in plain.items() if k != "decider"}},  # no decider without token states
        {**whole, "decider": {**decider, "features": list(FEATURES)}},  # a decider blind to the token match
        {**whole, "tokens": {"projection": np.eye(384, PROJECTED + 1).tolist()}},
        {**whole, "tokens": {"projection": [[float("nan")] * PROJECTED] * 384}},
        {**whole, "features": list(FEATURES)},  # the order's features without the token match
    ):
        with pytest.raises(ModelRefused):
            parse_model(broken)
