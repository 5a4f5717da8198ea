#!/usr/bin/env python3
"""Fits the semantic weight and the decline thresholds on the tuning sets only.

Input: files written by `newsbot eval FILE --decline FILE --dump-candidates` (one JSON
object per question: candidates with their lexical score, cosine, coverage and whether they
hold the gold text; `decline` marks questions that should be declined).

    python3 tools/fit_weights.py dump1.jsonl dump2.jsonl ...

Ranking: score = lexical + w * cos; w is chosen for the best mean top-1 across the files
(each file weighs the same, so the large SQuAD half does not drown the seed sets).
Decision: z = cos(top) + mix * coverage(top). For each mix, `sure` is the lowest threshold
that keeps at most SURE_LEAK of the questions to decline at or above it, and `closest` the
highest that declines at most DECLINE_BUDGET of the answerable ones; the mix with the most
answerable questions answered as sure wins.
"""
import json
import sys

SURE_LEAK = 0.05       # target ≤ 0.10 out-of-corpus answered as sure; fit with margin
DECLINE_BUDGET = 0.015  # target ≤ 0.03 answerable declined; fit with margin


def load(paths):
    sets = []
    for p in paths:
        rows = [json.loads(l) for l in open(p) if l.strip()]
        sets.append((p, rows))
    return sets


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
    hit = sum(1 for r in ans if (t := top(r["candidates"], w)) and t["gold"])
    return hit / len(ans)


def main():
    sets = load(sys.argv[1:])
    best_w, best = 0.0, -1.0
    for i in range(0, 31):
        w = i * 0.1
        scores = [s for _, rows in sets if (s := top1(rows, w)) is not None]
        mean = sum(scores) / len(scores)
        print(f"w={w:.1f} mean top-1={mean:.4f} " + " ".join(f"{s:.3f}" for s in scores))
        if mean > best + 1e-9:
            best_w, best = w, mean
    print(f"semantic weight: {best_w:.1f} (mean top-1 {best:.4f})")

    ans, dec = [], []
    for _, rows in sets:
        for r in rows:
            t = top(r["candidates"], best_w)
            (dec if r["decline"] else ans).append(t)
    def z(t, mix):
        if t is None or t["cos"] is None:
            return -1.0
        return t["cos"] + mix * t["coverage"]
    fits = []
    for i in range(0, 21):
        mix = i * 0.05
        zd = sorted(z(t, mix) for t in dec)
        za = sorted(z(t, mix) for t in ans)
        k = int(len(zd) * (1 - SURE_LEAK))
        sure = zd[min(k, len(zd) - 1)] + 1e-3
        closest = za[int(len(za) * DECLINE_BUDGET)]
        sure_share = sum(1 for v in za if v >= sure) / len(za)
        fits.append((sure_share, mix, sure, closest))
        print(f"mix={mix:.2f} sure={sure:.3f} closest={closest:.3f} answerable sure={sure_share:.3f}")
    sure_share, mix, sure, closest = max(fits)
    print(f"coverage_mix: {mix:.2f}  sure: {sure:.3f}  closest: {closest:.3f}  (answerable sure {sure_share:.3f})")


if __name__ == "__main__":
    main()
