"""Where articles live in the corpus folder, and where their saved indexes go.

``CORPUS_DIR`` holds the shared articles (every file outside
``CORPUS_DIR/servers/``) and, in ``CORPUS_DIR/servers/<guild id>/``, each
server's own.  Article ids and sources are relative to ``CORPUS_DIR``, so a
server's own articles' sources start with ``servers/<guild id>/``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.engine import LoadFailure

SERVERS = "servers"
"""The sub-folder of ``CORPUS_DIR`` that holds the servers' own articles."""


def server_folder(root: Path, guild_id: int) -> Path:
    """Where a server's own articles live."""
    return root / SERVERS / str(guild_id)


def is_own(article_source: str, guild_id: int) -> bool:
    """Is the article with this ``source`` one of the server's own?"""
    return article_source.startswith(f"{SERVERS}/{guild_id}/")


def is_shared(article_source: str) -> bool:
    """Is the article with this ``source`` one of the shared ones?"""
    return not article_source.startswith(f"{SERVERS}/")


def misnamed_server_folders(root: Path) -> list[LoadFailure]:
    """Folders in ``servers/`` that are not named by a server id: skipped,
    and reported with the shared articles' failures."""
    folder = root / SERVERS
    try:
        names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
    return [
        LoadFailure(f"{SERVERS}/{name}", "skipped: a server's folder must be named by the server's id (a number)")
        for name in names
        if not (name.isdigit() and 0 < int(name) < 2**64)
    ]


def server_of(root: Path, path: Path) -> int | None:
    """The server among whose own articles ``path`` is, if any."""
    try:
        parts = path.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    if len(parts) >= 3 and parts[0] == SERVERS and parts[1].isdigit():
        return int(parts[1])
    return None


def in_servers(root: Path, path: Path) -> bool:
    """Is ``path`` inside ``servers/`` (a server's article, or a misnamed folder's)?"""
    try:
        return path.resolve().relative_to(root.resolve()).parts[:1] == (SERVERS,)
    except ValueError:
        return False


def cache_folder(cache_dir: Path | None, corpus: Path) -> Path | None:
    """Where ``corpus``'s saved indexes go: a folder of their own under
    ``INDEX_CACHE_DIR`` for each corpus folder (and each server's), so that
    asking another corpus (``ask --corpus other``) or another server never
    pushes out the few the cache keeps for each."""
    if cache_dir is None:
        return None
    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_dir / key
