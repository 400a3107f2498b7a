"""A large corpus's sentence vectors, built in the background and saved.

    python -m benchmarks.vectors [--sentences 200000] [--queries 300]

Corpus: SQuAD dev's paragraphs repeated as new articles until it holds
``--sentences`` sentences (``benchmarks.scale.make_articles``), with the
embedding model (the README's install) and an index cache in a temporary
folder.  Questions: SQuAD dev's, each new to the engine, timed as the
command line's ``took_ms`` (``Engine.ask``).  Prints, in one run:

1. the build of the index (BM25; vectors on demand), and ``took_ms`` p50 and
   p99 before the vectors are built (each question embeds its best BM25
   candidates);
2. the encoder's rate alone on 1 and 2 cores (``--rate-sample`` distinct
   sentences), and the vectors' build (``Engine.build_vectors``, one thread, as the bot's
   background builder runs it): seconds and distinct sentences per second;
3. ``took_ms`` p50 and p99 with every sentence embedded, without the answer
   judge (as in 1) and then with it (other new questions: each parses its
   candidates);
4. a restart: a new engine from the cache (index and vectors loaded), in
   seconds, and the resident memory serving with it; then a restart in a
   new process (imports, the encoder and spaCy's parser loaded too);
5. peak resident memory (``ru_maxrss``) of the whole run.

The builder embeds each distinct text once (a repeated sentence takes the
vector of its first copy: the vector the model gives it), and the copies
here repeat SQuAD dev's 10,000 or so sentences: the vectors, the restart,
the memory and ``took_ms`` are those of a corpus of ``--sentences``
sentences, but the build embeds only the distinct ones.  Its rate, distinct
sentences a second, is printed: the time a corpus of that many distinct
sentences takes is ``--sentences`` divided by it (one thread; a 200,000-
sentence build of distinct sentences is in ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.scale import make_articles, one_thread_encoder, squad_questions
from benchmarks.squad import DEFAULT_DATA, load_squad
from bot.engine import Corpus, Engine, open_cache
from bot.engine.semantic.encoder import SentenceEncoder


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms"


def rss_mb() -> float:
    """Resident memory now (Linux), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def encoding_rates(encoder: SentenceEncoder, texts: list[str]) -> str:
    """Sentences embedded a second by the encoder alone, on 1 and on 2 cores
    (BLAS threads), over ``texts`` (distinct sentences of the corpus)."""
    from threadpoolctl import threadpool_limits

    rates = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            t0 = time.perf_counter()
            encoder.encode(texts)
            rates.append(len(texts) / (time.perf_counter() - t0))
    return (
        f"the encoder alone ({len(texts):,} distinct sentences): {rates[0]:.0f} a second on 1 core, "
        f"{rates[1]:.0f} on 2; 1,000,000 distinct sentences: {1e6 / rates[0] / 3600:.1f} h on 1 core, "
        f"{1e6 / rates[1] / 3600:.1f} h on 2"
    )


_NEW_PROCESS = """
import time
t0 = time.perf_counter()
from benchmarks.scale import make_articles, one_thread_encoder
from benchmarks.squad import DEFAULT_DATA, load_squad
from bot.engine import Corpus, Engine, open_cache
imported = time.perf_counter() - t0
corpus = Corpus(articles=make_articles(load_squad(DEFAULT_DATA), {sentences}), failures=[])
t0 = time.perf_counter()
engine = Engine(corpus, encoder=one_thread_encoder(), cache=open_cache({folder!r}))
print(f"{{imported:.1f}} {{time.perf_counter() - t0:.1f}} {{engine.semantic_state}}")
"""


def new_process_restart(folder: str, sentences: int) -> str:
    """A restart as the bot makes one: a new interpreter imports the engine,
    then loads the encoder, the index, its vectors and the judge's parser
    (spaCy).  (Loading spaCy in a thread beside the index was tried: 3.9-4.2 s
    against 3.6-3.7 s at 1M, both threads wanting the interpreter's lock.)"""
    code = _NEW_PROCESS.format(sentences=sentences, folder=folder)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, built, state = done.stdout.split(maxsplit=2)
    return f"imports {imported} s, then encoder, index, vectors and parser {built} s ({state.strip()})"


def took(engine: Engine, questions: list[str]) -> list[float]:
    return [engine.ask(q).took_ms for q in questions]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.vectors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300, help="questions timed before and after (default 300)")
    parser.add_argument("--rate-sample", type=int, default=1000, help="sentences the encoder's rates are timed on")
    args = parser.parse_args(argv)
    encoder = one_thread_encoder()
    if encoder is None:
        return 2
    data = load_squad(DEFAULT_DATA)
    corpus = Corpus(articles=make_articles(data, args.sentences), failures=[])
    questions = squad_questions(data, 10**9)
    spread = questions[:: max(1, len(questions) // (3 * args.queries))][: 3 * args.queries]
    # Every third question of ones spread over all of SQuAD dev: no set is
    # one article's (whose candidates, embedded on demand, the next reuses).
    before, after, judged = spread[0::3], spread[1::3], spread[2::3]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        engine = Engine(corpus, encoder=encoder, cache=open_cache(tmp))
        print(f"{engine.n_sentences:,} sentences; index built in {time.perf_counter() - t0:.1f} s")
        assert engine.vectors_pending, "below the eager limit: use more --sentences"
        sample = list(dict.fromkeys(engine.index.sentence_text(i) for i in range(min(engine.n_sentences, 20_000))))
        print(encoding_rates(encoder, sample[: args.rate_sample]))
        engine.use_judge = False
        print(f"took_ms, vectors on demand ({len(before)} new questions): {percentiles(took(engine, before))}")
        t0 = time.perf_counter()
        assert engine.build_vectors()
        built = time.perf_counter() - t0
        distinct = len({engine.index.sentence_text(i) for i in range(engine.n_sentences)})
        print(
            f"vectors built in {built:.0f} s: {distinct:,} distinct sentences embedded, "
            f"{distinct / built:.0f} a second (one thread); {engine.n_sentences:,} at that rate: "
            f"{engine.n_sentences / (distinct / built) / 3600:.1f} h"
        )
        print(f"took_ms, every sentence embedded ({len(after)} new questions): {percentiles(took(engine, after))}")
        engine.use_judge = True
        print(
            f"took_ms, every sentence embedded, with the answer judge ({len(judged)} new questions, "
            f"their candidates parsed on demand): {percentiles(took(engine, judged))}"
        )
        del engine
        gc.collect()
        t0 = time.perf_counter()
        again = Engine(corpus, encoder=encoder, cache=open_cache(tmp))
        print(f"restart: index and vectors loaded in {time.perf_counter() - t0:.1f} s ({again.semantic_state})")
        print(f"RSS after the restart: {rss_mb():,.0f} MB")
        print(f"restart in a new process: {new_process_restart(tmp, args.sentences)}")
        print(f"took_ms after the restart, with the judge ({len(after)} questions): {percentiles(took(again, after))}")
        print(f"RSS serving after the restart: {rss_mb():,.0f} MB")
        saved = sum(p.stat().st_size for p in Path(tmp).rglob("vectors-*"))
        print(f"vectors saved: {saved / 2**20:.0f} MB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the run: {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
