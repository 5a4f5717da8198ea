#!/usr/bin/env python3
"""Train a cross-encoder reranker from all-MiniLM-L6-v2 on the groups build_groups.py writes,
then rerank candidate dumps of newsbot (pack_dumps.py) and report top-1 and decline figures.

usage (from anywhere; paths are resolved against the repository):
  python3 tools/train_reranker/train.py --data DATA_DIR [--out OUT_DIR] [--base MODEL_DIR]
                                        [LAYERS,LR,BATCH_GROUPS ...]   e.g. ... 6,4e-5,64
Reads DATA_DIR/train/{units.json.gz,groups.jsonl.gz} (build_groups.py) and, if present,
DATA_DIR/dumps.json.gz (pack_dumps.py); the base model (config.json, model.safetensors,
tokenizer.json) from --base, default models/all-MiniLM-L6-v2 of this repository.
Writes results.json, log.txt and reranker_L{LAYERS}.safetensors (f16, word embeddings left
out: they are frozen, so the base model's own table is used; the layout of
models/reranker-minilm-l6-squad/reranker.safetensors) to OUT_DIR (default target/reranker-train).
Env: DEV (cuda|cpu), BUDGET_S (seconds for all runs, default 86400), MAX_GROUPS, EVAL_BATCH.
Adapted from the original recipe (shared/train/reranker/train.py); README.md here lists what differs.
On one H200: one epoch of the 6-layer model (1,346 steps of 64 groups of 8 pairs, 256 tokens)
took 172 s, plus about 70 s to score the dumps. On 2 CPU cores expect days, not hours.
The shipped reranker (shared/models/reranker-minilm-l6-squad) is `train.py 6,4e-5,64`, one epoch.
"""
import argparse, gzip, json, math, os, random, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ap = argparse.ArgumentParser(description="Train the cross-encoder reranker (see README.md beside this file).")
ap.add_argument("--data", required=True, help="folder with train/ (build_groups.py) and optionally dumps.json.gz")
ap.add_argument("--out", default=os.path.join(REPO, "target", "reranker-train"))
ap.add_argument("--base", default=os.path.join(REPO, "models", "all-MiniLM-L6-v2"))
ap.add_argument("plan", nargs="*", help="LAYERS,LR,BATCH_GROUPS; default: 2,7e-5,64 4,5e-5,64 6,4e-5,64")
args = ap.parse_args()
T0 = time.time(); BUDGET = float(os.environ.get("BUDGET_S", "86400"))
OUT = args.out; os.makedirs(OUT, exist_ok=True)
P = args.data; BASE = args.base; dev = os.environ.get("DEV", "cuda")
logf = open(os.path.join(OUT, "log.txt"), "w")
def log(*a):
    s = f"[{time.time()-T0:6.1f}s] " + " ".join(str(x) for x in a); print(s, flush=True); logf.write(s + "\n"); logf.flush()

tok = Tokenizer.from_file(f"{BASE}/tokenizer.json")
tok.no_padding(); tok.no_truncation()
def encode(pairs, maxlen):
    tok.enable_truncation(max_length=maxlen, strategy="only_second"); tok.enable_padding(pad_id=0, pad_token="[PAD]")
    enc = tok.encode_batch(pairs)
    ids = torch.tensor([e.ids for e in enc]); tt = torch.tensor([e.type_ids for e in enc]); am = torch.tensor([e.attention_mask for e in enc])
    return ids.to(dev, non_blocking=True), tt.to(dev, non_blocking=True), am.to(dev, non_blocking=True)

cfg_json = json.load(open(f"{BASE}/config.json"))
base = {k: v.float() for k, v in load_file(f"{BASE}/model.safetensors").items()}

class CE(nn.Module):
    def __init__(self, layers):
        super().__init__()
        c = BertConfig(**{**cfg_json, "num_hidden_layers": layers})
        self.bert = BertModel(c, add_pooling_layer=False)
        sd = {k: v for k, v in base.items() if not k.startswith("encoder.layer.") or int(k.split(".")[2]) < layers}
        missing, unexpected = self.bert.load_state_dict(sd, strict=False)
        assert not [m for m in missing if "position_ids" not in m], missing
        self.drop = nn.Dropout(0.1); self.head = nn.Linear(c.hidden_size, 1)
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    def forward(self, ids, tt, am):
        h = self.bert(input_ids=ids, token_type_ids=tt, attention_mask=am).last_hidden_state[:, 0]
        return self.head(self.drop(h)).squeeze(-1)

U = json.load(gzip.open(f"{P}/train/units.json.gz", "rt")); units, paras = U["units"], U["paragraphs"]
groups = [json.loads(l) for l in gzip.open(f"{P}/train/groups.jsonl.gz", "rt")][:int(os.environ.get("MAX_GROUPS", "10000000"))]
log(len(units), "units", len(groups), "groups")
G = 8
def batches(rng, bs):
    idx = list(range(len(groups))); rng.shuffle(idx)
    for i in range(0, len(idx) - bs + 1, bs):
        pairs = []
        for j in idx[i:i + bs]:
            g = groups[j]; neg = list(g["neg"][:G - 2])
            while len(neg) < G - 1: neg.append(rng.choice(paras))
            pairs += [(g["q"], units[g["pos"]])] + [(g["q"], units[n]) for n in neg]
        yield pairs

# evaluation dumps: {"sets": {name: [{"q","decline","cands":[[text_id, gold, cos, lexical]]}]}, "texts": [...]}
EB = int(os.environ.get("EVAL_BATCH", "1024"))
E = json.load(gzip.open(f"{P}/dumps.json.gz", "rt")) if os.path.exists(f"{P}/dumps.json.gz") else {"sets": {}, "texts": []}
etexts = E["texts"]
if not E["sets"]: log("no dumps.json.gz: training only, no scoring")
@torch.no_grad()
def score_all(model, maxlen=256):
    model.eval(); res = {}
    for name, qs in E["sets"].items():
        pairs = [(q["q"], etexts[c[0]]) for q in qs for c in q["cands"]]
        out = []
        for i in range(0, len(pairs), EB):
            with torch.autocast(dev, dtype=torch.bfloat16):
                out.append(model(*encode(pairs[i:i + EB], maxlen)).float().cpu())
        s = torch.cat(out).tolist() if out else []; k = 0; per = []
        for q in qs:
            n = len(q["cands"]); per.append(s[k:k + n]); k += n
        res[name] = per
    model.train(); return res

def metrics(scores):
    rep = {}
    for name, qs in E["sets"].items():
        ans = [(q, s) for q, s in zip(qs, scores[name]) if not q["decline"]]
        dec = [(q, s) for q, s in zip(qs, scores[name]) if q["decline"]]
        r = {"n": len(ans), "n_decline": len(dec)}
        def top1(order_fn):
            return sum(1 for q, s in ans if q["cands"] and q["cands"][order_fn(q, s)][1]) / max(len(ans), 1)
        r["engine_top1"] = top1(lambda q, s: 0)
        r["ce_top1"] = top1(lambda q, s: max(range(len(s)), key=lambda i: s[i]))
        for K in (3, 5, 10):
            r[f"ce_top{K}_rerank"] = top1(lambda q, s, K=K: max(range(min(K, len(s))), key=lambda i: s[i]))
        r["gold_in_cands"] = sum(1 for q, s in ans if any(c[1] for c in q["cands"])) / max(len(ans), 1)
        for w in (0.5, 1.0, 2.0):  # blend: engine rank prior + CE
            r[f"blend{w}"] = top1(lambda q, s, w=w: max(range(len(s)), key=lambda i: s[i] - w * math.log(i + 1)))
        def rrf(q, s, k=10):
            cr = sorted(range(len(s)), key=lambda i: -s[i]); pos = {i: r for r, i in enumerate(cr)}
            return max(range(len(s)), key=lambda i: 1 / (k + i) + 1 / (k + pos[i]))
        r["rrf"] = top1(rrf)
        for K in (3, 5):  # rerank top-K, blended with engine rank
            r[f"top{K}_blend1.0"] = top1(lambda q, s, K=K: max(range(min(K, len(s))), key=lambda i: s[i] - math.log(i + 1)))
        mx_a = sorted(max(s) for q, s in ans if s); mx_d = sorted(max(s) for q, s in dec if s)
        if mx_a and mx_d:
            auc = sum(1 for a in mx_a for d in mx_d if a > d) / (len(mx_a) * len(mx_d)) if len(mx_a) * len(mx_d) < 4e7 else None
            r["decline_auc"] = auc
            for fa in (0.01, 0.02, 0.05):  # threshold that declines fa of answerable: share of to-decline caught
                th = mx_a[int(fa * len(mx_a))]
                r[f"declined_at_{fa}"] = sum(1 for d in mx_d if d < th) / len(mx_d)
            r["th_at_0.02"] = mx_a[int(0.02 * len(mx_a))]
        rep[name] = r
    return rep

def train(layers, lr, bs, deadline, maxlen=256):
    torch.manual_seed(0); rng = random.Random(0)
    m = CE(layers).to(dev); m.train()
    opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    steps = len(groups) // bs; warm = max(1, int(0.05 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    t = time.time(); done = 0
    for step, pairs in enumerate(batches(rng, bs)):
        if time.time() > deadline: log(f"L{layers}: deadline at step {step}/{steps}"); break
        with torch.autocast(dev, dtype=torch.bfloat16):
            logits = m(*encode(pairs, maxlen)).float().view(-1, G)
        loss = F.cross_entropy(logits, torch.zeros(len(logits), dtype=torch.long, device=dev))
        lab = torch.zeros_like(logits); lab[:, 0] = 1
        loss = loss + 0.5 * F.binary_cross_entropy_with_logits(logits, lab, pos_weight=torch.tensor(float(G - 1), device=dev))
        opt.zero_grad(set_to_none=True); loss.backward(); torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step(); sched.step()
        done = step + 1
        if step % 200 == 0: log(f"L{layers} step {step}/{steps} loss {loss.item():.4f} {(time.time()-t)/(step+1):.3f}s/step")
    log(f"L{layers}: trained {done} steps in {time.time()-t:.0f}s")
    return m, done, steps

def save(m, layers):
    # one file, as shipped (the original split it into parts under 15 MB; merging them gives the same)
    sd = {k: v.detach().half().contiguous().cpu() for k, v in m.state_dict().items() if "word_embeddings" not in k and "position_ids" not in k}
    meta = {"head": "CLS hidden state -> Linear(384,1)", "train": "SQuAD v1.1 train, 1 epoch",
            "base": "all-MiniLM-L6-v2 (word embeddings frozen, not stored)"}
    path = os.path.join(OUT, f"reranker_L{layers}.safetensors"); save_file(sd, path, metadata=meta)
    return path

results = {"base_engine": None}
plan = [(2, 7e-5, 64), (4, 5e-5, 64), (6, 4e-5, 64)] if not args.plan else [tuple(map(float, a.split(","))) for a in args.plan]
for i, (layers, lr, bs) in enumerate(plan):
    layers, bs = int(layers), int(bs)
    left = BUDGET - (time.time() - T0); share = left / (len(plan) - i)
    m, done, steps = train(layers, lr, bs, time.time() + share - 45)
    sc = score_all(m); rep = metrics(sc)
    results[f"L{layers}"] = {"lr": lr, "bs": bs, "steps": done, "of": steps, "metrics": rep}
    log(f"L{layers}", json.dumps(rep)[:3000])
    results[f"L{layers}"]["weights"] = save(m, layers)
    json.dump(results, open(os.path.join(OUT, "results.json"), "w"), indent=1)
    del m
    if dev == "cuda": torch.cuda.empty_cache()
log("done")
