"""The index as named arrays, and back: what ``cache.py`` writes to disk and
reads again.

A saved index is refused, never half-trusted: ``index_from_arrays`` checks
that the arrays fit together and fit the articles they are loaded for
(``SparseBM25.from_arrays`` checks its own), and raises ``ValueError`` when
they do not, so that a damaged or foreign file cannot become wrong answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.engine.index.bm25 import SparseBM25
from bot.engine.index.config import IndexConfig
from bot.engine.index.sentence_index import LAYOUT_ARRAYS, SentenceIndex
from bot.engine.models import Article


def index_arrays(index: SentenceIndex) -> dict[str, npt.NDArray[Any]]:
    """Every array of the index, by name (the vocabulary aside: see
    ``SentenceIndex.vocabulary``)."""
    out: dict[str, npt.NDArray[Any]] = {name: getattr(index, name) for name in LAYOUT_ARRAYS}
    out["term_ids"] = index.term_ids
    out["digests"] = index.digests
    out.update({f"sent_{k}": v for k, v in index.sentences.arrays().items()})
    out.update({f"para_{k}": v for k, v in index.paragraphs.arrays().items()})
    return out


def index_from_arrays(
    articles: Sequence[Article],
    config: IndexConfig | None,
    vocabulary: Sequence[str],
    arrays: Mapping[str, npt.NDArray[Any]],
) -> SentenceIndex:
    """The index that ``index_arrays`` and ``vocabulary`` describe, over the
    same ``articles``; ``ValueError`` when they do not fit."""
    config = config or IndexConfig()
    try:
        layout = {name: np.asarray(arrays[name], dtype=np.int32) for name in LAYOUT_ARRAYS}
        term_ids = np.asarray(arrays["term_ids"], dtype=np.int32)
        digests = np.asarray(arrays["digests"], dtype=np.uint8)
        vocab = {t: i for i, t in enumerate(vocabulary)}
        if len(vocab) != len(vocabulary):
            raise ValueError("the vocabulary repeats a term")
        sent = {k[5:]: v for k, v in arrays.items() if k.startswith("sent_") and k not in LAYOUT_ARRAYS}
        para = {k[5:]: v for k, v in arrays.items() if k.startswith("para_") and k not in LAYOUT_ARRAYS}
        variant, k1, b = config.variant, config.k1, config.b
        sentences = SparseBM25.from_arrays(vocab, sent, variant=variant, k1=k1, b=b)
        paragraphs = SparseBM25.from_arrays(vocab, para, variant=variant, k1=k1, b=b)
    except KeyError as exc:
        raise ValueError(f"missing array {exc}") from None
    found = SentenceIndex(
        articles,
        config,
        layout=layout,
        term_ids=term_ids,
        digests=digests,
        sentences=sentences,
        paragraphs=paragraphs,
    )
    _check(found)
    return found


def _check(index: SentenceIndex) -> None:
    """The layout fits the articles and the BM25 arrays."""
    n, n_para = index.sentences.n_docs, index.paragraphs.n_docs
    articles = index.articles
    lengths = np.asarray([len(a.paragraphs) for a in articles])
    para_len = np.asarray([len(p) for a in articles for p in a.paragraphs])
    para_first = index.para_first_sentence
    if (
        any(len(getattr(index, k)) != n for k in LAYOUT_ARRAYS[:5])
        or len(index.para_article) != n_para
        or len(para_first) != n_para + 1
        or n_para != int(lengths.sum())
        or not np.array_equal(index.para_article, np.repeat(np.arange(len(articles)), lengths))
        or para_first[0] != 0
        or para_first[-1] != n
        or np.any(np.diff(para_first) < 0)
        or not np.array_equal(index.sent_para, np.repeat(np.arange(n_para), np.diff(para_first)))
        or not np.array_equal(index.sent_article, index.para_article[index.sent_para])
        or np.any(index.span_start < 0)
        or np.any(index.span_end <= index.span_start)
        or np.any(index.span_end > para_len[index.sent_para])
        or index.digests.shape != (len(articles), 32)
        or len(index.term_ids) != int(index.sentences.doc_len.sum())
        or (len(index.term_ids) and int(index.term_ids.max()) >= len(index.sentences.vocab))
        or (len(index.term_ids) and int(index.term_ids.min()) < 0)
    ):
        raise ValueError("the index does not fit the articles")
