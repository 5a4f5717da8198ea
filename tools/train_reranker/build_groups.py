#!/usr/bin/env python3
"""Turn SQuAD v1.1 train into reranker training groups.

usage (from the repository root):
  python3 tools/train_reranker/build_groups.py ../shared/train/reranker/squad-v1.1-train.json.gz OUT_DIR
The data file is not in the repository: it is in the shared folder beside it (see README.md here).
Input: a list of articles [{"title", "paragraphs": [{"context", "qas": [{"q", "answers": [text, ...]}]}]}]
(SQuAD v1.1 train: 442 Wikipedia articles, disjoint from the v2.0 dev articles in ../shared/eval/squad;
rebuilt from the SQuAD authors' explorer pages, rajpurkar/SQuAD-explorer commit 13f82e35,
explore/1.0/train/*.html; CC BY-SA 4.0, Rajpurkar et al. 2016).
Writes OUT_DIR/units.json.gz ({"units": passage texts, "paragraphs": ids of whole paragraphs}) and
OUT_DIR/groups.jsonl.gz ({"q", "pos": unit id, "neg": [unit ids, hardest first]}).
Units are whole paragraphs and news-sized chunks (1-3 sentences) of them. Half the questions get a
paragraph-level group (negatives: the article's other paragraphs by BM25), half a chunk-level one
(positive: the chunk holding the answer; negatives: the paragraph's other chunks, then the
article's chunks by BM25). Takes about 5 minutes on 2 cores.
"""
import gzip, json, math, os, random, re, sys, zlib
from collections import Counter

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
articles = json.load(gzip.open(src, "rt", encoding="utf-8"))
nq = sum(len(p["qas"]) for a in articles for p in a["paragraphs"])
print(f"{len(articles)} articles, {sum(len(a['paragraphs']) for a in articles)} paragraphs, {nq} questions", file=sys.stderr)

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
def chunks(ctx):
    s = [x for x in SENT.split(ctx) if x.strip()]
    out, i, rng = [], 0, random.Random(zlib.crc32(ctx.encode()))
    while i < len(s):
        n = rng.choice([1, 2, 2, 3])
        out.append((" ".join(s[i:i + n]), sum(len(x) + 1 for x in s[:i])))
        i += n
    return out  # (text, approx char start)

TOK = re.compile(r"[a-z0-9]+")
STOP = set("the a an of in on at to for and or is was were are be by with as from that this which who what when where why how did does do its it his her their".split())
def toks(t): return [w for w in TOK.findall(t.lower()) if w not in STOP]
def bm25_rank(q, docs):
    N = len(docs); dt = [toks(d) for d in docs]; avg = sum(map(len, dt)) / max(N, 1)
    df = Counter(w for d in dt for w in set(d)); qs = toks(q); sc = []
    for d in dt:
        tf = Counter(d); s = 0.0
        for w in qs:
            if w in tf:
                idf = math.log(1 + (N - df[w] + 0.5) / (df[w] + 0.5))
                s += idf * tf[w] * 2.2 / (tf[w] + 1.2 * (0.25 + 0.75 * len(d) / avg))
        sc.append(s)
    return sorted(range(N), key=lambda i: -sc[i])

rng = random.Random(7)
units, uid = [], {}
def unit(t):
    if t not in uid:
        uid[t] = len(units); units.append(t)
    return uid[t]
groups = []
all_par_units = []
for a in articles:
    pars = [p["context"] for p in a["paragraphs"]]
    pch = [chunks(c) for c in pars]
    flat = [(pi, t) for pi, cs in enumerate(pch) for t, _ in cs]
    for c in pars: all_par_units.append(unit(c))
    for pi, p in enumerate(a["paragraphs"]):
        for qa in p["qas"]:
            if not qa["answers"]: continue
            ans = qa["answers"][0]
            if rng.random() < 0.5:  # paragraph-level
                order = [i for i in bm25_rank(qa["q"], pars) if i != pi]
                neg = [unit(pars[i]) for i in order[:5]]
                pos = unit(pars[pi])
            else:  # chunk-level: positive is the chunk holding the answer
                cs = pch[pi]; at = p["context"].find(ans)
                hit = [t for t, st in cs if ans in t] or [t for t, st in cs if st <= at][-1:]
                if not hit: continue
                pos_t = hit[0]
                same = [t for t, _ in cs if t != pos_t and ans not in t]
                order = bm25_rank(qa["q"], [t for _, t in flat])
                other = [flat[i][1] for i in order if flat[i][0] != pi][:4]
                neg = [unit(t) for t in same[:2] + other][:6]
                pos = unit(pos_t)
            groups.append({"q": qa["q"], "pos": pos, "neg": neg})
# one or two random negatives from other articles, filled in at training time from all_par_units
with gzip.open(os.path.join(out, "units.json.gz"), "wt", encoding="utf-8") as f:
    json.dump({"units": units, "paragraphs": all_par_units}, f, ensure_ascii=False)
with gzip.open(os.path.join(out, "groups.jsonl.gz"), "wt", encoding="utf-8") as f:
    for g in groups: f.write(json.dumps(g, ensure_ascii=False) + "\n")
print(f"{len(units)} units, {len(groups)} groups", file=sys.stderr)
