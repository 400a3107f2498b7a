"""What one question costs, step by step (issue 18, point 3).

    python -m benchmarks.question_cost [--sizes story,squad,200000] [--queries 200] [--warm-up]

For each corpus size, ``--queries`` SQuAD dev questions (the story's own
question set for the story) and a few hostile ones (500 characters of
strange words, one word repeated, a misspelled name among strange words)
are asked with ``Engine.ask``; the time of each step is measured around
the engine's own methods:

* **embedding**: the question's sentence vector (``QuestionReader._embed``,
  with the words the corpus lacks when they are looked up by meaning);
* **spelling**: the corrections of words the corpus lacks
  (``QuestionReader._correct``, at most ``MAX_CORRECTED_WORDS`` a question);
* **similar words**: matching words the corpus lacks to its words by
  meaning (``WordNeighbours.nearest``; only with every sentence embedded);
* **ranking**: BM25 and the fusion with the cosines (``Ranker.rank``);
* **judge**: the answer judge on the best candidates (``Judge.judge``);
* **ask**: the whole ``took_ms``.

Sizes: ``story`` (the corpus folder), ``squad`` (SQuAD dev, 10,200
sentences, every one embedded: about a minute to build), or a number of
sentences (SQuAD dev repeated; above 20,000 sentences are embedded on
demand, so no similar words).  One BLAS thread, as the bot answers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.scale import make_articles, one_thread_encoder, squad_questions
from benchmarks.squad import DEFAULT_DATA, load_squad
from bot.engine import Corpus, Engine, load_corpus

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = (
    " ".join(f"zqxw{chr(97 + i % 26)}{i}ord" for i in range(60))[:500],
    " ".join(["flurbdoodle"] * 80)[:500],
    "Whos Solaimani " + " ".join(f"blorf{i}ix" for i in range(50))[:480],
)


class Steps:
    """Wraps an engine's step methods to time them, per question."""

    def __init__(self, engine: Engine) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self._now: dict[str, float] = defaultdict(float)
        reader = engine.reader
        self._wrap(reader, "_embed", "embedding")
        self._wrap(reader, "_correct", "spelling")
        if reader.neighbours is not None:
            self._wrap(reader.neighbours, "nearest", "similar words")
        self._wrap(engine.ranker, "rank", "ranking")
        if engine.judge is not None:
            self._wrap(engine.judge, "judge", "judge")

    def _wrap(self, owner: Any, name: str, step: str) -> None:
        real: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self._now[step] += (time.perf_counter() - t0) * 1000

        setattr(owner, name, timed)

    def ask(self, engine: Engine, question: str) -> None:
        self._now.clear()
        took = engine.ask(question).took_ms
        for step, ms in self._now.items():
            self.times[step].append(ms)
        self.times["ask"].append(took)


def summary(values: list[float], asked: int) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered):7.2f}  p99 {p99:7.2f}  max {ordered[-1]:7.2f} ms"
        f"  ({len(values)} of {asked} questions)"
    )


def engine_of(size: str, encoder: Any, data: list[dict[str, Any]]) -> tuple[Engine, list[str]]:
    if size == "story":
        import json

        qs = json.loads((ROOT / "benchmarks" / "story_questions.json").read_text())
        questions = [q["question"] for q in qs["answerable"] + qs["unanswerable"]]
        return Engine(load_corpus(ROOT / "corpus"), encoder=encoder), questions
    if size == "squad":
        from bot.engine import Article

        articles = [
            Article(id=a["title"], title=a["title"], paragraphs=tuple(p["context"].strip() for p in a["paragraphs"]))
            for a in data
        ]
        return Engine(Corpus(articles=articles), encoder=encoder), squad_questions(data, 10_000)
    return Engine(Corpus(articles=make_articles(data, int(size))), encoder=encoder), squad_questions(data, 10_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.question_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="story,squad,200000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="first do what the bot does when idle after a first answer (the judge parses every sentence)",
    )
    args = parser.parse_args(argv)
    encoder = one_thread_encoder()
    if encoder is None:
        return 2
    data = load_squad(DEFAULT_DATA)
    for size in args.sizes.split(","):
        t0 = time.perf_counter()
        engine, questions = engine_of(size.strip(), encoder, data)
        step = max(1, len(questions) // args.queries)
        questions = questions[::step][: args.queries]
        print(
            f"\n{size}: {engine.n_sentences:,} sentences ({engine.semantic_state}), built in "
            f"{time.perf_counter() - t0:.0f} s; judge {'on' if engine.judge else 'off'}"
        )
        engine.ask("warm up")
        if args.warm_up:
            t0 = time.perf_counter()
            engine.warm_up()
            took = time.perf_counter() - t0
            print(f"  warmed up (the judge's parses and token states of every sentence) in {took:.0f} s")
        for label, asked in (("questions", questions), ("hostile", list(HOSTILE))):
            steps = Steps(engine)
            for q in asked:
                steps.ask(engine, q)
            print(f"  {label} ({len(asked)}):")
            for name in ("embedding", "spelling", "similar words", "ranking", "judge", "ask"):
                if steps.times.get(name):
                    print(f"    {name:14} {summary(steps.times[name], len(asked))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
