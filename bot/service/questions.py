"""A question as the bot reads it, the same from Discord and from the
command line (issue 31): at most ``QUESTION_MAX_CHARS`` characters, white
space folded, and bytes that are not UTF-8 replaced, never fatal.

A 10 MB question once ran the sentence model and spaCy for 18 s and
1.75 GB before failing; no question needs more than a few sentences."""

from __future__ import annotations

QUESTION_MAX_CHARS = 500
"""Longer questions are cut to this many characters before answering (on
Discord: also the longest ``/ask`` accepts)."""

QUESTION_MAX_BYTES = 4 * 4 * QUESTION_MAX_CHARS
"""Longest line of standard input (``ask -``) read as a question; the rest
of a longer line is read past (it would be cut anyway)."""


def readable(text: str) -> str:
    """``text`` with what is not text replaced by U+FFFD: a command-line
    argument's bytes that are not UTF-8 (Python keeps them as lone
    surrogates, which the tokenizers cannot take)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8", "replace")


def question_text(text: str) -> str:
    """The question asked: readable, white space folded, cut to
    ``QUESTION_MAX_CHARS`` (the text is cut first too, so a huge one costs
    nothing to fold)."""
    return " ".join(readable(text[: 4 * QUESTION_MAX_CHARS]).split())[:QUESTION_MAX_CHARS]
