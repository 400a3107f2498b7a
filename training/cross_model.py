"""The answerability cross-encoder in torch, for training only: BERT as
all-MiniLM-L6-v2 (``bot/engine/semantic/bert.py`` runs the same network in
numpy), its [CLS] state read by one linear unit, the logit of "this sentence
answers this question".

Initialised from all-MiniLM-L6-v2's weights (the installed package); the
word embeddings stay frozen, so the file shipped (``export``) leaves them
out and the bot reuses the sentence encoder's own.  Tensor names are BERT's,
so ``bert.build_bert`` reads the file as it reads the encoder's.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HIDDEN, HEADS, INTER, EPS = 384, 12, 1536, 1e-12


class Layer(nn.Module):
    def __init__(self, dropout: float) -> None:
        super().__init__()
        self.query, self.key, self.value = (nn.Linear(HIDDEN, HIDDEN) for _ in range(3))
        self.attn_out = nn.Linear(HIDDEN, HIDDEN)
        self.attn_ln = nn.LayerNorm(HIDDEN, eps=EPS)
        self.inter = nn.Linear(HIDDEN, INTER)
        self.out = nn.Linear(INTER, HIDDEN)
        self.out_ln = nn.LayerNorm(HIDDEN, eps=EPS)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // HEADS

        def heads(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, HEADS, d).transpose(1, 2)

        context = F.scaled_dot_product_attention(
            heads(self.query(x)),
            heads(self.key(x)),
            heads(self.value(x)),
            attn_mask=bias,
            dropout_p=self.dropout if self.training else 0.0,
        )
        context = context.transpose(1, 2).reshape(b, t, h)
        x = self.attn_ln(x + F.dropout(self.attn_out(context), self.dropout, self.training))
        inner = F.gelu(self.inter(x))
        return self.out_ln(x + F.dropout(self.out(inner), self.dropout, self.training))


class CrossEncoder(nn.Module):
    def __init__(self, layers: int = 6, dropout: float = 0.1, pooling: str = "mean") -> None:
        super().__init__()
        self.pooling = pooling
        self.word = nn.Embedding(30522, HIDDEN)
        self.word.weight.requires_grad_(False)
        self.position = nn.Embedding(512, HIDDEN)
        self.token_type = nn.Embedding(2, HIDDEN)
        self.emb_ln = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layers = nn.ModuleList(Layer(dropout) for _ in range(layers))
        self.head = nn.Linear(HIDDEN, 1)
        self.dropout = dropout

    def forward(self, ids: torch.Tensor, types: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        x = self.word(ids) + self.position.weight[:t] + self.token_type(types)
        x = F.dropout(self.emb_ln(x), self.dropout, self.training)
        bias = ((1.0 - mask) * torch.finfo(torch.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = layer(x, bias)
        if self.pooling == "mean":  # as the sentence encoder was trained to be read
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        else:
            pooled = x[:, 0]
        return self.head(F.dropout(pooled, self.dropout, self.training)).squeeze(-1)


# BERT's names for each of our parameters (``bert.build_bert`` reads them).
_LAYER_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attn_out": "attention.output.dense",
    "attn_ln": "attention.output.LayerNorm",
    "inter": "intermediate.dense",
    "out": "output.dense",
    "out_ln": "output.LayerNorm",
}
_TOP_NAMES = {
    "word": "embeddings.word_embeddings",
    "position": "embeddings.position_embeddings",
    "token_type": "embeddings.token_type_embeddings",
    "emb_ln": "embeddings.LayerNorm",
}


def bert_name(ours: str) -> str:
    parts = ours.split(".")
    if parts[0] == "layers":
        return f"encoder.layer.{parts[1]}.{_LAYER_NAMES[parts[2]]}.{parts[3]}"
    if parts[0] == "head":
        return f"classifier.{parts[1]}"
    return f"{_TOP_NAMES[parts[0]]}.{parts[1]}"


def from_minilm(model_dir: Path, layers: int = 6, seed: int = 0, pooling: str = "mean") -> CrossEncoder:
    """A cross-encoder with all-MiniLM-L6-v2's weights (its first ``layers``
    layers) and a new head."""
    from bot.engine.semantic.bert import read_safetensors

    torch.manual_seed(seed)
    model = CrossEncoder(layers, pooling=pooling)
    tensors = read_safetensors(model_dir / "model.safetensors")
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.startswith("head."):
                continue
            param.copy_(torch.from_numpy(np.array(tensors[bert_name(name)])))
        nn.init.normal_(model.head.weight, std=1.0 / math.sqrt(HIDDEN))
        nn.init.zeros_(model.head.bias)
    return model


def export(model: CrossEncoder) -> dict[str, np.ndarray]:
    """The weights to ship, float16, BERT-named, the word embeddings left out."""
    return {
        bert_name(name): param.detach().cpu().numpy().astype(np.float16)
        for name, param in model.named_parameters()
        if not name.startswith("word.")
    }
