"""Who's who and the timeline of one index: built once, saved with it.

``facts_for(engine)`` loads them from the index cache when saved there for
this index (and this code and parser), else builds and saves them.  The
build parses, with the judge's pipeline (``judge/nlp.py``), only the
sentences that name a person: the judge's own saved parses say which when
it has them all (its ``PERSON`` entities), else every sentence with a
capitalised word past its first.  A sentence text met twice is parsed once.
Without spaCy's model there are no people; the timeline needs no parse.

After that, a listing is a filter and a sort of what was built: no parse,
no search.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from bot.engine.facts.names import (
    Person,
    add_last_names,
    introduced,
    merge_article,
    merge_corpus,
    name_key,
    not_people,
)
from bot.engine.facts.people import Mention, mentions
from bot.engine.facts.timeline import Event, find_events, in_time_order
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.judge.nlp import Pipeline, load_nlp

if TYPE_CHECKING:
    from bot.engine.engine import Engine

log = logging.getLogger(__name__)

SAVED_KIND = "facts"
FORMAT = 1
CHUNK = 64
"""Sentences parsed at a time: bounds the memory the parses hold, and how
long a question's own parse waits for the pipeline (shared with the judge,
one parse at a time) while the facts are built."""
_CAPITAL_PAST_START = re.compile(r"(?<=\s)[A-Z][a-z]")
_OTHER_LABELS = ("GPE", "ORG", "NORP", "LOC", "FAC")


@dataclass(frozen=True, slots=True)
class PersonFact:
    """One person of the corpus (or of one article of it)."""

    name: str
    aliases: tuple[str, ...]
    """The other forms of the name written ("Putin")."""
    roles: tuple[tuple[str, int], ...]
    """Each role and the first sentence that gives it."""
    sentences: tuple[int, ...]
    """Every sentence that names them, in order."""
    mentions: int

    @property
    def quote(self) -> int:
        """The sentence to quote for them: their first role's, else their
        first mention."""
        return self.roles[0][1] if self.roles else self.sentences[0]


def _fact(person: Person) -> PersonFact:
    name = person.name
    aliases = tuple(sorted((f for f in person.forms if f != name), key=lambda f: -person.forms[f]))
    roles = sorted(person.roles.items(), key=lambda r: r[1])
    kept = [r for r in roles if not any(o != r[0] and o.lower().endswith(" " + r[0].lower()) for o, _ in roles)]
    return PersonFact(name, aliases, tuple(kept), tuple(person.sentences), person.mentions)


class Facts:
    """An index's people and dated events."""

    def __init__(
        self, people: Sequence[PersonFact], events: Sequence[Event], sent_article: npt.NDArray[np.integer[Any]]
    ) -> None:
        self._people = list(people)
        self._events = list(events)
        self._article_of = sent_article
        self._by_mentions = sorted(self._people, key=lambda p: (-p.mentions, p.sentences[0]))
        self._by_name: dict[tuple[str, ...], PersonFact] = {}
        for person in self._people:
            for form in (person.name, *person.aliases):
                self._by_name.setdefault(name_key(form), person)

    def people(self, article: int | None = None, by: str = "first") -> list[PersonFact]:
        """The people, in order of first mention (``by="mentions"``: most
        named first); ``article``: those that article names, with its roles
        and sentences only."""
        listed = self._by_mentions if by == "mentions" else self._people
        if article is None:
            return list(listed)
        out = [p for p in (self._within(p, article) for p in listed) if p is not None]
        return sorted(out, key=lambda p: (-p.mentions, p.sentences[0])) if by == "mentions" else out

    def _within(self, person: PersonFact, article: int) -> PersonFact | None:
        here = tuple(s for s in person.sentences if int(self._article_of[s]) == article)
        if not here:
            return None
        roles = tuple(r for r in person.roles if int(self._article_of[r[1]]) == article)
        return PersonFact(person.name, person.aliases, roles, here, len(here))

    def person(self, name: str) -> PersonFact | None:
        """The person called ``name`` (any of their names, any case)."""
        return self._by_name.get(name_key(name))

    def timeline(self, article: int | None = None) -> list[Event]:
        """The dated events in time order (``timeline.in_time_order``)."""
        return list(self._events) if article is None else [e for e in self._events if e.article == article]

    def dump(self) -> bytes:
        people = [
            [p.name, list(p.aliases), [list(r) for r in p.roles], list(p.sentences), p.mentions] for p in self._people
        ]
        events = [[e.sentence, e.article, e.when, e.date, e.relative] for e in self._events]
        return json.dumps({"format": FORMAT, "people": people, "events": events}).encode("utf-8")

    @classmethod
    def load(cls, data: bytes, index: SentenceIndex) -> Facts | None:
        """What ``dump`` wrote, or None when it does not fit ``index``."""
        try:
            saved = json.loads(data.decode("utf-8"))
            if saved.get("format") != FORMAT:
                return None
            people = [
                PersonFact(n, tuple(a), tuple((str(r), int(s)) for r, s in roles), tuple(map(int, ss)), int(m))
                for n, a, roles, ss, m in saved["people"]
            ]
            events = [Event(int(s), int(a), str(w), d, bool(r)) for s, a, w, d, r in saved["events"]]
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            return None
        n = index.n_sentences
        sids = [s for p in people for s in p.sentences] + [s for p in people for _, s in p.roles]
        if any(not 0 <= s < n for s in sids) or any(not 0 <= e.sentence < n for e in events):
            return None
        return cls(people, events, index.sent_article)


def build_facts(
    index: SentenceIndex, pipeline: Pipeline | None, person_sentences: Iterable[int] | None = None
) -> Facts:
    """The facts of ``index``: its people (parsing ``person_sentences``, by
    default every sentence that may name someone) and its dated events."""
    article_of = index.sent_article
    events = find_events(index.n_sentences, index.sentence_text, lambda s: int(article_of[s]), index.articles)
    events = in_time_order(events, index.articles)
    if pipeline is None:
        return Facts([], events, article_of)
    if person_sentences is None:
        person_sentences = [s for s in range(index.n_sentences) if _CAPITAL_PAST_START.search(index.sentence_text(s))]
    found, labels = _read_people(index, pipeline, list(person_sentences))
    per_article: dict[int, list[tuple[int, Mention]]] = {}
    for sid, mention in found:
        per_article.setdefault(int(article_of[sid]), []).append((sid, mention))
    merged = []
    for a_idx, found_here in sorted(per_article.items()):
        people_here = merge_article(found_here, a_idx)
        alone = [(sid, m) for sid, m in found_here if m.alone]
        add_last_names(people_here, _sentences_of(index, a_idx), a_idx, alone)
        merged.append(people_here)
    people = introduced(not_people(merge_corpus(merged), labels))
    authors = {name_key(name) for article in index.articles for name in article.authors}
    return Facts([_fact(p) for p in people if p.key not in authors], events, article_of)


def _sentences_of(index: SentenceIndex, article: int) -> list[tuple[int, str]]:
    """(id, text) of each sentence of ``article``."""
    ids = np.flatnonzero(index.sent_article == article)
    return [(int(s), index.sentence_text(int(s))) for s in ids]


def _read_people(
    index: SentenceIndex, pipeline: Pipeline, sids: list[int]
) -> tuple[list[tuple[int, Mention]], dict[tuple[str, ...], Counter[str]]]:
    """Each sentence's mentions, and the labels spaCy gave every name."""
    found: list[tuple[int, Mention]] = []
    labels: dict[tuple[str, ...], Counter[str]] = {}
    read: dict[str, list[Mention]] = {}
    for start in range(0, len(sids), CHUNK):
        chunk = sids[start : start + CHUNK]
        texts = list(dict.fromkeys(t for t in (index.sentence_text(s) for s in chunk) if t not in read))
        for text, doc in zip(texts, pipeline.parse_many(texts), strict=True):
            read[text] = mentions(doc)
            for ent in doc.ents:
                if ent.label_ == "PERSON" or ent.label_ in _OTHER_LABELS:
                    labels.setdefault(name_key(ent.text), Counter())[ent.label_] += 1
        found += [(s, m) for s in chunk for m in read[index.sentence_text(s)]]
    return found, labels


@functools.cache
def _code_digest() -> str:
    """A digest of this package's code (what the saved facts depend on)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _judged_person_sentences(engine: Engine) -> list[int] | None:
    """The sentences the judge's parses give a ``PERSON``, when it has
    parsed them all (else None)."""
    judge = engine.judge
    parses = judge.parses.ordered(engine.n_sentences) if judge is not None else None
    if parses is None:
        return None
    return [s for s, p in enumerate(parses) if any(label == "PERSON" for _, _, label in p.ents)]


def facts_for(engine: Engine, pipeline: Pipeline | Any | None = ...) -> Facts:
    """``engine``'s facts, from its cache when saved there, else built (and
    saved).  ``pipeline``: spaCy's (default: the judge's, when installed)."""
    nlp: Pipeline | None = load_nlp() if pipeline is ... else pipeline
    cache, key = engine.cache, engine.cache_key
    saved_key = ""
    if cache is not None and key is not None:
        parser = nlp.name if nlp is not None else "none"
        saved_key = hashlib.sha256(f"{key} {parser} {_code_digest()}".encode()).hexdigest()
        data = cache.load_blob(SAVED_KIND, saved_key)
        loaded = Facts.load(data, engine.index) if data is not None else None
        if loaded is not None:
            return loaded
    facts = build_facts(engine.index, nlp, _judged_person_sentences(engine) if nlp is not None else None)
    if cache is not None and saved_key:
        cache.save_blob(SAVED_KIND, saved_key, facts.dump())
    return facts
