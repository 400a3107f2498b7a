"""Questions that share a story's names and ask what it never says.

A reader asks "How old is Putin?" of a story that names Putin and never gives
his age; SQuAD's unanswerable questions are few (squad2-train-10's 348), and
its "gold paragraph taken out" lists keep the question's own article, whose
names are the question's only by chance.  Here an answerable training
question of one article is asked of another, its names replaced by that
article's own names of the same kind ("When did Beyoncé release Dangerously
in Love?" of the article on Chopin: "When did Chopin release Dangerously in
Love?"): every word of it that is a name, the article has; what it asks, it
almost never says.  Every candidate is labelled 0.

A borrowed question is dropped when the article might answer it after all:
when one of its sentences holds all the question's focus words but the
noun asked about ("born" of "What year was Chopin born?"), or when the
question asks nothing beyond its names (``maybe_answered``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE"}
)
"""spaCy (OntoNotes) labels of names; numbers and dates are left as asked."""

CHOICES = 3
"""A borrowed name is one of the article's this many most frequent of its kind."""


def names_by_label(docs: Iterable[Any]) -> dict[str, list[str]]:
    """An article's names of each kind, most frequent first (ties: first
    seen first), from its sentences' spaCy ``Doc``s."""
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ in NAME_LABELS:
                key = (ent.label_, ent.text.strip())
                counts[key] += 1
                first.setdefault(key, len(first))
    out: dict[str, list[str]] = {}
    for (label, text), _ in sorted(counts.items(), key=lambda kv: (-kv[1], first[kv[0]])):
        out.setdefault(label, []).append(text)
    return out


def borrow(question: str, entities: Sequence[tuple[str, str]], names: dict[str, list[str]], n: int) -> str | None:
    """``question`` with each of its names (``entities``: (text, label) as
    spaCy found them) replaced by one of ``names`` of the same label (the
    ``n``-th choice among ``CHOICES``); None when it names nothing, when the
    article has no name of one of its kinds, or when nothing changes."""
    asked = [(text, label) for text, label in entities if label in NAME_LABELS and text.strip()]
    if not asked:
        return None
    out = question
    for text, label in asked:
        choices = names.get(label, [])[:CHOICES]
        if not choices:
            return None
        new = choices[n % len(choices)]
        if new.lower() == text.lower() or text not in out:
            return None
        out = out.replace(text, new, 1)
    return out


def maybe_answered(focus: frozenset[str], sentences: Iterable[frozenset[str]]) -> bool:
    """Whether a sentence (its index terms) holds every focus term of the
    question (``focus``: without the noun the wh-word asks about, "year" in
    "What year was Chopin born?", which an answer rarely repeats): the
    article might answer it.  A question with no focus term asks only about
    its names, which the article has."""
    return not focus or any(focus <= terms for terms in sentences)
