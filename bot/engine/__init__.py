"""The retrieval engine: corpus loading, sentence splitting, tokenizing,
the BM25 index, sentence embeddings, and answering.  It knows nothing of
Discord.

This package is the one import path for code outside the engine: what is
named here is the engine's public API, and its modules are free to move.

Layout (each module's docstring says what it does and why):

* ``engine.py``: ``Engine``, build or load, corpus look-ups, ``ask``;
* ``query.py``: understanding the question (spelling, related forms,
  similar words, follow-ups, "who is X?");
* ``rank.py``: ranking and judging sentences (coverage, confidence);
* ``about.py``: questions about the article itself (title, byline, lead);
* ``models.py``: the plain data (``Article``, ``Answer``, ``Result``, …);
* ``text/``: tokens, sentences, cheap lexical features;
* ``corpus/``: article formats, loading the folder, changing its files;
* ``index/``: BM25, the index's config, building, top-k, saving;
* ``semantic/``: the embedding model, its encoder, scoring, word neighbours;
* ``facts/``: who's who and the timeline, read from the sentences.
"""

from bot.engine.corpus.files import CorpusFileError, remove_article, safe_file_name, write_file
from bot.engine.corpus.folder import ARTICLE_SUFFIXES, CorpusError, load_corpus, parse_article_bytes
from bot.engine.engine import Engine
from bot.engine.facts import Event, Facts, PersonFact, facts_for
from bot.engine.index.cache import IndexCache, open_cache
from bot.engine.index.config import IndexConfig
from bot.engine.judge.judge import WARM_PARSE
from bot.engine.models import Answer, Article, Corpus, LoadFailure, Reason, Result
from bot.engine.query import QueryTerms
from bot.engine.semantic.encoder import SentenceEncoder, load_encoder, single_threaded_math
from bot.engine.semantic.parallel import ParallelEncoder
from bot.engine.text.sentences import sentences, split_sentences
from bot.engine.text.tokens import word_spans

__all__ = [
    "ARTICLE_SUFFIXES",
    "WARM_PARSE",
    "Answer",
    "Article",
    "Corpus",
    "CorpusError",
    "CorpusFileError",
    "Engine",
    "Event",
    "Facts",
    "IndexCache",
    "IndexConfig",
    "LoadFailure",
    "ParallelEncoder",
    "PersonFact",
    "QueryTerms",
    "Reason",
    "Result",
    "SentenceEncoder",
    "facts_for",
    "load_corpus",
    "load_encoder",
    "open_cache",
    "parse_article_bytes",
    "remove_article",
    "safe_file_name",
    "sentences",
    "single_threaded_math",
    "split_sentences",
    "word_spans",
    "write_file",
]
