#!/usr/bin/env python3
"""Fits the rerank stage (K and w) and the decision that reads the reranker's logit, on the
tuning sets only.

Input: dumps written by `newsbot eval FILE [--decline FILE] --dump-candidates` with the
reranker on: each question's candidates in the engine's order, each with `logit` (the
cross-encoder's score, for the first 10), `cos`, `coverage`, `lexical` and `gold`.
Needs numpy and scikit-learn.

    python3 tools/fit_rerank_blend.py tune1.jsonl tune2.jsonl ... [--report rep1.jsonl ...]

1. Ranking: the top K are reordered by logit - w * ln(rank). (K, w) is the pair with the
   best mean top-1 over the files, each file weighing the same; among pairs within TIE of
   the best, the smallest K (fastest), then the largest w (closest to the engine).
2. Decision: a logistic regression over the features the engine's decision reads (cos,
   best cos, coverage, known-word share, lexical score of the new top passage) plus the
   best logit among the K, each file weighing the same; thresholds as in fit_weights.py.
`--report` files are only scored with the fitted values, never fitted on.
"""
import json
import math
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

SURE_LEAK = 0.08
DECLINE_BUDGET = 0.02
TIE = 0.005
FEATURES = ["cos", "best_cos", "coverage", "known", "lexical", "logit"]


def load(paths):
    return [(p, [json.loads(l) for l in open(p) if l.strip()]) for p in paths]


def reranked(cands, k, w):
    head = cands[:k]
    if any(c.get("logit") is None for c in head):
        return cands
    order = sorted(range(len(head)), key=lambda i: (-(head[i]["logit"] - w * math.log(i + 1)), i))
    return [head[i] for i in order] + cands[k:]


def top1(rows, k, w):
    ans = [r for r in rows if not r["decline"]]
    if not ans:
        return None
    return sum(1 for r in ans if r["candidates"] and reranked(r["candidates"], k, w)[0]["gold"]) / len(ans)


def features(r, k, w):
    cands = r["candidates"]
    if not cands:
        return None
    t = reranked(cands, k, w)[0]
    if t["cos"] is None:
        return None
    best = max((c["cos"] or 0.0) for c in cands)
    logit = max(c["logit"] for c in cands[:k])
    return [t["cos"], best, t["coverage"], r["known"], t["lexical"], logit]


def decision_rows(sets, k, w):
    X, y, sw, origin = [], [], [], []
    for si, (_, rows) in enumerate(sets):
        for label in (0, 1):
            part = [r for r in rows if (not r["decline"]) == bool(label)]
            for r in part:
                f = features(r, k, w)
                if f is None:
                    continue
                X.append(f)
                y.append(label)
                sw.append(1.0 / len(part))
                origin.append(si)
    return np.array(X), np.array(y), np.array(sw), np.array(origin)


def shares(p, y, origin, sets, sure, closest):
    for si, (path, _) in enumerate(sets):
        m = origin == si
        for label, what in ((1, "answerable"), (0, "to decline")):
            sel = p[m & (y == label)]
            if len(sel):
                print(f"  {path} {what} {len(sel)}: sure {np.mean(sel >= sure):.3f} "
                      f"closest {np.mean((sel >= closest) & (sel < sure)):.3f} "
                      f"declined {np.mean(sel < closest):.3f}")


def main():
    args = sys.argv[1:]
    report = []
    if "--report" in args:
        i = args.index("--report")
        args, report = args[:i], args[i + 1:]
    sets = load(args)
    base = [top1(rows, 1, 0.0) for _, rows in sets]
    base = [b for b in base if b is not None]
    print("engine alone: " + " ".join(f"{b:.3f}" for b in base) + f" mean {np.mean(base):.4f}")
    grid = []
    for k in range(1, 11):
        for w in np.arange(0.0, 3.01, 0.25):
            s = [x for _, rows in sets if (x := top1(rows, k, w)) is not None]
            grid.append((k, float(w), float(np.mean(s)), s))
    best = max(g[2] for g in grid)
    k, w, mean, s = sorted((g for g in grid if g[2] >= best - TIE), key=lambda g: (g[0], -g[1]))[0]
    for g in sorted(grid, key=lambda g: -g[2])[:10]:
        print(f"  K={g[0]:2d} w={g[1]:.2f} mean {g[2]:.4f}: " + " ".join(f"{x:.3f}" for x in g[3]))
    print(f"rerank_k: {k}  rerank_rank_weight: {w:.2f}  (mean top-1 {mean:.4f}; best {best:.4f})")

    X, y, sw, origin = decision_rows(sets, k, w)
    model = LogisticRegression(C=10.0, max_iter=5000).fit(X, y, sample_weight=sw)
    p = model.predict_proba(X)[:, 1]
    negs = [p[(origin == si) & (y == 0)] for si in range(len(sets))]
    poss = [p[(origin == si) & (y == 1)] for si in range(len(sets))]
    negs = [n for n in negs if len(n)]
    poss = [q for q in poss if len(q)]
    g = np.linspace(0.0, 1.0, 2001)
    sure = next(x for x in g if np.mean([np.mean(n >= x) for n in negs]) <= SURE_LEAK)
    closest = max(x for x in g if np.mean([np.mean(q < x) for q in poss]) <= DECLINE_BUDGET)
    print(f"bias: {model.intercept_[0]:.3f}")
    for name, coef in zip(FEATURES, model.coef_[0]):
        print(f"{name}: {coef:.3f}")
    print(f"sure: {sure:.3f}  closest: {closest:.3f}")
    shares(p, y, origin, sets, sure, closest)
    if report:
        rsets = load(report)
        print("reporting sets (not fitted on):")
        for path, rows in rsets:
            t = top1(rows, k, w)
            t0 = top1(rows, 1, 0.0)
            if t is not None:
                print(f"  {path} top-1 {t:.3f} (engine alone {t0:.3f})")
        X, y, sw, origin = decision_rows(rsets, k, w)
        if len(X):
            shares(model.predict_proba(X)[:, 1], y, origin, rsets, sure, closest)


if __name__ == "__main__":
    main()
