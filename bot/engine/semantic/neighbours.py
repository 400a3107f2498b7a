"""Question words the corpus never uses, matched to the words it does use.

Readers ask in their own words: "soldiers" for the story's "troops",
"pictures" for "photos", "Tehran" for "Iran", "church" for "cathedral".
BM25 cannot see that these meet, and coverage counts such a word as
missing, so the right sentence ranks low and the answer may be declined.

The sentence-embedding model also places single words: the corpus's words
are embedded once, when the index is built (each term by the surface form
it most often has, "troops" rather than the stem "troop"), and a question
word the corpus lacks is embedded when asked and matched to its nearest
corpus words.  Those near enough (cosine ``MIN_SIMILARITY``) join the
question's terms at a weight in proportion to their similarity, and cover
part of the missing word's weight.  Unrelated words stay apart: "football"
is no nearer than 0.55 to any word of a news story about a war, and
"soldiers" is 0.89 from "troops".

Only corpora up to ``MAX_TERMS`` distinct terms are handled: the words are
embedded when the engine is built (about 1,300 a second on 2 cores), and
saved with the index's cache when there is one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.engine.semantic.encoder import SentenceEncoder
from bot.engine.text.tokens import word_term, words

if TYPE_CHECKING:
    from bot.engine.index.cache import IndexCache

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

MIN_SIMILARITY = 0.6
"""Least cosine similarity between a question word and a corpus word for the
one to stand for the other."""

MAX_NEIGHBOURS = 2
"""Corpus words that may stand for one question word."""

MAX_TERMS = 20_000
"""Largest vocabulary whose words are embedded."""

QUESTION_CACHE = 20_000
"""Question words whose vectors are kept."""


def surface_forms(n_sentences: int, sentence_text: Callable[[int], str]) -> tuple[list[str], list[str]]:
    """Each term of the sentences with the word it most often stands for
    (alphabetic words of three letters or more only): ``(terms, words)``."""
    seen: dict[str, Counter[str]] = {}
    for sid in range(n_sentences):
        for word in words(sentence_text(sid)):
            if len(word) < 3 or not word.isalpha():
                continue
            term = word_term(word)
            if term:
                seen.setdefault(term, Counter())[word] += 1
    terms = sorted(seen)
    return terms, [seen[t].most_common(1)[0][0] for t in terms]


class WordNeighbours:
    """The corpus words nearest in meaning to a question's word."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        terms: Sequence[str],
        surfaces: Sequence[str],
        matrix: Vectors | None = None,
    ) -> None:
        """``terms`` and the surface word each is embedded by; ``matrix``:
        their vectors when already known (else they are embedded here)."""
        self.encoder = encoder
        self.terms = list(terms)
        self.surfaces = list(surfaces)
        self.matrix: Vectors = encoder.encode(self.surfaces) if matrix is None else matrix
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._rows: dict[str, int] | None = None

    def rows_of(self, terms: Sequence[str]) -> list[int]:
        """Each term's row in ``matrix`` (-1 for a term not embedded)."""
        rows = self._rows
        if rows is None:
            rows = self._rows = {t: i for i, t in enumerate(self.terms)}
        return [rows.get(t, -1) for t in terms]

    def nearest(
        self, question_words: Sequence[str], min_similarity: float = MIN_SIMILARITY, limit: int = MAX_NEIGHBOURS
    ) -> dict[str, list[tuple[str, float]]]:
        """For each word, up to ``limit`` corpus terms at least
        ``min_similarity`` from it, nearest first: word -> [(term, cosine)]."""
        wanted = list(dict.fromkeys(w for w in question_words if w))
        if not wanted or not self.terms:
            return {}
        vectors = self._vectors(wanted)
        sims = vectors @ self.matrix.T
        out: dict[str, list[tuple[str, float]]] = {}
        for row, word in enumerate(wanted):
            order = np.argsort(-sims[row], kind="stable")[:limit]
            found = [(self.terms[j], float(sims[row, j])) for j in order if sims[row, j] >= min_similarity]
            if found:
                out[word] = found
        return out

    def uncached(self, question_words: Sequence[str]) -> list[str]:
        """Those of ``question_words`` whose vectors are not kept yet."""
        with self._lock:
            return [w for w in dict.fromkeys(question_words) if w and w not in self._cache]

    def remember(self, question_words: Sequence[str], vectors: Vectors) -> None:
        """Keep the words' vectors, embedded elsewhere (with the question they
        came in, one model pass for both: see ``QuestionReader.terms``)."""
        with self._lock:
            for w, vec in zip(question_words, vectors, strict=True):
                self._cache[w] = vec
                self._cache.move_to_end(w)
            while len(self._cache) > QUESTION_CACHE:
                self._cache.popitem(last=False)

    def _vectors(self, question_words: list[str]) -> Vectors:
        with self._lock:
            known = {w: self._cache[w] for w in question_words if w in self._cache}
        missing = [w for w in question_words if w not in known]
        if missing:
            fresh = self.encoder.encode(missing)
            self.remember(missing, fresh)
            known.update(zip(missing, fresh, strict=True))
        return np.stack([known[w] for w in question_words])


SURFACES = "surfaces"
"""The saved kind of a corpus's terms and surface words (``IndexCache.save_blob``)."""


def _surfaces_key(key: str) -> str:
    return hashlib.sha256(f"{key} surfaces".encode()).hexdigest()


def save_surfaces(cache: IndexCache, key: str, terms: Sequence[str], surfaces: Sequence[str]) -> None:
    """Save ``surface_forms``'s result with the index of key ``key``."""
    cache.save_blob(SURFACES, _surfaces_key(key), json.dumps([list(terms), list(surfaces)]).encode("utf-8"))


def saved_surfaces(
    cache: IndexCache | None, key: str, knows: Callable[[str], bool]
) -> tuple[list[str], list[str]] | None:
    """The corpus's terms and the word each is embedded by, as saved with
    the index (``surface_forms`` reads every sentence: 14 s at 200,000);
    None when not saved or not fitting (``knows``: the index has the term)."""
    data = cache.load_blob(SURFACES, _surfaces_key(key)) if cache is not None else None
    if data is None:
        return None
    try:
        terms, surfaces = json.loads(data.decode("utf-8"))
        fits = len(terms) == len(surfaces) and all(
            isinstance(t, str) and isinstance(w, str) and knows(t) for t, w in zip(terms, surfaces, strict=True)
        )
    except (UnicodeDecodeError, ValueError, TypeError):
        fits = False
    if not fits:
        log.warning("the saved surface words do not fit the corpus; finding them again")
        return None
    return list(terms), list(surfaces)
