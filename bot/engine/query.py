"""Understanding the question: a reader's words in, weighted index terms out.

The steps (``QuestionReader.terms``):

1. The question's content words become index terms (``tokens``); greetings
   inside a question ("hi, where did …") are dropped.  A question left with
   nothing, or with only chatter ("thanks!", "ok bot"), asks nothing
   (``QueryTerms.asks_nothing``).
2. Words the corpus never uses are matched to its vocabulary by edit
   distance when they look like a misspelled name ("Solemani" ->
   "soleimani").
3. Words it still lacks are matched to the corpus words nearest in meaning
   (``semantic.neighbours``; only with embeddings).
4. Related forms of each word join at a lower weight ("syrian" for "syria").
5. A follow-up borrows the earlier question's words at a lower weight.
6. With embeddings, the question is embedded, misspelled names written as
   the corpus writes them.
7. "Who is X?" about a name the corpus has notes X's terms, so that ranking
   can put the sentence that introduces X first.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.semantic.encoder import TokenRows
from bot.engine.semantic.neighbours import WordNeighbours
from bot.engine.semantic.scorer import QUESTION_TOKENS, SemanticScorer
from bot.engine.text.features import definition_subject, question_type
from bot.engine.text.tokens import PICTOGRAPHS, tokenize, without_pictographs, word_spans, word_term, words

FOLLOW_UP_WEIGHT = 0.5
"""Weight of an earlier question's words when a follow-up is asked."""

SPELLING_WEIGHT = 0.8
"""Weight of a word guessed from a misspelling."""

RELATED_WEIGHT = 0.5
"""Weight of a related form of a question's word ("syrian" for "syria")."""

MAX_SUFFIX = 3
"""Longest ending by which two related forms may differ."""

RELATED_ENDINGS = frozenset("n an ian ean ese i s es er ers ist al ic".split())
"""Endings that make a related form of a stem (as Snowball leaves them):
"syria" / "syrian", "iran" / "iranian", "europ" / "european".  Not any
three letters: "super" and "superior" or "supercar" are other words."""

SIMILAR_WEIGHT = 1.0
"""Weight of a corpus word standing for a question word the corpus lacks
(``neighbours.WordNeighbours``), times their cosine similarity."""

MAX_CORRECTED_WORDS = 8
"""Question words the corpus lacks whose spelling is corrected, at most (each
is matched against the whole vocabulary: at a million sentences a few
milliseconds a word; readers misspell a name or two, not a hundred words)."""

MAX_EXPANDED_WORDS = 20
"""Question words the corpus lacks that are looked up by meaning, at most
(each is embedded: a question of a thousand strange words must not cost a
second)."""

CHATTER = frozenset(
    tokenize(
        "hi hello hey hiya howdy yo greetings thanks thank thx ty cheers ok okay k kk lol lmao haha bye goodbye "
        "yep nope bot everyone guys folks"
    )
)
"""Greetings and acknowledgements: a message made only of these asks
nothing (it gets the help hint)."""

GREETINGS = frozenset(tokenize("hi hello hey hiya howdy thanks thank thx lol lmao haha pls plz please"))
"""Dropped from inside a question ("hi, where did …"); only words that are
never what a question is about ("folks", "OK" or "K-12" may be)."""

_OPENING = re.compile(
    r"(?:(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening))(?:\s+(?:there|bot|everyone|all|folks|guys))?"
    rf"(?:[\s,!.:;]*(?:[,!.:;]|{PICTOGRAPHS})[\s,!.:;]*|\s+(?=(?:who|whom|whose|what|where|when|why|how|which|is|are|was|were|did|does|do|can"
    r"|could|will|would|has|have|had|tell|give)\b)|\s*$))+",
    re.IGNORECASE,
)
"""A greeting that opens a question ("hey bot, who wrote this?", "hi where
did …"); not a name that begins with one ("Hello Kitty")."""
_CLOSING = re.compile(
    r"(?:(?:(?:[\s,;:-]+|(?<=[?.!]))(?:pls|plz|please)"
    rf"|(?:\s*[,;:-]\s*|(?<=[?.!])\s*|\s*{PICTOGRAPHS}+\s*)(?:thanks|thank you|thx|ty|tysm|cheers))[\s.!]*)+$",
    re.IGNORECASE,
)
"""A please, or thanks set off from the question, that closes it ("who
wrote this pls", "who wrote this? thanks"); not "Did Putin say thank you"."""
_INSISTING = re.compile(r"[?!]{2,}$")
"""Marks doubled for insistence at a question's end ("who won??", "where?!!")."""
CLOSING_REACH = 48
"""Characters at a question's end where ``_CLOSING`` is looked for."""


def plain_question(text: str) -> str:
    """``text`` without the emoji, greeting and thanks around it ("hey bot,
    who wrote this?? 🙏 thanks" -> "who wrote this?"), its end's doubled
    question or exclamation marks made one: they ask nothing, but
    the sentence embedding reads them, and a question about the article
    ("who wrote this?") is one only while every word asks about it.  A
    step that would leave nothing is not taken: a greeting alone stays (it
    gets the help hint)."""
    out = text
    for _ in range(2):  # "hi 👋 who wrote this? 🙏 thanks 😊"
        for step in (without_pictographs, _without_opening, _without_closing, _one_mark):
            taken = step(out).strip()
            if taken:  # a step that would leave nothing is not taken ("hi there")
                out = taken
    return out if out != text.strip() else text  # nothing but white space off: as asked


def _without_opening(text: str) -> str:
    opening = _OPENING.match(text)
    return text[opening.end() :] if opening else text


def _one_mark(text: str) -> str:
    """ "who won??" -> "who won?", "where?!!" -> "where?", "wow!!" -> "wow!"."""
    marks = _INSISTING.search(text)
    if marks is None:
        return text
    return text[: marks.start()] + ("?" if "?" in marks.group() else "!")


def _without_closing(text: str) -> str:
    closing = _CLOSING.search(text, max(0, len(text) - CLOSING_REACH))
    return text[: closing.start()] if closing else text


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """A question's terms with their weights in scoring and in coverage."""

    weights: dict[str, float]
    sequence: tuple[str, ...]
    """The question's own terms in order (for phrases)."""
    kind: str | None
    """The kind of answer the question wants (``features.question_type``)."""
    own: frozenset[str]
    """Terms of the question itself (not of an earlier one)."""
    corrections: dict[str, str]
    """Misspelled term -> corpus term it was taken for."""
    related: dict[str, frozenset[str]]
    """Own term -> corpus terms that are related forms of it."""
    vector: npt.NDArray[np.float32] | None = None
    """The question's sentence embedding (None without an encoder)."""
    similar: dict[str, dict[str, float]] = field(default_factory=dict)
    """Own term the corpus lacks -> corpus terms near it in meaning, with
    their cosine similarity (``neighbours.WordNeighbours``)."""
    defines: frozenset[str] = frozenset()
    """For "who is X?" about a name the corpus has: X's terms."""
    text: str = ""
    """The question as asked (the judge parses it)."""
    tokens: TokenRows | None = None
    """The embedded question's tokens, from the same model pass as ``vector``
    (the judge matches them against a candidate's)."""

    @property
    def asks_nothing(self) -> bool:
        """No content word, or only greetings and acknowledgements."""
        return not self.own or self.own <= CHATTER


class QuestionReader:
    """Turns questions into ``QueryTerms`` for one index."""

    def __init__(
        self, index: SentenceIndex, semantic: SemanticScorer | None, neighbours: WordNeighbours | None
    ) -> None:
        """``neighbours``: the corpus's words by meaning (None without
        embeddings, or for a vocabulary too large to embed)."""
        self.index = index
        self.semantic = semantic
        self.neighbours = neighbours
        self.expand_words = True
        """Match question words the corpus lacks to its words nearest in
        meaning (a switch for measuring it; only with ``neighbours``)."""
        self._sorted_vocab: list[str] | None = None
        self._names: dict[str, bool] = {}
        self._surfaces: dict[str, str | None] = {}

    def terms(self, question: str, previous: str | None = None) -> QueryTerms:
        """The question's terms: misspellings corrected, words the corpus
        lacks matched by meaning, related forms added, and an earlier
        question's terms (for a follow-up) at a lower weight.  Emoji,
        greetings, thanks and doubled marks around a question are read as
        not there (``plain_question``)."""
        question = plain_question(question)
        previous = plain_question(previous) if previous else previous
        weights: dict[str, float] = {}
        corrections: dict[str, str] = {}
        sequence: list[str] = []
        missing = self._own_terms(question, weights, corrections, sequence)
        own = frozenset(weights)
        vector, tokens = self._embed(question, previous, corrections, missing) if own else (None, None)
        similar = self._similar(missing, weights)
        related = self._related_forms(own, weights)
        if previous:
            for term in tokenize(previous):
                if self.index.knows(term):
                    weights.setdefault(term, FOLLOW_UP_WEIGHT)
        return QueryTerms(
            weights,
            tuple(sequence),
            question_type(question),
            own,
            corrections,
            related,
            vector,
            similar,
            self._defines(question, corrections),
            question,
            tokens,
        )

    def _own_terms(
        self, question: str, weights: dict[str, float], corrections: dict[str, str], sequence: list[str]
    ) -> dict[str, str]:
        """Fill ``weights``, ``corrections`` and ``sequence`` with the
        question's own terms (misspelled names corrected); returns each term
        the corpus lacks, with the word as asked."""
        found = [(t, w) for w in words(question) if (t := word_term(w))]
        if any(t not in GREETINGS for t, _ in found):
            found = [(t, w) for t, w in found if t not in GREETINGS]  # "hi, where did …": the greeting asks nothing
        missing: dict[str, str] = {}
        tried: set[str] = set()
        for term, word in found:
            if not self.index.knows(term):
                fixed = corrections.get(term)
                spelling = self.index.config.spelling
                if fixed is None and spelling and term not in tried and len(tried) < MAX_CORRECTED_WORDS:
                    tried.add(term)
                    fixed = self._correct(term)
                if fixed is not None:
                    corrections[term] = fixed
                    weights.setdefault(fixed, SPELLING_WEIGHT)
                    sequence.append(fixed)
                    continue
                missing.setdefault(term, word)
            weights[term] = 1.0
            sequence.append(term)
        return missing

    def _embed(
        self, question: str, previous: str | None, corrections: dict[str, str], missing: dict[str, str]
    ) -> tuple[npt.NDArray[np.float32] | None, TokenRows | None]:
        """The question's sentence vector and its tokens' (misspelled names
        as the corpus spells them; after the question it follows up),
        embedded in one model pass with the words the corpus lacks that
        ``_similar`` will look up: one short batch costs about as much as
        the question alone, since reading the model's weights is most of
        the cost."""
        if self.semantic is None:
            return None, None
        asked = self.spelled(question, corrections) if corrections else question
        text = f"{previous} {asked}" if previous else asked
        neighbours = self.neighbours if missing and self.expand_words else None
        words = neighbours.uncached(self._expanded(missing)) if neighbours is not None else []
        if neighbours is None or not words:
            return self.semantic.question_tokens(text)
        vectors, tokens = self.semantic.encoder.encode_tokens([text, *words], max_tokens=QUESTION_TOKENS)
        neighbours.remember(words, vectors[1:])
        vector: npt.NDArray[np.float32] = vectors[0]
        return vector, tokens[0]

    @staticmethod
    def _expanded(missing: dict[str, str]) -> list[str]:
        """The words the corpus lacks that are matched by meaning."""
        return list(missing.values())[:MAX_EXPANDED_WORDS]

    def _similar(self, missing: dict[str, str], weights: dict[str, float]) -> dict[str, dict[str, float]]:
        """For each term the corpus lacks, the corpus terms nearest it in
        meaning (added to ``weights``)."""
        similar: dict[str, dict[str, float]] = {}
        neighbours = self.neighbours if missing and self.expand_words else None
        if neighbours is not None:
            near = neighbours.nearest(self._expanded(missing))
            for term, word in missing.items():
                if near.get(word):
                    similar[term] = dict(near[word])
                    for other, sim in near[word]:
                        weights.setdefault(other, SIMILAR_WEIGHT * sim)
        return similar

    def _related_forms(self, own: frozenset[str], weights: dict[str, float]) -> dict[str, frozenset[str]]:
        """For each own term, the corpus terms that are related forms of it
        (added to ``weights``)."""
        related: dict[str, frozenset[str]] = {}
        for term in own if self.index.config.related else ():
            forms = frozenset(f for f in self._related(term) if f not in own)
            if forms:
                related[term] = forms
                for f in forms:
                    weights.setdefault(f, RELATED_WEIGHT * weights[term])
        return related

    def _defines(self, question: str, corrections: dict[str, str]) -> frozenset[str]:
        """The terms of X in "who is X?" when X is a name the corpus has."""
        subject = definition_subject(question)
        if subject is None:
            return frozenset()
        terms = [corrections.get(t, t) for t in tokenize(subject)]
        if terms and all(self.index.knows(t) and self._is_name(t) for t in terms):
            return frozenset(terms)
        return frozenset()

    def spelled(self, question: str, corrections: dict[str, str]) -> str:
        """``question`` with each misspelled word written as the corpus writes
        the word it was taken for ("Whos Qasem Solaimani?" -> "Whos Qassem
        Soleimani?"), for the sentence embedding: the model splits an unknown
        spelling into pieces that mean little, and the question would seem
        far from the sentences that answer it."""
        out: list[str] = []
        last = 0
        for start, end, term in word_spans(question):
            fixed = corrections.get(term)
            if fixed is None or start < last:
                continue
            written = self._surface(fixed)
            if written is not None:
                out += [question[last:start], written]
                last = end
        return "".join(out) + question[last:]

    def _surface(self, term: str) -> str | None:
        """``term`` as the corpus first writes it (a word of a sentence)."""
        found = self._surfaces.get(term)
        if found is None and term not in self._surfaces:
            tid = self.index.sentences.vocab.get(term)
            if tid is not None:
                docs, _ = self.index.sentences.postings(tid)
                text = self.index.sentence_text(int(docs[0])) if len(docs) else ""
                found = next((text[s:e] for s, e, t in word_spans(text) if t == term), None)
            self._surfaces[term] = found
        return found

    def _vocab(self) -> list[str]:
        if self._sorted_vocab is None:
            self._sorted_vocab = sorted(self.index.sentences.vocab)
        return self._sorted_vocab

    def _related(self, term: str) -> list[str]:
        """Corpus terms that differ from ``term`` only by a short ending
        ("syria" / "syrian", "iran" / "iranian"): Snowball keeps such
        derived words apart, readers do not."""
        if len(term) < 4 or not term.isalpha():
            return []
        vocab = self._vocab()
        out = [
            term[:n]
            for n in range(max(4, len(term) - MAX_SUFFIX), len(term))
            if term[n:] in RELATED_ENDINGS and self.index.knows(term[:n])
        ]
        i = bisect.bisect_right(vocab, term)
        while i < len(vocab) and vocab[i].startswith(term) and len(out) < 8:
            if vocab[i][len(term) :] in RELATED_ENDINGS:
                out.append(vocab[i])
            i += 1
        return out

    def _correct(self, term: str) -> str | None:
        """The corpus term that ``term`` is most likely a misspelling of.

        Names are what readers misspell and what a story's vocabulary holds
        that a reader's does not; an ordinary word the corpus lacks is far
        more often just another word ("take" is not "make").  So short words
        are only corrected to names, and a name may be two edits away when
        long."""
        if len(term) < 4 or not term.isalpha():
            return None
        max_dist = 1 if len(term) <= 7 else 2
        hits = process.extract(term, self._vocab(), scorer=Levenshtein.distance, score_cutoff=max_dist, limit=10)
        df = self.index.sentences.df
        vocab = self.index.sentences.vocab
        for cand, dist, _ in sorted(hits, key=lambda h: (h[1], -df[vocab[h[0]]])):
            cand = str(cand)
            if abs(len(cand) - len(term)) > dist or not cand.isalpha():
                continue
            if self._is_name(cand) or (len(term) >= 8 and dist == 1):
                return cand
        return None

    def _is_name(self, term: str) -> bool:
        """Is ``term`` written with a capital inside sentences (a name)?"""
        known = self._names.get(term)
        if known is not None:
            return known
        docs, _ = self.index.sentences.postings(self.index.sentences.vocab[term])
        capital = seen = 0
        for sid in docs[:5]:
            text = self.index.sentence_text(int(sid))
            for start, _end, t in word_spans(text):
                if t == term and start > 0:
                    seen += 1
                    capital += text[start].isupper()
        result = seen > 0 and capital * 2 > seen
        self._names[term] = result
        return result
