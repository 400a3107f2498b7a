"""Questions about the article itself, answered from its title, byline and
lead rather than from its sentences: "who wrote this?", "which outlet
published it?", "when was it published?", "what's the headline?", "what is
the story about?".

A question is about the article when each of its words is one of those
below or a word of the article's publisher or authors; naming the publisher
or an author, it may hold one more word, which the corpus never uses.  A
question with a word of the story's content ("who wrote about Putin?") is
about the content.
"""

from __future__ import annotations

import re

import numpy as np

from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.models import Answer
from bot.engine.query import QueryTerms
from bot.engine.rank import answer_of
from bot.engine.text.tokens import normalize, tokenize

META_GENERIC = frozenset(tokenize("story article piece news source text"))
"""Words that name the article itself."""
META_AUTHOR = frozenset(
    tokenize(
        "wrote write writer writers author authors authored reporter reporters journalist journalists byline credit"
    )
)
META_PUBLISHER = frozenset(tokenize("published publisher publish outlet agency newspaper paper"))
META_TITLE = frozenset(tokenize("title headline"))
META_SUMMARY = frozenset(tokenize("summary summarize summarise gist tldr overview happened main point"))
META_ALL = META_GENERIC | META_AUTHOR | META_PUBLISHER | META_TITLE | META_SUMMARY
"""Every word that asks about the article rather than its content."""


class AboutArticle:
    """Answers questions about the articles of one index themselves."""

    def __init__(self, index: SentenceIndex) -> None:
        self.index = index
        self._bylines: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def answers(self, question: str, q: QueryTerms, top: int) -> tuple[Answer, ...] | None:
        """Answers from title, byline and lead when the question is about the
        article itself; None when it is about the story's content."""
        out: list[Answer] = []
        when = re.search(r"\bwhen\b", normalize(question)) is not None
        for a_idx, article in enumerate(self.index.articles):
            pub, authors = self._byline(a_idx)
            unknown = [t for t in q.own if t not in META_ALL and t not in pub and t not in authors]
            if len(unknown) > (1 if q.own & (pub | authors) else 0):
                return None
            if unknown and self.index.knows(unknown[0]):
                return None
            answer: str | None
            if q.own & (META_AUTHOR | authors):
                answer = article.credit or " and ".join(article.authors) or article.publisher
            elif q.own & (META_PUBLISHER | pub):
                answer = article.published if when else article.publisher
            elif q.own & META_TITLE:
                answer = article.title
            elif q.own & META_SUMMARY or q.own <= META_GENERIC:
                out.append(answer_of(self.index, self._lead(a_idx), 1.0, q))
                answer = None
            else:
                return None
            if answer:
                out.append(Answer(answer, article, 0, None, 1.0))
            if len(out) >= top:
                break
        return tuple(out) if out else None

    def _lead(self, a_idx: int) -> int:
        """The first sentence of article ``a_idx``."""
        index = self.index
        return int(index.para_first_sentence[int(np.argmax(index.para_article == a_idx))])

    def _byline(self, a_idx: int) -> tuple[frozenset[str], frozenset[str]]:
        """(publisher terms, author terms) of an article; the publisher's
        initials count ("AP" for The Associated Press)."""
        cached = self._bylines.get(a_idx)
        if cached is None:
            article = self.index.articles[a_idx]
            pub = set(tokenize(article.publisher or ""))
            caps = [w[0] for w in (article.publisher or "").split() if w[:1].isupper() and w.lower() != "the"]
            if len(caps) >= 2:
                pub.add("".join(caps).lower())
            authors = frozenset(tokenize(" ".join(article.authors)))
            cached = self._bylines[a_idx] = (frozenset(pub), authors)
        return cached
