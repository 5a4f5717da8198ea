#!/usr/bin/env python3
"""Python sentence-transformers on the same model and questions, for the README's
side-by-side figures and for checking newsbot's vectors.

Usage: python3 tools/st_reference.py MODEL_DIR QUESTIONS.jsonl [--dump OUT.jsonl]

Prints model load time, per-question embedding time (p50/p99, one question at a time as
the bot does) and peak RSS. With --dump it writes {"q", "vec"} lines so a test can compare
newsbot's embedding of the same text. Needs: pip install sentence-transformers.
Runs offline: the model is read from MODEL_DIR, no hub is contacted.
"""
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

t0 = time.perf_counter()
import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

torch.set_num_threads(os.cpu_count() or 1)
# float32, as newsbot computes: CPU f16 would be slower and unfair to Python.
model = SentenceTransformer(sys.argv[1], device="cpu", model_kwargs={"dtype": torch.float32})
load = time.perf_counter() - t0
questions = [json.loads(l)["q"] for l in open(sys.argv[2]) if l.strip()]
model.encode(questions[:2])  # warm-up, as newsbot's bench warms up
times = []
vecs = []
for q in questions:
    s = time.perf_counter()
    v = model.encode([q], normalize_embeddings=True)[0]
    times.append(time.perf_counter() - s)
    vecs.append(v)
times.sort()
p = lambda f: times[min(len(times) - 1, int(f * len(times)))] * 1000
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"questions": len(questions), "load_s": round(load, 2),
                  "p50_ms": round(p(0.5), 2), "p99_ms": round(p(0.99), 2),
                  "peak_rss_mb": round(rss)}))
if "--dump" in sys.argv:
    with open(sys.argv[sys.argv.index("--dump") + 1], "w") as f:
        for q, v in zip(questions, vecs):
            f.write(json.dumps({"q": q, "vec": [round(float(x), 5) for x in v]}) + "\n")
