"""One person per name: a corpus's mentions merged into people.

In an article, a shorter form joins the fuller name it stands for: "Putin"
(and "Putin's") joins "Vladimir Putin" when one person of the article has
that last name (or first name), else it stays apart; "Vladimir Putin"
joins an earlier "Putin" the same way.  Across articles, people with the
same full name are one, and a last name alone joins the one full name of
the corpus that ends with it.  A name that spaCy labels a place, an
organisation or a nationality more often than a person is no one.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.engine.facts.people import TITLES, Mention


def name_key(name: str) -> tuple[str, ...]:
    """A name's words, lower case, without possessives."""
    words = name.replace("\u2019", "'").split()
    return tuple(w.removesuffix("'s").strip(".,").lower() for w in words if w.strip(".,"))


@dataclass(slots=True)
class Person:
    """One person of the corpus, built up from their mentions."""

    forms: Counter[str] = field(default_factory=Counter)
    """Each written form of the name, and how often."""
    roles: dict[str, int] = field(default_factory=dict)
    """Role -> the first sentence that gives it."""
    sentences: list[int] = field(default_factory=list)
    """The sentences that name them, in order."""
    articles: set[int] = field(default_factory=set)
    counted: dict[int, Counter[str]] = field(default_factory=dict)
    """Sentence -> the forms counted in it."""

    @property
    def name(self) -> str:
        """The fullest form (most words; then the most used)."""
        return max(self.forms, key=lambda f: (len(name_key(f)), self.forms[f], -len(f)))

    @property
    def key(self) -> tuple[str, ...]:
        return name_key(self.name)

    @property
    def mentions(self) -> int:
        return sum(self.forms.values())

    def add(self, mention: Mention, sentence: int, article: int) -> None:
        self.forms[mention.name] += 1
        self.counted.setdefault(sentence, Counter())[mention.name] += 1
        for role in mention.roles:
            self.roles.setdefault(role, sentence)
        if not self.sentences or self.sentences[-1] != sentence:
            self.sentences.append(sentence)
        self.articles.add(article)

    def absorb(self, other: Person) -> None:
        self.forms.update(other.forms)
        for role, sentence in other.roles.items():
            if role not in self.roles or sentence < self.roles[role]:
                self.roles[role] = sentence
        self.sentences = sorted(set(self.sentences) | set(other.sentences))
        for sentence, forms in other.counted.items():
            self.counted.setdefault(sentence, Counter()).update(forms)
        self.articles |= other.articles


def add_last_names(
    people: Sequence[Person],
    sentences: Sequence[tuple[int, str]],
    article: int,
    alone: Sequence[tuple[int, Mention]] = (),
) -> None:
    """Count the article's mentions of a person by last name alone that
    the entity recogniser missed or called something else ("Reyes, 62,
    said", "Marsh's office"): the last name of one person of the article
    (of one only), written alone, not inside a longer name; and the roles
    the parse gives such a word (``alone``: ``Mention.alone``)."""
    last_names = Counter(p.name.split()[-1] for p in people if len(p.key) > 1)
    for person in people:
        last = person.name.split()[-1]
        if len(person.key) < 2 or last_names[last] > 1:
            continue
        for sid, mention in alone:
            if mention.name == last:
                for role in mention.roles:
                    person.roles.setdefault(role, sid)
        for sid, text in sentences:
            extra = _alone(last, text) - person.counted.get(sid, Counter())[last]
            if extra <= 0:
                continue
            person.forms[last] += extra
            person.counted.setdefault(sid, Counter())[last] += extra
            if sid not in person.sentences:
                bisect.insort(person.sentences, sid)
            person.articles.add(article)


def _alone(last: str, text: str) -> int:
    """How often ``text`` names someone by the last name ``last`` alone."""
    count = 0
    for match in re.finditer(r"(?<![\w.-])" + re.escape(last) + r"(?:['\u2019]s)?(?![\w-])", text):
        before = text[: match.start()].split()
        prev = before[-1] if before else ""
        if prev[:1].isupper() and prev[-1:].isalpha() and prev.lower() not in TITLES:
            continue  # "Elena Marsh": counted as the full name
        if re.match(r" [A-Z]", text[match.end() : match.end() + 2]):
            continue  # "Marsh Street"
        count += 1
    return count


def _stands_for(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Whether the short form ``short`` can name the person ``full``."""
    if not short or len(short) >= len(full):
        return False
    return full[-len(short) :] == short or (len(short) == 1 and full[0] == short[0])


def _join(people: list[Person], key: tuple[str, ...]) -> Person | None:
    """The one person ``key`` names among ``people``, if exactly one."""
    same = [p for p in people if p.key == key]
    if same:
        return same[0]
    found = [p for p in people if _stands_for(key, p.key)]
    last = [p for p in found if p.key[-len(key) :] == key]
    found = last or found
    return found[0] if len(found) == 1 else None


def merge_article(mentions: Sequence[tuple[int, Mention]], article: int) -> list[Person]:
    """An article's mentions ``(sentence, mention)`` as people, in order of
    first mention."""
    people: list[Person] = []
    for sentence, mention in mentions:
        if mention.alone:
            continue
        key = name_key(mention.name)
        person = _join(people, key)
        if person is None:
            shorter = [p for p in people if _stands_for(p.key, key)]
            person = shorter[0] if len(shorter) == 1 else None
        if person is None:
            person = Person()
            people.append(person)
        person.add(mention, sentence, article)
    return people


def merge_corpus(per_article: Sequence[list[Person]]) -> list[Person]:
    """Every article's people as the corpus's: the same full name is one
    person; a name of one word joins the one full name ending with it."""
    by_key: dict[tuple[str, ...], Person] = {}
    for people in per_article:
        for person in people:
            if person.key in by_key:
                by_key[person.key].absorb(person)
            else:
                by_key[person.key] = person
    out = list(by_key.values())
    for person in [p for p in out if len(p.key) == 1]:
        full = [p for p in out if p is not person and len(p.key) > 1 and p.key[-1] == person.key[0]]
        if len(full) == 1:
            full[0].absorb(person)
            out.remove(person)
    return sorted(out, key=lambda p: p.sentences[0])


def not_people(people: list[Person], labels: dict[tuple[str, ...], Counter[str]]) -> list[Person]:
    """``people`` without those whose every name is more often labelled a
    place, an organisation or a nationality than a person (``labels``: name
    key -> spaCy's labels of it over the corpus, counted)."""

    def elsewhere(form: str) -> bool:
        counts = labels.get(name_key(form), Counter())
        return sum(counts.values()) - counts["PERSON"] > counts["PERSON"]

    return [p for p in people if not all(elsewhere(f) for f in p.forms)]


def introduced(people: list[Person]) -> list[Person]:
    """``people`` without those named by one word only and given no role:
    news names a person in full at least once; a lone capitalised word the
    recogniser took for a person is more often a place ("the mayor of
    Eastbrook") or an agency."""
    return [p for p in people if len(p.key) > 1 or p.roles]
