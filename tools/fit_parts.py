#!/usr/bin/env python3
"""Fits multipliers on the lexical score parts and the cosine, on the tuning sets only.

The shipped score is paragraph + sentence + lead + bm25 + w * cos, where each lexical part
already carries a hand-set weight from `rank::Tuning` (sentence 1.5, bm25 0.2, lead 0.05).
This asks whether rescaling those parts, with the cosine weight refitted beside them, ranks
better on data that was not tuned on. It reorders only the candidates each dump holds
(BM25's best plus the nearest by meaning), which is exactly what the engine reorders.

    python3 tools/fit_parts.py --tune a.jsonl b.jsonl ... --report c.jsonl d.jsonl ...

Inputs are `newsbot eval FILE --dump-candidates` files. The fit is a coordinate search on
the mean top-1 over the tuning files, each file weighing the same; the reporting files are
only scored with the result, beside the shipped weights.
"""
import argparse
import itertools
import json

PARTS = ["paragraph", "sentence", "lead", "bm25"]
# Multipliers tried per part (1 = the shipped weight); the cosine weight is absolute.
GRID = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0]
COS_GRID = [x / 10 for x in range(0, 31)]
SHIPPED = {"paragraph": 1.0, "sentence": 1.0, "lead": 1.0, "bm25": 1.0, "cos": 0.8}


def load(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    return [r for r in rows if not r.get("decline") and r["candidates"]]


def score(c, w):
    p = c["parts"]
    return sum(w[k] * p[k] for k in PARTS) + w["cos"] * (c["cos"] or 0.0)


def top1(rows, w):
    hit = 0
    for r in rows:
        best = max(r["candidates"], key=lambda c: score(c, w))
        hit += bool(best["gold"])
    return hit / len(rows) if rows else 0.0


def mean_top1(sets, w):
    return sum(top1(rows, w) for _, rows in sets) / len(sets)


def fit(sets):
    w = dict(SHIPPED)
    best = mean_top1(sets, w)
    for _ in range(4):
        moved = False
        for k in PARTS + ["cos"]:
            for v in COS_GRID if k == "cos" else GRID:
                trial = dict(w, **{k: v})
                m = mean_top1(sets, trial)
                # Strictly better by more than noise on these sizes, so ties keep the
                # shipped value.
                if m > best + 0.002:
                    best, w, moved = m, trial, True
        if not moved:
            break
    return w, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", nargs="+", required=True)
    ap.add_argument("--report", nargs="*", default=[])
    a = ap.parse_args()
    tune = [(p, load(p)) for p in a.tune]
    report = [(p, load(p)) for p in a.report]
    w, m = fit(tune)
    print("fitted:", {k: round(v, 2) for k, v in w.items()}, f"mean tuning top-1 {m:.4f}")
    # Leave-one-set-out: fit on all tuning sets but one and score the one left out, so the
    # gain on the tuning side is not taken on trust.
    for i, (p, rows) in enumerate(tune):
        rest = tune[:i] + tune[i + 1:]
        wi, _ = fit(rest)
        print(f"  left out {p}: shipped {top1(rows, SHIPPED):.3f} fitted-without-it {top1(rows, wi):.3f}")
    for p, rows in itertools.chain(report):
        print(f"report {p} ({len(rows)}): shipped {top1(rows, SHIPPED):.3f} fitted {top1(rows, w):.3f}")


if __name__ == "__main__":
    main()
