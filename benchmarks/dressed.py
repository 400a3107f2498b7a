"""Story questions as Discord readers dress them: is the answer the same?

    python -m benchmarks.dressed [--corpus corpus] [--raw] [--verbose]

Each question of ``benchmarks/story_questions.json`` is asked plain and
dressed (emoji at its ends, bold, a spoiler, inline code, a block quote, a
greeting before it, "pls" after it, doubled "??", "!!", capitals), through
the Discord layer's ``clean_question`` as the bot reads a message
(``--raw``: straight to the engine, as ``bot ask`` reads it).  Prints, for
each way of dressing, how many questions got another first sentence or
another decision than plain.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from bot.engine import Engine, Result, load_encoder
from bot.exts.questions import clean_question

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

DRESSINGS: dict[str, Callable[[str], str]] = {
    "emoji after": lambda q: f"{q} 🤔",
    "emoji before": lambda q: f"😂😂 {q}",
    "emoji, skin tone": lambda q: f"{q} 👍🏽",
    "bold": lambda q: f"**{q}**",
    "spoiler": lambda q: f"||{q}||",
    "inline code": lambda q: f"`{q}`",
    "block quote": lambda q: f"> {q}",
    "greeting before": lambda q: f"hey bot, {q}",
    "pls after": lambda q: f"{q} pls",
    "doubled ??": lambda q: q.rstrip("?") + "??",
    "!! after": lambda q: f"{q}!!",
    "capitals": str.upper,
}


def _reading(result: Result) -> tuple[bool, int | None]:
    return result.answered, result.answers[0].sentence if result.answers else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--questions", default=str(HERE / "story_questions.json"))
    parser.add_argument("--raw", action="store_true", help="straight to the engine (as bot ask reads it)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the questions whose answer changed")
    args = parser.parse_args(argv)
    engine = Engine.from_folder(args.corpus, encoder=load_encoder())
    data = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    questions = [item["question"] for kind in ("answerable", "unanswerable") for item in data[kind]]
    read = (lambda q: q) if args.raw else clean_question
    plain = {q: _reading(engine.ask(read(q), top=1)) for q in questions}
    print(f"{len(questions)} story questions, {'straight to the engine' if args.raw else 'through clean_question'}")
    for name, dress in DRESSINGS.items():
        changed = [q for q in questions if _reading(engine.ask(read(dress(q)), top=1)) != plain[q]]
        print(f"{name:18} {len(changed):3} changed")
        if args.verbose:
            for q in changed:
                print(f"    {dress(q)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
