"""Adding an article from a link: fetch, extract, save.

The one entry point is ``add_article_from_url``; ``add_command`` is the
command line's (``python -m bot add``), ``describe`` the line a Discord
reply or a log shows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Article, sentences
from bot.fetch.errors import AlreadyThere, FetchError
from bot.fetch.extract import extract_article
from bot.fetch.fetch import FetchOptions, fetch_page
from bot.fetch.safety import check_url
from bot.fetch.save import find_existing, save_article, target_folder


@dataclass(frozen=True, slots=True)
class AddedArticle:
    """What was added."""

    path: Path
    """The file written."""
    relative_path: str
    """``path`` inside the corpus folder, e.g. ``servers/123/city-council-approves.md``."""
    url: str
    """The page's final link (after redirects), as saved in the front matter."""
    requested_url: str
    title: str
    publisher: str | None
    authors: tuple[str, ...]
    published: str | None
    paragraphs: int
    sentences: int
    replaced: bool
    """True when an article from the same link was replaced."""
    article: Article
    """The article as the loader reads the file."""


async def add_article_from_url(
    url: str,
    corpus_dir: Path | str,
    *,
    server_id: int | str | None = None,
    replace: bool = False,
    options: FetchOptions | None = None,
) -> AddedArticle:
    """Fetch the news page at ``url``, extract its article and save it as a
    ``.md`` among the shared articles (``server_id`` None) or in
    ``servers/<server_id>/``.  Every refusal is a ``FetchError`` subclass whose
    message is one line for the user; nothing is written then.  The caller
    reloads the corpus afterwards."""
    corpus = Path(corpus_dir)
    folder = target_folder(corpus, server_id)
    start = str(check_url(url))
    if not replace:
        existing = await asyncio.to_thread(find_existing, folder, [start], skip_servers=server_id is None)
        if existing is not None:
            shown = existing.relative_to(corpus).as_posix()
            raise AlreadyThere(shown)
    page = await fetch_page(start, options)
    extracted = await asyncio.to_thread(extract_article, page.html, page.final_url)
    saved = await asyncio.to_thread(
        save_article,
        corpus,
        server_id,
        extracted,
        page.final_url,
        also_known_as=(page.url, *page.redirects),
        replace=replace,
    )
    article = saved.article
    return AddedArticle(
        path=saved.path,
        relative_path=saved.relative_path,
        url=page.final_url,
        requested_url=page.url,
        title=article.title,
        publisher=article.publisher,
        authors=article.authors,
        published=article.published,
        paragraphs=len(article.paragraphs),
        sentences=sum(len(sentences(p)) for p in article.paragraphs),
        replaced=saved.replaced,
        article=article,
    )


def describe(added: AddedArticle) -> str:
    """One line about what was added, e.g. ``Added “Title” (Harbor Times,
    2024-03-12): 7 paragraphs, 15 sentences, as servers/1/title.md``.  Page
    text is in it: escape markdown and send it without mentions."""
    about = ", ".join(x for x in (added.publisher, added.published) if x)
    verb = "Replaced" if added.replaced else "Added"
    return (
        f"{verb} \u201c{added.title}\u201d{f' ({about})' if about else ''}: "
        f"{added.paragraphs} paragraphs, {added.sentences} sentences, as {added.relative_path}"
    )


def add_command(
    url: str,
    corpus_dir: Path | str,
    *,
    server_id: int | str | None = None,
    replace: bool = False,
    options: FetchOptions | None = None,
) -> tuple[int, str]:
    """``python -m bot add``: (exit code, the one line to print).  0 and the
    path written; 2 and the reason for every refusal (nothing written)."""
    try:
        added = asyncio.run(
            add_article_from_url(url, corpus_dir, server_id=server_id, replace=replace, options=options)
        )
    except AlreadyThere as exc:
        return 2, f"error: {exc} (add --replace to fetch it again)"
    except FetchError as exc:
        return 2, f"error: {exc}"
    return 0, str(added.path)
