"""People named in a sentence, read from spaCy's parse: each mention's name
and the roles the sentence gives it.

A mention is a ``PERSON`` entity whose words look like a name (capitalised,
not an acronym, not a nationality or a title alone) and that names someone
rather than modifying a thing ("the Porthaven lighthouse").  Its roles:

* the title before the name: the words that modify it in the parse
  ("Kremlin spokesman Dmitry Peskov", "Revolutionary Guard General Qassem
  Soleimani", "President Bashar Assad"), ending in a noun or a title;
* an apposition, after the name ("Dmitry Peskov, the Kremlin spokesman,")
  or before it ("The keeper of the lighthouse, Tomas Reyes,"), without its
  relative clauses and its article; an age ("Reyes, 62,") is not a role.

Nothing here is tuned to one story: the rules read the parse only, and the
titles below are ordinary English.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TITLES = frozenset(
    """president vice prime minister premier chancellor secretary general gen. lt. col. colonel major maj. captain
    capt. sgt. sergeant admiral adm. commander marshal senator sen. representative rep. congressman congresswoman
    governor gov. mayor judge justice chief king queen prince princess emperor sheikh pope cardinal bishop
    archbishop rev. reverend father rabbi imam ayatollah dr. doctor professor prof. mr. mrs. ms. miss sir dame lord
    lady ambassador director chairman chairwoman chair ceo coach officer inspector detective sheriff speaker
    spokesman spokeswoman spokesperson commissioner superintendent dean provost councillor councilor councilman
    councilwoman alderman magistrate attorney prosecutor treasurer auditor deputy lieutenant corporal trustee
    chairperson principal headmaster headteacher president-elect""".split()
)
"""Words that are a title when capitalised before a name."""

NOT_NAMES = frozenset(
    """the a an he she they it his her their this that today monday tuesday wednesday thursday friday saturday
    sunday january february march april may june july august september october november december god""".split()
)
"""Words a PERSON entity of one word is never."""

_PARTICLES = frozenset({"al", "al-", "bin", "ibn", "de", "da", "del", "der", "di", "du", "la", "le", "van", "von"})
_DROP_CHILDREN = frozenset({"relcl", "acl", "punct", "appos", "cc", "conj", "advcl", "prep_by"})
_NOT_ROLE_ENTS = frozenset({"PERSON", "DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
MAX_ROLE_WORDS = 10


@dataclass(frozen=True, slots=True)
class Mention:
    """A person named in one sentence."""

    name: str
    """As written, without a possessive ("Putin" in "Putin's")."""
    roles: tuple[str, ...]
    """The roles this sentence gives them."""
    alone: bool = False
    """A capitalised word the recogniser did not call a person, given a
    role in apposition ("Nand, a soil scientist,"): a role for whoever of
    the article has that last name (``names.add_last_names``), not a
    person by itself."""


def mentions(doc: Any) -> list[Mention]:
    """The people ``doc`` (a spaCy ``Doc`` of one sentence) names, in order."""
    out = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        tokens = list(ent)
        titled = []
        while len(tokens) > 1 and tokens[0].text.lower() in TITLES:
            titled.append(tokens.pop(0))
        while tokens and (tokens[-1].is_punct or tokens[-1].text.lower() in ("'s", "\u2019s", "'", "\u2019")):
            tokens.pop()
        if not tokens or not _looks_like_a_name(tokens) or _modifies_a_thing(ent):
            continue
        name = doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)]
        found = (_title(doc, ent, tokens, titled), *_appositions(ent.root, ent.start, ent.end), _named_as(ent.root))
        out.append(Mention(name, tuple(dict.fromkeys(r for r in found if r))))
    for token in doc:
        if token.pos_ == "PROPN" and token.ent_type_ != "PERSON" and token.text[:1].isupper():
            roles = tuple(dict.fromkeys(_appositions(token, token.i, token.i + 1)))
            if roles:
                out.append(Mention(token.text, roles, alone=True))
    return out


def _looks_like_a_name(tokens: list[Any]) -> bool:
    words = [t.text for t in tokens if t.text.lower() not in _PARTICLES]
    if not words or len(tokens) > 5:
        return False
    if any(not (w[:1].isupper() and any(c.isalpha() for c in w)) for w in words):
        return False
    if len(words) == 1:
        word = words[0].rstrip(".")
        if word.lower() in NOT_NAMES or word.lower() in TITLES or (word.isupper() and len(word) > 1):
            return False
    return all(t.ent_type_ == "PERSON" for t in tokens)


def _modifies_a_thing(ent: Any) -> bool:
    """Whether the name only modifies a thing ("the Porthaven lighthouse")."""
    root = ent.root
    head = root.head
    return root.dep_ in ("compound", "amod", "nmod") and head.i >= ent.end and head.pos_ == "NOUN"


def _title(doc: Any, ent: Any, tokens: list[Any], titled: list[Any]) -> str | None:
    """The words before the name that modify it ("Kremlin spokesman")."""
    inside = {t.i for t in tokens} | {t.i for t in titled}
    taken: list[Any] = []
    i = ent.start - 1
    while i >= 0:
        t = doc[i]
        if t.dep_ not in ("compound", "amod", "nmod", "npadvmod") or t.head.i not in inside or t.is_punct:
            break
        if t.ent_type_ in _NOT_ROLE_ENTS or t.pos_ not in ("NOUN", "PROPN", "ADJ"):
            break
        taken.insert(0, t)
        inside.add(t.i)
        i -= 1
    words = taken + titled
    if not words:
        return None
    last = words[-1]
    if last.pos_ == "ADJ" or (last.pos_ == "PROPN" and last.text.lower() not in TITLES):
        return None
    return _text(words)


def _named_as(root: Any) -> str | None:
    """ "named Irena Kowalczyk as its music director": the role after "as"."""
    if root.dep_ not in ("dobj", "nsubjpass", "oprd"):
        return None
    for prep in root.head.children:
        if prep.dep_ == "prep" and prep.text.lower() == "as":
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    return _noun_phrase(pobj, exclude=set())
    return None


def _appositions(root: Any, start: int, end: int) -> Iterable[str]:
    """Roles in apposition to the name (``root``, its words ``start`` to
    ``end``), after it or before it."""
    for child in root.children:
        if child.dep_ == "appos" and child.i >= end:
            role = _noun_phrase(child, exclude=set())
            if role:
                yield role
    if root.dep_ == "appos" and root.head.i < start:
        head = root.head
        if head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.head.pos_ == "NOUN":
            head = head.head.head  # "The mayor of Eastbrook, Carla Duval,": the parse hangs her on Eastbrook
        role = _noun_phrase(head, exclude={t.i for t in root.subtree})
        if role:
            yield role


def _noun_phrase(head: Any, exclude: set[int]) -> str | None:
    """``head``'s phrase, without clauses, punctuation, its article, and
    ``exclude``; None unless it is a common noun's (or a title's)."""
    if head.ent_type_ in _NOT_ROLE_ENTS or head.pos_ == "NUM":
        return None
    if head.pos_ != "NOUN" and not (head.pos_ == "PROPN" and head.text.lower() in TITLES):
        return None
    dropped = set(exclude)
    for child in head.children:
        if child.dep_ in _DROP_CHILDREN:
            dropped.update(t.i for t in child.subtree)
    words = [t for t in head.subtree if t.i not in dropped]
    while words and (
        words[0].dep_ == "det" or words[0].is_punct or (words[0].dep_ == "poss" and words[0].pos_ == "PRON")
    ):
        words.pop(0)
    while words and words[-1].is_punct:
        words.pop()
    if not words or len(words) > MAX_ROLE_WORDS:
        return None
    if any(b.i - a.i > 1 for a, b in itertools.pairwise(words)):
        return None  # not one stretch of the sentence
    return _text(words)


def _text(words: list[Any]) -> str:
    return "".join(t.text_with_ws for t in words).strip()
