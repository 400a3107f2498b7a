"""The judge's models fitted on training rows (``judge_rows.py``), written
as the JSON the bot reads (``bot/engine/judge/model.py``).

LightGBM and scikit-learn at training time only: the trees are written out
and evaluated in numpy at run time.  Seeded (LightGBM deterministic, one
thread); CPU only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SEED = 13
TREES = 150
"""Boosting rounds of the tree model."""
RANK_TREES = 300
"""Boosting rounds of the LambdaRank model."""

INCREASING = (
    "score",
    "score_ratio",
    "first",
    "coverage",
    "cosine",
    "sentence_share",
    "focus_share",
    "focus_sentence_share",
    "entity_share",
    "has_type",
    "new_type",
    "attached",
    "head_attached",
    "attached_person",
    "attached_date",
    "attached_place",
    "attached_number",
    "bigram_share",
    "proximity",
    "paragraph_share",
    "soft_share",
    "token_match",
)
DECREASING = (
    "score_gap",
    "log_rank",
    "coverage_gap",
    "cosine_gap",
    "focus_unknown",
    "unknown_share",
    "distance",
    "head_distance",
    "typed_unmet",
    "sentence_share_gap",
    "focus_share_gap",
    "entity_share_gap",
    "cosine_rank",
    "paragraph_share_gap",
    "bigram_share_gap",
    "proximity_gap",
    "soft_share_gap",
    "token_match_gap",
)
"""Monotonic constraints of the tree model, set before fitting: more of the
evidence a sentence answers never lowers its probability (the answer type
attached, the question's words and names covered, a higher score), more of
the contrary evidence never raises it.  They keep a rare combination in the
training data from teaching the opposite."""


def fit(
    x: np.ndarray,
    y: np.ndarray,
    kind: str,
    group: np.ndarray | None = None,
    xt: np.ndarray | None = None,
    projection: np.ndarray | None = None,
    features: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Model parameters as the JSON file holds them (threshold added later);
    ``group``: each row's list (the ``rank`` kind learns the order within
    lists); ``xt``: the rows' ``TOKEN_FEATURES``, read with ``projection``
    (the ``rank`` kind's order and decider read them, its ``plain`` order
    and the plain order's decider do not); ``features``: the columns of
    ``x`` for the ``trees`` kind (default ``FEATURES``)."""
    from bot.engine.judge.features import FEATURES
    from bot.engine.judge.tokens import TOKEN_FEATURES

    if kind == "rank":
        assert group is not None
        assert xt is not None
        assert projection is not None
        params = fit_rank(np.hstack([x, xt]), y, group, FEATURES + TOKEN_FEATURES)
        params["plain"] = fit_rank(x, y, group, FEATURES)
        params["plain"]["decider"] = fit(x, y, "trees")
        params["decider"] = fit(np.hstack([x, xt]), y, "trees", features=FEATURES + TOKEN_FEATURES)
        params["tokens"] = {"projection": [[round(float(v), 5) for v in row] for row in projection]}
        return params
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        lr = LogisticRegression(C=1.0, max_iter=2000, random_state=SEED)
        lr.fit((x - mean) / scale, y)
        return {
            "kind": "logistic",
            "features": list(FEATURES),
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "weights": lr.coef_[0].tolist(),
            "bias": float(lr.intercept_[0]),
        }
    from sklearn.ensemble import HistGradientBoostingClassifier

    names = features or FEATURES
    monotonic = [1 if f in INCREASING else -1 if f in DECREASING else 0 for f in names]
    gb = HistGradientBoostingClassifier(
        monotonic_cst=monotonic,
        max_iter=TREES,
        learning_rate=0.05,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=SEED,
    )
    gb.fit(x, y)
    trees = []
    for (predictor,) in gb._predictors:  # leaf values already include the learning rate
        nodes = predictor.nodes
        leaf = nodes["is_leaf"].astype(bool)
        trees.append(
            {
                "feature": np.where(leaf, -2, nodes["feature_idx"].astype(np.int64)).tolist(),
                "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).tolist(),
                "left": np.where(leaf, -1, nodes["left"].astype(np.int64)).tolist(),
                "right": np.where(leaf, -1, nodes["right"].astype(np.int64)).tolist(),
                "value": nodes["value"].astype(np.float64).tolist(),
            }
        )
    forest = _forest(trees)
    sample = x[:: max(1, len(x) // 2000)]
    z = float(gb._baseline_prediction[0, 0]) + forest.predict(sample)
    assert np.allclose(1.0 / (1.0 + np.exp(-z)), gb.predict_proba(sample)[:, 1], atol=1e-6)
    return {
        "kind": "trees",
        "features": list(names),
        "bias": float(gb._baseline_prediction[0, 0]),
        "rate": 1.0,
        "trees": trees,
    }


def fit_rank(x: np.ndarray, y: np.ndarray, group: np.ndarray, features: tuple[str, ...]) -> dict[str, Any]:
    """LambdaRank trees (LightGBM, at training time only) that order each
    list's candidates, their sum turned into a probability by a logistic
    fit on it (one weight and a bias, over every list's rows, those with no
    answer included): the order is the ranker's, the probability is what
    the threshold reads."""
    import lightgbm as lgb
    from sklearn.linear_model import LogisticRegression

    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, len(group)])
    answerable = np.repeat([y[s : s + n].any() for s, n in zip(starts, sizes, strict=True)], sizes)
    keep = np.repeat(sizes, sizes) > 1
    sel = answerable & keep  # lists with an answer teach the order; the others have none to teach
    sel_starts = np.flatnonzero(np.r_[True, group[sel][1:] != group[sel][:-1]])
    ranker = lgb.LGBMRanker(
        n_estimators=RANK_TREES,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=40,
        reg_lambda=1.0,
        lambdarank_truncation_level=12,
        random_state=SEED,
        deterministic=True,
        force_row_wise=True,
        n_jobs=1,
        verbose=-1,
    )
    ranker.fit(x[sel], y[sel], group=np.diff(np.r_[sel_starts, int(sel.sum())]))
    trees = [_lgb_tree(t["tree_structure"]) for t in ranker.booster_.dump_model()["tree_info"]]
    forest = _forest(trees)
    raw = np.concatenate([forest.predict(x[i : i + 50_000]) for i in range(0, len(x), 50_000)])
    assert np.allclose(raw[:2000], ranker.predict(x[:2000], raw_score=True), atol=1e-6)
    platt = LogisticRegression(C=1.0, max_iter=1000, random_state=SEED).fit(raw[:, None], y)
    bias, rate = float(platt.intercept_[0]), float(platt.coef_[0, 0])
    return {"kind": "trees", "features": list(features), "bias": bias, "rate": rate, "trees": trees}


def _forest(trees: list[dict[str, Any]]) -> Any:
    """The trees as written to the file, walked as the bot walks them
    (``model.Forest``), to check them against the library's own output."""
    from bot.engine.judge.model import Forest, Tree

    keys = ("feature", "threshold", "left", "right", "value")
    return Forest.of([Tree(*(np.asarray(t[k]) for k in keys)) for t in trees])


def _lgb_tree(root: dict[str, Any]) -> dict[str, list[Any]]:
    """One LightGBM tree (``dump_model``'s nested nodes) as the flat arrays
    the model file holds; a row goes left when its feature is <= the
    threshold, as in LightGBM for a numeric split (no missing values here)."""
    out: dict[str, list[Any]] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}

    def add(node: dict[str, Any]) -> int:
        i = len(out["feature"])
        for k in out:
            out[k].append(None)
        if "leaf_value" in node:
            out["feature"][i], out["threshold"][i] = -2, 0.0
            out["left"][i] = out["right"][i] = -1
            out["value"][i] = float(node["leaf_value"])
            return i
        assert node["decision_type"] == "<=", node["decision_type"]
        out["feature"][i], out["threshold"][i] = int(node["split_feature"]), float(node["threshold"])
        out["value"][i] = 0.0
        out["left"][i] = add(node["left_child"])
        out["right"][i] = add(node["right_child"])
        return i

    add(root)
    return out


def predict(params: dict[str, Any], x: np.ndarray, xt: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's probability as the order reads it, and as the decision
    reads it (the decider's, when the model has one)."""
    from bot.engine.judge.model import parse_model

    model = parse_model({**params, "threshold": 0.5})
    rows = np.hstack([x, xt]) if model.projection is not None and xt is not None else x
    return model.probabilities(rows), model.answer_probabilities(rows)


def predict_plain(params: dict[str, Any], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order and the decision without token states (the model's
    ``plain`` one)."""
    from bot.engine.judge.model import parse_model

    model = parse_model({**params, "threshold": 0.5})
    plain = model.plain or model
    return plain.probabilities(x), plain.answer_probabilities(x)
