"""Story question set: does the bot answer readers' questions about the story?

    python -m benchmarks.story [--corpus corpus] [--verbose] [--no-judge | --judge-decides]

Reads ``benchmarks/story_questions.json``: answerable questions, each with
"gold" substrings of the sentence(s) that answer it, and unanswerable ones
(off-topic, greetings, noise, questions the story does not answer).  An
answerable question counts as right at 1 when the engine answers it and its
first answer contains a gold substring.  Prints P@1, the share of
unanswerable questions declined, and the share of answerable ones wrongly
declined.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.engine import Engine, Reason, load_encoder

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def evaluate(engine: Engine, questions: dict, verbose: bool = False) -> dict:
    answerable = questions["answerable"]
    unanswerable = questions["unanswerable"]
    right = declined_wrongly = hedged = 0
    took: list[float] = []
    by_kind: dict[str, list[int]] = {}
    for item in answerable:
        result = engine.ask(item["question"], top=1)
        took.append(result.took_ms)
        ok = result.answered and any(g in result.answers[0].text for g in item["gold"])
        right += ok
        declined_wrongly += not result.answered
        hedged += result.reason is Reason.CLOSE
        by_kind.setdefault(item["kind"], []).append(ok)
        if verbose and not ok:
            got = result.answers[0].text[:90] if result.answers else "-"
            print(f"  MISS [{item['kind']}] {item['question']!r} answered={result.answered} -> {got}")
    declined = off_hedged = 0
    for item in unanswerable:
        result = engine.ask(item["question"], top=1)
        took.append(result.took_ms)
        declined += not result.answered
        off_hedged += result.reason is Reason.CLOSE
        if verbose and result.answered:
            print(f"  ANSWERED [{item['kind']}] {item['question']!r} -> {result.answers[0].text[:90]}")
    if verbose:
        for kind, oks in sorted(by_kind.items()):
            print(f"  {kind:12} P@1 {sum(oks) / len(oks):.3f} ({sum(oks)}/{len(oks)})")
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "p_at_1": right / len(answerable),
        "off_topic_declined": declined / len(unanswerable),
        "answerable_declined": declined_wrongly / len(answerable),
        "answerable_hedged": hedged / len(answerable),
        "off_topic_hedged": off_hedged / len(unanswerable),
        "took_ms": took,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"))
    parser.add_argument("--questions", default=str(HERE / "story_questions.json"))
    parser.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    parser.add_argument("--no-semantic", action="store_true", help="BM25 alone, without sentence embeddings")
    parser.add_argument("--no-judge", action="store_true", help="the engine's own decision, without the answer judge")
    parser.add_argument(
        "--judge-decides", action="store_true", help="the judge's decider answers or declines (judge.DECIDES on)"
    )
    args = parser.parse_args(argv)
    encoder = None if args.no_semantic else load_encoder()
    engine = Engine.from_folder(args.corpus, encoder=encoder)
    engine.use_judge = not args.no_judge
    if args.judge_decides and engine.judge is not None:
        engine.judge.decides = True
    judged = engine.judge is not None and engine.use_judge
    print(f"sentence embeddings: {'on' if engine.semantic else 'off'}; judge: {'on' if judged else 'off'}")
    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    m = evaluate(engine, questions, args.verbose)
    print(f"story set: {m['answerable']} answerable, {m['unanswerable']} unanswerable questions")
    print(f"P@1                    {m['p_at_1']:.3f}")
    print(f"off-topic declined     {m['off_topic_declined']:.3f} (of them hedged: {m['off_topic_hedged']:.3f})")
    print(f"answerable declined    {m['answerable_declined']:.3f} (of them hedged: {m['answerable_hedged']:.3f})")
    took = sorted(m["took_ms"])
    print(f"took_ms                p50 {took[len(took) // 2]:.1f}, p99 {took[-1 - len(took) // 100]:.1f} (first asks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
