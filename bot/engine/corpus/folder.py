"""Loading the corpus folder: files in, articles (and reasons for failures) out.

Every file is read within bounds (its size, its lines, the whole corpus's
text), so that a folder filled by mistake or by a hostile upload cannot
exhaust the machine; what is in a file is parsed by ``formats.py``.  A file
that cannot be read is reported by name and reason and every other file
still loads.  Hidden files and folders, files of other kinds, and links that
lead outside the folder are skipped (the last are reported).
"""

from __future__ import annotations

import io
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from bot.engine.corpus.formats import ArticleError, display_name, parse_json_article, parse_text_article, quoted
from bot.engine.models import Article, Corpus, LoadFailure

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".jsonl"})
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
"""Largest ``.txt`` / ``.md`` file loaded (a long news article is 50 KB)."""
MAX_JSONL_BYTES = 256 * 1024 * 1024
"""Largest ``.jsonl`` file loaded; it is read a line at a time.  (About two
million sentences: the scale the engine is built and measured for.)"""
MAX_JSONL_LINES = 2_000_000
"""Lines of one ``.jsonl`` file read at most (blank and bad ones included),
so that a file of tiny lines is bounded in time too; the rest is reported."""
MAX_LINE_BYTES = MAX_ARTICLE_BYTES
"""Longest line of a ``.jsonl`` file; a longer one is skipped without being
held in memory."""
MAX_CORPUS_CHARS = 400_000_000
"""Text the whole corpus may hold (about 2.5 million sentences, some 3 GB
of memory once indexed); files past it are reported, not loaded, so that a
folder filled by mistake cannot exhaust the machine."""
MAX_REPORTED_LINE_FAILURES = 50
"""Per ``.jsonl`` file: further bad lines are counted in one summary line."""


class CorpusError(Exception):
    """The corpus as a whole cannot be used (missing folder, no article)."""


COMPRESSED = {
    b"\x1f\x8b": "gzip (gunzip it)",
    b"PK\x03\x04": "zip (unzip it)",
    b"BZh": "bzip2 (bunzip2 it)",
    b"\xfd7zXZ\x00": "xz (unxz it)",
    b"\x28\xb5\x2f\xfd": "zstd (unzstd it)",
}
"""A compressed file's first bytes, and how to make it text: one failure
for the file (a gzipped ``.jsonl`` gave one per line, 37 for one file)."""


def compressed(head: bytes) -> str | None:
    """Why a file starting with ``head`` is not read: compressed, and how to
    make it text; None for anything else."""
    for magic, how in COMPRESSED.items():
        if head.startswith(magic):
            return f"compressed file, {how} into the corpus folder: articles are read as plain text"
    return None


def decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed), or an ArticleError."""
    if b"\x00" in data:
        raise ArticleError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def _read_lines(fh: IO[bytes], limit: int) -> Iterator[bytes]:
    """The lines of a binary file, split at ``\\n`` only, never holding more
    than ``limit + 1`` bytes of one: a longer line is given as its first
    ``limit + 1`` bytes (so that it is seen to be too long) and the rest of it
    is read past in pieces."""
    while line := fh.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(1024 * 1024)) and not rest.endswith(b"\n"):
                pass
        yield line


def parse_jsonl_lines(lines: Iterable[bytes], rel: str) -> tuple[list[Article], list[LoadFailure]]:
    """Articles and per-line failures of a ``.jsonl`` file given as raw lines."""
    articles: list[Article] = []
    failures: list[LoadFailure] = []
    extra_failures = 0
    seen: set[str] = set()
    for lineno, raw in enumerate(lines, start=1):
        if lineno > MAX_JSONL_LINES:
            failures.append(
                LoadFailure(
                    rel, f"more than {MAX_JSONL_LINES:,} lines: line {lineno:,} and those after it were not read"
                )
            )
            break
        if not raw.strip():
            continue
        where = f"{rel}:{lineno}"
        try:
            if len(raw) - raw.endswith(b"\n") > MAX_LINE_BYTES:
                raise ArticleError(f"line is larger than {_size(MAX_LINE_BYTES)}")
            article = parse_json_article(decode(raw), article_id=where, source=where)
            if article.id in seen:
                raise ArticleError(f"duplicate id '{quoted(article.id.split('#', 1)[-1])}'")
            seen.add(article.id)
            articles.append(article)
        except ArticleError as exc:
            if len(failures) < MAX_REPORTED_LINE_FAILURES:
                failures.append(LoadFailure(where, str(exc)))
            else:
                extra_failures += 1
    if extra_failures:
        failures.append(LoadFailure(rel, f"{extra_failures} more bad lines not listed"))
    return articles, failures


def parse_article_bytes(name: str, data: bytes) -> tuple[list[Article], list[LoadFailure]]:
    """Articles in the bytes of one file named ``name`` (its path in the corpus).

    Used for files in the folder and for uploads alike, so an upload is
    judged exactly as the loader will judge it.
    """
    rel = display_name(name)
    suffix = Path(name).suffix.lower()
    packed = compressed(data[:8])
    if packed is not None and suffix in ARTICLE_SUFFIXES:
        return [], [LoadFailure(rel, packed)]
    if suffix == ".jsonl":
        if len(data) > MAX_JSONL_BYTES:
            return [], [LoadFailure(rel, f"too large ({_size(len(data))}; at most {_size(MAX_JSONL_BYTES)})")]
        return parse_jsonl_lines(_read_lines(io.BytesIO(data), MAX_LINE_BYTES), rel)
    if suffix not in ARTICLE_SUFFIXES:
        return [], [LoadFailure(rel, f"not an article file (expected {', '.join(sorted(ARTICLE_SUFFIXES))})")]
    try:
        if len(data) > MAX_ARTICLE_BYTES:
            raise ArticleError(f"too large ({_size(len(data))}; at most {_size(MAX_ARTICLE_BYTES)})")
        article = parse_text_article(decode(data), article_id=rel, source=rel, markdown=suffix == ".md")
    except ArticleError as exc:
        return [], [LoadFailure(rel, str(exc))]
    return [article], []


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB"
    return f"{max(1, n // 1024)} KB"


def _corpus_files(root: Path, base: Path, skip: Collection[str] = ()) -> Iterator[tuple[Path, str]]:
    """(path, path relative to ``base``) of candidate files under ``root``,
    sorted, hidden ones and ``root``'s sub-folders named in ``skip`` left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        top = Path(dirpath) == root
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (top and d in skip))
        for filename in sorted(filenames):
            if filename.startswith(".") or Path(filename).suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            path = Path(dirpath, filename)
            yield path, path.relative_to(base).as_posix()


def load_file(path: Path, rel: str, root: Path) -> tuple[list[Article], list[LoadFailure]]:
    """Articles of one file of the corpus folder, with its failures."""
    name = display_name(rel)
    try:
        if path.is_symlink():
            try:
                target = path.resolve()
            except RuntimeError:  # Python < 3.13 on a loop of links
                return [], [LoadFailure(name, "skipped: it is a loop of links")]
            if not target.is_relative_to(root):
                return [], [LoadFailure(name, "skipped: it is a link to a file outside the corpus folder")]
        if not path.is_file():
            return [], [LoadFailure(name, "not a regular file")]
        size = path.stat().st_size
        if path.suffix.lower() == ".jsonl":
            if size > MAX_JSONL_BYTES:
                return [], [LoadFailure(name, f"too large ({_size(size)}; at most {_size(MAX_JSONL_BYTES)})")]
            with path.open("rb") as fh:
                packed = compressed(fh.read(8))
                if packed is not None:
                    return [], [LoadFailure(name, packed)]
                fh.seek(0)
                return parse_jsonl_lines(_read_lines(fh, MAX_LINE_BYTES), name)
        if size > MAX_ARTICLE_BYTES:
            return [], [LoadFailure(name, f"too large ({_size(size)}; at most {_size(MAX_ARTICLE_BYTES)})")]
        with path.open("rb") as fh:
            # As much as stat() said (read(n) sets n bytes aside first), then
            # whatever the file grew by since, up to the limit.
            data = fh.read(size + 1)
            if len(data) > size:
                data += fh.read(MAX_ARTICLE_BYTES + 1 - len(data))
    except OSError as exc:
        return [], [LoadFailure(name, f"cannot be read ({exc.strerror or exc})")]
    return parse_article_bytes(rel, data)


def load_corpus(
    directory: str | os.PathLike[str],
    *,
    skip: Collection[str] = (),
    base: str | os.PathLike[str] | None = None,
) -> Corpus:
    """Every article of the corpus folder, and every file that failed.

    ``skip``: sub-folders of ``directory`` left out (the servers' own
    articles, when loading the shared ones).  ``base``: the folder the
    articles' ids and sources are relative to (the corpus folder, when
    loading one server's folder inside it), so that they are unique across
    the corpus and name the file from its root; default ``directory``.

    Raises ``CorpusError`` when the folder itself is missing or unreadable;
    an empty result is for the caller to judge (see ``Engine.from_folder``).
    """
    root = Path(directory)
    if not root.exists():
        raise CorpusError(f"corpus folder {str(root)!r} does not exist")
    if not root.is_dir():
        raise CorpusError(f"corpus folder {str(root)!r} is not a folder")
    root = root.resolve()
    top = Path(base).resolve() if base is not None else root
    if not root.is_relative_to(top):
        raise CorpusError(f"corpus folder {str(root)!r} is not inside {str(top)!r}")
    corpus = Corpus()
    try:
        files = list(_corpus_files(root, top, skip))
    except OSError as exc:
        raise CorpusError(f"corpus folder {str(directory)!r} cannot be read ({exc.strerror or exc})") from None
    total = 0
    for path, rel in files:
        if total > MAX_CORPUS_CHARS:
            reason = f"skipped: the corpus already holds {total:,} characters of text (at most {MAX_CORPUS_CHARS:,})"
            corpus.failures.append(LoadFailure(display_name(rel), reason))
            continue
        articles, failures = load_file(path, rel, root)
        corpus.articles.extend(articles)
        corpus.failures.extend(failures)
        total += sum(len(p) for a in articles for p in a.paragraphs)
    return corpus


def empty_message(failures: Sequence[LoadFailure]) -> str:
    """Why a corpus holds no article, in one line."""
    if not failures:
        return "no article found (add .txt, .md or .jsonl files)"
    shown = "; ".join(str(f) for f in failures[:5])
    more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
    return f"no article could be loaded: {shown}{more}"
