"""Fit the answer judge (``bot/engine/judge``) on the training data only.

    python -m training.train_judge [--data-dir ../shared/data] [--work /tmp/judge-train]

Training data (../shared/README.md, "Training and held-out data"):
squad2-train-10 (all of it, its 348 unanswerable questions included) and
SQuAD v1.1 dev's first 24 articles.  Their rows (answerable lists, the
same with the gold paragraphs taken out, SQuAD 2.0's unanswerable ones)
come from ``judge_rows.py``; the models are fitted by ``judge_fit.py``;
this command cross-validates, chooses the threshold and writes the file.

The model (``--kind rank``, the shipped one) is two: LambdaRank trees
(LightGBM) that order each answerable list's candidates, their sum made a
probability by a logistic fit, and a decider, gradient-boosted trees
(scikit-learn) fitted on every row, whose probability of the first
candidate decides.  Both read the token match too
(``bot/engine/judge/tokens.py``: token states kept on directions fitted
first by ``token_projection.py``, shipped in the file); a ``plain`` order
and its own decider without it are fitted beside, for corpora too large to
keep token states, with their own threshold chosen the same way.
LightGBM and scikit-learn at training time only: the trees are written to
JSON and evaluated in numpy at run time.  ``--kind trees`` is the decider
alone ordering too (the model before), ``--kind logistic`` a logistic
regression.  Seeded (LightGBM deterministic, one thread); CPU only.

The threshold: the least probability of the best candidate at which the
question is answered, chosen on the training lists so that at most
``--max-declined`` (5%) of the answerable questions whose best candidate
(after re-ordering) is right are declined -- on the cross-validated
probabilities with ``--cv`` (as the shipped model was trained), else on the
model's own in-sample ones (higher: it declines less).

``--cv`` also reports figures cross-validated in five folds by article over
all the training data (each list judged by a model that never saw its
article): P@1 before and after the judge, and -- for squad2-train-10 -- the
share of its 348 unanswerable questions declined beside the share of its
answerable ones wrongly declined.  The model's kind and settings were chosen
on these figures.

``--reword`` adds each answerable question reworded
(``paraphrase.py``) as two more lists (kinds 3 and 4: as asked, and with
its gold paragraphs taken out), ``--fit-kinds`` the kinds fitted on: an
experiment measured and not kept (benchmarks/README.md); the shipped model
is fitted without them.  ``--borrow`` adds, for each article alone,
questions of other articles with their names replaced by its own
(``borrowed.py``, kind 5, every row 0): measured, not kept either.

Writes ``bot/engine/judge/judge_model.json`` and prints its sha256 (copy it
into ``bot/engine/judge/model.py``'s ``MODEL_SHA256``).  Nothing here reads
SQuAD dev's articles 24-47 or the story question set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from training.judge_fit import SEED, fit, predict, predict_plain
from training.judge_rows import DATA_DIR, ROOT, combine, datasets, extract, extract_borrowed
from training.token_projection import fit_projection

OUT = ROOT / "bot" / "engine" / "judge" / "judge_model.json"
FOLDS = 5


def per_list(
    prob: tuple[np.ndarray, np.ndarray], y: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per list: the answer probability of the judge's first candidate,
    whether it is gold, whether the engine's first was gold."""
    order, answer = prob
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(group)]
    first = [s + int(np.argmax(order[s:e])) for s, e in zip(starts, ends, strict=True)]
    best = answer[first]
    right = y[first] == 1
    engine_right = np.array([y[s] == 1 for s in starts])
    return best, right, engine_right


def threshold_for(best: np.ndarray, right: np.ndarray, kinds: np.ndarray, max_declined: float) -> float:
    """The largest threshold declining at most ``max_declined`` of the
    answerable lists whose first candidate is right."""
    ok = np.sort(best[(kinds == 0) & right])
    return float(ok[int(np.floor(max_declined * len(ok)))])


def report(label: str, best: np.ndarray, right: np.ndarray, eng: np.ndarray, kinds: np.ndarray, t: float) -> None:
    ans = kinds == 0
    if not ans.any():  # the borrowed lists' own files: nothing answerable to score
        print(f"{label}: borrowed questions declined {(best[kinds == 5] < t).mean():.3f}", flush=True)
        return
    print(
        f"{label}: P@1 engine {eng[ans].mean():.4f} -> judge {right[ans].mean():.4f}; "
        f"threshold {t:.3f}: answerable declined {(best[ans] < t).mean():.3f}, "
        f"gold-removed declined {(best[kinds == 1] < t).mean():.3f}, "
        f"unanswerable declined {(best[kinds == 2] < t).mean() if (kinds == 2).any() else float('nan'):.3f}",
        flush=True,
    )
    if (kinds == 5).any():
        print(f"    borrowed questions declined {(best[kinds == 5] < t).mean():.3f}", flush=True)
    if (kinds == 3).any():
        rw = kinds == 3
        print(
            f"    reworded: P@1 engine {eng[rw].mean():.4f} -> judge {right[rw].mean():.4f}; "
            f"declined {(best[rw] < t).mean():.3f}; reworded and removed declined {(best[kinds == 4] < t).mean():.3f}",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--work", type=Path, default=Path("/tmp/judge-train"))
    parser.add_argument("--kind", choices=("rank", "trees", "logistic"), default="rank")
    parser.add_argument("--max-declined", type=float, default=0.05)
    parser.add_argument("--cv", action="store_true", help="figures cross-validated by article (5 folds)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--reword", action="store_true", help="add each answerable question reworded (training/paraphrase.py)"
    )
    parser.add_argument(
        "--borrow",
        action="store_true",
        help="add questions borrowed from other articles, their names replaced (training/borrowed.py)",
    )
    parser.add_argument(
        "--fit-kinds",
        default="0,1,2,3,4,5",
        help="kinds of lists fitted on (0 answerable, 1 removed, 2 impossible, "
        "3 reworded, 4 reworded and removed, 5 borrowed); the others are only scored",
    )
    parser.add_argument(
        "--drop", default="", help="comma-separated features to leave out (set to 0), for an ablation with --cv"
    )
    args = parser.parse_args(argv)
    np.random.seed(SEED)
    args.work.mkdir(parents=True, exist_ok=True)
    from bot.engine import single_threaded_math

    single_threaded_math()
    sets = datasets(args.data_dir)
    names = list(sets)
    projection = fit_projection(sets, args.work)
    paraphraser = None
    if args.reword:
        from bot.engine import load_encoder
        from training.paraphrase import Paraphraser

        encoder = load_encoder()
        assert encoder is not None
        texts = [p["context"] for data in sets.values() for art in data for p in art["paragraphs"]]
        paraphraser = Paraphraser.from_encoder(encoder, texts)
    paths = [extract(name, data, args.work, projection, paraphraser) for name, data in sets.items()]
    if args.borrow:
        # After the four sets, in the same order of data (a file's place
        # modulo 2 names its data for the folds): squad2-train-10, then dev.
        for name in ("squad2-train-10-by-article", "squad-dev-first-by-article"):
            paths.append(extract_borrowed(name, sets[name], args.work, projection))
            names.append(f"{name}-borrowed")
    all_ = combine(paths)
    x, xt, y, kinds = all_["x"], all_["xt"], all_["y"], all_["kind"]
    from bot.engine.judge.features import FEATURES

    for name in filter(None, args.drop.split(",")):
        x[:, FEATURES.index(name)] = 0.0
    print(f"{len(y)} rows, {len(np.unique(all_['group']))} lists, {y.sum()} positive", flush=True)

    t_cv: float | None = None
    t_plain_cv: float | None = None
    if args.cv:
        # Five folds by article over both data sets: each list is scored by a
        # model that never saw its article.
        article_key = (all_["dataset"] % 2) * 1000 + all_["article"]  # an article's lists in one fold
        keys = np.unique(article_key)
        rng = np.random.RandomState(SEED)
        fold_of = dict(zip(keys.tolist(), rng.permutation(len(keys)) % FOLDS, strict=True))
        fold = np.array([fold_of[int(k)] for k in article_key])
        prob = (np.zeros(len(y)), np.zeros(len(y)))
        plain = (np.zeros(len(y)), np.zeros(len(y)))
        fitted = np.isin(kinds, [int(k) for k in args.fit_kinds.split(",")])
        for f in range(FOLDS):
            test = fold == f
            tr = ~test & fitted
            params = fit(x[tr], y[tr], args.kind, all_["group"][tr], xt[tr], projection)
            prob[0][test], prob[1][test] = predict(params, x[test], xt[test])
            plain[0][test], plain[1][test] = predict_plain(params, x[test])
            print(f"  fold {f + 1}/{FOLDS} done", flush=True)
        best, right, eng = per_list(prob, y, all_["group"])
        starts = np.flatnonzero(np.r_[True, all_["group"][1:] != all_["group"][:-1]])
        lk = kinds[starts]
        best_plain, right_plain, eng_plain = per_list(plain, y, all_["group"])
        print(f"cross-validated P@1 without token states (the plain order): {right_plain[lk == 0].mean():.4f}")
        t_cv = threshold_for(best, right, lk, args.max_declined)
        t_plain_cv = threshold_for(best_plain, right_plain, lk, args.max_declined)
        report("cross-validated by article, all training data", best, right, eng, lk, t_cv)
        report("  without token states (plain order, its decider)", best_plain, right_plain, eng_plain, lk, t_plain_cv)
        for d, name in enumerate(names):
            sel = all_["dataset"][starts] == d
            report(f"  of which {name}", best[sel], right[sel], eng[sel], lk[sel], t_cv)
        for share in (0.01, 0.02):
            report(f"  at most {share:.0%} declined", best, right, eng, lk, threshold_for(best, right, lk, share))
        np.savez_compressed(
            args.work / "cv.npz", order=prob[0], answer=prob[1], plain_order=plain[0], plain_answer=plain[1]
        )

    fitted = np.isin(kinds, [int(k) for k in args.fit_kinds.split(",")])
    params = fit(x[fitted], y[fitted], args.kind, all_["group"][fitted], xt[fitted], projection)
    prob = predict(params, x, xt)
    best, right, eng = per_list(prob, y, all_["group"])
    starts = np.flatnonzero(np.r_[True, all_["group"][1:] != all_["group"][:-1]])
    lk = kinds[starts]
    t = threshold_for(best, right, lk, args.max_declined)
    report("training data (in sample)", best, right, eng, lk, t)
    # The threshold read from cross-validated probabilities when there are
    # some: in-sample ones are the model's own training lists, higher than a
    # new question's, and a threshold set on them declines too little.
    params["threshold"] = round(t_cv if t_cv is not None else t, 6)
    if "plain" in params:  # the plain order's decider, chosen the same way
        best_plain, right_plain, _ = per_list(predict_plain(params, x), y, all_["group"])
        t_plain = threshold_for(best_plain, right_plain, lk, args.max_declined)
        params["plain"]["threshold"] = round(t_plain_cv if t_plain_cv is not None else t_plain, 6)
    params["trained_on"] = "squad2-train-10 (all) + SQuAD v1.1 dev articles 0-23"
    params["seed"] = SEED
    text = json.dumps(params, separators=(",", ":"), sort_keys=True) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} sha256 {hashlib.sha256(text.encode()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
