"""What a question asks for, read from its parse.

From spaCy's tags, dependencies and entities: the wh-word and the noun it
asks about ("which city", "how many children", "who … spokesman"), the kind
of answer expected (a person, an organisation, a place, a date, a number, a
quantity, money, an age of someone, a language or nationality, or other),
the focus words a sentence must speak of to answer ("favourite colour",
"breakfast", "children"), and the names the question itself gives (which a
sentence repeating them does not answer with).

Everything is matched to candidate sentences by the engine's own terms
(``tokens.tokenize``: case-folded Snowball stems), so that "children" meets
"child" and "Syria's" meets "Syria".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.engine.text.tokens import tokenize

# Expected answer types.
PERSON = "person"
ORG = "org"
WHO = "who"
"""A "who" question without a telling noun: a person, or a group of them."""
PLACE = "place"
DATE = "date"
NUMBER = "number"
QUANTITY = "quantity"
MONEY = "money"
PERCENT = "percent"
AGE = "age"
LANGUAGE = "language"
OTHER = "other"

ANSWER_TYPES = (PERSON, ORG, WHO, PLACE, DATE, NUMBER, QUANTITY, MONEY, PERCENT, AGE, LANGUAGE, OTHER)

ENTITY_LABELS: dict[str, frozenset[str]] = {
    PERSON: frozenset({"PERSON"}),
    ORG: frozenset({"ORG", "NORP"}),
    WHO: frozenset({"PERSON", "ORG", "NORP"}),
    PLACE: frozenset({"GPE", "LOC", "FAC"}),
    DATE: frozenset({"DATE", "TIME", "EVENT"}),
    NUMBER: frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"}),
    QUANTITY: frozenset({"QUANTITY", "CARDINAL", "DATE", "TIME", "MONEY", "PERCENT"}),
    MONEY: frozenset({"MONEY", "CARDINAL"}),
    PERCENT: frozenset({"PERCENT", "CARDINAL"}),
    AGE: frozenset({"DATE", "CARDINAL"}),
    LANGUAGE: frozenset({"LANGUAGE", "NORP"}),
    OTHER: frozenset(),
}
"""spaCy (OntoNotes) entity labels that can answer each type."""

_PERSON_NOUNS = frozenset(
    """person man woman men women people boy girl child son daughter father mother wife husband brother sister
    spokesman spokeswoman spokesperson president leader minister king queen prince princess emperor pope ruler
    author writer poet composer painter artist player coach actor actress singer musician founder ceo chairman
    general commander officer soldier chief director governor mayor senator judge scientist inventor architect
    teacher student professor doctor pharmacist physicist chemist mathematician philosopher explorer pilot
    captain head manager owner member candidate winner champion successor predecessor ambassador envoy official
    designer producer journalist reporter editor engineer lawyer priest bishop saint prophet hero character""".split()
)
_ORG_NOUNS = frozenset(
    """company organization organisation team group party agency university college school club band network
    newspaper firm institution army unit force body corporation business brand label channel station government
    ministry department committee council court church order movement alliance league federation union""".split()
)
_PLACE_NOUNS = frozenset(
    """place city country town state region province continent capital location area island river mountain
    village district county nation territory border site venue stadium building street port lake sea ocean
    neighborhood neighbourhood hospital airport base""".split()
)
_DATE_NOUNS = frozenset("year date day month decade century time period era season week hour age".split())
_LANGUAGE_NOUNS = frozenset("language nationality religion ethnicity faith tongue".split())
_QUANTITY_WORDS = frozenset("far long tall high big large deep wide heavy fast large small short".split())
_MONEY_WORDS = frozenset("cost costs pay paid price spend spent worth money budget fund funding earn".split())
_KIND_NOUNS = frozenset("kind type sort form variety".split())
_LIGHT_VERBS = frozenset("be do have get make go take happen say tell call".split())
_WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
_CONTENT_POS = frozenset({"NOUN", "PROPN", "ADJ", "VERB", "NUM", "ADV"})


@dataclass(frozen=True, slots=True)
class QuestionAnalysis:
    """What a question asks for."""

    text: str
    wh: str | None
    """The wh-word as asked ("who", "which", "how many", "how old", …)."""
    head: str | None
    """The noun the wh-word asks about ("city", "spokesman", "children")."""
    answer_type: str
    """One of ``ANSWER_TYPES``."""
    focus: tuple[str, ...]
    """Content words of the question that are not names (as written)."""
    focus_terms: frozenset[str]
    """The focus words' index terms."""
    entities: tuple[tuple[str, str], ...]
    """The names the question gives: (text, spaCy label)."""
    entity_terms: frozenset[str]
    """The names' index terms (proper nouns the recogniser missed included)."""
    terms: frozenset[str]
    """Index terms of the whole question."""

    @property
    def labels(self) -> frozenset[str]:
        """Entity labels that can answer it."""
        return ENTITY_LABELS[self.answer_type]

    @property
    def typed(self) -> bool:
        return self.answer_type != OTHER


@lru_cache(maxsize=50_000)
def token_terms(text: str) -> tuple[str, ...]:
    """Index terms of one token's text."""
    return tuple(tokenize(text))


def _wh_token(doc: Any) -> Any | None:
    for tok in doc:
        if tok.tag_ in _WH_TAGS or tok.lower_ in {"who", "whom", "whose", "what", "which", "where", "when", "how"}:
            return tok
    return None


def _head_noun(doc: Any, wh: Any) -> Any | None:
    """The noun a wh-word asks about."""
    if wh.dep_ in {"det", "amod", "advmod", "poss", "nummod"} and wh.head.pos_ in {"NOUN", "PROPN"}:
        return wh.head
    if wh.lower_ == "how":
        nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
        if nxt is not None and nxt.head.pos_ in {"NOUN", "PROPN"} and nxt.head.i > nxt.i:
            return nxt.head
        return None
    # "Who is the Kremlin spokesman?", "What is the capital of France?":
    # the other side of the copula.
    verb = wh.head
    if verb.lemma_ == "be" or verb.lower_ in {"is", "was", "are", "were", "'s"}:
        for child in verb.children:
            if child is not wh and child.dep_ in {"nsubj", "attr", "nsubjpass"} and child.pos_ in {"NOUN", "PROPN"}:
                return child
    # "What year did …", "Which Iranian general was killed?": the parser
    # may hang the wh-word elsewhere, but the tagger still sees the noun
    # after it, past its adjectives and compounds.
    if wh.lower_ in {"what", "which", "whose"}:
        return _noun_after(doc, wh.i + 1)
    return None


def _noun_after(doc: Any, i: int) -> Any | None:
    """The first noun from token ``i`` on, when only adjectives, numbers
    and nouns of a compound stand before it ("which Iranian military unit")."""
    while i < len(doc) and doc[i].pos_ in {"ADJ", "NUM"} | ({"NOUN"} if doc[i].dep_ == "compound" else set()):
        i += 1
    return doc[i] if i < len(doc) and doc[i].pos_ == "NOUN" else None


def _past_kind(head: Any) -> Any:
    """ "What kind of briefing", "which type of cells": the noun after
    "of" is what is asked about."""
    if head.lower_ not in _KIND_NOUNS:
        return head
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.pos_ in {"NOUN", "PROPN"}:
                    return obj
    return head


def _type_of(wh_word: str, head: str | None, doc: Any) -> str:
    words = {t.lower_ for t in doc}
    h = head.lower() if head else None
    hs = h.rstrip("s") if h else None
    if wh_word == "how old" or (h in {"age"} and wh_word in {"what", "which", "at what"}):
        return AGE
    if wh_word in {"how much"}:
        return MONEY if words & _MONEY_WORDS or h in {"money", "cost", "price"} else NUMBER
    if wh_word == "how many":
        return NUMBER
    if wh_word.startswith("how ") and wh_word[4:] in _QUANTITY_WORDS:
        return QUANTITY
    if h in {"percentage", "percent", "proportion", "share"}:
        return PERCENT
    if h in {"number", "amount", "population", "total"}:
        return NUMBER
    if wh_word == "when":
        return DATE
    if wh_word == "where":
        return PLACE
    if h is not None:
        for nouns, kind in (
            (_DATE_NOUNS, DATE),
            (_PLACE_NOUNS, PLACE),
            (_LANGUAGE_NOUNS, LANGUAGE),
            (_ORG_NOUNS, ORG),
            (_PERSON_NOUNS, PERSON),
        ):
            if h in nouns or hs in nouns:
                if kind == DATE and h == "age":
                    return AGE
                return kind
    if wh_word in {"who", "whom", "whose"}:
        return WHO
    return OTHER


def analyse(doc: Any) -> QuestionAnalysis:
    """A parsed question's analysis (``doc``: a spaCy ``Doc``)."""
    wh = _wh_token(doc)
    wh_word: str | None = None
    head = None
    if wh is not None:
        wh_word = wh.lower_
        if wh_word == "how" and wh.i + 1 < len(doc):
            nxt = doc[wh.i + 1].lower_
            if nxt in {"many", "much", "old"} or nxt in _QUANTITY_WORDS:
                wh_word = f"how {nxt}"
        elif wh.i > 0 and doc[wh.i - 1].lower_ in {"at", "in", "on"} and wh_word in {"what", "which"}:
            wh_word = f"{doc[wh.i - 1].lower_} {wh_word}"
        head = _head_noun(doc, wh)
        if head is not None:
            head = _past_kind(head)
    answer_type = _type_of(wh_word or "", head.text if head is not None else None, doc)

    # Names the question gives; not "what year" (tagged DATE), which is the
    # wh-phrase itself.
    ents = [e for e in doc.ents if not any(t.tag_ in _WH_TAGS for t in e)]
    ent_tokens = {t.i for e in ents for t in e}
    entities = tuple((e.text, e.label_) for e in ents)
    entity_terms: set[str] = set()
    for e in ents:
        entity_terms.update(tokenize(e.text))
    for tok in doc:
        # Proper nouns the recogniser missed ("wher did putn meet asad" has none).
        if tok.pos_ == "PROPN" and tok.i not in ent_tokens and (tok.i > 0 or tok.text[:1].isupper()):
            entity_terms.update(token_terms(tok.text))
    skip = {wh.i} if wh is not None else set()
    if wh is not None and wh_word and wh_word.startswith("how ") and wh.i + 1 < len(doc):
        skip.add(wh.i + 1)
    focus: list[str] = []
    for tok in doc:
        if tok.i in skip or tok.i in ent_tokens or tok.pos_ not in _CONTENT_POS or tok.is_stop:
            continue
        if tok.pos_ == "VERB" and tok.lemma_ in _LIGHT_VERBS:
            continue
        if tok.pos_ == "PROPN" and tok.text[:1].isupper():
            continue
        if not token_terms(tok.text):
            continue
        focus.append(tok.text)
    if head is not None and head.i not in ent_tokens and head.text not in focus and token_terms(head.text):
        focus.append(head.text)
    focus_terms = {t for w in focus for t in token_terms(w)} - entity_terms
    return QuestionAnalysis(
        text=doc.text,
        wh=wh_word,
        head=head.text.lower() if head is not None else None,
        answer_type=answer_type,
        focus=tuple(focus),
        focus_terms=frozenset(focus_terms),
        entities=entities,
        entity_terms=frozenset(entity_terms),
        terms=frozenset(tokenize(doc.text)),
    )
