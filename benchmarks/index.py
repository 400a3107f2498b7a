"""``python -m bot index`` as an operator runs it, then ``ask`` (issue 31).

    python -m benchmarks.index [--sentences 10000,50000] [--questions 300] [--repeat] [--no-vectors]

For each size: SQuAD dev's paragraphs copied as new articles until the
corpus holds that many sentences (``benchmarks.scale.make_articles``),
written as ``.txt`` files in a temporary folder, with an empty
``INDEX_CACHE_DIR`` of its own.  Each copy's sentences are made distinct
(a copy number before each sentence) so that the vectors' build embeds every
sentence, as a corpus of that many different sentences would; ``--repeat``
keeps the copies identical (each distinct text is embedded once: only
SQuAD's ~10,000).  Then, as subprocesses, the real commands:

1. ``python -m bot index --corpus DIR``: its wall time, and sentences a
   second (the index, every vector on every core, the judge's parses);
2. ``python -m bot index`` again: everything loaded;
3. ``python -m bot ask --json --corpus DIR -`` with ``--questions`` SQuAD
   dev questions on standard input: ``took_ms`` p50 and p99.

``--no-vectors``: ``index --no-vectors`` (the index alone), and ``ask``
with the sentence model off (``SEMANTIC=false``: BM25 alone).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.scale import make_articles, squad_questions, write_corpus
from benchmarks.squad import DEFAULT_DATA, load_squad

ROOT = Path(__file__).resolve().parent.parent


def distinct_copies(articles: list[Any]) -> list[Any]:
    """Each copy after the first with a copy number before each sentence
    (after it, a paragraph's last one was split off as a sentence of its
    own: 236,752 sentences for 200,000)."""
    import dataclasses

    from bot.engine import split_sentences

    out = []
    for article in articles:
        copy = article.title.rsplit("(copy ", 1)[-1].rstrip(")")
        if copy == "1":
            out.append(article)
            continue
        paragraphs = tuple(" ".join(f"({copy}) {p[a:b]}" for a, b in split_sentences(p)) for p in article.paragraphs)
        out.append(dataclasses.replace(article, paragraphs=paragraphs))
    return out


def bot(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True
    )
    took = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"python -m bot {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return proc, took


def field(stdout: str, name: str) -> str:
    return next(line[12:].strip() for line in stdout.splitlines() if line.startswith(name))


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]


def one_size(data: list[dict[str, Any]], n: int, questions: list[str], repeat: bool, vectors: bool = True) -> None:
    articles = make_articles(data, n)
    if not repeat:
        articles = distinct_copies(articles)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(articles, folder)
        env = {k: v for k, v in os.environ.items() if k not in ("CORPUS_DIR", "SEMANTIC")}
        env["INDEX_CACHE_DIR"] = str(Path(tmp) / "cache")
        env["PYTHONPATH"] = str(ROOT)
        if not vectors:
            env["SEMANTIC"] = "false"
        index = ["index", "--corpus", str(folder)] + ([] if vectors else ["--no-vectors"])
        proc, took = bot(index, env)
        sentences = int(field(proc.stdout, "sentences"))
        progress = [line for line in proc.stderr.splitlines() if " of " in line]
        print(f"{sentences:,} sentences: index (cold) {took:.0f} s, {sentences / took:.0f} sentences a second")
        for line in progress[-3:]:
            print(f"    progress: {line}")
        proc, took = bot(index, env)
        print(f"    index again (all loaded): {took:.1f} s; {field(proc.stdout, 'embeddings')}")
        proc, took = bot(["ask", "--json", "--corpus", str(folder), "-"], env, "\n".join(questions) + "\n")
        took_ms = [json.loads(line)["took_ms"] for line in proc.stdout.splitlines()]
        print(
            f"    ask ({len(took_ms)} questions, {took:.0f} s with start-up): took_ms p50 "
            f"{statistics.median(took_ms):.1f} ms, p99 {p99(took_ms):.1f} ms",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", default="10000,50000", help="corpus sizes, comma-separated")
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--repeat", action="store_true", help="copies repeat SQuAD's sentences (embedded once)")
    parser.add_argument("--no-vectors", dest="vectors", action="store_false", help="the index alone; BM25 answers")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    data = load_squad(args.data)
    questions = squad_questions(data, args.questions)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    for n in (int(x) for x in args.sentences.split(",")):
        one_size(data, n, questions, args.repeat, args.vectors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
