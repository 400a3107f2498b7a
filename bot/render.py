"""A result as text: quotes, source lines and the decline, written once for
the command line and for Discord.

Plain by default (the command line).  Discord passes a ``Style`` that
escapes the article's own text, highlights the matched words, wraps links so
they do not unfurl, and caps the reply at its 2,000 characters
(``bot/ui/formatting.py``); what is said, and in which order, is decided
here only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.engine import Answer, Article, Reason, Result

EXAMPLE_QUESTION = "Where did Putin and Assad meet?"
"""The example a reader is offered when a message asks nothing."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


def _plain_quote(answer: Answer) -> str:
    return answer.text


@dataclass(frozen=True, slots=True)
class Style:
    """How text is written for one medium."""

    quote: Callable[[Answer], str] = _plain_quote
    """A quoted sentence (Discord: escaped, matched words in bold)."""
    escape: Callable[[str], str] = str
    """The article's own text in a source line or a decline."""
    link: Callable[[str], str] = str
    """An article's URL."""
    before_link: str = ", "
    """What comes between the source and its URL (Discord: a space)."""


PLAIN = Style()


def source_line(article: Article, paragraph: int, style: Style = PLAIN) -> str:
    """``— “Title”, Publisher (Authors), paragraph 6, URL`` (Discord:
    ``… paragraph 6 <URL>``)."""
    line = "\u2014 " + ", ".join(article.source_parts(paragraph, style.escape))
    if article.url:
        line += style.before_link + style.link(article.url)
    return line


def passage(run: Sequence[Answer], style: Style = PLAIN) -> str:
    """Sentences that follow each other in one paragraph, quoted, under one
    source line."""
    quotes = "\n".join(f"> {style.quote(answer)}" for answer in run)
    return f"{quotes}\n{source_line(run[0].article, run[0].paragraph, style)}"


def answer_text(result: Result, style: Style = PLAIN, limit: int | None = None) -> str:
    """The quotes of an answered question.  Over ``limit`` characters, the
    second-best passage goes first, then the sentence the best depends on:
    the best sentence and its source line are always kept."""
    runs = result.passages()

    def render() -> str:
        return "\n\n".join(passage(run, style) for run in runs)

    text = render()
    while limit is not None and len(text) > limit and (len(runs) > 1 or len(runs[0]) > 1):
        if len(runs) > 1:
            runs.pop()
        else:
            runs = [tuple(a for a in runs[0] if a is result.answers[0]) or runs[0][-1:]]
        text = render()
    return text if limit is None else text[:limit]


def covers(articles: Sequence[Article], style: Style = PLAIN, limit: int = 3) -> str:
    """What the corpus covers: its first titles, and how many more."""
    titles = ", ".join(f"\u201c{style.escape(a.title)}\u201d" for a in articles[:limit])
    if len(articles) > limit:
        titles += f" and {len(articles) - limit} more"
    return titles


def decline_text(result: Result, articles: Sequence[Article], style: Style = PLAIN) -> str:
    """The honest reply when the corpus holds no answer; for a message that
    asks nothing ("hi"), how to ask."""
    if result.reason is Reason.NO_CONTENT:
        return (
            "Ask me a question about the story in plain words, for example "
            f"\u201c{EXAMPLE_QUESTION}\u201d. It covers {covers(articles, style)}."
        )
    if result.reason is Reason.CLOSE and result.answers:
        return "The story doesn't say exactly. The closest it comes:"
    return f"The story doesn't say. It covers {covers(articles, style)}."


def result_text(result: Result, articles: Sequence[Article], style: Style = PLAIN, limit: int | None = None) -> str:
    """The whole reply: the quotes; or the decline, with the closest sentence
    quoted when the story comes close (``Reason.CLOSE``)."""
    if result.answered and result.answers:
        return answer_text(result, style, limit)
    text = decline_text(result, articles, style)
    if result.reason is Reason.CLOSE and result.answers:
        text = f"{text}\n{passage(result.answers[:1], style)}"
    return text if limit is None else shorten(text, limit)


def ranked_text(result: Result, articles: Sequence[Article], style: Style = PLAIN) -> str:
    """Every sentence the engine returned, best first, each with its source
    (``ask --top K``); a declined question says so first, and its closest
    sentences follow for inspection."""
    blocks = [] if result.answered else [decline_text(result, articles, style)]
    if not result.answered and result.answers:
        blocks.append("Closest sentences:")
    blocks += [passage((answer,), style) for answer in result.answers]
    return "\n\n".join(blocks)
