"""Saving an extracted article as a ``.md`` file with YAML front matter.

The file::

    ---
    title: City council approves $48 million harbor seawall
    publisher: Harbor Times
    authors:
    - Maria Lopez
    - Tom Becker
    url: https://harbortimes.example/local/seawall
    published: '2024-03-12T09:30:00-05:00'
    ---

    # City council approves $48 million harbor seawall

    Harbor Times

    The city council voted 7 to 2 on Monday night ...

    The $48 million project ...

* The front matter is written by YAML's safe dumper, so no title can add a
  field or break out of it; the heading and the byline line (the story's
  own shape) are for people reading the file; the front matter wins.
* The file name is made from the title by the engine's ``safe_file_name``
  (ASCII letters, digits, hyphens: no path characters, no mention syntax),
  with ``-2``, ``-3`` … when another article already has that name.
* The folder is ``CORPUS_DIR`` (the shared articles) or
  ``CORPUS_DIR/servers/<guild id>/`` (created when missing); a guild id is a
  positive integer, and the folder must resolve inside the corpus folder.
* Before writing, the bytes are parsed back with the engine's
  ``parse_article_bytes`` and must give exactly this article: what is
  written is what the loader will load.  The write is atomic.
* The same link twice is refused (``AlreadyThere``) unless ``replace``:
  an existing article is found by the ``url`` in the front matter of the
  folder's ``.md`` / ``.txt`` files (the requested link and the final one,
  compared without fragment, default port, or letter case in scheme and host).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yarl import URL

from bot.engine import (
    Article,
    CorpusFileError,
    parse_article_bytes,
    safe_file_name,
    write_file,
)
from bot.fetch.errors import AlreadyThere, SaveFailed
from bot.fetch.extract import ExtractedArticle, clean_text

SERVERS_DIR = "servers"
MAX_TITLE_CHARS = 300
"""Longest title saved (the loader allows 500); a longer one is cut with "…"."""
MAX_FILE_BYTES = 1024 * 1024
"""Largest ``.md`` written (the loader allows 10 MB; a long article is 50 KB)."""
MAX_GUILD_ID = 2**64 - 1
MAX_NAME_TRIES = 100
FRONT_MATTER_SCAN_BYTES = 64 * 1024
"""Bytes read from the start of each existing file to find its ``url``."""
MAX_FILES_SCANNED = 100_000
_BYLINE_LINE_MAX = 100
_SENTENCE_END = re.compile(r"[.!?:;\"\u201d\u2019]+$")


def guild_folder_name(server_id: int | str) -> str:
    """The folder name of a server's articles; ``SaveFailed`` unless the id
    is a positive integer (a Discord snowflake)."""
    if isinstance(server_id, bool):
        raise SaveFailed("the server id must be a positive whole number")
    text = str(server_id).strip()
    if not text.isascii() or not text.isdigit():
        raise SaveFailed(f"the server id must be a positive whole number, not {text[:30]!r}")
    value = int(text)
    if not 0 < value <= MAX_GUILD_ID:
        raise SaveFailed("the server id must be a positive whole number")
    return str(value)


def target_folder(corpus_dir: Path, server_id: int | str | None) -> Path:
    """Where the article goes (not created here); ``SaveFailed`` when the
    corpus folder is missing or the server id is not valid."""
    if not corpus_dir.is_dir():
        raise SaveFailed(f"the corpus folder {str(corpus_dir)[:200]!r} does not exist")
    if server_id is None:
        return corpus_dir
    return corpus_dir / SERVERS_DIR / guild_folder_name(server_id)


def _ensure_folder(corpus_dir: Path, folder: Path) -> Path:
    try:
        root = corpus_dir.resolve()
        if folder != corpus_dir:
            folder.mkdir(parents=True, exist_ok=True)
        resolved = folder.resolve()
    except (OSError, RuntimeError) as exc:
        raise SaveFailed(f"cannot create the server's article folder ({type(exc).__name__})") from None
    if resolved != root and not resolved.is_relative_to(root):
        raise SaveFailed("the server's article folder leads outside the corpus folder")
    return folder


def normalize_url(url: str) -> str:
    """A link as compared for duplicates."""
    try:
        parsed = URL(url.strip())
    except ValueError:
        return url.strip()
    if not parsed.is_absolute():
        return url.strip()
    return str(parsed.with_fragment(None).with_scheme(parsed.scheme.lower()).with_host((parsed.host or "").lower()))


def _front_matter_url(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(FRONT_MATTER_SCAN_BYTES)
    except OSError:
        return None
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if not text.startswith("---"):
        return None
    match = re.match(r"---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$", text, re.DOTALL | re.MULTILINE)
    if not match:
        return None
    url_line = re.search(r"^url:[ \t]*(.+?)[ \t]*$", match.group(1), re.MULTILINE)
    if not url_line:
        return None
    try:
        value = yaml.safe_load(url_line.group(1))  # one scalar: quoted or plain
    except yaml.YAMLError:
        return None
    return value if isinstance(value, str) else None


def find_existing(folder: Path, urls: list[str], *, skip_servers: bool) -> Path | None:
    """The article file in ``folder`` (and its subfolders, but not
    ``servers/`` of the shared folder, nor hidden ones) whose front matter
    ``url`` is one of ``urls``."""
    wanted = {normalize_url(u) for u in urls}
    if not folder.is_dir():
        return None
    scanned = 0
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (skip_servers and here == folder and d == SERVERS_DIR)
        )
        for filename in sorted(filenames):
            if filename.startswith(".") or Path(filename).suffix.lower() not in (".md", ".txt"):
                continue
            scanned += 1
            if scanned > MAX_FILES_SCANNED:
                return None
            path = here / filename
            found = _front_matter_url(path)
            if found is not None and normalize_url(found) in wanted:
                return path
    return None


def _paragraph(text: str) -> str:
    # The loader strips '#' from the start of a Markdown line (headings);
    # do it here so the file holds what will be read.
    return clean_text(text).lstrip("#").strip()


def _byline_line(article: ExtractedArticle, url: str) -> str:
    """A line the loader reads as a byline (short, no sentence end, not "By …")."""
    for candidate in (article.publisher, URL(url).host, "Web page"):
        line = _SENTENCE_END.sub("", clean_text(candidate or "")).strip()
        if line and len(line) <= _BYLINE_LINE_MAX and not re.match(r"by\s", line, re.IGNORECASE):
            return line
    return "Web page"


def render_markdown(article: ExtractedArticle, url: str) -> tuple[str, bytes]:
    """The title (as saved) and the ``.md`` file's bytes."""
    title = clean_text(article.title).lstrip("#").strip()
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "\u2026"
    fields: dict[str, Any] = {"title": title}
    if article.publisher:
        fields["publisher"] = article.publisher
    if article.authors:
        fields["authors"] = list(article.authors)
    fields["url"] = url
    if article.published:
        fields["published"] = article.published
    front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False)
    paragraphs = [p for p in (_paragraph(p) for p in article.paragraphs) if p]
    body = "\n\n".join([f"# {title}", _byline_line(article, url), *paragraphs])
    return title, f"---\n{front}---\n\n{body}\n".encode()


@dataclass(frozen=True, slots=True)
class Saved:
    path: Path
    relative_path: str
    """``path`` inside the corpus folder."""
    article: Article
    """The article as the loader reads the file written."""
    replaced: bool


def _validate(name: str, data: bytes, title: str, paragraphs: list[str]) -> Article:
    if len(data) > MAX_FILE_BYTES:
        raise SaveFailed(f"the article is too long to save (more than {MAX_FILE_BYTES // 1024} KB of text)")
    articles, failures = parse_article_bytes(name, data)
    if failures or len(articles) != 1:
        reason = failures[0].reason if failures else "no article"
        raise SaveFailed(f"the extracted article does not load as an article ({reason})")
    article = articles[0]
    if article.title != title or list(article.paragraphs) != paragraphs:
        raise SaveFailed("the extracted article would not load back as extracted")
    return article


def save_article(
    corpus_dir: Path,
    server_id: int | str | None,
    article: ExtractedArticle,
    url: str,
    *,
    also_known_as: tuple[str, ...] = (),
    replace: bool = False,
) -> Saved:
    """Write ``article`` (fetched from ``url``, which ``also_known_as`` links
    redirected to) into the shared articles or the server's; see the module notes."""
    folder = target_folder(corpus_dir, server_id)
    existing = find_existing(folder, [url, *also_known_as], skip_servers=server_id is None)
    if existing is not None and not replace:
        shown = existing.relative_to(corpus_dir).as_posix()
        raise AlreadyThere(shown)
    title, data = render_markdown(article, url)
    paragraphs = [p for p in (_paragraph(p) for p in article.paragraphs) if p]
    folder = _ensure_folder(corpus_dir, folder)
    if existing is not None:
        name = existing.name
        folder = existing.parent
    else:
        base = safe_file_name(title, ".md")
        stem = base.removesuffix(".md")
        name = base
        for n in range(2, MAX_NAME_TRIES + 2):
            if not (folder / name).exists():
                break
            name = f"{stem}-{n}.md"
        else:
            raise SaveFailed(f"too many articles are named {base}")
    relative = (folder / name).relative_to(corpus_dir).as_posix()
    article_read = _validate(relative, data, title, paragraphs)
    try:
        path = write_file(folder, name, data, replace=existing is not None)
    except CorpusFileError as exc:
        raise SaveFailed(f"could not save the article: {exc}") from None
    except OSError as exc:
        raise SaveFailed(f"could not save the article ({exc.strerror or type(exc).__name__})") from None
    return Saved(path=path, relative_path=relative, article=article_read, replaced=existing is not None)
