"""Does a candidate sentence hold the kind of thing the question asks for?

A sentence satisfies a typed question when it holds an entity of the
expected type (``question.ENTITY_LABELS``) that the question does not already
name, attached to the question's other words in the sentence's dependency
tree: in "Putin, 67, said …" the age hangs on Putin; in "… won the nearly
9-year-old civil war" it hangs on the war, and answers nothing about Putin.
"Kremlin spokesman Dmitry Peskov said" puts a person one edge from
"spokesman"; "said Syrian state media and a Kremlin spokesman" names no one
there.

Sentences are parsed once and kept in a compact form (``Parsed``), not as
spaCy objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.engine.judge.question import AGE, NUMBER, QuestionAnalysis, token_terms

FAR = 10
"""Dependency distance standing for "not connected" (and the cap)."""

MAX_EDGES = 3
"""An entity this many edges or fewer from a question word is attached to it."""

_AGE_TERMS = frozenset({"age", "old", "aged"})

_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}")
"""A number written as a year."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed sentence, reduced to what typing reads."""

    terms: tuple[tuple[str, ...], ...]
    """Index terms of each token."""
    heads: tuple[int, ...]
    """Each token's syntactic head (the root is its own head)."""
    ents: tuple[tuple[int, int, str], ...]
    """Entities: (first token, end token, spaCy label)."""
    numeric: tuple[bool, ...]
    """Whether each token is a number ("12", "twelve")."""

    @property
    def entity_terms(self) -> frozenset[str]:
        return frozenset(t for s, e, _ in self.ents for i in range(s, e) for t in self.terms[i])


def reduce(doc: Any) -> Parsed:
    """The compact form of a spaCy ``Doc``."""
    return Parsed(
        terms=tuple(token_terms(t.text) for t in doc),
        heads=tuple(t.head.i for t in doc),
        ents=tuple((e.start, e.end, e.label_) for e in doc.ents),
        numeric=tuple(bool(t.like_num) for t in doc),
    )


def dump_parses(parses: Sequence[Parsed]) -> bytes:
    """``parses`` as JSON (saved beside the index: ``Judge.save``)."""
    rows = [[list(map(list, p.terms)), list(p.heads), [list(e) for e in p.ents], list(p.numeric)] for p in parses]
    return json.dumps(rows, separators=(",", ":")).encode("utf-8")


def load_parses(data: bytes, count: int) -> list[Parsed] | None:
    """The ``count`` parses ``dump_parses`` wrote, or None when the data is
    not that (damaged, or for other sentences): every field is checked, so
    that typing never meets a head or entity outside its sentence."""
    try:
        rows = json.loads(data.decode("utf-8"))
        if not isinstance(rows, list) or len(rows) != count:
            return None
        out = []
        for terms, heads, ents, numeric in rows:
            n = len(terms)
            if len(heads) != n or len(numeric) != n:
                return None
            if not all(isinstance(h, int) and 0 <= h < n for h in heads):
                return None
            if not all(isinstance(t, str) for token in terms for t in token):
                return None
            spans = tuple((int(a), int(b), str(label)) for a, b, label in ents)
            if not all(0 <= a < b <= n for a, b, _ in spans):
                return None
            out.append(
                Parsed(
                    terms=tuple(tuple(token) for token in terms),
                    heads=tuple(heads),
                    ents=spans,
                    numeric=tuple(bool(x) for x in numeric),
                )
            )
        return out
    except (UnicodeDecodeError, ValueError, TypeError):
        return None


def _path(heads: tuple[int, ...], i: int) -> list[int]:
    out = [i]
    while heads[out[-1]] != out[-1] and len(out) <= len(heads):
        out.append(heads[out[-1]])
    return out


def distance(p: Parsed, a: int, b: int) -> int:
    """Edges between tokens ``a`` and ``b`` in the dependency tree (``FAR``
    at most)."""
    if a == b:
        return 0
    pa = _path(p.heads, a)
    depth_b = {tok: n for n, tok in enumerate(_path(p.heads, b))}
    for n, tok in enumerate(pa):
        if tok in depth_b:
            return min(FAR, n + depth_b[tok])
    return FAR


def _span_distance(p: Parsed, span: range, targets: list[int]) -> int:
    return min((distance(p, i, j) for i in span for j in targets if j not in span), default=FAR)


@dataclass(frozen=True, slots=True)
class TypeEvidence:
    """What a candidate offers a question's expected type."""

    has_type: bool
    """It holds an entity (or, for numbers, a number) of the expected type."""
    new: bool
    """… one that the question does not already name."""
    distance: int
    """Edges from the nearest such new entity to a word of the question
    (``FAR`` when none)."""
    head_distance: int
    """Edges from it to the noun the question asks about ("spokesman",
    "children"), ``FAR`` when the sentence lacks that noun."""
    new_entities: int
    """Entities of any type in the sentence that the question does not name."""

    @property
    def attached(self) -> bool:
        return self.new and self.distance <= MAX_EDGES

    @property
    def satisfied(self) -> bool:
        """The sentence gives the kind of answer asked for, attached to what
        was asked about."""
        return self.attached


NONE = TypeEvidence(False, False, FAR, FAR, 0)


def _is_age(p: Parsed, start: int, end: int, label: str) -> bool:
    terms = {t for i in range(max(0, start - 1), min(len(p.terms), end + 1)) for t in p.terms[i]}
    if terms & _AGE_TERMS:
        return True
    # "Putin, 67, said": a bare number set off as an apposition; not a
    # year ("came to Syria in 2017"), which dates, and ages no one.
    return end - start == 1 and p.numeric[start] and not _is_year(p, start)


def _is_year(p: Parsed, i: int) -> bool:
    return bool(_YEAR.fullmatch("".join(p.terms[i])))


def evidence(q: QuestionAnalysis, p: Parsed) -> TypeEvidence:
    """How well sentence ``p`` offers what question ``q`` asks for."""
    named = q.terms | q.entity_terms
    new_entities = sum(1 for s, e, _ in p.ents if not set(t for i in range(s, e) for t in p.terms[i]) <= named)
    if not q.typed:
        return TypeEvidence(False, False, FAR, FAR, new_entities)
    labels = q.labels
    spans: list[tuple[range, bool]] = []
    for s, e, label in p.ents:
        if label not in labels or (q.answer_type == AGE and not _is_age(p, s, e, label)):
            continue
        own = {t for i in range(s, e) for t in p.terms[i]}
        spans.append((range(s, e), bool(own) and not own <= named))
    if q.answer_type in (NUMBER, AGE):
        in_ents = {i for s, e, _ in p.ents for i in range(s, e)}
        spans.extend(
            (range(i, i + 1), True)
            for i, num in enumerate(p.numeric)
            if num and i not in in_ents and not (q.answer_type == AGE and _is_year(p, i))
        )
    if not spans:
        return TypeEvidence(False, False, FAR, FAR, new_entities)
    # Tokens that carry the question's words: the subject of an age question
    # is the person named, anything else may anchor the answer.
    anchor_terms = q.entity_terms if q.answer_type == AGE and q.entity_terms else q.terms
    anchors = [i for i, ts in enumerate(p.terms) if set(ts) & anchor_terms]
    head_terms = set(token_terms(q.head)) if q.head else set()
    heads = [i for i, ts in enumerate(p.terms) if set(ts) & head_terms]
    new_spans = [span for span, new in spans if new]
    best = min((_span_distance(p, span, anchors) for span in new_spans), default=FAR)
    head_best = min((_span_distance(p, span, heads) for span in new_spans), default=FAR)
    return TypeEvidence(True, bool(new_spans), best, head_best, new_entities)
