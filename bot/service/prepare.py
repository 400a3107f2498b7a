"""Preparing a corpus before the bot starts (``python -m bot index``):
everything answering uses is built and saved, so that ``ask`` and ``run``
afterwards start ready.

1. the index (BM25), loaded from ``INDEX_CACHE_DIR`` when saved there;
2. every sentence's vector, each distinct text once, on every core (nothing
   else runs: ``ParallelEncoder``), saved beside the index -- a large
   corpus's too, which the bot would otherwise embed in the background
   while answering with vectors on demand (a question then took 285 ms at
   50,000 sentences instead of 23);
3. the answer judge's parses of the sentences, saved likewise (a corpus
   small enough for the judge to keep them: ``Engine.warm_up``).

Long steps report ``(done, total)`` to the caller's ``Steps`` (the command
line shows a bar or plain lines); this module knows nothing of either.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import WARM_PARSE, CorpusError, Engine, LoadFailure, ParallelEncoder, SentenceEncoder
from bot.service.corpora import build_server
from bot.service.engines import build_engine, encoder_for
from bot.service.layout import server_folder
from bot.settings import Settings

Steps = Callable[[str], Callable[[int, int], None]]
"""``steps(what)``: the callback told ``(done, total)`` for step ``what``."""

PARSE_BATCH = 256
"""Sentences parsed together (spaCy's ``pipe``), between two reports."""


@dataclass
class Prepared:
    engine: Engine
    failures: list[LoadFailure] = field(default_factory=list)
    seconds: float = 0.0
    """Loading or building the index, vectors and parses."""
    vectors_built: bool = False
    """Whether sentence vectors were embedded here (else loaded, or off)."""


def _quiet(what: str) -> Callable[[int, int], None]:
    return lambda done, total: None


def build_as_seen(
    settings: Settings, folder: Path, encoder: SentenceEncoder | None, server: int | None
) -> tuple[Engine, list[LoadFailure]]:
    """The engine as ``server`` sees the corpus (the shared articles and its
    own; without ``server``, the shared ones alone), and every file that
    failed; raises ``CorpusError`` for an empty corpus."""
    engine = build_engine(settings, folder, encoder=encoder)
    failures = list(engine.failures)
    if server is not None:
        built = build_server(folder, settings.index_cache_dir, encoder, server, engine)
        engine = built.engine or engine
        failures += built.failures
    return engine, failures


def no_such_server(folder: Path, server: int) -> str:
    return (
        f"server {server} has no articles of its own ({server_folder(folder, server)} does not exist): "
        "check the id, or leave out --server for the shared articles"
    )


def prepare(
    settings: Settings,
    folder: Path,
    server: int | None = None,
    *,
    vectors: bool = True,
    workers: int | None = None,
    steps: Steps = _quiet,
) -> Prepared:
    """Load or build the engine of ``folder`` (as ``server`` sees it), and
    with ``vectors`` its sentence vectors and the judge's parses, saved.
    ``CorpusError`` when nothing loads, or ``server`` has no folder."""
    if server is not None and not server_folder(folder, server).is_dir():
        raise CorpusError(no_such_server(folder, server))
    t0 = time.perf_counter()
    encoder = encoder_for(settings) if vectors else None
    if encoder is not None:
        encoder = ParallelEncoder(encoder, workers or os.cpu_count() or 1, steps("embedding"))
    engine, failures = build_as_seen(settings, folder, encoder, server)
    done = Prepared(engine, failures)
    if engine.vectors_pending:
        done.vectors_built = engine.build_vectors()
    if vectors:
        _parse(engine, steps("parsing sentences"))
    done.seconds = time.perf_counter() - t0
    return done


def _parse(engine: Engine, told: Callable[[int, int], None]) -> None:
    """The judge's parses (and token states) of every sentence, a batch at
    a time, saved with the index: what ``Engine.warm_up`` does while the bot
    is idle, here in large batches, the token states embedded on every core
    beside spaCy's parses.  Nothing when they were saved, or the corpus is
    larger than the judge keeps (``WARM_PARSE``: a question then parses its
    own candidates)."""
    judge = engine.judge
    n = engine.n_sentences
    if judge is None or n > WARM_PARSE or judge.complete():
        return
    told(0, n)
    with ThreadPoolExecutor(1, thread_name_prefix="token-states") as beside:
        for start in range(0, n, PARSE_BATCH):
            ids = range(start, min(n, start + PARSE_BATCH))
            # The token states (the sentence model, on every core) beside
            # the parses (spaCy): they are kept apart, and as slow as each other.
            store = judge.tokens
            states = beside.submit(store.rows, ids, engine.index.sentence_text) if store is not None else None
            judge.parsed(ids)
            if states is not None:
                states.result()
            told(ids.stop, n)
    judge.save()
