"""The answer judge: a parser's reading of what a question asks
(``question``), answer typing on candidate sentences (``answer_type``), and a
small learned model (``features``, ``model``) that re-orders the engine's best
candidates and decides between answering and declining (``judge``).

spaCy and its small English model are optional: without them (``nlp``) the
engine answers as it did before the judge."""

from bot.engine.judge.judge import Judge, Verdict, make_judge

__all__ = ["Judge", "Verdict", "make_judge"]
