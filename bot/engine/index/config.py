"""How sentences are scored and ranked: ``IndexConfig``, one value for the
whole engine (BM25's parameters, the re-ranking weights, the embeddings'
share, and switches the benchmarks use to measure each method).

Scoring choices, and why:

* BM25Plus idf (``log((N + 1) / n)``), not BM25Okapi's.  Okapi's idf goes to
  zero or below for a term in half the documents, and rank-bm25 floors it to
  a quarter of the average idf: on the story (a few dozen sentences, most
  about Putin, Assad and Syria) the very names readers ask about would count
  for nothing.  BM25Plus keeps every term's idf positive and ordered by
  rarity.  Its ``delta`` adds the same amount to every sentence of a
  question, so it cannot change a ranking and is left out of the scores.
* ``k1 = 1.2`` and ``b = 0.75`` for sentences, the usual values; sentences
  are short, so term frequency saturates early anyway.
* A sentence's score is its own BM25 score plus a share
  (``paragraph_weight``) of its paragraph's: the paragraph says what the
  sentence is about when the sentence itself says "he" or "the visit" (on
  SQuAD this context is worth several points of P@1, see
  ``benchmarks/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.index.bm25 import Variant


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """How sentences are scored and ranked (defaults are the engine's choice;
    the benchmarks switch parts off to measure them)."""

    variant: Variant = "plus"
    k1: float = 1.2
    b: float = 0.75
    paragraph_weight: float = 0.5
    """How much of the paragraph's BM25 score each of its sentences gets."""
    rerank_depth: int = 50
    """How many of the best BM25 sentences the cheap features re-rank."""
    phrase_weight: float = 0.5
    """Bonus per question phrase (two consecutive terms) found in a sentence,
    times the phrase's mean idf."""
    type_weight: float = 0.2
    """Relative bonus for a sentence holding the kind of thing the question
    asks for (a date for "when", a number for "how many", …)."""
    semantic_weight: float = 0.5
    """Share of the embedding's cosine similarity in a sentence's final score
    (the rest is its BM25 score, re-ranked and divided by the best one's);
    used when the sentence encoder is installed."""
    semantic_norm: str = "query"
    """How BM25 scores are scaled before adding cosine similarity: "max"
    divides by the best candidate's; "query" by what a perfect lexical
    match would score, so that weak lexical evidence counts for little."""
    semantic_depth: int = 20
    """How many sentences nearest the question in meaning join BM25's
    candidates (when every sentence is embedded)."""
    semantic_eager_max: int = 20_000
    """Embed every sentence at build time up to this many sentences; above,
    embed BM25's candidates on demand."""
    semantic_lazy_depth: int = 20
    """Above ``semantic_eager_max``: how many of the best BM25 candidates are
    embedded (on demand) and re-ranked by meaning; the others follow them in
    BM25's order."""
    spelling: bool = True
    """Match misspelled names to the corpus's names."""
    related: bool = True
    """Let a word meet its related forms ("Syria" / "Syrian")."""
