"""Loading a million-line ``.jsonl`` with bad lines: the time and peak memory
that ``tests/engine/corpus/test_hostile_files.py`` no longer bounds (a wall
clock is a benchmark's, not a test's: a busy machine fails it).

    python -m benchmarks.jsonl [--lines 1000000] [--bad-every 997]

Writes ``--lines`` short articles (``{"title": ..., "text": ...}``, one a
line), every ``--bad-every``-th line bad (cut short, not an object, not
UTF-8, a NUL byte, no title, in turn), into a temporary folder, then loads
the folder with ``load_corpus`` as the bot does.  Prints the file's size, the
load time, the articles and failures reported, and the process's peak
resident memory (``ru_maxrss``) before and after the load.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from bot.engine import load_corpus

BAD = (
    b'{"title": "Cut short", "text": ',
    b"[1, 2, 3]",
    b'{"title": "Caf\xe9", "text": "x"}',
    b'{"title": "N\x00L", "text": "x"}',
    b'{"text": "No title."}',
)
MB = 1024 * 1024


def write_feed(path: Path, lines: int, bad_every: int) -> int:
    """The feed, written a line at a time; returns how many lines are bad."""
    bad = 0
    with path.open("wb") as fh:
        for lineno in range(1, lines + 1):
            if lineno % bad_every == 0:
                fh.write(BAD[bad % len(BAD)] + b"\n")
                bad += 1
            else:
                fh.write(b'{"title": "Article %d", "text": "Body of article %d."}\n' % (lineno, lineno))
    return bad


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jsonl", description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--bad-every", type=int, default=997)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bad = write_feed(folder / "feed.jsonl", args.lines, args.bad_every)
        size = (folder / "feed.jsonl").stat().st_size
        before = peak_rss_mb()
        t0 = time.perf_counter()
        corpus = load_corpus(folder)
        took = time.perf_counter() - t0
        after = peak_rss_mb()
    print(f"{args.lines:,}-line .jsonl, {size / MB:.0f} MB, {bad:,} bad lines")
    print(f"load time        {took:.2f} s")
    print(f"articles         {len(corpus.articles):,}")
    print(f"failures listed  {len(corpus.failures):,} (the last counts those not listed)")
    print(f"peak RSS         {before:.0f} MB before, {after:.0f} MB after the load")
    return 0


if __name__ == "__main__":
    sys.exit(main())
