"""The saved index: loaded when the corpus is unchanged, rebuilt when it
changed, and never trusted when damaged."""

from __future__ import annotations

import hashlib
import logging
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import bot.engine.engine as engine_module
from bot.engine import Article, Corpus, Engine, IndexConfig
from bot.engine.index.arrays import index_arrays
from bot.engine.index.cache import KEEP, IndexCache, index_key, open_cache
from bot.engine.index.sentence_index import SentenceIndex
from bot.engine.semantic.encoder import TokenRows

ARTICLES = [
    Article(
        id="a",
        title="Putin visits Syria",
        paragraphs=(
            "Putin and Assad met Tuesday at a Russian command post in Damascus. They talked for an hour.",
            "More than 400,000 people have been killed in the war. Millions fled.",
        ),
    ),
    Article(id="b", title="Chess", paragraphs=("The rules of chess were set long ago.",)),
]
QUESTIONS = ["Where did Putin and Assad meet?", "How many people died?", "chess rules", "cake recipe"]


def engine(cache: IndexCache | None, articles: list[Article] = ARTICLES, **kw: Any) -> Engine:
    return Engine(Corpus(articles=tuple(articles)), cache=cache, **kw)


def answers(e: Engine) -> list[tuple[bool, list[str]]]:
    out = []
    for q in QUESTIONS:
        r = e.ask(q)
        out.append((r.answered, [a.text for a in r.answers]))
    return out


def _fail(*args: object, **kwargs: object) -> SentenceIndex:
    raise AssertionError("the index was built, not loaded")


def saved(folder: Path) -> list[Path]:
    return sorted(folder.glob("index-*.npz"))


def test_an_unchanged_corpus_loads_the_saved_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = IndexCache(tmp_path)
    first = engine(cache)
    fresh = answers(engine(None))
    assert len(saved(tmp_path)) == 1
    monkeypatch.setattr(engine_module, "build_index", _fail)
    second = engine(cache)
    for name, array in index_arrays(first.index).items():
        np.testing.assert_array_equal(array, index_arrays(second.index)[name], err_msg=name)
    assert second.index.vocabulary() == first.index.vocabulary()
    assert answers(second) == fresh == answers(first)
    assert second.index.terms_of(0) == first.index.terms_of(0)


def test_a_changed_paragraph_rebuilds(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    engine(cache)
    changed = [ARTICLES[0], Article(id="b", title="Chess", paragraphs=("The rules of go were set long ago.",))]
    assert index_key(changed, IndexConfig()) != index_key(ARTICLES, IndexConfig())
    e = engine(cache, changed)
    assert e.ask("rules of go").answered
    assert len(saved(tmp_path)) == 2


def test_titles_are_read_from_the_files_not_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index holds no titles: a renamed article loads the same index
    and shows its new title."""
    cache = IndexCache(tmp_path)
    engine(cache)
    renamed = [Article(id="a", title="A new title", paragraphs=ARTICLES[0].paragraphs), ARTICLES[1]]
    monkeypatch.setattr(engine_module, "build_index", _fail)
    result = engine(cache, renamed).ask(QUESTIONS[0])
    assert result.answers[0].article.title == "A new title"


def test_key_depends_on_scoring_parameters_not_on_rerank_weights() -> None:
    base = IndexConfig()
    assert index_key(ARTICLES, base) != index_key(ARTICLES, IndexConfig(k1=1.5))
    assert index_key(ARTICLES, base) != index_key(ARTICLES, IndexConfig(variant="okapi"))
    assert index_key(ARTICLES, base) == index_key(ARTICLES, IndexConfig(phrase_weight=0.1))


def test_key_sees_where_paragraphs_split() -> None:
    one = [Article(id="a", title="T", paragraphs=("ab", "c"))]
    two = [Article(id="a", title="T", paragraphs=("a", "bc"))]
    assert index_key(one, IndexConfig()) != index_key(two, IndexConfig())


def _flip_byte(path: Path, where: float) -> None:
    data = bytearray(path.read_bytes())
    i = int(len(data) * where)
    data[i] ^= 0x55
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda p: _flip_byte(p, 0.5), id="flipped byte"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), id="truncated"),
        pytest.param(lambda p: p.write_bytes(b""), id="empty"),
        pytest.param(lambda p: p.write_bytes(b"not a zip at all" * 100), id="garbage"),
    ],
)
def test_a_damaged_file_is_rebuilt_and_replaced(tmp_path: Path, damage: Any, caplog: pytest.LogCaptureFixture) -> None:
    cache = IndexCache(tmp_path)
    expected = answers(engine(cache))
    [path] = saved(tmp_path)
    damage(path)
    with caplog.at_level(logging.WARNING, logger="bot.engine.index.cache"):
        e = engine(cache)
    assert answers(e) == expected
    assert "building the index again" in caplog.text
    # Replaced by a good file, which now loads.
    [again] = saved(tmp_path)
    assert cache.load(index_key(ARTICLES, IndexConfig()), ARTICLES, IndexConfig()) is not None
    assert again == path


def test_a_flipped_byte_in_any_array_is_caught(tmp_path: Path) -> None:
    """Each saved array's bytes are checked (zip CRC-32) as it is read."""
    cache = IndexCache(tmp_path)
    engine(cache)
    [path] = saved(tmp_path)
    good = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        members = [
            (i.filename, i.header_offset + 30 + len(i.filename.encode()) + len(i.extra), i.compress_size)
            for i in z.infolist()
        ]
    assert len(members) > 10
    for name, start, size in members:
        data = bytearray(good)
        data[start + size - 1] ^= 0x01
        path.write_bytes(bytes(data))
        assert cache.load(index_key(ARTICLES, IndexConfig()), ARTICLES, IndexConfig()) is None, name
        assert not path.exists()  # deleted, to be rebuilt


def _rewrite(path: Path, change: Any) -> None:
    with np.load(path) as saved_file:
        arrays: dict[str, npt.NDArray[Any]] = {k: saved_file[k] for k in saved_file.files}
    change(arrays)
    with path.open("wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda a: a.__setitem__("sent_post_docs", a["sent_post_docs"] + 10_000), id="doc out of range"),
        pytest.param(lambda a: a.__setitem__("span_end", a["span_end"] + 10_000), id="span past the paragraph"),
        pytest.param(lambda a: a.pop("para_indptr"), id="missing array"),
        pytest.param(lambda a: a.__setitem__("vocabulary", np.zeros(3, dtype=np.float64)), id="vocabulary not text"),
        pytest.param(
            lambda a: a.__setitem__("sent_post_weights", np.full_like(a["sent_post_weights"], np.nan)), id="nan"
        ),
        pytest.param(lambda a: a.__setitem__("meta", np.frombuffer(b'{"format": 1, "key": "x"}', np.uint8)), id="key"),
        pytest.param(lambda a: a.__setitem__("meta", np.frombuffer(b'{"format": 99', np.uint8)), id="bad meta"),
    ],
)
def test_a_well_formed_file_that_does_not_fit_is_rebuilt(tmp_path: Path, change: Any) -> None:
    cache = IndexCache(tmp_path)
    expected = answers(engine(cache))
    [path] = saved(tmp_path)
    _rewrite(path, change)
    assert answers(engine(cache)) == expected
    assert cache.load(index_key(ARTICLES, IndexConfig()), ARTICLES, IndexConfig()) is not None


def test_an_index_saved_for_other_articles_is_refused(tmp_path: Path) -> None:
    """A file copied under another corpus's name (same key in the name,
    other content) does not fit and is not used."""
    cache = IndexCache(tmp_path)
    engine(cache)
    [path] = saved(tmp_path)
    other = [Article(id="c", title="Other", paragraphs=("Something else entirely.",))]
    other_path = tmp_path / f"index-{index_key(other, IndexConfig())[:40]}.npz"
    path.rename(other_path)
    e = engine(cache, other)
    assert e.index.n_sentences == 1


def test_an_unwritable_cache_folder_is_logged_and_answering_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="bot.engine.index.cache"):
        e = engine(IndexCache(blocker / "cache"))
    assert e.ask(QUESTIONS[0]).answered
    assert "could not save the index cache" in caplog.text


def test_only_the_most_recently_used_are_kept(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    for i in range(KEEP + 2):
        engine(cache, [Article(id="x", title="T", paragraphs=(f"Version {i} of the text.",))])
    assert len(saved(tmp_path)) == KEEP
    assert not list(tmp_path.glob(".saving-*"))


def test_open_cache_empty_setting_is_off(tmp_path: Path) -> None:
    assert open_cache(None) is None
    assert open_cache("  ") is None
    cache = open_cache(tmp_path)
    assert cache is not None
    assert cache.folder == tmp_path


class CountingEncoder:
    """Stands in for the sentence encoder: counts the texts it embeds."""

    dim = 4
    identity = "test-model"
    batch_texts = 256
    """Texts embedded a batch at a time (as ``SentenceEncoder.batch_texts``)."""

    def __init__(self) -> None:
        self.embedded = 0
        self.texts: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None) -> npt.NDArray[np.float32]:
        self.embedded += len(texts)
        self.texts.extend(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, len(text) % self.dim] = 1.0
        return out

    def encode_tokens(
        self, texts: list[str], batch_size: int = 64, max_tokens: int | None = None
    ) -> tuple[npt.NDArray[np.float32], list[TokenRows]]:
        return self.encode(texts), [TokenRows(np.zeros((0, self.dim), dtype=np.float32), ()) for _ in texts]


def test_sentence_vectors_are_saved_and_reused_by_the_same_model_only(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    first = CountingEncoder()
    e1 = engine(cache, encoder=first)  # type: ignore[arg-type]
    n = e1.index.n_sentences
    sentences = {e1.index.sentence_text(i) for i in range(n)}
    assert sentences <= set(first.texts)  # (and the corpus's words, see semantic/neighbours.py)
    second = CountingEncoder()
    e2 = engine(cache, encoder=second)  # type: ignore[arg-type]
    assert second.embedded == 0
    assert e1.semantic is not None
    assert e2.semantic is not None
    np.testing.assert_array_equal(e1.semantic.matrix, e2.semantic.matrix)
    other = CountingEncoder()
    other.identity = "another-model"
    engine(cache, encoder=other)  # type: ignore[arg-type]
    assert sentences <= set(other.texts)


def test_damaged_vectors_are_embedded_again(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path)
    engine(cache, encoder=CountingEncoder())  # type: ignore[arg-type]
    saved_vectors = sorted(tmp_path.glob("vectors-*.npz"))
    assert saved_vectors
    for path in saved_vectors:
        _flip_byte(path, 0.6)
    again = CountingEncoder()
    engine(cache, encoder=again)  # type: ignore[arg-type]
    assert again.embedded > 0


def test_zip_members_are_checked_as_read(tmp_path: Path) -> None:
    """The guarantee the cache leans on: numpy reads ``.npz`` members through
    zipfile, which checks each member's CRC-32."""
    path = tmp_path / "x.npz"
    np.savez(path, a=np.arange(100_000, dtype=np.int64))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    with np.load(path) as f, pytest.raises(zipfile.BadZipFile):
        f["a"]


def test_vectors_are_saved_in_float16_and_float32_files_still_load(tmp_path: Path) -> None:
    """Saved vectors are quantised to float16 (half the disk and the load);
    a file saved in float32 before that is still taken."""
    cache = IndexCache(tmp_path)
    rng = np.random.default_rng(3)
    matrix = rng.normal(size=(50, 8)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    cache.save_vectors("k" * 64, "model", matrix)
    (path,) = tmp_path.glob("vectors-*.npz")
    with np.load(path) as saved:
        assert saved["vectors"].dtype == np.float16
    loaded = cache.load_vectors("k" * 64, "model", 50, 8)
    assert loaded is not None
    np.testing.assert_allclose(np.asarray(loaded, dtype=np.float32), matrix, atol=1e-3)
    old_key = "o" * 64
    vkey = hashlib.sha256(f"{old_key} model".encode()).hexdigest()
    cache._write(cache._path("vectors", vkey), vkey, {"vectors": matrix})
    old = cache.load_vectors(old_key, "model", 50, 8)
    assert old is not None
    np.testing.assert_array_equal(old, matrix)


def test_saved_vectors_are_mapped_and_a_flipped_bit_in_them_is_refused(tmp_path: Path) -> None:
    """The vectors are mapped from the file, not read through zipfile (no
    CRC): their saved word sum finds a flipped bit, and the file is
    discarded."""
    cache = IndexCache(tmp_path)
    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(64, 8)).astype(np.float16)
    cache.save_vectors("k" * 64, "model", matrix)
    loaded = cache.load_vectors("k" * 64, "model", 64, 8)
    assert isinstance(loaded, np.memmap)
    np.testing.assert_array_equal(loaded, matrix)
    del loaded
    (path,) = tmp_path.glob("vectors-*.npz")
    data = bytearray(path.read_bytes())
    start = bytes(data).find(matrix.tobytes())
    assert start > 0
    at = start + 300
    data[at] ^= 2  # the bit of a mantissa: still a finite value
    path.write_bytes(bytes(data))
    assert cache.load_vectors("k" * 64, "model", 64, 8) is None
    assert not path.exists()
