"""Engine results as Discord message text, always within limits: the
Discord ``Style`` for ``bot/render.py`` (which decides what is said), and
the admin reports.

Pure functions of engine data: no client, no network, so every rule here is
tested directly.  The rules (PRODUCT.md):

* the quote is the corpus sentence verbatim, its markdown escaped so it shows
  as written; the words that matched the question are bold;
* a source line: title, publisher, authors, paragraph, and the link;
* a second sentence only when it adds something;
* never more than 2,000 characters.

Mentions are not escaped here: the bot sets ``AllowedMentions.none()`` once,
so ``@everyone`` in a quote shows as text and pings nobody.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from bot import render
from bot.engine import Answer, Article, Engine, LoadFailure, Result, word_spans
from bot.question_log import UnansweredGroup, VotedAnswer
from bot.render import Style, shorten

MAX_CONTENT = 2000
MAX_QUOTE = 900
"""A quote longer than this (a run-on paragraph with no full stop) is cut,
visibly, with an ellipsis."""


_INLINE_MARKDOWN = re.compile(r"[\\*_~`|\[<]|@(?=everyone|here)")
"""Escaped wherever they are: emphasis, code, spoilers, every ``[`` (so no
masked link survives, however many the text holds), every ``<`` (so
``<@id>``, ``<#channel>``, ``<t:…>`` in a corpus sentence show as written,
not as a mention or a timestamp), and ``@everyone`` / ``@here``."""
_LINE_START_MARKDOWN = re.compile(r">(?=\s|>>\s)|#|-|\d+(?=\.\s)")
"""Markdown only at the start of a line (block quote, heading, subtext, list
item, numbered list): its first character is escaped (the number's period)."""


def escape(text: str) -> str:
    """Text shown as written: markdown and masked links neutralised, no line
    breaks that would leave the quote block.

    Like ``discord.utils.escape_markdown``, but every ``[`` is escaped (it
    escaped the first of several masked links only), white space before a
    line-start ``-`` is kept outside the escape (``"\\ -"`` shows its
    backslash), and a numbered list item is escaped too.  Discord shows a
    backslash before any character but a letter, digit or space as nothing."""
    text = re.sub(r"[\r\n\u2028\u2029]+", " ", text)
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    body = _INLINE_MARKDOWN.sub(r"\\\g<0>", body)
    start = _LINE_START_MARKDOWN.match(body)
    if start is not None:
        at = start.end() if body[0].isdigit() else 0
        body = f"{body[:at]}\\{body[at:]}"
    return lead + body


def _markers(text: str) -> tuple[str, str]:
    """Two private-use characters that ``text`` does not contain."""
    private_use = itertools.chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE))
    free = (chr(c) for c in private_use if chr(c) not in text)
    return next(free), next(free)


def highlight(text: str, matched: frozenset[str]) -> str:
    """``text`` escaped, with the words whose term is in ``matched`` in bold.

    The bold is marked in the original text and the whole text escaped at
    once: escaping the pieces between bold words one by one would treat each
    piece's start as a line start (``" - x"`` became ``"\\ - x"``, which
    Discord shows with the backslash) and would miss a masked link that a
    bold word splits (``[the **report**](url)`` stayed a live link)."""
    if not matched:
        return escape(text)
    spans: list[tuple[int, int]] = []
    for start, end, term in word_spans(text):
        if term in matched and (not spans or start >= spans[-1][1]):
            spans.append((start, end))
    if not spans:
        return escape(text)
    begin, close = _markers(text)
    marked: list[str] = []
    pos = 0
    for start, end in spans:
        marked += [text[pos:start], begin, text[start:end], close]
        pos = end
    marked.append(text[pos:])
    out = escape("".join(marked))
    out = re.sub(f"{re.escape(close)}(\\s*){re.escape(begin)}", r"\1", out)  # adjacent bold words: one run
    return out.replace(begin, "**").replace(close, "**")


def _quote(answer: Answer) -> str:
    text = answer.text if len(answer.text) <= MAX_QUOTE else shorten(answer.text, MAX_QUOTE)
    return highlight(text, answer.matched)


def _link(url: str) -> str:
    return f"<{url}>"  # no embed under the answer


DISCORD = Style(quote=_quote, escape=escape, link=_link, before_link=" ")
"""Quotes escaped with the matched words in bold, article text escaped,
links without an embed, after a space (``… paragraph 6 <URL>``)."""


def source_line(article: Article, paragraph: int) -> str:
    return render.source_line(article, paragraph, DISCORD)


def quote_block(*run: Answer) -> str:
    """Sentences that follow each other in one paragraph, quoted, and their
    source line."""
    return render.passage(run, DISCORD)


def reply_text(result: Result, articles: Sequence[Article]) -> str:
    """The whole reply to a question: the quotes, or the honest decline."""
    return render.result_text(result, articles, DISCORD, MAX_CONTENT)


def paragraph_text(article: Article, paragraph: int) -> str:
    """A whole paragraph as a quote, with its source (for the button)."""
    body = article.paragraphs[paragraph - 1]
    limit = MAX_CONTENT - 300
    return f"> {escape(shorten(body, limit))}\n{source_line(article, paragraph)}"[:MAX_CONTENT]


def reload_report(
    old: Engine | None, new: Engine, limit: int = MAX_CONTENT, failures: Sequence[LoadFailure] | None = None
) -> str:
    """What a reload changed, and every file that failed and why (``failures``:
    those reloaded, by default the new engine's)."""
    failures = new.failures if failures is None else failures
    before = {a.id: a for a in old.articles} if old else {}
    after = {a.id: a for a in new.articles}
    added = [a for i, a in after.items() if i not in before]
    removed = [a for i, a in before.items() if i not in after]
    changed = [a for i, a in after.items() if i in before and before[i] != a]
    lines = [
        f"Reloaded: {len(after)} articles, {new.n_sentences} sentences "
        f"({len(added)} added, {len(removed)} removed, {len(changed)} changed)."
    ]
    for label, articles in (("Added", added), ("Removed", removed), ("Changed", changed)):
        if articles:
            lines.append(f"{label}: " + ", ".join(f"\u201c{escape(a.title)}\u201d" for a in articles[:10]))
            if len(articles) > 10:
                lines[-1] += f" and {len(articles) - 10} more"
    if failures:
        lines.append(f"{len(failures)} files failed:")
        lines.extend(f"\u2022 {escape(f.path)}: {escape(f.reason)}" for f in failures)
    text = "\n".join(lines)
    if len(text) > limit:
        text = shorten(text, limit - 40).rstrip("\u2026") + "\n\u2026 (more in the log)"
    return text


def unanswered_report(
    groups: Sequence[UnansweredGroup], worst: Sequence[VotedAnswer], days: int, *, everywhere: bool = False
) -> str:
    """The admin's view of the question log: what readers asked in vain,
    most frequent first, and the answers most often voted not helpful
    (``everywhere``: an operator's view of every server's)."""
    scope = " in any server" if everywhere else ""
    lines = [f"**Questions the story could not answer{scope}** (last {days} days):"]
    if not groups:
        lines.append("None \u2014 every question was answered.")
    for g in groups:
        times = f"{g.count}\u00d7" if g.count > 1 else "once"
        lines.append(f"\u2022 {escape(shorten(g.question, 150))} ({times}, last {g.last_asked:%Y-%m-%d})")
    if worst:
        lines.append("**Answers voted not helpful:**")
        for w in worst:
            text = escape(shorten(w.text, 150)) if w.text else f"paragraph {w.paragraph}, sentence {w.sentence + 1}"
            lines.append(f"\u2022 {text} ({w.not_helpful} not helpful, {w.helpful} helpful)")
    return shorten("\n".join(lines), MAX_CONTENT)
