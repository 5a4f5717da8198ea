#!/usr/bin/env python3
"""Offline trial of a learned re-ranker: a logistic regression over each candidate's
features, in place of the shipped sum of score parts plus 0.8 × cosine.

Inputs are `newsbot eval FILE --dump-candidates` files. Features per candidate: the four
lexical parts, the cosine, the coverage, and (variant 1 and up) the cosine and lexical
score relative to the question's best; variant 2 adds both ranks. Training weighs every
file, question, and gold/non-gold side the same. Each tuning file is scored by a model
fitted without it (leave one set out); the reporting files by the model fitted on all
tuning files. Needs numpy and scikit-learn.

    python3 tools/fit_rerank.py --tune a.jsonl b.jsonl ... --report c.jsonl d.jsonl ...
"""
import argparse
import json

import numpy as np
from sklearn.linear_model import LogisticRegression

PARTS = ("paragraph", "sentence", "lead", "bm25")


def load(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    return [r for r in rows if not r["decline"] and r["candidates"]]


def feats(r, variant):
    cs = r["candidates"]
    cos = np.array([c["cos"] or 0.0 for c in cs])
    lex = np.array([c["lexical"] for c in cs])
    f = [np.array([[c["parts"][k] for k in PARTS] for c in cs]), cos[:, None],
         np.array([c["coverage"] for c in cs])[:, None]]
    if variant >= 1:
        f += [(cos - cos.max())[:, None], (lex - lex.max())[:, None]]
    if variant >= 2:
        f += [(1 / (1 + np.argsort(np.argsort(-cos))))[:, None],
              (1 / (1 + np.argsort(np.argsort(-lex))))[:, None]]
    return np.hstack(f)


def fit(sets, variant, c):
    X, y, w = [], [], []
    for rows in sets:
        for r in rows:
            g = np.array([c["gold"] for c in r["candidates"]], float)
            if g.sum() in (0, len(g)):
                continue
            X.append(feats(r, variant))
            y.append(g)
            w.append(np.where(g > 0, 0.5 / g.sum(), 0.5 / (len(g) - g.sum())) / len(rows))
    w = np.concatenate(w)
    return LogisticRegression(C=c, max_iter=5000).fit(
        np.vstack(X), np.concatenate(y), sample_weight=w * len(w))


def top1(model, rows, variant):
    return np.mean([r["candidates"][int(np.argmax(model.decision_function(feats(r, variant))))]["gold"]
                    for r in rows])


def shipped(rows):
    return np.mean([max(r["candidates"], key=lambda c: c["lexical"] + 0.8 * (c["cos"] or 0.0))["gold"]
                    for r in rows])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", nargs="+", required=True)
    ap.add_argument("--report", nargs="*", default=[])
    a = ap.parse_args()
    tune = {p: load(p) for p in a.tune}
    report = {p: load(p) for p in a.report}
    for variant in (0, 1, 2):
        for c in (0.1, 1.0, 10.0):
            model = fit(tune.values(), variant, c)
            loo = []
            for p, rows in tune.items():
                m = fit([r for q, r in tune.items() if q != p], variant, c)
                loo.append(f"{p}: {shipped(rows):.3f} -> {top1(m, rows, variant):.3f}")
            rep = [f"{p}: {shipped(rows):.3f} -> {top1(model, rows, variant):.3f}"
                   for p, rows in report.items()]
            print(f"variant {variant}, C={c}\n  left out  " + "\n  left out  ".join(loo)
                  + "\n  report    " + "\n  report    ".join(rep))


if __name__ == "__main__":
    main()
