#!/usr/bin/env python3
"""Pack `newsbot eval --dump-candidates` outputs into one compact file for the reranker probe.
usage: python3 tools/train_reranker/pack_dumps.py OUT_DIR/dumps.json.gz NAME=DUMP.jsonl ...
(train.py scores every set in it after training; see README.md here for the dump commands)"""
import gzip, json, sys
texts, tid, sets = [], {}, {}
for arg in sys.argv[2:]:
    name, path = arg.split("=", 1); rows = []
    for line in open(path):
        if not line.strip(): continue
        d = json.loads(line); cands = []
        for c in d["candidates"]:
            t = c["text"]
            if t not in tid: tid[t] = len(texts); texts.append(t)
            cands.append([tid[t], bool(c["gold"]), round(c.get("cos") or 0.0, 4), round(c["lexical"], 4)])
        rows.append({"q": d["q"], "decline": bool(d.get("decline")), "cands": cands})
    sets[name] = rows
    print(name, len(rows), "questions", sum(len(r["cands"]) for r in rows), "pairs", file=sys.stderr)
with gzip.open(sys.argv[1], "wt", encoding="utf-8") as f:
    json.dump({"sets": sets, "texts": texts}, f, ensure_ascii=False)
print(len(texts), "texts", file=sys.stderr)
