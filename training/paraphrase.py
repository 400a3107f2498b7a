"""Training questions reworded the way readers ask: the words a question
shares with its answer sentence replaced by words of like meaning that the
sentence does not use.

SQuAD's questions were written looking at the paragraph, and mostly reuse
its words; readers ask in their own ("Where did the Russian leader fly off
to?" for "Russian President Vladimir Putin travelled to Syria").  A judge
fitted on SQuAD alone learns that a question sharing few words with a
sentence is not answered by it.  Each answerable training question is also
asked reworded: every word it shares with its gold sentence (not a name,
a number, a day, a month, …) replaced by its nearest word in meaning among
the sentence encoder's own whole-word vocabulary (cosine ``MIN_SIMILARITY``
or more, another stem, and not a word of the gold sentence); a question
with no word replaced is left out.  The labels stay the original's: the
reworded question asks the same thing.

The words' vectors are the sentence encoder's, each word embedded alone
(as ``bot/engine/semantic/neighbours.py`` places a reader's word); no other
data or model is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from bot.engine.semantic.encoder import SentenceEncoder
from bot.engine.text.tokens import term

MIN_SIMILARITY = 0.75
"""Least cosine between a word and the one that replaces it."""

CLOSED = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december one two three four five six seven eight nine ten eleven twelve
    hundred thousand million billion first second third fourth fifth last next previous north south east west
    northern southern eastern western left right red blue green yellow black white brown before after
    morning evening night spring summer autumn winter year years month months day days week weeks century
    decade most least more less many much few largest smallest biggest highest lowest oldest youngest
    early earliest late latest""".split()
)
"""Words never replaced nor used to replace: their near words differ in
what they say (Tuesday is near Monday, first near second)."""

_WORD = re.compile(r"[A-Za-z]+")
_WHOLE = re.compile(r"[a-z]{3,}")


class Paraphraser:
    """Rewords questions with the encoder's whole words (see the module)."""

    def __init__(self, encoder: SentenceEncoder, vocabulary: Iterable[str], proper: frozenset[str]) -> None:
        self.encoder = encoder
        self.words = [w for w in vocabulary if w not in CLOSED and w not in proper and term(w) is not None]
        self.terms = [term(w) for w in self.words]
        self.vectors = encoder.encode(self.words, batch_size=256)
        self.proper = proper
        self._row = {w: i for i, w in enumerate(self.words)}
        self._extra: dict[str, npt.NDArray[np.float32]] = {}

    @classmethod
    def from_encoder(cls, encoder: SentenceEncoder, texts: Iterable[str]) -> Paraphraser:
        """The encoder's whole-word vocabulary, less the words ``texts``
        mostly write with a capital inside a sentence (names)."""
        tokenizer = json.loads((encoder.model_dir / "tokenizer.json").read_text(encoding="utf-8"))
        vocabulary = [w for w in tokenizer["model"]["vocab"] if _WHOLE.fullmatch(w)]
        return cls(encoder, vocabulary, proper_words(texts))

    def vector(self, word: str) -> npt.NDArray[np.float32]:
        if word in self._row:
            return self.vectors[self._row[word]]
        if word not in self._extra:
            self._extra[word] = self.encoder.encode([word])[0]
        return self._extra[word]

    def reword(self, question: str, gold_terms: frozenset[str]) -> str | None:
        """``question`` with each word it shares with the gold sentence
        (``gold_terms``: the sentence's index terms) replaced, or None when
        no word could be."""
        out: list[str] = []
        last = 0
        changed = False
        for m in _WORD.finditer(question):
            word = m.group()
            low = word.lower()
            t = term(low)
            if (
                t is None
                or t not in gold_terms
                or low in CLOSED
                or low in self.proper
                or (word[0].isupper() and m.start() > 0)
            ):
                continue
            sims = self.vectors @ self.vector(low)
            for i in np.argsort(-sims)[:20]:
                if sims[i] < MIN_SIMILARITY:
                    break
                new = self.words[int(i)]
                if self.terms[i] != t and self.terms[i] not in gold_terms and _another_word(low, new):
                    out.append(question[last : m.start()])
                    out.append(new.capitalize() if word[0].isupper() else new)
                    last = m.end()
                    changed = True
                    break
        if not changed:
            return None
        out.append(question[last:])
        return "".join(out)


_NEGATING = ("un", "in", "im", "il", "ir", "dis", "non", "mis", "anti")


def _another_word(old: str, new: str) -> bool:
    """Whether ``new`` is another word, not ``old``'s relative by form
    ("director" for "directing", "statewide" for "state") nor its negation
    ("unsafe" for "safety")."""
    if old[:4] == new[:4]:
        return False
    return not any(new.startswith(p) and not old.startswith(p) for p in _NEGATING)


def proper_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written with a capital in most of their places inside a
    sentence (not after a full stop): names."""
    upper: dict[str, int] = {}
    seen: dict[str, int] = {}
    for text in texts:
        for m in _WORD.finditer(text):
            start = m.start()
            before = text[max(0, start - 2) : start]
            if start == 0 or "." in before or "?" in before or "!" in before:
                continue
            low = m.group().lower()
            seen[low] = seen.get(low, 0) + 1
            upper[low] = upper.get(low, 0) + m.group()[0].isupper()
    return frozenset(w for w, n in seen.items() if upper.get(w, 0) * 2 > n)
