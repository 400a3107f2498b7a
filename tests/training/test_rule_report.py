"""training.rule_report: the type rule's cost and catch, read from the rows
and cross-validated order train_judge leaves in its work folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.engine.judge.features import FEATURES
from bot.engine.judge.question import ANSWER_TYPES, NUMBER
from training import rule_report
from training.judge_rows import SETS

COL = {name: i for i, name in enumerate(FEATURES)}


def _lists(kinds: list[int], new_type: list[list[float]], gold_first: list[bool]) -> dict[str, np.ndarray]:
    """One list of candidates per entry, each a number question."""
    x, y, group, kind = [], [], [], []
    for g, (k, news, gold) in enumerate(zip(kinds, new_type, gold_first, strict=True)):
        for i, new in enumerate(news):
            row = np.zeros(len(FEATURES))
            row[COL["answer_type"]] = ANSWER_TYPES.index(NUMBER)
            row[COL["new_type"]] = new
            x.append(row)
            y.append(int(gold and i == 0))
            group.append(g)
            kind.append(k)
    n = len(y)
    return {
        "x": np.array(x),
        "xt": np.zeros((n, 2)),
        "y": np.array(y),
        "group": np.array(group),
        "kind": np.array(kind),
        "article": np.zeros(n, dtype=np.int64),
    }


def test_cost_and_catch_by_answer_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two right answerable lists (one whose first candidate holds no number),
    # two gold-removed lists (both without a number first; one has one third).
    sets = {
        SETS[0]: _lists([0, 0], [[1, 0, 0], [0, 1, 0]], [True, True]),
        SETS[1]: _lists([1, 1], [[0, 0, 0], [0, 0, 1]], [False, False]),
        SETS[2]: _lists([], [], []),
        SETS[3]: _lists([], [], []),
    }
    for name, arrays in sets.items():
        if not len(arrays["y"]):
            arrays = {k: (np.zeros((0, len(FEATURES))) if k == "x" else v) for k, v in arrays.items()}
            arrays["xt"] = np.zeros((0, 2))
        np.savez(tmp_path / f"{name}.npz", **arrays)
    n = sum(len(a["y"]) for a in sets.values())
    order = -np.concatenate([np.arange(len(a["y"])) % 3 for a in sets.values()]).astype(float)  # first is best
    np.savez(tmp_path / "cv.npz", order=order, answer=np.zeros(n))
    assert rule_report.main(["--work", str(tmp_path)]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("number"))
    # first candidate: half the right lists lost, every removed list caught;
    # best three: none lost, half caught
    assert line.split()[1:] == ["2", "0.500", "/", "1.000", "/", "-", "0.000", "/", "0.500", "/", "-"]


def test_cv_of_other_rows_is_refused(tmp_path: Path) -> None:
    for name in SETS:
        np.savez(tmp_path / f"{name}.npz", **_lists([0], [[1, 0]], [True]))
    np.savez(tmp_path / "cv.npz", order=np.zeros(3), answer=np.zeros(3))
    with pytest.raises(SystemExit, match="not these rows"):
        rule_report.main(["--work", str(tmp_path)])
