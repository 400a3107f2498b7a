"""The judge's features for one question and its top candidate sentences.

One row per candidate, from what the engine already computes (its fused
score and rank, coverage of the question's weight, cosine similarity) and
what the parse adds (focus words covered, the question's names covered, the
expected answer type present and attached to the question's words), and
how the question's words stand in the sentence: its word pairs found in
order (``bigram_share``), how close together (``proximity``), how much of
them the sentence holds in meaning (``soft.soft_shares``), how much its
paragraph holds, and the cosine of the sentences around it.  Some are
relative to the other candidates (the gap to the best score, to the best
cosine, …), so that the models both order the candidates and say whether
the best of them answers at all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.engine.judge.answer_type import FAR, MAX_EDGES, Parsed, TypeEvidence, evidence
from bot.engine.judge.question import (
    AGE,
    ANSWER_TYPES,
    DATE,
    MONEY,
    NUMBER,
    PERCENT,
    PERSON,
    PLACE,
    QUANTITY,
    WHO,
    QuestionAnalysis,
    token_terms,
)
from bot.engine.judge.soft import soft_shares
from bot.engine.rank import word_credit

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.engine.query import QueryTerms

_NUMERIC_TYPES = frozenset({NUMBER, QUANTITY, MONEY, PERCENT, AGE})
_PERSON_TYPES = frozenset({PERSON, WHO})

FEATURES: tuple[str, ...] = (
    "score",
    "score_gap",
    "score_ratio",
    "log_rank",
    "first",
    "coverage",
    "coverage_gap",
    "cosine",
    "cosine_gap",
    "sentence_share",
    "focus_share",
    "focus_sentence_share",
    "focus_unknown",
    "no_focus",
    "entity_share",
    "no_entities",
    "unknown_share",
    "typed",
    "has_type",
    "new_type",
    "attached",
    "distance",
    "head_attached",
    "head_distance",
    "attached_person",
    "attached_date",
    "attached_place",
    "attached_number",
    "typed_unmet",
    "new_entities",
    "length",
    "points_back",
    "same_paragraph_share",
    "answer_type",
    "paragraph_position",
    "question_terms",
    "sentence_share_gap",
    "focus_share_gap",
    "entity_share_gap",
    "cosine_rank",
    "bigram_share",
    "proximity",
    "neighbour_cosine",
    "paragraph_share",
    "paragraph_share_gap",
    "bigram_share_gap",
    "proximity_gap",
    "neighbour_cosine_gap",
    "soft_share",
    "soft_share_gap",
)
"""Column names, in order (the model file names them too, and must agree)."""

_COL = {name: i for i, name in enumerate(FEATURES)}

_WITH_GAPS = (
    "sentence_share",
    "focus_share",
    "entity_share",
    "paragraph_share",
    "bigram_share",
    "proximity",
    "soft_share",
)
"""Features whose gap to the best candidate's is a feature too."""

_POINTS_BACK = frozenset("he she it they him her them his hers its their this these those such there".split())


@dataclass(frozen=True, slots=True)
class Resolved:
    """A question's analysis in the corpus's terms (misspellings corrected)."""

    analysis: QuestionAnalysis
    own: frozenset[str]
    focus: frozenset[str]
    entities: frozenset[str]
    related: dict[str, frozenset[str]]
    similar: dict[str, dict[str, float]] = field(default_factory=dict)
    """Question word the corpus lacks -> corpus words near it in meaning,
    with their cosine (``QueryTerms.similar``)."""


def resolve(analysis: QuestionAnalysis, q: QueryTerms) -> Resolved:
    fix = q.corrections
    terms = frozenset(fix.get(t, t) for t in analysis.terms)
    focus = frozenset(fix.get(t, t) for t in analysis.focus_terms)
    entities = frozenset(fix.get(t, t) for t in analysis.entity_terms)
    # Typing matches names the corpus spells otherwise, too.
    typed = replace(analysis, terms=terms | q.own, focus_terms=focus, entity_terms=entities)
    return Resolved(typed, q.own, focus, entities, q.related, q.similar)


def _share(engine: Engine, terms: frozenset[str], context: frozenset[str] | set[str], r: Resolved) -> float:
    idx = engine.index
    total = found = 0.0
    for t in terms:
        w = idx.idf(t)
        total += w
        found += w * word_credit(t, context, r.related, r.similar)
    return found / total if total else 0.0


def candidate_features(
    engine: Engine,
    r: Resolved,
    q: QueryTerms,
    ids: Sequence[int] | npt.NDArray[np.int64],
    scores: Sequence[float] | npt.NDArray[np.float64],
    parsed: Sequence[Parsed],
    cosines: Sequence[float] | None,
    neighbour_cosines: Sequence[float] | None = None,
    knows: Callable[[str], bool] | None = None,
) -> npt.NDArray[np.float64]:
    """The feature matrix (``len(ids)`` × ``len(FEATURES)``).

    ``neighbour_cosines``: each candidate's best cosine among the sentences
    next to it in its paragraph; ``knows``: whether the corpus uses a term
    (the index's vocabulary unless given: training asks it of the corpus
    without the gold paragraphs, as a story that does not say would be)."""
    idx = engine.index
    n = len(ids)
    out = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return out
    a = r.analysis
    sc = np.asarray(scores, dtype=np.float64)
    best = float(sc.max())
    cov = np.array([engine.coverage(int(s), q) for s in ids])
    cos = np.asarray(cosines, dtype=np.float64) if cosines is not None else np.zeros(n)
    knows = knows if knows is not None else idx.knows
    known_focus = [t for t in r.focus if knows(t)]
    focus_unknown = 1.0 - len(known_focus) / len(r.focus) if r.focus else 0.0
    unknown_share = sum(1 for t in r.own if not knows(t)) / len(r.own) if r.own else 0.0
    pairs = question_pairs(q.sequence, r.own)
    soft = soft_shares(engine, r.own, [idx.terms_of(int(s)) for s in ids], r.similar)
    near = np.asarray(neighbour_cosines, dtype=np.float64) if neighbour_cosines is not None else np.zeros(n)
    paras = [int(idx.sent_para[int(s)]) for s in ids]
    col = _COL
    para_share: dict[int, float] = {}
    for i, sid in enumerate(int(s) for s in ids):
        sentence = idx.terms_of(sid)
        context = set(sentence)
        if sid > 0 and idx.sent_para[sid - 1] == idx.sent_para[sid]:
            context |= idx.terms_of(sid - 1)
        context.update(token_terms(idx.articles[int(idx.sent_article[sid])].title))
        first_word = idx.sentence_text(sid).split(maxsplit=1)
        row = out[i]
        row[col["score"]] = sc[i]
        row[col["score_gap"]] = best - sc[i]
        row[col["score_ratio"]] = sc[i] / best if best > 0 else 0.0
        row[col["log_rank"]] = math.log1p(i)
        row[col["first"]] = float(i == 0)
        row[col["coverage"]] = cov[i]
        row[col["coverage_gap"]] = float(cov.max()) - cov[i]
        row[col["cosine"]] = cos[i]
        row[col["cosine_gap"]] = float(cos.max()) - cos[i]
        row[col["sentence_share"]] = _share(engine, r.own, sentence, r)
        row[col["focus_share"]] = _share(engine, r.focus, context, r) if r.focus else 0.0
        row[col["focus_sentence_share"]] = _share(engine, r.focus, sentence, r) if r.focus else 0.0
        row[col["focus_unknown"]] = focus_unknown
        row[col["no_focus"]] = float(not r.focus)
        row[col["entity_share"]] = _share(engine, r.entities, context, r) if r.entities else 0.0
        row[col["no_entities"]] = float(not r.entities)
        row[col["unknown_share"]] = unknown_share
        _typing(row, a, evidence(a, parsed[i]))
        row[col["length"]] = math.log1p(len(parsed[i].terms))
        row[col["points_back"]] = float(bool(first_word) and first_word[0].lower().strip("\"'“") in _POINTS_BACK)
        row[col["same_paragraph_share"]] = sum(1 for p in paras if p == paras[i]) / n
        row[col["answer_type"]] = ANSWER_TYPES.index(a.answer_type)
        row[col["paragraph_position"]] = min(3, idx.position_in_paragraph(sid)) / 3
        row[col["question_terms"]] = math.log1p(len(r.own))
        words = [t for token in parsed[i].terms for t in token]
        row[col["bigram_share"]] = bigram_share(pairs, words)
        row[col["proximity"]] = proximity(r.own, words)
        row[col["neighbour_cosine"]] = near[i]
        if paras[i] not in para_share:
            para_terms = set().union(*(idx.terms_of(j) for j in idx.paragraph_sentences(sid)))
            para_share[paras[i]] = _share(engine, r.own, para_terms, r)
        row[col["paragraph_share"]] = para_share[paras[i]]
        row[col["soft_share"]] = soft[i] if soft is not None else row[col["sentence_share"]]
    _relative(out, cos)
    return out


def _typing(row: npt.NDArray[np.float64], a: QuestionAnalysis, ev: TypeEvidence) -> None:
    """The answer type's columns of one candidate's row."""
    col = _COL
    row[col["typed"]] = float(a.typed)
    row[col["has_type"]] = float(ev.has_type)
    row[col["new_type"]] = float(ev.new)
    row[col["attached"]] = float(ev.attached)
    row[col["distance"]] = ev.distance / FAR
    row[col["head_attached"]] = float(ev.new and ev.head_distance <= 2)
    row[col["head_distance"]] = ev.head_distance / FAR
    row[col["attached_person"]] = float(ev.attached and a.answer_type in _PERSON_TYPES)
    row[col["attached_date"]] = float(ev.attached and a.answer_type == DATE)
    row[col["attached_place"]] = float(ev.attached and a.answer_type == PLACE)
    row[col["attached_number"]] = float(ev.attached and a.answer_type in _NUMERIC_TYPES)
    row[col["typed_unmet"]] = float(a.typed and not (ev.new and ev.distance <= MAX_EDGES + 2))
    row[col["new_entities"]] = math.log1p(ev.new_entities)


def _relative(out: npt.NDArray[np.float64], cos: npt.NDArray[np.float64]) -> None:
    """The columns relative to the other candidates: gaps to the best, and
    the rank by cosine."""
    col = _COL
    for name in _WITH_GAPS:
        c = out[:, col[name]]
        out[:, col[f"{name}_gap"]] = c.max() - c
    near = out[:, col["neighbour_cosine"]]
    out[:, col["neighbour_cosine_gap"]] = near.max() - near
    out[:, col["cosine_rank"]] = np.argsort(np.argsort(-cos, kind="stable"), kind="stable") / max(1, len(out) - 1)


def question_pairs(sequence: Sequence[str], own: frozenset[str]) -> frozenset[tuple[str, str]]:
    """Adjacent pairs of the question's own terms, in order."""
    seq = [t for t in sequence if t in own]
    return frozenset(itertools.pairwise(seq))


def bigram_share(pairs: frozenset[tuple[str, str]], words: Sequence[str]) -> float:
    """Share of the question's adjacent term pairs the sentence holds in the
    same order, next to each other or one word apart ("Kremlin spokesman",
    "meet … Assad")."""
    if not pairs:
        return 0.0
    found = {(a, b) for a, b in itertools.pairwise(words)}
    found.update(zip(words, words[2:], strict=False))
    return len(pairs & found) / len(pairs)


def proximity(own: frozenset[str], words: Sequence[str]) -> float:
    """How close together the question's terms stand in the sentence: the
    number of distinct terms matched over the shortest span of words that
    holds them all (1: side by side); 0 when fewer than two match."""
    positions = [(i, t) for i, t in enumerate(words) if t in own]
    wanted = len({t for _, t in positions})
    if wanted < 2:
        return 0.0
    best = len(words)
    counts: dict[str, int] = {}
    left = 0
    for pos, term in positions:
        counts[term] = counts.get(term, 0) + 1
        while len(counts) == wanted:
            best = min(best, pos - positions[left][0] + 1)
            first = positions[left][1]
            counts[first] -= 1
            if not counts[first]:
                del counts[first]
            left += 1
    return wanted / best
