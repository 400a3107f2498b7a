"""Train the answerability cross-encoder (``bot/engine/judge/cross.py``) on
the pairs ``cross_rows.py`` wrote, on the CPU, seeded and resumable.

    python -m training.train_cross [--pairs /tmp/cross-train/pairs.jsonl] [--work /tmp/cross-train]
                                   [--epochs 1] [--threads 2]

* Articles held out: ``HELD_OUT`` of the training articles (a seeded draw
  over their titles) are never trained on; the cross-encoder's scores on
  them are what the judge's decider is fitted on (``fit_cross_decider.py``),
  since at run time it reads scores of articles the model never saw.
* Loss: binary cross-entropy, each positive weighted ``POS_WEIGHT``.
  AdamW, linear warm-up and decay, batches of ``BATCH`` pairs, word
  embeddings frozen (the shipped file leaves them out and reuses the
  sentence encoder's).
* A checkpoint (model, optimiser, schedule, step, the seeded order) every
  ``CHECKPOINT_EVERY`` steps in ``--work``; a run started again resumes
  from it.
* At the end: the weights as ``bot/engine/judge/cross_model.safetensors``
  (float16) and their sha256 (copy it into ``cross.py``'s ``MODEL_SHA256``).

Nothing here reads SQuAD dev's articles 24-47 or the story question set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import struct
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from bot.engine.judge.cross_input import configure, encode_pairs
from training.cross_model import CrossEncoder, export, from_minilm
from training.judge_rows import ROOT

SEED = 13
HELD_OUT = 7
BATCH = 32
LR = 1e-4
WARMUP = 0.06
POS_WEIGHT = 2.0
CHECKPOINT_EVERY = 50
BUCKET = 50
MAX_STEPS = 450
"""Batches trained on (a seeded sample of the epoch's): what the session's
time allowed on 2 busy cores (about 15 minutes at 1.5 s a batch)."""
LAYERS = 4
"""all-MiniLM-L6-v2's first four layers: two thirds of six layers' cost at
answer time and in training; published cross-encoders of the same family
lose little from six to four (MS MARCO MiniLM-L6 38.3 MRR@10, L4 37.7)."""
OUT = ROOT / "bot" / "engine" / "judge" / "cross_model.safetensors"


def held_out_articles(rows: list[dict[str, Any]]) -> set[str]:
    titles = sorted({r["article"] for r in rows})
    return set(random.Random(SEED).sample(titles, min(HELD_OUT, len(titles) // 3)))


def tokenize(rows: list[dict[str, Any]]) -> list[tuple[list[int], list[int], int]]:
    """Each pair's tokens and token types, as the bot makes them (one
    question's candidates together), and its label."""
    from tokenizers import Tokenizer

    from bot.engine.semantic.encoder import _default_model_dir

    tokenizer = configure(Tokenizer.from_file(str(_default_model_dir() / "tokenizer.json")))
    by_q: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_q[r["q"]].append(i)
    out: list[tuple[list[int], list[int], int]] = [([], [], 0)] * len(rows)
    for members in by_q.values():
        ids, types, mask = encode_pairs(tokenizer, rows[members[0]]["question"], [rows[i]["text"] for i in members])
        for row, i in enumerate(members):
            n = int(mask[row].sum())
            out[i] = (ids[row, :n].tolist(), types[row, :n].tolist(), int(rows[i]["label"]))
    return out


def collate(items: list[tuple[list[int], list[int], int]]) -> tuple[torch.Tensor, ...]:
    width = max(len(ids) for ids, _, _ in items)
    ids = torch.zeros((len(items), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros((len(items), width), dtype=torch.float32)
    for r, (i, t, _) in enumerate(items):
        ids[r, : len(i)] = torch.tensor(i)
        types[r, : len(t)] = torch.tensor(t)
        mask[r, : len(i)] = 1.0
    labels = torch.tensor([y for _, _, y in items], dtype=torch.float32)
    return ids, types, mask, labels


def schedule(step: int, total: int) -> float:
    warm = max(1, int(total * WARMUP))
    return step / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))


def batches(data: list[Any], epochs: float) -> list[list[int]]:
    """Seeded batches of pair indices: shuffled, then pairs of like length
    batched together within runs of ``BUCKET`` batches (less padding), and
    the batches shuffled again."""
    rounds = range(int(np.ceil(epochs)))
    order = [i for e in rounds for i in random.Random(SEED + e).sample(range(len(data)), len(data))]
    order = order[: int(len(data) * epochs)]
    out: list[list[int]] = []
    run = BATCH * BUCKET
    for lo in range(0, len(order) - BATCH + 1, run):
        chunk = sorted(order[lo : lo + run], key=lambda i: len(data[i][0]))
        out += [chunk[b : b + BATCH] for b in range(0, len(chunk) - BATCH + 1, BATCH)]
    random.Random(SEED).shuffle(out)
    return out


def train(
    model: CrossEncoder, data: list[Any], work: Path, epochs: float, max_steps: int = 0, lr: float = 4e-5
) -> CrossEncoder:
    plan = batches(data, epochs)
    if max_steps:
        plan = plan[:max_steps]  # the batches are shuffled: a seeded sample of them
    total = len(plan)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(s, total))
    ckpt, step = work / "checkpoint.pt", 0
    if ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        torch.set_rng_state(state["rng"])
        print(f"resumed at step {step} of {total}", flush=True)
    model.train()
    t0, seen, running = time.perf_counter(), 0, []
    while step < total:
        ids, types, mask, y = collate([data[i] for i in plan[step]])
        logits = model(ids, types, mask)
        weight = torch.where(y > 0, POS_WEIGHT, 1.0)
        loss = F.binary_cross_entropy_with_logits(logits, y, weight=weight)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        step, seen = step + 1, seen + 1
        running.append(float(loss.detach()))
        if step % 10 == 0:
            rate = (time.perf_counter() - t0) / seen
            print(
                f"step {step}/{total} loss {np.mean(running[-50:]):.4f} {rate:.2f} s/step "
                f"~{(total - step) * rate / 60:.0f} min left",
                flush=True,
            )
        if step % CHECKPOINT_EVERY == 0 or step == total:
            state = {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "sched": sched.state_dict(),
                "step": step,
                "rng": torch.get_rng_state(),
            }
            torch.save(state, work / "checkpoint.tmp")
            (work / "checkpoint.tmp").replace(ckpt)
    return model


@torch.no_grad()
def score(model: CrossEncoder, data: list[Any]) -> np.ndarray:
    model.eval()
    out = []
    for lo in range(0, len(data), 64):
        ids, types, mask, _ = collate(data[lo : lo + 64])
        out.append(model(ids, types, mask).numpy())
    return np.concatenate(out) if out else np.zeros(0)


def write(model: CrossEncoder, path: Path, pooling: str) -> str:
    """Write the weights as a safetensors file (the format ``bert.read_safetensors``
    reads: an 8-byte header length, a JSON header, the raw little-endian data)."""
    tensors = export(model)
    header: dict[str, Any] = {}
    blobs, offset = [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name]).astype("<f2").tobytes()
        header[name] = {
            "dtype": "F16",
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"pooling": pooling}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path("/tmp/cross-train/pairs.jsonl"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cross-train"))
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--layers", type=int, default=LAYERS)
    parser.add_argument("--lr", type=float, default=LR)
    parser.add_argument("--pooling", choices=("mean", "cls"), default="mean")
    parser.add_argument("--max-steps", type=int, default=MAX_STEPS, help="train on this many batches at most (0: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    from bot.engine.semantic.encoder import _default_model_dir

    rows = [json.loads(line) for line in args.pairs.open(encoding="utf-8")]
    held = held_out_articles(rows)
    print(f"held out for the decider: {sorted(held)}", flush=True)
    train_rows = [r for r in rows if r["article"] not in held]
    test_rows = [r for r in rows if r["article"] in held]
    t0 = time.perf_counter()
    train_data, test_data = tokenize(train_rows), tokenize(test_rows)
    print(
        f"{len(train_data)} training pairs ({sum(y for *_, y in train_data)} positive), {len(test_data)} held out; "
        f"tokenized in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    model = from_minilm(_default_model_dir(), args.layers, SEED, args.pooling)
    model = train(model, train_data, args.work, args.epochs, args.max_steps, args.lr)
    logits = score(model, test_data)
    np.save(args.work / "held_out_logits.npy", logits)
    labels = np.array([y for *_, y in test_data])
    if len(labels) and 0 < labels.sum() < len(labels):
        pos, neg = logits[labels == 1], logits[labels == 0]
        auc = float((pos[:, None] > neg[None, :]).mean())
        print(f"held-out articles: AUC {auc:.4f} over {len(labels)} pairs", flush=True)
    print(f"wrote {args.out}, sha256 {write(model, args.out, args.pooling)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
