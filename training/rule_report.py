"""What a "no entity of the expected type, decline" rule would cost, on the
training data (benchmarks/README.md, "Deciding by the answer type …").

    python -m training.rule_report [--work /tmp/judge-train]

Reads the rows and the cross-validated probabilities that ``python -m
training.train_judge --cv --work DIR`` left in ``DIR``.  For each answer
type: of the answerable lists whose first candidate (by the cross-validated
order) is right, the share the rule would decline (its cost), beside the
share of gold-removed lists ("the story doesn't say") and of SQuAD 2.0's
unanswerable ones it would decline (what it catches); asked of the first
candidate, then of the best three.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from training.judge_rows import SETS, combine


def first_lists(work: Path) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """The rows, each list's start and end, and the cross-validated order."""
    paths = [work / f"{name}.npz" for name in SETS]
    if not all(p.exists() for p in [*paths, work / "cv.npz"]):
        raise SystemExit(f"{work} lacks train_judge's rows or cv.npz (run train_judge --cv --work {work})")
    rows = combine(paths)
    group = rows["group"]
    with np.load(work / "cv.npz") as cv:
        order = cv["order"]
    if len(order) != len(group):
        raise SystemExit(f"{work}/cv.npz is not these rows' (run train_judge --cv --work {work} again)")
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    return rows, starts, ends, order


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/judge-train"))
    args = parser.parse_args(argv)
    from bot.engine.judge.features import FEATURES
    from bot.engine.judge.question import ANSWER_TYPES, OTHER

    rows, starts, ends, order = first_lists(args.work)
    x, y = rows["x"], rows["y"]
    col = {name: i for i, name in enumerate(FEATURES)}
    best = [s + np.argsort(-order[s:e], kind="stable") for s, e in zip(starts, ends, strict=True)]
    first = np.array([b[0] for b in best])
    kind = rows["kind"][starts]
    answer_type = x[first, col["answer_type"]].astype(int)
    right = y[first] == 1
    lacks_first = x[first, col["new_type"]] == 0
    lacks_three = np.array([not (x[b[:3], col["new_type"]] > 0).any() for b in best])
    print("share declined by the rule: right answerable (its cost) / gold-removed / unanswerable")
    print(f"{'type':10} {'lists':>6}  {'first candidate':>24}  {'best three':>24}")
    for t, name in enumerate(ANSWER_TYPES):
        if name == OTHER:
            continue
        ok = (kind == 0) & (answer_type == t) & right
        removed = (kind == 1) & (answer_type == t)
        impossible = (kind == 2) & (answer_type == t)
        if not ok.any():
            continue
        cells = []
        for lacks in (lacks_first, lacks_three):
            un = f"{lacks[impossible].mean():.3f}" if impossible.any() else "  -  "
            cells.append(f"{lacks[ok].mean():.3f} / {lacks[removed].mean():.3f} / {un}")
        print(f"{name:10} {int(ok.sum()):6d}  {cells[0]:>24}  {cells[1]:>24}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
