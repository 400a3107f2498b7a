"""The article in a news page: its paragraphs and its metadata.

* Paragraphs: trafilatura's main-text extraction (precision over recall; no
  comments, tables or images), its paragraphs, block quotes and list items,
  each as one line of text.  A paragraph that is mostly link text (a
  "related stories" list, "Load more") is dropped.
* Metadata, first found wins:

  ========== ==========================================================
  title      JSON-LD article ``headline``; ``og:title``; trafilatura's
  publisher  JSON-LD ``publisher.name``; ``og:site_name``;
             ``application-name``; the ``<title>``'s suffix ("… | Site");
             trafilatura's site name; the host name
  authors    JSON-LD ``author`` (names, or a list); ``<meta name=author>``;
             ``article:author`` (when not a link); trafilatura's (bylines)
  published  JSON-LD ``datePublished``; ``article:published_time``;
             other date meta tags; trafilatura's date
  ========== ==========================================================

  JSON-LD articles are objects whose ``@type`` is an article type
  (``NewsArticle``, ``Article``, ``BlogPosting``, …), found at the top,
  in lists, in ``@graph`` or as a ``mainEntity``.

What is not an article (refused with ``NotAnArticle``):

* no main text found at all, or no title;
* a page that is mostly links: more than ``MAX_LINK_SHARE`` of the main
  text's characters are link text (a front page, a section listing);
* too little prose: fewer than ``MIN_PARAGRAPHS`` prose paragraphs, or
  fewer than ``MIN_TEXT_CHARS`` characters in them (a login or paywall, a
  teaser, a page of a few words).  A prose paragraph has at least
  ``MIN_PROSE_WORDS`` words and ends like a sentence.

The page is data: it is parsed, never rendered, and nothing it holds is
run or fetched.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from yarl import URL

from bot.fetch.errors import NotAnArticle

MIN_PARAGRAPHS = 3
MIN_TEXT_CHARS = 400
MIN_PROSE_WORDS = 6
MAX_LINK_SHARE = 0.5
"""Share of the main text's characters inside links above which the page is a listing."""
PARAGRAPH_LINK_SHARE = 0.5
"""A paragraph with more than this share of its characters in links is dropped."""
MAX_TITLE = 300
MAX_FIELD = 200
MAX_AUTHOR_NAMES = 20
"""Authors kept (the loader allows 50)."""
MAX_JSON_LD_CHARS = 1_000_000
MAX_JSON_LD_SCRIPTS = 30

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "AnalysisNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
    }
)
_SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]]$")
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ")


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    title: str
    paragraphs: tuple[str, ...]
    publisher: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None


def clean_text(text: str) -> str:
    """One line: whitespace runs made one space, control and format
    characters (bidi overrides, zero-width ones) removed."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\t\n\r")
    return " ".join(text.split())


def _field(value: Any, limit: int = MAX_FIELD) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# ---------------------------------------------------------------------------
# JSON-LD and meta tags.


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    items = value if isinstance(value, list) else [value]
    return {t.rsplit("/", 1)[-1] for t in items if isinstance(t, str)}


def _walk_json_ld(value: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Objects of an article type, top-level first."""
    if depth > 6:
        return []
    found: list[dict[str, Any]] = []
    if isinstance(value, list):
        for item in value[:200]:
            found.extend(_walk_json_ld(item, depth + 1))
    elif isinstance(value, dict):
        if _types(value) & ARTICLE_TYPES:
            found.append(value)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in value:
                found.extend(_walk_json_ld(value[key], depth + 1))
    return found


def _names(value: Any, depth: int = 0) -> list[str]:
    """Names from a JSON-LD person/organisation value: a string, an object
    with ``name``, or a list of these."""
    if depth > 3:
        return []
    if isinstance(value, str):
        return split_names(value)
    if isinstance(value, dict):
        name = _field(value.get("name"))
        return [name] if name else []
    if isinstance(value, list):
        return [n for item in value[:MAX_AUTHOR_NAMES] for n in _names(item, depth + 1)]
    return []


def split_names(text: str) -> list[str]:
    """Author names from a byline-like string: ``"By A, B and C"``, ``"A; B"``."""
    text = clean_text(text)
    if not text or text.lower().startswith(("http://", "https://", "www.")):
        return []
    text = re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
    parts = re.split(r"\s*(?:;|,|&|\band\b|\|)\s*", text, flags=re.IGNORECASE)
    return [p for part in parts if (p := _field(part, 100))]


def _json_ld_article(doc: Any) -> dict[str, Any]:
    for script in doc.xpath('//script[@type="application/ld+json"]')[:MAX_JSON_LD_SCRIPTS]:
        raw = script.text or ""
        if len(raw) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        found = _walk_json_ld(data)
        if found:
            return found[0]
    return {}


def _meta(doc: Any) -> dict[str, str]:
    """``<meta>`` values by lower-cased ``property`` or ``name`` (first wins)."""
    values: dict[str, str] = {}
    for meta in doc.xpath("//meta[@content]")[:500]:
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content and key not in values:
            values[key] = content
    return values


def _title_suffix(page_title: str | None, title: str) -> str | None:
    """ "Site" from a ``<title>`` such as "Headline | Site"."""
    if not page_title:
        return None
    page_title = clean_text(page_title)
    for sep in _TITLE_SEPARATORS:
        head, found, tail = page_title.rpartition(sep)
        if found and tail and head and (title.startswith(head) or head.startswith(title)) and len(tail) <= 60:
            return tail
    return None


def _host(url: str) -> str | None:
    try:
        host = URL(url).host
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


# ---------------------------------------------------------------------------
# Paragraphs.


def _text(element: Any) -> str:
    for br in element.iter("lb"):
        br.tail = " " + (br.tail or "")
    return clean_text("".join(element.itertext()))


def _link_chars(element: Any) -> int:
    return sum(len(clean_text("".join(ref.itertext()))) for ref in element.iter("ref"))


def _blocks(body: Any) -> list[tuple[str, int]]:
    """(text, characters in links) of each paragraph-like block of trafilatura's body."""
    blocks: list[tuple[str, int]] = []
    for element in body:
        if element.tag in ("p", "quote"):
            blocks.append((_text(element), _link_chars(element)))
        elif element.tag == "list":
            blocks.extend((_text(item), _link_chars(item)) for item in element.iter("item"))
        elif element.tag == "head":
            blocks.append(("", _link_chars(element)))  # headings: not paragraphs, but count their links
    return blocks


def is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= MIN_PROSE_WORDS and _SENTENCE_END.search(paragraph) is not None


def _trafilatura() -> tuple[Any, Any]:
    """trafilatura and its HTML loader, imported on first use: the import
    takes 0.5 s, which every ``python -m bot ask`` paid without fetching."""
    import trafilatura
    from trafilatura.utils import load_html

    return trafilatura, load_html


def extract_article(html: str, url: str) -> ExtractedArticle:
    """The article of a page (see the module notes); ``NotAnArticle`` when there is none."""
    trafilatura, load_html = _trafilatura()
    doc = load_html(html)  # lxml, as trafilatura parses (no network, no entities, no scripts)
    if doc is None:
        raise NotAnArticle("the page could not be read as HTML")
    ld = _json_ld_article(doc)
    meta = _meta(doc)
    page_title = doc.findtext(".//title")

    result = trafilatura.bare_extraction(
        doc,  # trafilatura prunes the tree it is given: metadata is read above, first
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=True,
        with_metadata=True,
        deduplicate=False,
    )
    if result is None or isinstance(result, dict) or result.body is None:
        raise NotAnArticle("no article text found on the page")

    blocks = _blocks(result.body)
    total = sum(len(text) for text, _ in blocks) + sum(links for text, links in blocks if not text)
    links = sum(links for _, links in blocks)
    if total and links / total > MAX_LINK_SHARE:
        raise NotAnArticle("the page is mostly links (a front page or a listing), not an article")
    paragraphs = [text for text, link_chars in blocks if text and link_chars / len(text) <= PARAGRAPH_LINK_SHARE]
    prose = [p for p in paragraphs if is_prose(p)]
    prose_chars = sum(len(p) for p in prose)
    if len(prose) < MIN_PARAGRAPHS or prose_chars < MIN_TEXT_CHARS:
        raise NotAnArticle(
            f"the page holds too little article text ({len(prose)} paragraphs, {prose_chars} characters; "
            f"at least {MIN_PARAGRAPHS} paragraphs and {MIN_TEXT_CHARS} characters): "
            "a front page, a listing, a login wall?"
        )

    title = _field(ld.get("headline"), MAX_TITLE) or _field(meta.get("og:title"), MAX_TITLE) or _field(result.title)
    if not title:
        raise NotAnArticle("the page has no title")

    publishers = _names(ld.get("publisher"))
    trafilatura_site = _field(result.sitename)  # its own fallback is the host name: ours is below
    host = _host(url) or ""
    publisher = (
        (publishers[0] if publishers else None)
        or _field(meta.get("og:site_name"))
        or _field(meta.get("application-name"))
        or _title_suffix(page_title, title)
        or (trafilatura_site if trafilatura_site and host not in trafilatura_site.lower() else None)
        or host
        or None
    )

    authors = (
        _names(ld.get("author"))
        or split_names(meta.get("author", ""))
        or split_names(meta.get("article:author", ""))
        or split_names(result.author or "")
    )
    unique_authors = tuple(dict.fromkeys(a for a in authors if a != publisher))[:MAX_AUTHOR_NAMES]

    published = (
        _field(ld.get("datePublished"), 64)
        or _field(meta.get("article:published_time"), 64)
        or _field(meta.get("datepublished"), 64)
        or _field(meta.get("pubdate"), 64)
        or _field(meta.get("date"), 64)
        or _field(result.date, 64)
    )

    return ExtractedArticle(
        title=title,
        paragraphs=tuple(paragraphs),
        publisher=publisher,
        authors=unique_authors,
        published=published,
    )
