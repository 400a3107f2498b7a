"""The fetcher's tests get the loopback news site (``tests/harness/news_site.py``)."""

from tests.harness.news_site import corpus_dir, local, server

__all__ = ["corpus_dir", "local", "server"]
