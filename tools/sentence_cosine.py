#!/usr/bin/env python3
"""Offline trial of a ranking signal before building it: the best cosine between the
question and any one sentence of a candidate passage, added to newsbot's score.

Input: `newsbot eval FILE --dump-candidates` output (candidates carry their text). The
first group of files is tuned on (the weights are chosen by grid on their mean top-1, each
file weighing the same), the files after `--report` are only reported on. Needs
sentence-transformers; runs offline from the model folder.

    python3 tools/sentence_cosine.py MODEL_DIR tune1.jsonl tune2.jsonl --report rep.jsonl

MIN_SENTENCES=N (environment) uses the sentence cosine only for passages of at least N
sentences, and the passage's own cosine for shorter ones.
"""
import json
import os
import re
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

MIN_SENTENCES = int(os.environ.get("MIN_SENTENCES", "1"))
SPLIT = re.compile(r'(?<=[.!?])\s+(?=[A-Z0-9"\u201c])')


def main():
    model_dir, rest = sys.argv[1], sys.argv[2:]
    cut = rest.index("--report") if "--report" in rest else len(rest)
    tune, report = rest[:cut], rest[cut + 1:]
    torch.set_num_threads(os.cpu_count() or 1)
    m = SentenceTransformer(model_dir, device="cpu", model_kwargs={"dtype": torch.float32})
    sets = {p: [json.loads(l) for l in open(p) if l.strip()] for p in tune + report}
    sentences = sorted({s for rows in sets.values() for r in rows for c in r["candidates"]
                        for s in SPLIT.split(c["text"]) if s.strip()})
    vec = dict(zip(sentences, m.encode(sentences, normalize_embeddings=True, batch_size=64)))
    for rows in sets.values():
        qv = m.encode([r["q"] for r in rows], normalize_embeddings=True, batch_size=64)
        for r, q in zip(rows, qv):
            for c in r["candidates"]:
                parts = [s for s in SPLIT.split(c["text"]) if s.strip()]
                best = max((float(vec[s] @ q) for s in parts), default=0.0)
                # Gated by length: a short news paragraph is one or two sentences, where the
                # best sentence says little more than the passage's own cosine.
                c["scos"] = best if len(parts) >= MIN_SENTENCES else (c["cos"] or 0.0)

    def top1(rows, w, ws):
        ans = [r for r in rows if r["candidates"]]
        hit = 0
        for r in ans:
            best = max(r["candidates"], key=lambda c: c["lexical"] + w * (c["cos"] or 0.0) + ws * c["scos"])
            hit += best["gold"]
        return hit / max(1, len(rows))

    print("top-1 by sentence-cosine weight ws, at the shipped w = 0.8:")
    for ws in [0.0, 0.5, 1.0, 2.0, 3.0]:
        print(f"  ws {ws:.1f}: " + "  ".join(f"{os.path.basename(p)} {top1(sets[p], 0.8, ws):.3f}"
                                            for p in tune + report))
    grid = [(w, ws) for w in np.arange(0, 3.01, 0.2) for ws in np.arange(0, 4.01, 0.25)]
    score = lambda g: np.mean([top1(sets[p], *g) for p in tune])
    best = max(grid, key=score)
    shipped = (0.8, 0.0)
    fit_w = max([g for g in grid if g[1] == 0.0], key=score)
    print(f"tuned on {len(tune)} files; best (w, ws) = ({best[0]:.1f}, {best[1]:.1f}); "
          f"passage cosine alone refit: w = {fit_w[0]:.1f}")
    for p in tune + report:
        tag = "tune  " if p in tune else "report"
        print(f"{tag} {p}: shipped {top1(sets[p], *shipped):.3f}  refit w only "
              f"{top1(sets[p], *fit_w):.3f}  with sentence cosine {top1(sets[p], *best):.3f}")


if __name__ == "__main__":
    main()
