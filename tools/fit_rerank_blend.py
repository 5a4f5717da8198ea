#!/usr/bin/env python3
"""Fits the rerank stage (K and w) and the decision that reads the reranker's logit, on the
tuning sets only.

Input: dumps written by `newsbot eval FILE [--decline FILE] --dump-candidates` with the
reranker on: each question's candidates in the engine's order, each with `logit` (the
cross-encoder's score, for the first 10), `cos`, `coverage`, `lexical` and `gold`.
Needs numpy and scikit-learn.

    python3 tools/fit_rerank_blend.py [--keep dev.jsonl] tune1.jsonl ... [--report rep1.jsonl ...]

`--keep FILE` (one of the tuning files) only admits settings under which that file's top-1
and MRR@10 are no lower than the engine's alone: the development set's bar
(tests/quality.rs) is a promise, not a figure to trade.

1. Ranking: the top K are reordered by logit - w * ln(rank). (K, w) is the pair with the
   best mean top-1 over the files, each file weighing the same. A question whose engine
   lead (first score minus second) is at least the skip margin keeps the engine's order and
   has only its first candidate scored (K shrinks to 1). Among settings within TIE of the
   best: the smallest margin (the full K runs least), then the smallest K, then the largest
   w (closest to the engine).
2. Decision: a logistic regression over the features the engine's decision reads (cos,
   best cos, coverage, known-word share, lexical score of the new top passage) plus the
   best logit among those scored, each file weighing the same; thresholds as in
   fit_weights.py.
`--report` files are only scored with the fitted values, never fitted on.
"""
import json
import math
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

# `sure` is the lowest probability at which each set of questions to decline lets through
# at most its budget as sure: out-of-corpus and unanswerable sets SURE_LEAK (the issue's
# target is 5%), near-miss sets NEAR_MISS_LEAK (target 40%); both with a margin.
SURE_LEAK = 0.04
NEAR_MISS_LEAK = 0.30
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


SEMANTIC = 0.8  # Tuning::semantic: the engine's score is lexical + 0.8 * cos
SKIPS = (0.25, 0.5, 0.75, 1.0, 1.5, float("inf"))
# The decision without the reranker (Tuning::decide_*, sure, closest), for the questions
# the reranker skips.
PLAIN = dict(bias=-3.827, cos=1.918, best_cos=1.775, coverage=1.202, known=0.638, lexical=1.052,
             sure=0.673, closest=0.375)


def margin(cands):
    """The engine's score gap between its first and second candidate."""
    s = [c["lexical"] + SEMANTIC * (c["cos"] or 0.0) for c in cands[:2]]
    return s[0] - s[1] if len(s) == 2 else float("inf")


def top1(rows, k, w, skip=float("inf")):
    ans = [r for r in rows if not r["decline"]]
    if not ans:
        return None
    hit = 0
    for r in ans:
        c = r["candidates"]
        if not c:
            continue
        top = c[0] if margin(c) >= skip else reranked(c, k, w)[0]
        hit += bool(top["gold"])
    return hit / len(ans)


def features(r, k, w, skip=float("inf")):
    """The decision's features. A question whose engine lead is at least `skip` has only
    its first candidate scored (K shrinks to 1), so its logit is that one's."""
    cands = r["candidates"]
    if not cands:
        return None
    if margin(cands) >= skip:
        k = 1
    t = reranked(cands, k, w)[0]
    if t["cos"] is None:
        return None
    best = max((c["cos"] or 0.0) for c in cands)
    logit = max(c["logit"] for c in cands[:k])
    return [t["cos"], best, t["coverage"], r["known"], t["lexical"], logit]


def plain_p(r):
    c = r["candidates"]
    t = c[0]
    if t["cos"] is None:
        return None
    best = max((x["cos"] or 0.0) for x in c)
    z = (PLAIN["bias"] + PLAIN["cos"] * t["cos"] + PLAIN["best_cos"] * best + PLAIN["coverage"] * t["coverage"]
         + PLAIN["known"] * r["known"] + PLAIN["lexical"] * t["lexical"])
    return 1.0 / (1.0 + math.exp(-z))


def decision_rows(sets, k, w, skip=float("inf")):
    """Features of the questions the reranker runs on (the engine's lead under `skip`)."""
    X, y, sw, origin = [], [], [], []
    for si, (_, rows) in enumerate(sets):
        for label in (0, 1):
            part = [r for r in rows if (not r["decline"]) == bool(label)]
            for r in part:
                if not r["candidates"]:
                    continue
                f = features(r, k, w, skip)
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


def overall(sets, k, w, skip, model, sure, closest):
    for path, rows in sets:
        for label, what in ((False, "answerable"), (True, "to decline")):
            got = []
            for r in rows:
                if r["decline"] != label or not r["candidates"]:
                    continue
                f = features(r, k, w, skip)
                if f is None:
                    continue
                p = model.predict_proba(np.array([f]))[0, 1]
                got.append("sure" if p >= sure else "closest" if p >= closest else "none")
            if got:
                n = len(got)
                print(f"  {path} {what} {n}: sure {got.count('sure') / n:.3f} "
                      f"closest {got.count('closest') / n:.3f} declined {got.count('none') / n:.3f}")


def mrr(rows, k, w, skip):
    ans = [r for r in rows if not r["decline"]]
    total = 0.0
    for r in ans:
        c = r["candidates"]
        order = c if not c or margin(c) >= skip else reranked(c, k, w)
        for i, x in enumerate(order[:10]):
            if x["gold"]:
                total += 1 / (i + 1)
                break
    return total / max(len(ans), 1)


def main():
    args = sys.argv[1:]
    keep = None
    if args[:1] == ["--keep"]:
        keep, args = args[1], args[2:]
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
            for skip in SKIPS:
                s = [x for _, rows in sets if (x := top1(rows, k, w, skip)) is not None]
                grid.append((k, float(w), skip, float(np.mean(s)), s))
    if keep is not None:
        rows = dict(sets)[keep]
        floor = (top1(rows, 1, 0.0), mrr(rows, 1, 0.0, float("inf")))
        grid = [g for g in grid
                if top1(rows, g[0], g[1], g[2]) >= floor[0] - 1e-9
                and mrr(rows, g[0], g[1], g[2]) >= floor[1] - 1e-9]
        print(f"kept: {keep} top-1 >= {floor[0]:.3f}, MRR@10 >= {floor[1]:.3f}; {len(grid)} settings left")
    best = max(g[3] for g in grid)
    # Within TIE of the best: the largest skip margin... no, the smallest one (the reranker
    # runs least), then the smallest K (fastest), then the largest w (closest to the engine).
    near = [g for g in grid if g[3] >= best - TIE]
    k, w, skip, mean, s = sorted(near, key=lambda g: (g[2], g[0], -g[1]))[0]
    for g in sorted(grid, key=lambda g: -g[3])[:12]:
        print(f"  K={g[0]:2d} w={g[1]:.2f} skip={g[2]:<4} mean {g[3]:.4f}: " + " ".join(f"{x:.3f}" for x in g[4]))
    skipped = np.mean([margin(r["candidates"]) >= skip for _, rows in sets for r in rows if r["candidates"]])
    print(f"rerank_k: {k}  rerank_rank_weight: {w:.2f}  rerank_skip_margin: {skip}  "
          f"(mean top-1 {mean:.4f}; best {best:.4f}; skipped {skipped:.3f} of questions)")

    X, y, sw, origin = decision_rows(sets, k, w, skip)
    model = LogisticRegression(C=10.0, max_iter=5000).fit(X, y, sample_weight=sw)
    p = model.predict_proba(X)[:, 1]
    negs = [(sets[si][0], p[(origin == si) & (y == 0)]) for si in range(len(sets))]
    poss = [p[(origin == si) & (y == 1)] for si in range(len(sets))]
    negs = [(path, n) for path, n in negs if len(n)]
    poss = [q for q in poss if len(q)]
    g = np.linspace(0.0, 1.0, 2001)
    budget = lambda path: NEAR_MISS_LEAK if "near" in path else SURE_LEAK
    sure = next(x for x in g if all(np.mean(n >= x) <= budget(path) for path, n in negs))
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
        for path, rows in rsets:
            t = top1(rows, k, w, skip)
            if t is not None:
                print(f"  {path} top-1 with skipping {t:.3f}")
        overall(rsets, k, w, skip, model, sure, closest)


if __name__ == "__main__":
    main()
