"""Fit the answerability decider (``bot/engine/judge/answerability.py``) on
the training articles the cross-encoder never saw.

    python -m training.fit_answerability [--pairs /tmp/cross-train/pairs.jsonl] [--work /tmp/cross-train]

The articles are ``train_cross.held_out_articles`` (drawn over the
training articles before the cross-encoder was trained; none of SQuAD
dev's articles 24-47, not the story), each its own corpus.  Every question
of theirs becomes lists (``benchmarks/answerability.py``: answerable,
gold paragraph removed, SQuAD 2.0's unanswerable); for each, the judge's
order and answer probabilities, the cross-encoder's log-odds and the
engine's confidence of the first ``MAX_DEPTH`` candidates are kept.  Then:

1. the depth read (3 or 4) and the re-ordering weight: those that put the
   answer first most often on the answerable lists (P@1);
2. a logistic regression over ``answerability.FEATURES``, labelled 1 where
   the list's (re-ordered) first candidate answers; its probabilities
   cross-validated leaving one article out;
3. the threshold: the least cross-validated probability that declines at
   most ``MAX_DECLINED`` of the answerable lists whose first candidate is
   right (the rule the judge's decider was held to);
4. the decider refitted on every list, written to ``answerability.json``
   with its sha256 printed (copy it into ``DECIDER_SHA256``).

Prints the cross-validated figures beside the engine's rule before (its
confidence threshold on the judge's first candidate) on the same lists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from training.judge_rows import ROOT

MAX_DEPTH = 4
MAX_DECLINED = 0.05
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
OUT = ROOT / "bot" / "engine" / "judge" / "answerability.json"


def collect(articles: set[str], work: Path) -> list[dict[str, Any]]:
    """The lists of the decider's articles, without the cross-encoder's
    log-odds yet (kept in ``work``: they do not depend on it)."""
    saved = work / "decider-lists.pkl"
    if saved.exists():
        return list(pickle.loads(saved.read_bytes()))
    from benchmarks.answerability import engines, lists
    from bot.engine import IndexCache, load_encoder
    from training.cross_rows import training_sets

    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder is needed")
    cache = IndexCache(work / "index-cache")
    out = []
    for name, data in training_sets(Path(ROOT.parent / "shared" / "data")).items():
        chosen = [a for a in data if a["title"] in articles]
        for art, engine, questions in engines(chosen, encoder, cache):
            judge = engine.judge
            assert judge is not None
            judge.answerability, judge.decides = None, False
            for listed in lists(engine, art, questions):
                ranked, probs, answers, _ = judge.ordered(listed.question, listed.q, listed.ids, listed.scores)
                head = [int(s) for s in ranked[:MAX_DEPTH]]
                out.append(
                    {
                        "article": art["title"],
                        "set": name,
                        "kind": listed.kind,
                        "question": listed.question,
                        "texts": [judge.candidate_text(s) for s in head],
                        "probs": probs[:MAX_DEPTH],
                        "answers": answers[:MAX_DEPTH],
                        "confidence": np.array([engine.confidence(s, listed.q) for s in head]),
                        "gold": np.array([s in listed.gold and listed.kind == "answerable" for s in head]),
                        "engine_answers": engine.confident(head[0], listed.q),
                    }
                )
            print(f"{name} {art['title']}: {len(out)} lists", flush=True)
    saved.write_bytes(pickle.dumps(out))
    return out


def with_cross(lists: list[dict[str, Any]], model_path: Path, work: Path) -> list[dict[str, Any]]:
    """Each list with the cross-encoder's log-odds of its candidates."""
    from bot.engine import load_encoder
    from bot.engine.judge.cross import load_cross

    encoder = load_encoder()
    cross = load_cross(encoder, model_path, verify=False) if encoder is not None else None
    if cross is None:
        raise SystemExit("the sentence encoder and the cross-encoder's file are needed")
    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()[:16]
    saved = work / f"decider-cross-{digest}.pkl"
    if saved.exists():
        return list(pickle.loads(saved.read_bytes()))
    out = [item | {"cross": cross.logits(item["question"], item["texts"])} for item in lists]
    saved.write_bytes(pickle.dumps(out))
    return out


def rows_for(lists: list[dict[str, Any]], depth: int, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The decider's rows and labels at a depth and re-ordering weight."""
    from bot.engine.judge.answerability import decision_row, rerank

    x, y = [], []
    for item in lists:
        d = min(depth, len(item["probs"]))
        order = rerank(item["probs"][:d], item["cross"][:d], weight)
        first = int(order[0])
        x.append(decision_row(item["cross"][:d][order], float(item["confidence"][first])))
        y.append(bool(item["gold"][first]))
    return np.array(x), np.array(y)


def choose_order(lists: list[dict[str, Any]]) -> tuple[int, float]:
    answerable = [item for item in lists if item["kind"] == "answerable"]
    best = (-1.0, 3, 0.0)
    for depth in (3, 4):
        for weight in WEIGHTS:
            _, y = rows_for(answerable, depth, weight)
            p1 = float(y.mean())
            print(f"depth {depth} weight {weight}: answerable P@1 {p1:.4f}")
            if p1 > best[0] + 1e-9:
                best = (p1, depth, weight)
    return best[1], best[2]


def cross_validated(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    out = np.zeros(len(y))
    for g in np.unique(groups):
        test = groups == g
        scaler = StandardScaler().fit(x[~test])
        model = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x[~test]), y[~test])
        out[test] = model.predict_proba(scaler.transform(x[test]))[:, 1]
    return out


def threshold_for(p: np.ndarray, y: np.ndarray, kinds: np.ndarray) -> float:
    """The threshold: ``MAX_DECLINED`` of the answerable lists whose first
    candidate is right fall below it."""
    right = np.sort(p[(kinds == "answerable") & y])
    return float(right[int(np.floor(MAX_DECLINED * len(right)))])


def report(name: str, answered: np.ndarray, y: np.ndarray, kinds: np.ndarray) -> None:
    parts = []
    for kind in ("answerable", "removed", "impossible"):
        sel = kinds == kind
        if sel.any():
            parts.append(f"{kind} declined {1 - answered[sel].mean():.1%} ({sel.sum()})")
    right = (kinds == "answerable") & y
    parts.append(f"answerable-and-right declined {1 - answered[right].mean():.1%}")
    print(f"{name}: " + "; ".join(parts))


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from bot.engine.judge.answerability import FEATURES
    from training.train_cross import OUT as MODEL
    from training.train_cross import held_out_articles

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path("/tmp/cross-train/pairs.jsonl"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cross-train"))
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--collect-only", action="store_true", help="only the lists (before the model is trained)")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.pairs.open(encoding="utf-8")]
    articles = held_out_articles(rows)
    lists = collect(articles, args.work)
    if args.collect_only:
        return 0
    lists = with_cross(lists, args.model, args.work)
    kinds = np.array([item["kind"] for item in lists])
    groups = np.array([item["article"] for item in lists])
    depth, weight = choose_order(lists)
    x, y = rows_for(lists, depth, weight)
    p = cross_validated(x, y, groups)
    threshold = threshold_for(p, y, kinds)
    print(f"depth {depth}, re-ordering weight {weight}; threshold {threshold:.4f}")
    report(
        "before (the engine's rule)",
        np.array([item["engine_answers"] for item in lists]),
        rows_for(lists, depth, 0.0)[1],
        kinds,
    )
    engine_rule = np.array([item["engine_answers"] for item in lists])
    report("the decider alone (cross-validated by article)", p >= threshold, y, kinds)
    report("as the bot decides: the rule and the decider (cross-validated)", engine_rule & (p >= threshold), y, kinds)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(x), y)
    data = {
        "features": list(FEATURES),
        "mean": scaler.mean_.tolist(),
        "scale": scaler.scale_.tolist(),
        "weights": model.coef_[0].tolist(),
        "bias": float(model.intercept_[0]),
        "threshold": threshold,
        "rerank": weight,
        "depth": depth,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}, sha256 {hashlib.sha256(OUT.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
