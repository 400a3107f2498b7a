"""Articles from links, as the service adds them: the fetch limits from the
settings (``bot/fetch`` does the fetching, extraction and saving)."""

from __future__ import annotations

from bot.fetch import FetchOptions
from bot.settings import Settings


def fetch_options(settings: Settings) -> FetchOptions:
    """The limits for fetching an article from a link, from the settings."""
    return FetchOptions(
        allow_private=settings.fetch_allow_private,
        max_bytes=settings.fetch_max_bytes,
        timeout=settings.fetch_timeout_seconds,
        max_redirects=settings.fetch_max_redirects,
    )
