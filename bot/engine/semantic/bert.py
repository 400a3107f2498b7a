"""all-MiniLM-L6-v2's network (BERT: 6 layers, 12 heads, hidden size 384)
in plain float32 numpy, without torch, transformers or the safetensors
package (``encoder.SentenceEncoder`` tokenizes, pools and normalises around
it):

* the weights are read straight from ``model.safetensors`` (an 8-byte
  little-endian header length, a JSON header giving each tensor's dtype,
  shape and byte range, then the raw little-endian data): float32 tensors are
  zero-copy views of a read-only memory map of the file;
* the forward pass is batched matmuls; the exact, erf-based GELU uses a
  float32 rational approximation of erf (max error 5e-7; math.erf in float64
  gives the same embeddings to 2e-7).
"""

from __future__ import annotations

import json
import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

# Largest attention score block in floats: bounds the temporaries without hurting BLAS efficiency.
_MAX_SCORE_FLOATS = 4 * 1024 * 1024
_GELU_BLOCK_ROWS = 64

_SAFETENSORS_DTYPES: dict[str, str] = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}
_MAX_HEADER_BYTES = 100 * 1024 * 1024

# erf(x) ~ x * P(x^2) / Q(x^2) on [-4, 4], coefficients from highest degree down.
_ERF_ALPHA = tuple(
    np.float32(c)
    for c in (
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    )
)
_ERF_BETA = tuple(
    np.float32(c)
    for c in (
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    )
)


class EncoderUnavailable(Exception):
    """The encoder cannot be loaded: model package or ``tokenizers`` missing, or model files missing or corrupt."""


# --------------------------------------------------------------------------------------------------------------------
# safetensors


def read_safetensors(path: Path) -> dict[str, F32]:
    """Map ``path`` and return its floating-point tensors as float32 arrays.

    Float32 tensors are read-only views of the memory map (no copy); float16/float64 ones are converted (a copy).
    Tensors of other dtypes (e.g. BERT's int64 ``position_ids`` buffer) are skipped.  Raises ``EncoderUnavailable``
    if the file is not a well-formed safetensors file.
    """
    try:
        with path.open("rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:  # ValueError: mmap of an empty file
        raise EncoderUnavailable(f"cannot map {path}: {exc}") from exc
    size = len(buf)
    if size < 8:
        raise EncoderUnavailable(f"{path} is not a safetensors file (only {size} bytes)")
    (header_len,) = struct.unpack("<Q", buf[:8])
    if header_len > min(_MAX_HEADER_BYTES, size - 8):
        raise EncoderUnavailable(f"{path} is not a safetensors file (header length {header_len} out of range)")
    try:
        header = json.loads(bytes(buf[8 : 8 + header_len]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EncoderUnavailable(f"{path} has a corrupt safetensors header: {exc}") from exc
    if not isinstance(header, dict):
        raise EncoderUnavailable(f"{path} has a corrupt safetensors header (not a JSON object)")

    data_start = 8 + header_len
    data_len = size - data_start
    tensors: dict[str, F32] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype_name = str(info["dtype"])
            shape = tuple(int(d) for d in info["shape"])
            begin, end = (int(o) for o in info["data_offsets"])
        except (KeyError, TypeError, ValueError) as exc:
            raise EncoderUnavailable(f"{path}: corrupt header entry for tensor {name!r}") from exc
        if not 0 <= begin <= end <= data_len or any(d < 0 for d in shape):
            raise EncoderUnavailable(f"{path}: tensor {name!r} lies outside the file (truncated download?)")
        if dtype_name not in _SAFETENSORS_DTYPES:
            continue
        dtype = np.dtype(_SAFETENSORS_DTYPES[dtype_name])
        count = math.prod(shape)
        if count * dtype.itemsize != end - begin:
            raise EncoderUnavailable(f"{path}: tensor {name!r} has {end - begin} bytes for shape {list(shape)}")
        arr = np.frombuffer(buf, dtype=dtype, count=count, offset=data_start + begin).reshape(shape)
        tensors[name] = arr if dtype == np.float32 else arr.astype(np.float32)
    return tensors


# --------------------------------------------------------------------------------------------------------------------
# numerics


def _erf_(x: F32) -> F32:
    """Replace ``x`` by erf(x), in place, and return it.

    Rational approximation of erf on [-4, 4] (the float32 one of Eigen/XLA); erf(±4) is 1 to float32 precision.
    Its error is at most 5e-7 (a few float32 ulps near ±1), below the rounding noise of the matmuls around it.
    """
    np.clip(x, -4.0, 4.0, out=x)
    x2 = x * x
    p = x2 * _ERF_ALPHA[0]
    for c in _ERF_ALPHA[1:-1]:
        p += c
        p *= x2
    p += _ERF_ALPHA[-1]
    x *= p
    q = x2 * _ERF_BETA[0]
    for c in _ERF_BETA[1:-1]:
        q += c
        q *= x2
    q += _ERF_BETA[-1]
    x /= q
    return x


def _gelu_(x: F32) -> F32:
    """Exact (erf-based) GELU, ``x * (1 + erf(x / sqrt(2))) / 2``, in place."""
    t = x * np.float32(1.0 / math.sqrt(2.0))
    _erf_(t)
    t += np.float32(1.0)
    t *= np.float32(0.5)
    x *= t
    return x


def _layer_norm_(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    """LayerNorm over the last axis, in place (biased variance, as torch)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None]
    var /= np.float32(x.shape[-1])
    var += np.float32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= weight
    x += bias
    return x


def _linear(x: F32, weight_t: F32, bias: F32) -> F32:
    """``x @ weight_t + bias`` (``weight_t`` is the transposed torch weight, a view)."""
    out: F32 = x @ weight_t
    out += bias
    return out


# --------------------------------------------------------------------------------------------------------------------
# model


@dataclass(frozen=True, slots=True)
class _Layer:
    """One BERT encoder layer.  ``*_t`` matrices are (in, out) copies of the (out, in) torch weights, laid out
    row-major (a transposed view made each question's short matmuls about 13% slower, for 32 MB saved);
    ``qkv_t`` holds the query (pre-scaled by 1/sqrt(head_dim)), key and value weights side by side."""

    qkv_t: F32
    qkv_b: F32
    attn_out_t: F32
    attn_out_b: F32
    attn_ln_w: F32
    attn_ln_b: F32
    inter_t: F32
    inter_b: F32
    out_t: F32
    out_b: F32
    out_ln_w: F32
    out_ln_b: F32


@dataclass(frozen=True, slots=True)
class Bert:
    word: F32
    position: F32
    token_type: F32
    emb_ln_w: F32
    emb_ln_b: F32
    layers: tuple[_Layer, ...]
    num_heads: int
    eps: float


def load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EncoderUnavailable(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EncoderUnavailable(f"{path} is not a JSON object")
    return data


def build_bert(tensors: dict[str, F32], config: dict[str, Any], source: Path) -> Bert:
    """Check the config and tensors, and arrange them for the forward pass."""
    if config.get("model_type", "bert") != "bert":
        raise EncoderUnavailable(f"{source}: model_type {config.get('model_type')!r} is not supported (bert only)")
    if config.get("hidden_act", "gelu") != "gelu":
        raise EncoderUnavailable(f"{source}: hidden_act {config.get('hidden_act')!r} is not supported (gelu only)")
    if config.get("position_embedding_type", "absolute") != "absolute":
        raise EncoderUnavailable(f"{source}: only absolute position embeddings are supported")
    try:
        hidden = int(config["hidden_size"])
        heads = int(config["num_attention_heads"])
        n_layers = int(config["num_hidden_layers"])
        inter = int(config["intermediate_size"])
        eps = float(config.get("layer_norm_eps", 1e-12))
    except (KeyError, TypeError, ValueError) as exc:
        raise EncoderUnavailable(f"{source}: config.json lacks a valid {exc}") from exc
    if heads <= 0 or hidden % heads:
        raise EncoderUnavailable(f"{source}: hidden_size {hidden} is not a multiple of num_attention_heads {heads}")

    # Accept both bare BertModel names and BertFor*/bert.-prefixed ones.
    found = {k.removeprefix("bert."): v for k, v in tensors.items()}

    def get(name: str, shape: tuple[int, ...]) -> F32:
        arr = found.get(name)
        if arr is None:
            raise EncoderUnavailable(f"{source}: tensor {name!r} is missing")
        if arr.ndim != len(shape) or any(s not in (-1, d) for s, d in zip(shape, arr.shape, strict=True)):
            raise EncoderUnavailable(f"{source}: tensor {name!r} has shape {list(arr.shape)}, expected {list(shape)}")
        return arr

    scale = np.float32(1.0 / math.sqrt(hidden // heads))
    layers = []
    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        q_w, k_w, v_w = (get(f"{p}attention.self.{n}.weight", (hidden, hidden)) for n in ("query", "key", "value"))
        q_b, k_b, v_b = (get(f"{p}attention.self.{n}.bias", (hidden,)) for n in ("query", "key", "value"))
        qkv_t = np.empty((hidden, 3 * hidden), dtype=np.float32)
        np.multiply(q_w.T, scale, out=qkv_t[:, :hidden])
        qkv_t[:, hidden : 2 * hidden] = k_w.T
        qkv_t[:, 2 * hidden :] = v_w.T
        layers.append(
            _Layer(
                qkv_t=qkv_t,
                qkv_b=np.concatenate([q_b * scale, k_b, v_b]),
                attn_out_t=np.ascontiguousarray(get(f"{p}attention.output.dense.weight", (hidden, hidden)).T),
                attn_out_b=get(f"{p}attention.output.dense.bias", (hidden,)),
                attn_ln_w=get(f"{p}attention.output.LayerNorm.weight", (hidden,)),
                attn_ln_b=get(f"{p}attention.output.LayerNorm.bias", (hidden,)),
                inter_t=np.ascontiguousarray(get(f"{p}intermediate.dense.weight", (inter, hidden)).T),
                inter_b=get(f"{p}intermediate.dense.bias", (inter,)),
                out_t=np.ascontiguousarray(get(f"{p}output.dense.weight", (hidden, inter)).T),
                out_b=get(f"{p}output.dense.bias", (hidden,)),
                out_ln_w=get(f"{p}output.LayerNorm.weight", (hidden,)),
                out_ln_b=get(f"{p}output.LayerNorm.bias", (hidden,)),
            )
        )
    return Bert(
        word=get("embeddings.word_embeddings.weight", (-1, hidden)),
        position=get("embeddings.position_embeddings.weight", (-1, hidden)),
        token_type=get("embeddings.token_type_embeddings.weight", (-1, hidden)),
        emb_ln_w=get("embeddings.LayerNorm.weight", (hidden,)),
        emb_ln_b=get("embeddings.LayerNorm.bias", (hidden,)),
        layers=tuple(layers),
        num_heads=heads,
        eps=eps,
    )


def _attention(qkv: F32, bias: F32, num_heads: int) -> F32:
    """Multi-head self-attention context for ``qkv`` (batch, seq, 3*hidden) with additive mask ``bias`` (batch, seq).

    Returns (batch, seq, hidden).  Works on blocks of rows so that the score tensor stays small.
    """
    batch, seq, three_hidden = qkv.shape
    hidden = three_hidden // 3
    head_dim = hidden // num_heads
    # (3, batch, heads, seq, head_dim) views; the query is already scaled by 1/sqrt(head_dim).
    q, k, v = qkv.reshape(batch, seq, 3, num_heads, head_dim).transpose(2, 0, 3, 1, 4)
    context = np.empty((batch, seq, num_heads, head_dim), dtype=np.float32)
    step = max(1, _MAX_SCORE_FLOATS // (num_heads * seq * seq))
    for lo in range(0, batch, step):
        hi = min(batch, lo + step)
        scores: F32 = q[lo:hi] @ k[lo:hi].transpose(0, 1, 3, 2)  # (b, heads, seq, seq)
        scores += bias[lo:hi, None, None, :]
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context[lo:hi] = (scores @ v[lo:hi]).transpose(0, 2, 1, 3)
    return context.reshape(batch, seq, hidden)


def forward(model: Bert, ids: I64, type_ids: I64, mask: F32) -> F32:
    """Last hidden states (batch, seq, hidden) for right-padded ``ids`` with attention ``mask`` (1 = token)."""
    batch, seq = ids.shape
    x: F32 = model.word[ids]
    x += model.position[:seq]
    x += model.token_type[type_ids]
    _layer_norm_(x, model.emb_ln_w, model.emb_ln_b, model.eps)
    bias = (np.float32(1.0) - mask) * np.finfo(np.float32).min  # 0 for tokens, very negative for padding
    hidden = x.shape[-1]
    x = x.reshape(batch * seq, hidden)
    for layer in model.layers:
        qkv = _linear(x, layer.qkv_t, layer.qkv_b).reshape(batch, seq, -1)
        context = _attention(qkv, bias, model.num_heads).reshape(batch * seq, hidden)
        h = _linear(context, layer.attn_out_t, layer.attn_out_b)
        h += x
        x = _layer_norm_(h, layer.attn_ln_w, layer.attn_ln_b, model.eps)
        inner = _linear(x, layer.inter_t, layer.inter_b)
        for lo in range(0, inner.shape[0], _GELU_BLOCK_ROWS):  # cache-sized blocks: ~3x faster than one sweep
            _gelu_(inner[lo : lo + _GELU_BLOCK_ROWS])
        h = _linear(inner, layer.out_t, layer.out_b)
        h += x
        x = _layer_norm_(h, layer.out_ln_w, layer.out_ln_b, model.eps)
    return x.reshape(batch, seq, hidden)
