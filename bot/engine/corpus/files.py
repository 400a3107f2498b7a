"""Changing the corpus folder safely: adding an uploaded article, removing one.

* An upload gets a file name of its own, made from its title (never a path
  from the upload), inside the corpus folder.
* Files are written atomically: a hidden temporary file in the same folder
  (the loader skips hidden files), flushed to disk, then renamed over the
  target, so a reload never reads half a file.
* Nothing outside the corpus folder is ever written or removed.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from bot.engine.models import Article

MAX_NAME = 60
MAX_NAME_BYTES = 255
"""The longest file name most file systems allow (NAME_MAX), in bytes."""
_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")


class CorpusFileError(Exception):
    """The change cannot be made; the message says why, for the admin."""


def safe_file_name(title: str, suffix: str) -> str:
    """A file name from an article's title: ASCII letters, digits and
    hyphens, at most 60 characters, plus the suffix (``.txt``, ``.md``,
    ``.jsonl``)."""
    suffix = suffix.lower()
    if not _SUFFIX.fullmatch(suffix):
        raise CorpusFileError(f"not a file suffix: {suffix!r}")
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_NAME].strip("-")
    return f"{slug or 'article'}{suffix}"


def _inside(root: Path, path: Path) -> Path:
    """``path`` with every link followed, when that is inside ``root``."""
    try:
        root = root.resolve()
        resolved = path.resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL in the name, a link loop, ...
        raise CorpusFileError("not a usable path") from exc
    if not resolved.is_relative_to(root) or resolved == root:
        raise CorpusFileError("that path is outside the corpus folder")
    return resolved


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_file(root: Path, name: str, data: bytes, *, replace: bool = False) -> Path:
    """Write ``data`` to ``root/name`` atomically; ``CorpusFileError`` when
    the file exists and ``replace`` is false."""
    if (
        not name
        or any(c in name for c in "/\\\0")
        or name.startswith(".")
        or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES
    ):
        raise CorpusFileError("not a plain file name")
    if not root.is_dir():
        raise CorpusFileError("the corpus folder does not exist")
    target = _inside(root, root / name)
    if target.exists():
        if not replace:
            raise CorpusFileError(f"{name} already exists")
        if not target.is_file():
            raise CorpusFileError(f"{name} is not a file")
    _atomic_write(target, data)
    return target


def remove_article(root: Path, article: Article) -> Path:
    """Remove ``article`` from the corpus folder: its file, or its line of a
    ``.jsonl`` file (rewritten atomically).  Returns the file changed."""
    source = article.source
    line_no: int | None = None
    match = re.fullmatch(r"(.+\.jsonl):(\d+)", source)
    if match:
        source, line_no = match.group(1), int(match.group(2))
    path = _inside(root, root / source)
    if not path.is_file():
        raise CorpusFileError(f"{source} is no longer in the corpus folder")
    if line_no is None:
        path.unlink()
        return path
    lines = path.read_bytes().splitlines(keepends=True)
    if not 1 <= line_no <= len(lines):
        raise CorpusFileError(f"{source} has changed since it was loaded; reload first")
    del lines[line_no - 1]
    _atomic_write(path, b"".join(lines))
    return path
