"""What ``bot.fetch`` uses of the engine, imported in one place.

Everything comes from ``bot.engine``'s public exports, except the sentence
splitter (``sentences``, for the count reported after an add), which is
imported from its module until the package exports it.
"""

from __future__ import annotations

from bot.engine import Article, CorpusFileError, parse_article_bytes, safe_file_name, write_file
from bot.engine.text.sentences import sentences

__all__ = ["Article", "CorpusFileError", "parse_article_bytes", "safe_file_name", "sentences", "write_file"]
