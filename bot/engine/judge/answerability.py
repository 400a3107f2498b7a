"""Whether the judge's first candidate answers the question, read with the
answerability model (``cross.py``): its log-odds for the judge's first
``Decider.depth`` candidates may re-order them (``rerank``), and a logistic
decider over a few numbers (``FEATURES``) gives the probability that the
first one answers.  The engine answers when its own rule
(``rank.Ranker.confident``) would and the probability reaches
``Decider.threshold``; when its rule would answer and the probability does
not, it hedges ("The story doesn't say exactly. The closest it comes:" and
the sentence), so that a doubt of the model's never takes away a quote the
engine would have given, but no longer passes it off as the answer.

The decider's parameters ship in ``answerability.json`` (checked by
sha256), fitted by ``training/fit_answerability.py`` on training articles
the cross-encoder never saw, the threshold chosen by cross-validation by
article.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

DECIDER_FILE = Path(__file__).with_name("answerability.json")

DECIDER_SHA256 = "d8fc4875d369d8f63ad4d23ac29f3d2f4367bc1f98c9c4a2df5fb75c41e407d8"
"""sha256 of ``answerability.json`` as fitted (``training/fit_answerability.py``)."""

FEATURES = ("cross_first", "cross_best", "cross_margin", "confidence")
"""The decider's inputs: the answerability model's log-odds of the first
candidate, of the best of the ones it read and that best's margin over the
next, and the engine's confidence in the first (``rank.Ranker.confidence``).
Not the judge's own answer probability: the judge was fitted on every
training article, the decider's included, so there its probabilities are
in-sample and a decider fitted on them trusts them too much (with it, the
story set's answerable questions were 40% declined, as the judge's own
decider declines paraphrases: ``judge.DECIDES``)."""

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Decider:
    mean: Vector
    scale: Vector
    weights: Vector
    bias: float
    threshold: float
    """Answer at this probability or above (else decline, or hedge)."""
    rerank: float
    """Weight of the answerability log-odds beside the judge's in the order
    of the first ``depth`` candidates (0: the judge's order)."""
    depth: int
    """Candidates the answerability model reads."""

    def probability(self, row: Vector) -> float:
        z = float(((row - self.mean) / self.scale) @ self.weights + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def logit(p: Vector) -> Vector:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def rerank(judge: Vector, cross: Vector, weight: float) -> npt.NDArray[np.int64]:
    """The order of candidates by the judge's probability (as log-odds)
    plus ``weight`` times the answerability log-odds; ties keep the judge's
    order."""
    combined = logit(judge) + weight * cross
    return np.lexsort((np.arange(len(combined)), -combined)).astype(np.int64)


def decision_row(cross: Vector, confidence: float) -> Vector:
    """``FEATURES`` for a first candidate: ``cross`` the answerability
    log-odds of the candidates read (the first one first), ``confidence``
    the engine's in the first."""
    top = np.sort(cross)[::-1]
    margin = float(top[0] - top[1]) if len(top) > 1 else 0.0
    return np.array([float(cross[0]), float(top[0]), margin, confidence], dtype=np.float64)


def decider_from(data: dict[str, object]) -> Decider:
    """A ``Decider`` from its JSON object (``answerability.json``'s)."""
    names = data["features"]
    if names != list(FEATURES):
        raise ValueError(f"the decider reads {names}, not {list(FEATURES)}")

    def vec(key: str) -> Vector:
        out = np.asarray(data[key], dtype=np.float64)
        if out.shape != (len(FEATURES),):
            raise ValueError(f"{key} has shape {out.shape}")
        return out

    return Decider(
        mean=vec("mean"),
        scale=vec("scale"),
        weights=vec("weights"),
        bias=float(data["bias"]),  # type: ignore[arg-type]
        threshold=float(data["threshold"]),  # type: ignore[arg-type]
        rerank=float(data["rerank"]),  # type: ignore[arg-type]
        depth=int(data["depth"]),  # type: ignore[call-overload]
    )


def load_decider(path: Path = DECIDER_FILE, verify: bool = True) -> Decider | None:
    """The shipped decider, or None (logged) when its file is missing or altered."""
    try:
        raw = path.read_bytes()
        if verify and hashlib.sha256(raw).hexdigest() != DECIDER_SHA256:
            raise ValueError("sha256 differs from the fitted one")
        return decider_from(json.loads(raw))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("the answerability decider is off (%s: %s)", path.name, exc)
        return None
