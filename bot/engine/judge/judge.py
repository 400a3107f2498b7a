"""The judge: re-orders an engine's best candidates and decides whether the
best of them answers the question (with the answerability model, when
shipped: ``answerability.py``, ``cross.py``).

For one question: its parse is analysed (``question.analyse``), the top
``DEPTH`` candidates are parsed (once per sentence, kept in a bounded cache)
and typed (``answer_type.evidence``), each gets a row of features
(``features.candidate_features``), and the model (``model.JudgeModel``)
scores each: LambdaRank trees, trained to put a list's answering sentence
first, re-order the candidates; a second model (the decider, pointwise
trees) gives the probability that the first of them answers, and the
question is answered when it reaches the model's threshold.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from bot.engine.judge import answer_type
from bot.engine.judge.answer_type import Parsed, dump_parses, load_parses, reduce
from bot.engine.judge.answerability import Decider, decision_row, load_decider, rerank
from bot.engine.judge.cross import CrossModel, load_cross
from bot.engine.judge.cross_input import pair
from bot.engine.judge.features import Resolved, candidate_features, resolve
from bot.engine.judge.memo import SentenceMemo
from bot.engine.judge.model import JudgeModel, load_model
from bot.engine.judge.nlp import Pipeline, load_nlp
from bot.engine.judge.question import QuestionAnalysis, analyse
from bot.engine.judge.tokens import TokenStore, question_rows, token_columns

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.engine.query import QueryTerms

log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]

DEPTH = 12
"""Candidates the judge reads and re-orders (the engine's best ones)."""

PARSED_CACHE = 20_000
"""Parsed sentences kept (about 1 KB each)."""

QUESTION_CACHE = 2_000
"""Analysed questions kept."""

DECIDES = False
"""Whether the judge's own decider decides between answering and declining
when the answerability model is not there (with it, its decider decides:
``answerability.py``).  Off: trained on SQuAD, the judge's decider's
threshold declines 38% of the story set's answerable questions
(paraphrases, which SQuAD's questions rarely are; see benchmarks/README.md),
so the engine's own rule (``Ranker.confident``) decides, applied to the
judge's first candidate.  ``Verdict.answered`` is still computed, for
measuring."""

SAVED_KIND = "parses"
"""The saved parses' kind in the index cache."""

SAVED_TOKENS = "tokens"
"""The saved token states' kind in the index cache (``tokens.TokenStore``)."""


@functools.cache
def _reduce_code() -> bytes:
    """What a saved parse depends on besides the text and the parser (the
    index key covers the tokenizer)."""
    return Path(str(answer_type.__file__)).read_bytes()


EAGER_PARSE = 1_000
"""Up to this many sentences, all are parsed when the judge is made (in the
engine builder's thread: the story's 17 sentences take a fraction of a second),
or loaded when saved with the index, so that no reader's question waits
for a parse."""

WARM_PARSE = PARSED_CACHE
"""Up to this many sentences (all the cache keeps), the warm-up parses every
sentence while the service is idle, and saves the parses with the index:
at SQuAD dev's size (10,200 sentences) a question otherwise parses its 12
candidates, about 100 ms of its 140."""

IDLE_POLL_SECONDS = 0.02
"""How often ``parse_rest`` looks again whether the service is idle."""


@dataclass(frozen=True, slots=True)
class Verdict:
    ids: npt.NDArray[np.int64]
    """The candidates, best first by the judge."""
    probabilities: npt.NDArray[np.float64]
    """Each one's probability of answering, in the same order."""
    answered: bool
    """Whether the best one answers (its answer probability, the model's
    decider's, reaches the threshold)."""
    answer_probability: float = 0.0
    """That probability."""


@dataclass(frozen=True, slots=True)
class Answerability:
    """The answerability model and its decider (``answerability.py``)."""

    model: CrossModel
    decider: Decider


_ANSWERABILITY: dict[str, Answerability | None] = {}
_ANSWERABILITY_LOCK = threading.Lock()


def load_answerability(encoder: object) -> Answerability | None:
    """The answerability model and decider over ``encoder`` (loaded once a
    process per encoder: every server's judge shares them), or None when
    either is missing (logged once)."""
    from bot.engine.semantic.encoder import SentenceEncoder

    if not isinstance(encoder, SentenceEncoder):
        return None
    key = f"{id(encoder)} {encoder.identity}"
    with _ANSWERABILITY_LOCK:
        if key not in _ANSWERABILITY:
            decider = load_decider()
            model = load_cross(encoder) if decider is not None else None
            _ANSWERABILITY[key] = Answerability(model, decider) if model is not None and decider else None
        return _ANSWERABILITY[key]


class Judge:
    """Judges candidates of one engine (its sentence ids key the cache)."""

    def __init__(self, engine: Engine, pipeline: Pipeline, model: JudgeModel, depth: int = DEPTH) -> None:
        self.engine = engine
        self.pipeline = pipeline
        self.model = model
        self.depth = depth
        self.answerability: Answerability | None = None
        """The answerability model and its decider: with them the judge
        decides (``decides``), without them ``DECIDES`` says."""
        self.decides = DECIDES
        """See ``DECIDES``."""
        self.parses: SentenceMemo[Parsed] = SentenceMemo(self._parse, PARSED_CACHE)
        """Each sentence's parse (lent another engine's, see ``make_judge``)."""
        self._questions: OrderedDict[str, QuestionAnalysis] = OrderedDict()
        self._lock = threading.Lock()
        self.tokens: TokenStore | None = None
        """Each sentence's token states, when the model reads them and the
        corpus is small enough to keep them (``WARM_PARSE``)."""
        semantic, projection = engine.semantic, model.projection
        if (
            projection is not None
            and semantic is not None
            and semantic.encoder.dim == projection.shape[0]
            and engine.index.n_sentences <= WARM_PARSE
        ):
            self.tokens = TokenStore(semantic.encoder, projection, PARSED_CACHE)

    def analysis(self, question: str) -> QuestionAnalysis:
        with self._lock:
            found = self._questions.get(question)
            if found is not None:
                self._questions.move_to_end(question)
                return found
        found = analyse(self.pipeline.parse(question))
        with self._lock:
            self._questions[question] = found
            if len(self._questions) > QUESTION_CACHE:
                self._questions.popitem(last=False)
        return found

    def _parse(self, texts: list[str]) -> list[Parsed]:
        return [reduce(doc) for doc in self.pipeline.parse_many(texts)]

    def known(self) -> dict[str, Parsed]:
        """Sentence text -> parse, for every sentence parsed and cached (a
        parse depends on the text alone: another engine may reuse it)."""
        return self.parses.known(self.engine.index.sentence_text)

    def parsed(
        self, ids: Sequence[int] | range | npt.NDArray[np.int64], known: dict[str, Parsed] | None = None
    ) -> list[Parsed]:
        """Each sentence's parse, parsing together those not cached (nor in
        ``known``, or else lent, by their text)."""
        return self.parses.get(ids, self.engine.index.sentence_text, known)

    def parse_rest(self, batch: int = 8, idle: Callable[[], bool] | None = None) -> None:
        """Parse the sentences not parsed yet, a few at a time (a question's
        own parse waits for one batch at most), each batch once ``idle()``
        says nothing else is being done, and save them all with the index;
        nothing above ``WARM_PARSE`` sentences (parsed when questions need
        them)."""
        n = self.engine.index.n_sentences
        if n > WARM_PARSE or self.complete():
            return
        for start in range(0, n, batch):
            while idle is not None and not idle():
                time.sleep(IDLE_POLL_SECONDS)
            self.parsed(range(start, min(n, start + batch)))
            if self.tokens is not None:
                self.tokens.rows(range(start, min(n, start + batch)), self.engine.index.sentence_text)
        self.save()

    def complete(self) -> bool:
        """Whether every sentence's parse (and token states) are kept."""
        n = self.engine.index.n_sentences
        return len(self.parses) == n and (self.tokens is None or len(self.tokens) == n)

    # -- saved with the index ----------------------------------------------------

    def _saved_key(self) -> str | None:
        key = self.engine.cache_key
        if key is None:
            return None
        h = hashlib.sha256(f"{key} {self.pipeline.name}".encode())
        h.update(_reduce_code())
        return h.hexdigest()

    def save(self) -> bool:
        """Save every sentence's parse beside the index (a small corpus,
        all parsed; a cache): a restart then loads them instead of parsing
        again (a server's first question would wait for its own
        sentences' parses)."""
        cache, key = self.engine.cache, self._saved_key()
        n = self.engine.index.n_sentences
        if cache is None or key is None or n > WARM_PARSE:
            return False
        parses = self.parses.ordered(n)
        if parses is None:
            return False
        cache.save_blob(SAVED_KIND, key, dump_parses(parses))
        blob = self.tokens.dump(n) if self.tokens is not None else None
        if blob is not None:
            cache.save_blob(SAVED_TOKENS, self._tokens_key(key), blob)
        return True

    def _tokens_key(self, key: str) -> str:
        """The saved token states' key: the index's, the encoder's and the projection's."""
        projection = self.model.projection
        encoder = self.tokens.encoder if self.tokens is not None else None
        h = hashlib.sha256(f"{key} {encoder.identity if encoder is not None else None}".encode())
        h.update(projection.tobytes() if projection is not None else b"")
        return h.hexdigest()

    def load_saved(self) -> bool:
        """Take every sentence's parse from the cache, when saved there."""
        cache, key = self.engine.cache, self._saved_key()
        n = self.engine.index.n_sentences
        if cache is None or key is None or n > WARM_PARSE:
            return False
        data = cache.load_blob(SAVED_KIND, key)
        if data is None:
            return False
        parses = load_parses(data, n)
        if parses is None:
            log.warning("the saved parses do not fit the corpus; parsing again")
            return False
        self.parses.update(enumerate(parses))
        saved = cache.load_blob(SAVED_TOKENS, self._tokens_key(key)) if self.tokens is not None else None
        if self.tokens is not None and saved is not None and not self.tokens.load(saved, n):
            log.warning("the saved token states do not fit the corpus; computing them again")
        return True

    def resolved(self, question: str, q: QueryTerms) -> Resolved:
        return resolve(self.analysis(question), q)

    def features(
        self,
        question: str,
        q: QueryTerms,
        ids: Sequence[int] | npt.NDArray[np.int64],
        scores: Sequence[float] | npt.NDArray[np.float64],
        knows: Callable[[str], bool] | None = None,
    ) -> npt.NDArray[np.float64]:
        """Feature rows of candidates ``ids`` (the engine's order, its scores;
        ``knows``: see ``candidate_features``)."""
        engine = self.engine
        cosines = near = None
        if engine.semantic is not None and q.vector is not None and len(ids):
            cosines = engine.semantic.similarities(q.vector, [int(s) for s in ids]).astype(np.float64).tolist()
            near = self._neighbour_cosines(q, ids)
        return candidate_features(
            engine, self.resolved(question, q), q, ids, scores, self.parsed(ids), cosines, near, knows
        )

    def token_columns(
        self, q: QueryTerms, ids: Sequence[int] | npt.NDArray[np.int64]
    ) -> npt.NDArray[np.float64] | None:
        """``tokens.TOKEN_FEATURES`` of candidates ``ids``, or None when the
        token states are not kept (the plain order is used then)."""
        if self.tokens is None or q.tokens is None:
            return None
        rows = self.tokens.rows([int(s) for s in ids], self.engine.index.sentence_text)
        return token_columns(question_rows(q.tokens, self.tokens.projection), rows)

    def _neighbour_cosines(self, q: QueryTerms, ids: Sequence[int] | npt.NDArray[np.int64]) -> list[float]:
        """Each candidate's best cosine to the question among the sentences
        before and after it in its paragraph (0 for a paragraph of one, and
        for a neighbour whose vector is not at hand: before a large
        corpus's vectors are built, no sentence is embedded for this)."""
        para = self.engine.index.sent_para
        n = len(para)
        around = {int(s): [j for j in (int(s) - 1, int(s) + 1) if 0 <= j < n and para[j] == para[int(s)]] for s in ids}
        wanted = sorted({j for js in around.values() for j in js})
        if not wanted or self.engine.semantic is None or q.vector is None:
            return [0.0] * len(ids)
        sims = self.engine.semantic.known_similarities(q.vector, wanted)
        return [max((sims[j] for j in around[int(s)] if j in sims), default=0.0) for s in ids]

    def judge(
        self, question: str, q: QueryTerms, ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]
    ) -> Verdict:
        """The first ``depth`` candidates re-ordered, and the decision."""
        if len(ids) == 0:
            return Verdict(ids, np.zeros(0), False)
        ranked, probs, answers, threshold = self.ordered(question, q, ids, scores)
        if self.answerability is not None:
            return self._answerable(q, ranked, probs, answers)
        return Verdict(ranked, probs, float(answers[0]) >= threshold, float(answers[0]))

    def ordered(
        self, question: str, q: QueryTerms, ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int64], Floats, Floats, float]:
        """The candidates with the first ``depth`` in the judge's order; those
        ones' probabilities and answer probabilities (its decider's), in that
        order; and the decider's threshold."""
        head = ids[: self.depth]
        x = self.features(question, q, head, scores[: self.depth])
        matched = self.token_columns(q, head)
        # With the token states the model reads them, order and decider;
        # without them its plain order and that order's decider decide.
        model, rows = self.model, x
        if matched is not None:
            rows = np.hstack([x, matched])
        else:
            model = self.model.plain or self.model
        probs = model.probabilities(rows)
        order = np.lexsort((np.arange(len(head)), -probs))
        ranked = np.concatenate([head[order], ids[self.depth :]]).astype(np.int64)
        return ranked, probs[order], model.answer_probabilities(rows[order]), model.threshold

    def candidate_text(self, sentence: int) -> str:
        """What the answerability model reads of a candidate: the sentence,
        its article's title, the sentence before it in its paragraph."""
        idx = self.engine.index
        before = idx.sentence_text(sentence - 1) if idx.position_in_paragraph(sentence) > 0 else None
        return pair(idx.sentence_text(sentence), before, idx.article_of(sentence).title)

    def _answerable(self, q: QueryTerms, ranked: npt.NDArray[np.int64], probs: Floats, answers: Floats) -> Verdict:
        """The verdict with the answerability model: its log-odds of the
        judge's first candidates re-order them, and the decider decides."""
        assert self.answerability is not None
        cross, decider = self.answerability.model, self.answerability.decider
        depth = min(decider.depth, len(probs))
        head = ranked[:depth]
        logits = cross.logits(q.text, [self.candidate_text(int(s)) for s in head])
        order = rerank(probs[:depth], logits, decider.rerank)
        first = int(head[order[0]])
        row = decision_row(logits[order], self.engine.confidence(first, q))
        p = decider.probability(row)
        ids = np.concatenate([head[order], ranked[depth:]]).astype(np.int64)
        # The judge's probabilities stay the scores, in the new order: the
        # re-ordered ones take the best of them, so scores still fall.
        scores = np.concatenate([np.sort(probs[:depth])[::-1], probs[depth:]])
        return Verdict(ids, scores, p >= decider.threshold, p)


def make_judge(engine: Engine, depth: int = DEPTH, lend: Judge | None = None) -> Judge | None:
    """A judge for ``engine``, or None when spaCy's model or the judge's
    parameters are not available (logged), or the engine has no sentence
    embeddings (the judge was trained with them).  A small corpus's
    parses are loaded when they were saved with its index; else its
    sentences are parsed now (and saved); with ``lend`` (the shared engine,
    for a server's engine; the engine replaced, for a reload) its parses
    are reused and the rest parsed when a question first needs them, so
    that a server's first question waits for a few of its own sentences'
    parses, not for every sentence's (``parse_rest`` parses the rest when
    the service is idle, and saves them all)."""
    if engine.semantic is None:
        return None
    model = load_model()
    if model is None:
        return None
    pipeline = load_nlp()
    if pipeline is None:
        return None
    judge = Judge(engine, pipeline, model, depth)
    judge.answerability = load_answerability(engine.semantic.encoder)
    judge.decides = judge.decides or judge.answerability is not None
    n = engine.index.n_sentences
    if judge.load_saved():
        if judge.tokens is not None and len(judge.tokens) < n <= EAGER_PARSE:
            judge.tokens.rows(range(n), engine.index.sentence_text)
            judge.save()
        return judge
    if lend is not None:
        judge.parses.lent = lend.known()
        if judge.tokens is not None and lend.tokens is not None:
            judge.tokens.lend(lend.tokens.known(lend.engine.index.sentence_text))
    elif n <= EAGER_PARSE:
        judge.parsed(range(n))
        if judge.tokens is not None:
            judge.tokens.rows(range(n), engine.index.sentence_text)
        judge.save()
    return judge
