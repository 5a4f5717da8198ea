#!/usr/bin/env python3
"""Fits the semantic ranking weight and the decision model, on the tuning sets only.

Input: files written by `newsbot eval FILE [--decline FILE] --dump-candidates` (one JSON
object per question: its candidates with lexical score, cosine, coverage and whether they
hold the gold text, the share of its words the corpus knows, and `decline` for questions
that should be declined). Needs numpy and scikit-learn.

    python3 tools/fit_weights.py [--semantic W] dump1.jsonl dump2.jsonl ...

`--semantic W` keeps the ranking weight at W (still printing the sweep) and fits only the
decision: used when the sweep's best weights tie within TIE and the engine's own eval of
them, which reorders ties and nearest candidates exactly, picks one.

1. Ranking: score = lexical + w * cos. w is the value with the best mean top-1 across the
   files, each file weighing the same (so the large SQuAD half does not drown the seeds).
2. Decision: a logistic regression from the top passage's features (cos, best cos of any
   candidate, coverage, known-word share, lexical score) to "answerable", each file again
   weighing the same. `sure` is the lowest probability that keeps at most SURE_LEAK of the
   questions to decline at or above it (pooled); `closest` the highest that declines at
   most DECLINE_BUDGET of the answerable ones.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

SURE_LEAK = 0.08       # target: <= 0.10 of out-of-corpus answered as sure; fit with margin
DECLINE_BUDGET = 0.02  # target: <= 0.03 of answerable declined; fit with margin
TIE = 0.005             # top-1 differences below this are noise on these set sizes
FEATURES = ["cos", "best_cos", "coverage", "known", "lexical"]


def load(paths):
    return [(p, [json.loads(l) for l in open(p) if l.strip()]) for p in paths]


def top(cands, w):
    best = None
    for c in cands:
        s = c["lexical"] + w * (c["cos"] or 0.0)
        if best is None or s > best[0]:
            best = (s, c)
    return best[1] if best else None


def top1(rows, w):
    ans = [r for r in rows if not r["decline"]]
    if not ans:
        return None
    return sum(1 for r in ans if (t := top(r["candidates"], w)) and t["gold"]) / len(ans)


def features(r, w):
    t = top(r["candidates"], w)
    if t is None or t["cos"] is None:
        return None
    best = max((c["cos"] or 0.0) for c in r["candidates"])
    return [t["cos"], best, t["coverage"], r["known"], t["lexical"]]


def main():
    args = sys.argv[1:]
    fixed = None
    if args[:1] == ["--semantic"]:
        fixed, args = float(args[1]), args[2:]
    sets = load(args)
    means = []
    for i in range(0, 31):
        w = i * 0.1
        scores = [s for _, rows in sets if (s := top1(rows, w)) is not None]
        mean = sum(scores) / len(scores)
        means.append((w, mean))
        print(f"  w={w:.1f} top-1 " + " ".join(f"{x:.3f}" for x in scores) + f" mean {mean:.4f}")
    # The smallest weight within TIE of the best mean: where meaning and words tie, the
    # words (which the highlights show) decide.
    best = max(m for _, m in means)
    best_w = min(w for w, m in means if m >= best - TIE)
    if fixed is not None:
        best_w = fixed
    print(f"semantic: {best_w:.1f}  (mean top-1 {dict(means)[best_w]:.4f}; best {best:.4f})")

    X, y, sw, origin = [], [], [], []
    for si, (_, rows) in enumerate(sets):
        for label in (0, 1):
            part = [r for r in rows if (not r["decline"]) == bool(label)]
            for r in part:
                f = features(r, best_w)
                if f is None:
                    continue
                X.append(f)
                y.append(label)
                sw.append(1.0 / len(part))
                origin.append(si)
    X, y, sw = np.array(X), np.array(y), np.array(sw)
    model = LogisticRegression(C=10.0, max_iter=2000).fit(X, y, sample_weight=sw)
    p = model.predict_proba(X)[:, 1]
    # Thresholds on the mean over the sets, each set weighing the same: `sure` is the
    # lowest that lets at most SURE_LEAK of the questions to decline through as sure,
    # `closest` the highest that declines at most DECLINE_BUDGET of the answerable ones.
    org = np.array(origin)
    negs = [p[(org == si) & (y == 0)] for si in range(len(sets))]
    poss = [p[(org == si) & (y == 1)] for si in range(len(sets))]
    negs = [n for n in negs if len(n)]
    poss = [q for q in poss if len(q)]
    grid = np.linspace(0.0, 1.0, 2001)
    sure = next(g for g in grid if np.mean([np.mean(n >= g) for n in negs]) <= SURE_LEAK)
    closest = max(g for g in grid if np.mean([np.mean(q < g) for q in poss]) <= DECLINE_BUDGET)
    print(f"decide_bias: {model.intercept_[0]:.3f}")
    for name, coef in zip(FEATURES, model.coef_[0]):
        print(f"decide_{name}: {coef:.3f}")
    print(f"sure: {sure:.3f}  closest: {closest:.3f}")
    for si, (path, _) in enumerate(sets):
        m = np.array(origin) == si
        for label, what in ((1, "answerable"), (0, "to decline")):
            sel = p[m & (y == label)]
            if len(sel):
                print(f"  {path} {what} {len(sel)}: sure {np.mean(sel >= sure):.3f} "
                      f"closest {np.mean((sel >= closest) & (sel < sure)):.3f} "
                      f"declined {np.mean(sel < closest):.3f}")


if __name__ == "__main__":
    main()
