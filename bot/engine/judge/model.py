"""The judge's learned parameters: a small model over ``features.FEATURES``,
read from a JSON file that ships with the code and is checked by sha256.

Two kinds are read: ``logistic`` (standardised features, weights, bias) and
``trees`` (gradient-boosted regression trees: the log-odds are a base value
plus the sum of each tree's leaf, times the learning rate).  Both give the
probability that a candidate sentence answers the question.  A ``trees``
model may hold a ``decider``, a second tree model: the first then orders
the candidates (LambdaRank trees, their sum made a probability by a
logistic fit) and the decider says whether the first one answers.  A model
that reads ``tokens.TOKEN_FEATURES`` (its order and its decider) holds the
directions token states are kept on and a ``plain`` order without them,
with its own decider and threshold (``judge.Judge`` uses it where a
corpus's token states are not kept).  The file also
holds the threshold above which the best candidate is given as an answer
(chosen on training data by ``training/train_judge.py``, which writes the
file and prints its sha256 for ``MODEL_SHA256``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.engine.judge.features import FEATURES
from bot.engine.judge.tokens import PROJECTED, TOKEN_FEATURES

log = logging.getLogger(__name__)

MODEL_FILE = Path(__file__).with_name("judge_model.json")

MODEL_SHA256 = "95c8808831fd4d70f275536aa3f51c0dd2380b8b9477445889c2e75864863624"
"""sha256 of ``judge_model.json`` as trained (``training/train_judge.py``)."""

Matrix = npt.NDArray[np.float64]


class ModelRefused(Exception):
    """The parameter file is missing, altered, or not for these features."""


@dataclass(frozen=True, slots=True)
class Tree:
    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float64]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Forest:
    """Every tree's nodes in one set of arrays, so that all trees walk a
    level at a time together (a few numpy steps a question, not one loop a
    tree): a leaf points to itself and always goes "left", so rows that
    reach a leaf early stay there while deeper ones go on."""

    feature: npt.NDArray[np.int64]
    threshold: npt.NDArray[np.float64]
    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    value: npt.NDArray[np.float64]
    roots: npt.NDArray[np.int64]
    depth: int

    @classmethod
    def of(cls, trees: Sequence[Tree]) -> Forest:
        feature, threshold, left, right, value, roots = [], [], [], [], [], []
        offset = 0
        depth = 0
        for tree in trees:
            n = len(tree.left)
            own = np.arange(n, dtype=np.int64) + offset
            leaf = tree.left < 0
            feature.append(np.where(leaf, 0, tree.feature))
            threshold.append(np.where(leaf, np.inf, tree.threshold))
            left.append(np.where(leaf, own, tree.left + offset))
            right.append(np.where(leaf, own, tree.right + offset))
            value.append(tree.value)
            roots.append(offset)
            depth = max(depth, _depth(tree))
            offset += n
        if not trees:
            empty_i = np.zeros(0, dtype=np.int64)
            return cls(empty_i, np.zeros(0), empty_i, empty_i, np.zeros(0), empty_i, 0)
        return cls(
            np.concatenate(feature).astype(np.int64),
            np.concatenate(threshold).astype(np.float64),
            np.concatenate(left).astype(np.int64),
            np.concatenate(right).astype(np.int64),
            np.concatenate(value).astype(np.float64),
            np.asarray(roots, dtype=np.int64),
            depth,
        )

    def predict(self, x: Matrix) -> npt.NDArray[np.float64]:
        """Each row's sum of every tree's leaf value."""
        rows = len(x)
        if not len(self.roots) or not rows:
            return np.zeros(rows)
        node = np.repeat(self.roots[:, None], rows, axis=1)  # (trees, rows)
        row = np.broadcast_to(np.arange(rows), node.shape)
        for _ in range(self.depth):
            go_left = x[row, self.feature[node]] <= self.threshold[node]
            node = np.where(go_left, self.left[node], self.right[node])
        out: npt.NDArray[np.float64] = self.value[node].sum(axis=0)
        return out


def _depth(tree: Tree) -> int:
    """Edges on the longest path from the root to a leaf (the tree is
    checked to point inside itself; a cycle is refused by the bound)."""
    deepest = 0
    level = [0]
    while level:
        inner = [n for n in level if tree.left[n] >= 0]
        if not inner:
            break
        deepest += 1
        if deepest > len(tree.left):
            raise ModelRefused("a tree's nodes form a cycle")
        level = [int(c) for n in inner for c in (tree.left[n], tree.right[n])]
    return deepest


@dataclass(frozen=True, slots=True)
class JudgeModel:
    kind: str
    threshold: float
    """Least probability of the best candidate for the question to be answered."""
    mean: Matrix
    scale: Matrix
    weights: Matrix
    bias: float
    trees: tuple[Tree, ...] = ()
    rate: float = 1.0
    digest: str = ""
    forest: Forest | None = None
    """The trees, walked together (``Forest.of(trees)``, made once by ``parse_model``)."""
    decider: JudgeModel | None = None
    """A second model that says whether a candidate answers (its own
    probability against ``threshold``), beside this one that orders them: a
    ranker learns which candidate of a list is best, not whether any is."""
    plain: JudgeModel | None = None
    """The order's model without ``tokens.TOKEN_FEATURES``, for candidates
    whose token states are not kept (a corpus above ``judge.WARM_PARSE``
    sentences); set when this model reads them."""
    projection: npt.NDArray[np.float32] | None = None
    """Directions token states are kept on (``tokens.project``), when the
    model reads ``TOKEN_FEATURES``."""

    def log_odds(self, x: Matrix) -> npt.NDArray[np.float64]:
        if self.kind == "logistic":
            return ((x - self.mean) / self.scale) @ self.weights + self.bias
        if self.forest is None:
            raise ModelRefused("a tree model without its trees")
        total: npt.NDArray[np.float64] = self.bias + self.rate * self.forest.predict(x)
        return total

    def probabilities(self, x: Matrix) -> npt.NDArray[np.float64]:
        """Probability that each row's candidate answers the question (the
        order's model: the best of a list first)."""
        z = np.clip(self.log_odds(np.asarray(x, dtype=np.float64)), -40.0, 40.0)
        out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-z))
        return out

    def answer_probabilities(self, x: Matrix) -> npt.NDArray[np.float64]:
        """Probability that each row's candidate answers, as the decision
        reads it against ``threshold`` (the decider's, when there is one)."""
        return (self.decider or self).probabilities(x)


def parse_model(data: dict[str, Any], digest: str = "") -> JudgeModel:
    """A model from the file's JSON object (``ModelRefused`` if it does not fit)."""
    if "features" not in data:
        raise ModelRefused("the model does not name its features")
    if "tokens" not in data:
        return _parse_one(data, digest, FEATURES)
    tokens = data["tokens"]
    if not isinstance(tokens, dict) or not isinstance(data.get("plain"), dict) or "decider" not in data:
        raise ModelRefused("a model reading token states needs its projection, a plain order and a decider")
    projection = np.asarray(tokens["projection"], dtype=np.float32)
    if projection.ndim != 2 or projection.shape[1] != PROJECTED or not np.isfinite(projection).all():
        raise ModelRefused(f"the token projection is not (dim, {PROJECTED}) finite numbers")
    rest = {k: v for k, v in data.items() if k not in ("tokens", "plain", "decider")}
    ranker = _parse_one(rest, digest, FEATURES + TOKEN_FEATURES)
    plain_data = data["plain"]
    if not isinstance(plain_data.get("decider"), dict):
        raise ModelRefused("the plain order needs its own decider")
    plain = _parse_one({**plain_data, "threshold": plain_data.get("threshold", data["threshold"])}, digest, FEATURES)
    decider = _parse_one({**data["decider"], "threshold": data["threshold"]}, digest, FEATURES + TOKEN_FEATURES)
    return dataclasses.replace(ranker, decider=decider, plain=plain, projection=projection)


def _parse_one(data: dict[str, Any], digest: str, features: tuple[str, ...]) -> JudgeModel:
    """One model over ``features`` (and its decider, in the older file without token states)."""
    if tuple(data.get("features", features)) != features:
        raise ModelRefused("the model's features are not this code's (retrain: training/train_judge.py)")
    kind = data.get("kind")
    n = len(features)
    zeros = np.zeros(n)
    if kind == "logistic":
        return JudgeModel(
            kind="logistic",
            threshold=float(data["threshold"]),
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            weights=np.asarray(data["weights"], dtype=np.float64),
            bias=float(data["bias"]),
            digest=digest,
        )
    if kind == "trees":
        decider = None
        if "decider" in data:
            inner = data["decider"]
            if not isinstance(inner, dict) or "decider" in inner:
                raise ModelRefused("the decider is not one model")
            decider = _parse_one({**inner, "threshold": data["threshold"]}, digest, features)
        trees = _trees(data["trees"], n)
        return JudgeModel(
            kind="trees",
            threshold=float(data["threshold"]),
            mean=zeros,
            scale=zeros + 1,
            weights=zeros,
            bias=float(data["bias"]),
            trees=trees,
            rate=float(data["rate"]),
            digest=digest,
            forest=Forest.of(trees),
            decider=decider,
        )
    raise ModelRefused(f"unknown model kind {kind!r}")


def _trees(data: list[dict[str, Any]], n: int) -> tuple[Tree, ...]:
    """The file's trees, checked to point inside themselves and at ``n`` features."""
    trees = tuple(
        Tree(
            feature=np.asarray(t["feature"], dtype=np.int64),
            threshold=np.asarray(t["threshold"], dtype=np.float64),
            left=np.asarray(t["left"], dtype=np.int64),
            right=np.asarray(t["right"], dtype=np.int64),
            value=np.asarray(t["value"], dtype=np.float64),
        )
        for t in data
    )
    for t in trees:
        if len({len(t.feature), len(t.threshold), len(t.left), len(t.right), len(t.value)}) != 1:
            raise ModelRefused("a tree's arrays differ in length")
        inner = t.left >= 0
        if (t.feature[inner] >= n).any() or (t.left >= len(t.left)).any() or (t.right >= len(t.right)).any():
            raise ModelRefused("a tree points outside itself")
    return trees


def load_model(path: Path | None = None, sha256: str | None = None) -> JudgeModel | None:
    """The checked model, or None (logged) when the file is missing, its
    sha256 is not ``sha256`` (default ``MODEL_SHA256``), or it does not fit."""
    path = path or MODEL_FILE
    expected = sha256 or MODEL_SHA256
    try:
        raw = path.read_bytes()
    except OSError as exc:
        log.warning("the answer judge is off: its parameters cannot be read (%s)", exc)
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected:
        log.warning("the answer judge is off: %s is not the trained file (sha256 %s…)", path.name, digest[:12])
        return None
    try:
        return parse_model(json.loads(raw), digest)
    except (ModelRefused, KeyError, TypeError, ValueError) as exc:
        log.warning("the answer judge is off: %s (%s)", path.name, exc)
        return None
