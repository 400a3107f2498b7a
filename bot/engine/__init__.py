"""The retrieval engine: corpus loading, sentence splitting, tokenizing,
the BM25 index, and answering.  It knows nothing of Discord."""

from bot.engine.answer import Engine
from bot.engine.corpus import CorpusError, load_corpus
from bot.engine.models import Answer, Article, Corpus, LoadFailure, Result

__all__ = ["Answer", "Article", "Corpus", "CorpusError", "Engine", "LoadFailure", "Result", "load_corpus"]
