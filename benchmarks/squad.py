"""SQuAD v1.1 dev as an answer-sentence retrieval benchmark (ReQA-style).

    python -m benchmarks.squad [--data ../shared/data/squad-dev-v1.1.json.zip] [--limit N]

Corpus: every paragraph of every article, split into sentences by the
engine's own splitter; each article's title is its title.  Gold: for each
question, the sentence(s) whose span contains an answer's ``answer_start``.
Metrics over all 10,570 questions: P@1 (the first sentence ranked is gold),
MRR over the first 100, R@5.  The ranking is exactly the engine's
(``Engine.rank``), whatever it decides about answering.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.engine import Article, Corpus, Engine, IndexConfig, SentenceEncoder, load_encoder

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "squad-dev-v1.1.json.zip"


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    gold: frozenset[int]


def load_squad(path: Path) -> list[dict]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".json"))
            return json.loads(zf.read(name))["data"]
    return json.loads(path.read_text(encoding="utf-8"))["data"]


def build(data: list[dict], engine_factory=Engine) -> tuple[Engine, list[Question]]:
    """The engine over SQuAD's paragraphs, and each question's gold sentences."""
    articles = []
    offsets: list[list[int]] = []  # per article, per paragraph: chars stripped on the left
    for art in data:
        paragraphs = []
        shifts = []
        for para in art["paragraphs"]:
            ctx = para["context"]
            stripped = ctx.strip()
            paragraphs.append(stripped)
            shifts.append(len(ctx) - len(ctx.lstrip()))
        title = art["title"].replace("_", " ")
        articles.append(Article(id=art["title"], title=title, paragraphs=tuple(paragraphs)))
        offsets.append(shifts)
    engine = engine_factory(Corpus(articles=articles))
    idx = engine.index

    # Sentence ids per (article, paragraph) in index order.
    first: dict[tuple[int, int], int] = {}
    for s in range(idx.n_sentences - 1, -1, -1):
        first[(int(idx.sent_article[s]), int(idx.sent_paragraph[s]))] = s
    questions = []
    for a_i, art in enumerate(data):
        for p_i, para in enumerate(art["paragraphs"]):
            s0 = first[(a_i, p_i + 1)]
            sent_ids = list(idx.paragraph_sentences(s0))
            shift = offsets[a_i][p_i]
            for qa in para["qas"]:
                gold = set()
                for ans in qa["answers"]:
                    pos = ans["answer_start"] - shift
                    for s in sent_ids:
                        start, end = idx.span(s)
                        if start <= pos < end:
                            gold.add(s)
                            break
                    else:
                        # The answer starts in the white space between two
                        # sentences: the next sentence holds it.
                        later = [s for s in sent_ids if idx.span(s)[0] > pos]
                        if later:
                            gold.add(later[0])
                questions.append(Question(qa["question"], frozenset(gold)))
    return engine, questions


def evaluate(engine: Engine, questions: list[Question], depth: int = 100) -> dict[str, float]:
    p1 = mrr = r5 = 0.0
    times = []
    for q in questions:
        t0 = time.perf_counter()
        terms = engine.query_terms(q.text)
        ids, _ = engine.rank(terms, depth)
        times.append(time.perf_counter() - t0)
        ranked = [int(i) for i in ids]
        for rank, sid in enumerate(ranked, start=1):
            if sid in q.gold:
                mrr += 1.0 / rank
                if rank == 1:
                    p1 += 1
                if rank <= 5:
                    r5 += 1
                break
    n = len(questions)
    times.sort()
    return {
        "questions": n,
        "p_at_1": p1 / n,
        "mrr": mrr / n,
        "r_at_5": r5 / n,
        "median_ms": 1000 * times[n // 2],
    }


def plain_baseline(data: list[dict], stemmed: bool) -> dict[str, float]:
    """rank-bm25's BM25Okapi over the engine's sentences with plain
    lower-cased ``\\w+`` tokens (or the engine's tokens when ``stemmed``),
    no context: the floor the engine is measured against.  SparseBM25
    gives rank-bm25's scores exactly (tests/engine/index/test_bm25.py)."""
    import re

    from bot.engine.index.bm25 import SparseBM25
    from bot.engine.text.tokens import tokenize

    engine, questions = build(data)
    idx = engine.index

    def plain(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    analyse = tokenize if stemmed else plain
    bm25 = SparseBM25([analyse(idx.sentence_text(i)) for i in range(idx.n_sentences)], variant="okapi")
    p1 = mrr = 0.0
    for q in questions:
        scores = bm25.get_scores(analyse(q.text))
        top = np.argsort(-scores, kind="stable")[:100]
        for rank, sid in enumerate(top, start=1):
            if int(sid) in q.gold and scores[sid] > 0:
                mrr += 1 / rank
                p1 += rank == 1
                break
    return {"p_at_1": p1 / len(questions), "mrr": mrr / len(questions)}


ABLATION: list[tuple[str, dict[str, object]]] = [
    (
        "engine tokens, BM25Okapi, sentence only",
        {
            "variant": "okapi",
            "k1": 1.5,
            "paragraph_weight": 0.0,
            "phrase_weight": 0.0,
            "type_weight": 0.0,
            "spelling": False,
            "related": False,
        },
    ),
    (
        "+ BM25Plus idf (k1 1.2)",
        {"paragraph_weight": 0.0, "phrase_weight": 0.0, "type_weight": 0.0, "spelling": False, "related": False},
    ),
    ("+ paragraph context", {"phrase_weight": 0.0, "type_weight": 0.0, "spelling": False, "related": False}),
    ("+ phrases", {"type_weight": 0.0, "spelling": False, "related": False}),
    ("+ answer types", {"spelling": False, "related": False}),
    ("+ spelling correction of names", {"related": False}),
    ("+ related forms (BM25 alone, as without the model)", {"semantic_weight": 0.0}),
    ("+ sentence embeddings (without the judge)", {}),
    ("+ the judge (the engine as shipped with spaCy's model)", {}),
]


def ablation(data: list[dict], encoder: SentenceEncoder | None) -> None:
    import dataclasses

    print(f"{'method':50} {'P@1':>7} {'MRR':>7}")
    for label, stemmed in (("plain BM25Okapi, lower-cased \\w+ tokens", False), ("+ stemming and stop words", True)):
        m = plain_baseline(data, stemmed)
        print(f"{label:50} {m['p_at_1']:7.4f} {m['mrr']:7.4f}", flush=True)
    for n, (label, changes) in enumerate(ABLATION):
        if n < len(ABLATION) - 2:
            changes = {"semantic_weight": 0.0, **changes}
        cfg = dataclasses.replace(IndexConfig(), **changes)  # type: ignore[arg-type]
        engine, questions = build(data, lambda corpus, cfg=cfg: Engine(corpus, cfg, encoder))
        engine.use_judge = n == len(ABLATION) - 1
        m = evaluate(engine, questions)
        print(f"{label:50} {m['p_at_1']:7.4f} {m['mrr']:7.4f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (for a quick look)")
    parser.add_argument(
        "--articles",
        choices=("all", "first", "second"),
        default="all",
        help="all 48 articles, or the first or second 24 (choose on one half, check on the other)",
    )
    parser.add_argument("--ablation", action="store_true", help="print P@1 and MRR as each method is added")
    parser.add_argument("--no-semantic", action="store_true", help="BM25 alone, without sentence embeddings")
    parser.add_argument("--no-judge", action="store_true", help="the engine's own order, without the answer judge")
    parser.add_argument(
        "--vectors",
        choices=("float32", "compare"),
        default="float32",
        help="compare: also with the vectors rounded to float16 (as saved) and with the large-corpus coarse match",
    )
    parser.add_argument(
        "--took", type=int, default=0, metavar="N", help="answer N of them again with ask(), print took_ms"
    )
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"SQuAD data not found at {args.data}", file=sys.stderr)
        return 2
    data = load_squad(args.data)
    if args.articles == "first":
        data = data[: len(data) // 2]
    elif args.articles == "second":
        data = data[len(data) // 2 :]
    encoder = None if args.no_semantic else load_encoder()
    if args.ablation:
        ablation(data, encoder)
        return 0
    t0 = time.perf_counter()
    engine, questions = build(data, lambda corpus: Engine(corpus, encoder=encoder))
    built = time.perf_counter() - t0
    engine.use_judge = not args.no_judge
    if args.limit:
        questions = questions[: args.limit]
    m = evaluate(engine, questions)
    idx = engine.index
    print(f"SQuAD dev ({args.articles}): {len(idx.articles)} articles, {idx.n_paragraphs} paragraphs,", end=" ")
    print(f"{idx.n_sentences} sentences; sentence embeddings {'on' if engine.semantic else 'off'};", end=" ")
    print(f"judge {'on' if engine.judge is not None and engine.use_judge else 'off'}")
    print(f"built in {built:.1f} s; {m['questions']} questions; median {m['median_ms']:.2f} ms a question")
    print(f"P@1  {m['p_at_1']:.4f}")
    print(f"MRR  {m['mrr']:.4f}")
    print(f"R@5  {m['r_at_5']:.4f}")
    if args.vectors == "compare":
        compare_vectors(engine, questions)
    if args.took:
        took = took_ms(engine, [q.text for q in questions[:: max(1, len(questions) // args.took)]][: args.took])
        p50, p99 = took[len(took) // 2], took[-1 - len(took) // 100]
        print(f"took_ms over {len(took)} of them, asked again (caches warm): p50 {p50:.1f}, p99 {p99:.1f}")
    return 0


def compare_vectors(engine: Engine, questions: list[Question]) -> None:
    """P@1 and MRR again with the sentence vectors as a restart loads them
    (rounded to float16) and as a large corpus keeps them (float16, matched
    first on their 64-dimension projection: ``scorer.COARSE_MIN_SENTENCES``
    lowered to 0 for the measurement)."""
    from bot.engine.semantic import scorer as scorer_mod

    semantic = engine.semantic
    if semantic is None or semantic.matrix is None:
        print("no sentence vectors to compare")
        return
    full = np.asarray(semantic.matrix, dtype=np.float32).copy()
    semantic.use_matrix(full.astype(np.float16))
    m = evaluate(engine, questions)
    print(f"vectors rounded to float16 (as saved): P@1 {m['p_at_1']:.4f}, MRR {m['mrr']:.4f}")
    kept = scorer_mod.COARSE_MIN_SENTENCES
    scorer_mod.COARSE_MIN_SENTENCES = 0
    try:
        semantic.use_matrix(full)
        m = evaluate(engine, questions)
        print(
            f"float16 and the coarse match ({scorer_mod.COARSE_DIM} dimensions, {scorer_mod.RESCORE} x k rescored): "
            f"P@1 {m['p_at_1']:.4f}, MRR {m['mrr']:.4f}, median {m['median_ms']:.2f} ms"
        )
    finally:
        scorer_mod.COARSE_MIN_SENTENCES = kept
        semantic.use_matrix(full)


def took_ms(engine: Engine, questions: list[str]) -> list[float]:
    """``Result.took_ms`` of ``ask`` for each question, sorted."""
    return sorted(engine.ask(q, top=3).took_ms for q in questions)


if __name__ == "__main__":
    sys.exit(main())
