"""``python -m benchmarks.facts``: see the package's docstring."""

from __future__ import annotations

import argparse

from benchmarks.facts.quality import measure
from benchmarks.facts.speed import speed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.facts")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--speed", action="store_true", help="time the listings at --articles articles")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if args.speed:
        speed(args.articles, args.runs)
    else:
        measure(verbose=args.verbose)


if __name__ == "__main__":
    main()
