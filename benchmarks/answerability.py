"""Declining what the story does not say, measured on SQuAD: the judge's
first candidate for each question, and whether the engine answers.

    python -m benchmarks.answerability [--articles second] [--data-dir ../shared/data] [--limit N] [--compare]

Each article is its own corpus (a story's size), as ``training/cross_rows.py``
builds them.  Three kinds of lists, as in ``training/judge_rows.py``:

* ``answerable``: the question as asked: P@1 (the first sentence holds the
  answer), the share answered, and the share answered right;
* ``removed``: the same question with its gold paragraph(s) taken out of
  the candidates -- the story that does not say: the share declined;
* ``impossible``: SQuAD 2.0's unanswerable questions (for the sets that
  have them): the share declined.

``--articles second`` (the default) is SQuAD v1.1 dev's held-out half,
on which nothing is chosen.  ``--compare`` measures the engine without the
answerability model too (its judge's order and the engine's own rule), in
the same run.  Also prints ``took_ms`` percentiles of the answerable asks
(the judge and the answerability model included).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.squad import build
from bot.engine import Engine, load_encoder

POOL = 40
"""Candidates ranked before the gold paragraph is taken out."""


@dataclass(frozen=True)
class Listed:
    kind: str
    question: str
    q: Any
    ids: np.ndarray
    scores: np.ndarray
    gold: frozenset[int]


def lists(engine: Engine, art: dict[str, Any], questions: list[Any], limit: int = 0) -> Iterator[Listed]:
    """Every question of one article's engine as its lists (see above);
    with ``limit``, its first ``limit`` questions."""
    idx = engine.index
    impossible = [bool(qa.get("is_impossible", False)) for p in art["paragraphs"] for qa in p["qas"]]
    pairs = list(zip(questions, impossible, strict=True))
    for question, imp in pairs[:limit] if limit else pairs:
        q = engine.query_terms(question.text)
        if not q.own or (not imp and not question.gold):
            continue
        ids, scores = engine.ranker.rank(q, POOL)
        if imp:
            yield Listed("impossible", question.text, q, ids, scores, frozenset())
            continue
        yield Listed("answerable", question.text, q, ids, scores, question.gold)
        gold_paras = {int(idx.sent_para[s]) for s in question.gold}
        keep = np.array([int(idx.sent_para[int(s)]) not in gold_paras for s in ids], dtype=bool)
        if keep.any():
            yield Listed("removed", question.text, q, ids[keep], scores[keep], question.gold)


def engines(data: list[dict[str, Any]], encoder: Any, cache: Any = None) -> Iterator[tuple[dict, Engine, list]]:
    """Each article with its own engine and its questions."""
    for art in data:
        engine, questions = build([art], lambda corpus: Engine(corpus, encoder=encoder, cache=cache))
        yield art, engine, questions


def decide(engine: Engine, listed: Listed) -> tuple[int, bool, bool]:
    """The judge's first candidate, whether the engine answers with it and
    whether it hedges, as ``Engine.ask`` decides (its own rule, and the
    answerability decider when there)."""
    judge = engine.judge
    assert judge is not None
    verdict = judge.judge(listed.question, listed.q, listed.ids, listed.scores)
    first = int(verdict.ids[0])
    rule = engine.confident(first, listed.q)
    answered = rule and verdict.answered if judge.decides else rule
    return first, answered, rule and not answered


def measure(data: list[dict[str, Any]], encoder: Any, limit: int, compare: bool) -> None:
    counts: dict[str, dict[str, list[int]]] = {}
    took: list[float] = []
    for art, engine, questions in engines(data, encoder):
        judge = engine.judge
        if judge is None:
            raise SystemExit("the judge is needed (spaCy's model and the sentence encoder)")
        modes = [("with answerability", judge.answerability)]
        if compare:
            modes.append(("without", None))
        for name, answerability in modes:
            judge.answerability = answerability
            judge.decides = answerability is not None
            for listed in lists(engine, art, questions, limit):
                first, answered, hedged = decide(engine, listed)
                row = counts.setdefault(name, {}).setdefault(listed.kind, [0, 0, 0, 0, 0])
                row[0] += 1
                row[1] += first in listed.gold
                row[2] += answered
                row[3] += answered and first in listed.gold
                row[4] += hedged
                if listed.kind == "answerable" and name == "with answerability":
                    took.append(engine.ask(listed.question, top=1).took_ms)
        judge.answerability = modes[0][1]
        judge.decides = judge.answerability is not None
    for name, kinds in counts.items():
        print(f"{name}:")
        for kind, (n, right, answered, right_answered, hedged) in sorted(kinds.items()):
            declined = f"declined {1 - answered / n:.1%} (hedged {hedged / n:.1%})"
            if kind == "answerable":
                print(
                    f"  answerable  {n:5d}: P@1 {right / n:.4f}, answered {answered / n:.1%}, "
                    f"answered right {right_answered / n:.1%}, {declined}"
                )
            else:
                print(f"  {kind:10}  {n:5d}: {declined}")
    if took:
        took.sort()
        print(f"took_ms (answerable asks): p50 {took[len(took) // 2]:.1f}, p99 {took[-1 - len(took) // 100]:.1f}")


def main(argv: list[str] | None = None) -> int:
    from training.judge_rows import DATA_DIR, load

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--articles", choices=("first", "second"), default="second")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions of each article")
    parser.add_argument("--compare", action="store_true", help="also without the answerability model")
    args = parser.parse_args(argv)
    dev = load(args.data_dir / "squad-dev-v1.1.json.zip")
    data = dev[len(dev) // 2 :] if args.articles == "second" else dev[: len(dev) // 2]
    encoder = load_encoder()
    t0 = time.perf_counter()
    measure(data, encoder, args.limit, args.compare)
    print(
        f"SQuAD v1.1 dev, {args.articles} half: {len(data)} articles, each its own corpus; "
        f"{time.perf_counter() - t0:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
