"""What the tests of a reply's text share (``tests/test_render.py``,
``tests/ui/test_formatting.py``): an article whose title and text hold
markdown and a mention, and the text with Discord's escapes taken out."""

from __future__ import annotations

from bot.engine import Article

ARTICLE = Article(
    id="a",
    title="A *bold* title",
    paragraphs=("First paragraph.", "Second paragraph with **stars** and @everyone."),
    publisher="The Daily",
    authors=("Ann Lee", "Bo Chan"),
    url="https://example.com/story",
)


def unescape(text: str) -> str:
    out, skip = [], False
    for ch in text:
        if ch == "\\" and not skip:
            skip = True
            continue
        out.append(ch)
        skip = False
    return "".join(out)
