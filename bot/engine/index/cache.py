"""The built index, saved so that a restart or a ``/reload`` of unchanged
files loads it instead of building it again.

A saved index is named by a key: the sha256 of everything the index is made
from -- the text of every paragraph of every article, in order, the scoring
parameters, and the source code of the modules that split, tokenize and
score (so a change to the analyser can never meet an index built by the old
one).  Any change to a file's text changes the key and the index is built
anew; the titles and bylines are not part of the index and are always read
from the files.

A file is refused, never half-trusted: numpy's ``.npz`` is a zip whose
members carry a CRC-32 that is checked as they are read (the sentence
vectors, mapped from the file rather than read, carry a sum of their
64-bit words instead: a flipped bit changes it), and
``arrays.index_from_arrays`` checks that the arrays fit together and fit
the articles.  A damaged, truncated or foreign file is logged, deleted and
rebuilt.  Files are written to a temporary name and renamed, so a crash
mid-write leaves no half file under a real name; only the few most recently
used are kept.

When the corpus changed, the new index still takes the sentences and terms
of every unchanged article from the most recently saved index (each
article is known by the sha256 of its paragraphs): only the changed files
are split and tokenized again (``build.build_index(..., reuse=)``).  A bot
reloading does the same from the engine it is serving.

The sentence vectors of a small corpus (see ``semantic/scorer.py``: every sentence
is embedded when the corpus has up to 20,000, which takes up to minutes) are
saved the same way, keyed by the index key and the model's own sha256; so
are the answer judge's parses of a small corpus's sentences (``save_blob``,
keyed by the index key, the parser and the code that reduces a parse).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import struct
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.engine.index import arrays as saved_layout
from bot.engine.index import bm25, build
from bot.engine.index.arrays import index_arrays, index_from_arrays
from bot.engine.index.build import Reusable, article_digest
from bot.engine.index.checks import all_finite, word_sum
from bot.engine.index.config import IndexConfig
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.models import Article
from bot.engine.text import sentences, tokens

log = logging.getLogger(__name__)

FORMAT = 2
"""Bumped when the layout of the saved file changes."""
KEEP = 3
"""Saved indexes kept in the folder (the most recently used): the current
corpus, and one or two before it for a quick way back."""

KINDS = ("index", "vectors", "parses", "surfaces", "facts")
"""The kinds of saved file (their names' prefix)."""

_code_digest: bytes | None = None


def _code() -> bytes:
    """A digest of the code that decides what an index holds."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(f"format {FORMAT}".encode())
        for module in (bm25, build, saved_layout, sentences, tokens):
            h.update(Path(str(module.__file__)).read_bytes())
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            h.update(importlib.metadata.version("PyStemmer").encode())
        _code_digest = h.digest()
    return _code_digest


def index_key(articles: Sequence[Article], config: IndexConfig, digests: Sequence[bytes] | None = None) -> str:
    """The key of the index of ``articles`` scored with ``config``
    (``digests``: their ``article_digest``s, when already computed)."""
    h = hashlib.sha256(_code())
    h.update(repr((config.variant, config.k1, config.b)).encode())
    h.update(len(articles).to_bytes(8, "little"))
    for digest in digests if digests is not None else (article_digest(a) for a in articles):
        h.update(digest)
    return h.hexdigest()


class IndexCache:
    """A folder of saved indexes (created when first written)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._unwritable = False
        """Whether saving failed already: said once (a question that saves
        an index, vectors, words and parses warned 6 times)."""

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key[:40]}.npz"

    # -- the index -------------------------------------------------------------

    def load(self, key: str, articles: Sequence[Article], config: IndexConfig) -> SentenceIndex | None:
        path = self._path("index", key)
        saved = self._read(path, key)
        if saved is None:
            return None
        try:
            vocabulary = _text_list(saved.pop("vocabulary"))
            found = index_from_arrays(articles, config, vocabulary, saved)
        except (ValueError, KeyError, UnicodeDecodeError) as exc:
            self._discard(path, f"does not fit the corpus ({exc})")
            return None
        log.info("index loaded from %s (%d sentences)", path, found.n_sentences)
        return found

    def latest_reusable(self) -> Reusable | None:
        """The sentences of the most recently used saved index (for a corpus
        where only some files changed), or None."""
        files = self._newest_first("index")
        if not files:
            return None
        path = files[0]
        try:
            with np.load(path, allow_pickle=False) as saved:
                if json.loads(bytes(saved["meta"]).decode("utf-8")).get("format") != FORMAT:
                    return None  # an older layout: nothing to take
                found = Reusable.of(
                    saved["digests"],
                    saved["sent_article"],
                    saved["sent_paragraph"],
                    saved["span_start"],
                    saved["span_end"],
                    saved["sent_doc_len"],
                    saved["term_ids"],
                    _text_list(saved["vocabulary"]),
                )
        except (OSError, ValueError, EOFError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            log.warning("index cache %s cannot be reused (%s); building from the text", path.name, exc)
            return None
        log.info("reusing the unchanged articles' sentences from %s", path.name)
        return found

    def save(self, key: str, built: SentenceIndex) -> None:
        named = index_arrays(built)
        named["vocabulary"] = _text_array(built.vocabulary())
        self._write(self._path("index", key), key, named)

    # -- sentence vectors -------------------------------------------------------

    def load_vectors(self, key: str, model: str, n_sentences: int, dim: int) -> npt.NDArray[np.floating] | None:
        """The vectors as saved: float16 (float32 from before they were
        quantised); the scorer takes them as it keeps them."""
        found = self.load_vector_set(key, model, n_sentences, dim)
        return None if found is None else found[0]

    def load_vector_set(
        self, key: str, model: str, n_sentences: int, dim: int
    ) -> tuple[npt.NDArray[np.floating], dict[str, npt.NDArray[Any]]] | None:
        """The vectors, and the arrays saved with them (``save_vectors``'s
        ``extra``: the scorer checks those it reads)."""
        path = self._path("vectors", _vectors_key(key, model))
        # Mapped, not read: at 1,000,000 sentences reading them (and their
        # CRC) was 1.2 s of a restart, and processes on one machine share
        # the pages; their word sum, ``all_finite`` and the shape check them
        # (the coarse rows only choose candidates, scored exactly after).
        arrays = self._read(path, _vectors_key(key, model), mapped=("vectors", "coarse_rows"))
        if arrays is None:
            return None
        matrix = arrays.pop("vectors", None)
        total = arrays.pop("vectors_sum", None)
        for name in ("text_hashes", "model"):  # for ``vectors_by_text``
            arrays.pop(name, None)
        if (
            matrix is None
            or matrix.dtype not in (np.float16, np.float32)
            or matrix.shape != (n_sentences, dim)
            or (total is not None and not np.array_equal(total, [word_sum(matrix)]))
            or not all_finite(matrix)
        ):
            self._discard(path, "does not fit the corpus")
            return None
        log.info("sentence vectors loaded from %s", path)
        return matrix, arrays

    def save_vectors(
        self,
        key: str,
        model: str,
        matrix: npt.NDArray[np.floating],
        extra: dict[str, npt.NDArray[Any]] | None = None,
        text_hashes: npt.NDArray[np.uint64] | None = None,
    ) -> None:
        """Save unit vectors in float16: half the disk and load time, and
        cosines within about 0.001 of float32's (ranking unchanged within
        noise, see benchmarks/README.md); ``extra``: arrays derived from
        them, saved beside them; ``text_hashes``: each row's sentence text
        hashed (``semantic/reuse.text_hashes``), so that another corpus's
        index can take the vectors of the sentences it shares
        (``vectors_by_text``)."""
        vkey = _vectors_key(key, model)
        arrays = dict(extra or {})
        arrays["vectors"] = np.asarray(matrix, dtype=np.float16)
        arrays["vectors_sum"] = np.array([word_sum(arrays["vectors"])], dtype=np.uint64)
        if text_hashes is not None and len(text_hashes) == len(matrix):
            arrays["text_hashes"] = np.asarray(text_hashes, dtype=np.uint64)
            arrays["model"] = _text_array([model.replace("\n", " ")])
        self._write(self._path("vectors", vkey), vkey, arrays)

    def vectors_by_text(self, model: str, dim: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.floating]] | None:
        """The most recently used saved sentence vectors of ``model`` that
        carry their texts' hashes, whatever corpus or version they were saved
        for: a restart after the articles changed (or after an upgrade that
        changes the index key) embeds only the sentences they lack.  The
        vectors are mapped from the file, not read: only the rows taken are."""
        for path in self._newest_first("vectors"):
            try:
                found = _hashed_vectors(path, model, dim)
            except (OSError, ValueError, EOFError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
                log.warning("index cache %s cannot be reused (%s)", path.name, exc)
                continue
            if found is not None:
                return found
        return None

    # -- other derived data (the judge's parses) ---------------------------------

    def load_blob(self, kind: str, key: str) -> bytes | None:
        """Bytes saved by ``save_blob`` under ``kind`` and ``key`` (which
        should hold the index key, and whatever else they depend on)."""
        arrays = self._read(self._path(kind, key), key)
        if arrays is None:
            return None
        data = arrays.get("data")
        if data is None or data.dtype != np.uint8 or data.ndim != 1:
            self._discard(self._path(kind, key), "does not hold its data")
            return None
        return bytes(data)

    def save_blob(self, kind: str, key: str, data: bytes) -> None:
        self._write(self._path(kind, key), key, {"data": np.frombuffer(data, dtype=np.uint8)})

    # -- files ------------------------------------------------------------------

    def _read(self, path: Path, key: str, mapped: tuple[str, ...] = ()) -> dict[str, npt.NDArray[Any]] | None:
        """The arrays saved under ``key``, or None (missing, or damaged and
        then deleted); ``mapped``: arrays mapped from the file rather than
        read (``_stored_member``)."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                arrays = {name: saved[name] for name in saved.files if name not in mapped}
                for name in (m for m in mapped if m in saved.files):
                    found = _stored_member(path, name)
                    arrays[name] = found if found is not None else saved[name]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as exc:
            self._discard(path, f"cannot be read ({exc})")
            return None
        try:
            meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
            fits = meta == {"format": FORMAT, "key": key}
        except (KeyError, ValueError, UnicodeDecodeError):
            fits = False
        if not fits:
            self._discard(path, "was saved for another corpus or version")
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept by ``_prune``
        return arrays

    def _write(self, path: Path, key: str, arrays: dict[str, npt.NDArray[Any]]) -> None:
        """Save ``arrays`` under ``path``; a failure is logged, not raised:
        the bot works without its cache, only restarts are slower."""
        meta = json.dumps({"format": FORMAT, "key": key}).encode("utf-8")
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".saving-", suffix=".npz", dir=self.folder)
            with os.fdopen(fd, "wb") as fh:
                # (numpy's stubs take ``**arrays`` for its keyword arguments)
                np.savez(fh, meta=np.frombuffer(meta, dtype=np.uint8), **arrays)  # type: ignore[arg-type]
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
            log.info("index cache saved to %s", path)
        except OSError as exc:
            said, self._unwritable = self._unwritable, True
            log.log(
                logging.DEBUG if said else logging.WARNING,
                "could not save the index cache in %s (%s); it will be built again next time (INDEX_CACHE_DIR)",
                self.folder,
                exc,
            )
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
        self._prune()

    def _discard(self, path: Path, why: str) -> None:
        log.warning("index cache %s %s; building the index again", path.name, why)
        with contextlib.suppress(OSError):
            path.unlink()

    def _newest_first(self, kind: str) -> list[Path]:
        """Saved files of ``kind``, the most recently used first."""
        try:
            return sorted(self.folder.glob(f"{kind}-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return []

    def _prune(self) -> None:
        """Keep the ``KEEP`` most recently used files of each kind."""
        for kind in KINDS:
            for old in self._newest_first(kind)[KEEP:]:
                with contextlib.suppress(OSError):
                    old.unlink()


def open_cache(folder: str | os.PathLike[str] | None) -> IndexCache | None:
    """The cache in ``folder`` (the ``INDEX_CACHE_DIR`` setting); None: off."""
    return None if folder is None or not str(folder).strip() else IndexCache(folder)


def _hashed_vectors(path: Path, model: str, dim: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.floating]] | None:
    """``path``'s vectors and their texts' hashes, when saved for ``model``."""
    with np.load(path, allow_pickle=False) as saved:
        if not {"meta", "model", "text_hashes", "vectors"} <= set(saved.files):
            return None  # a word list's vectors, or saved before the hashes were
        if json.loads(bytes(saved["meta"]).decode("utf-8")).get("format") != FORMAT:
            return None
        if _text_list(saved["model"]) != [model.replace("\n", " ")]:
            return None
        hashes = saved["text_hashes"]
    vectors = _stored_member(path, "vectors")
    if vectors is None or hashes.dtype != np.uint64 or hashes.ndim != 1:
        return None
    if vectors.shape != (len(hashes), dim) or vectors.dtype not in (np.float16, np.float32):
        return None
    return hashes, vectors


def _stored_member(path: Path, name: str) -> npt.NDArray[Any] | None:
    """The array ``name`` of an ``.npz`` whose members are stored
    uncompressed (as ``np.savez`` writes them), mapped from the file (no
    CRC check: the caller checks the rows it takes); None when it cannot be."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(f"{name}.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) != 30 or local[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            return None
        offset = fh.tell()
    if fortran or dtype.hasobject:
        return None
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


def _vectors_key(key: str, model: str) -> str:
    return hashlib.sha256(f"{key} {model}".encode()).hexdigest()


def _text_array(items: Sequence[str]) -> npt.NDArray[np.uint8]:
    """Terms as one UTF-8 buffer, one a line (terms hold no white space)."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _text_list(array: npt.NDArray[Any]) -> list[str]:
    if array.dtype != np.uint8:
        raise ValueError("the vocabulary is not text")
    text = bytes(array).decode("utf-8")
    return text.split("\n") if text else []
