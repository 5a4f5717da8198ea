#!/usr/bin/env python3
"""PyTorch reference for newsbot's cross-encoder reranker (models/reranker-minilm-l6-squad).

What: loads the reranker in float32, scores a fixed list of (question, passage) pairs taken
from seeds/*.txt, and writes the fixture the Rust (candle) implementation is checked against:
crates/newsbot-embed/tests/fixtures/reranker_reference.json
  {"source": "tools/reranker_reference.py", "torch": VERSION, "max_len": 256, "max_question": 64,
   "pairs": [{"q", "p", "logit", "tokens", "q_pieces", "kind", "ids"}, ...]}
where "tokens" is the pair's length after truncation ([CLS] and both [SEP] included),
"q_pieces" the question's word pieces kept, "ids" the input ids (token types: 0 up to and
including the first [SEP], 1 after it) and "kind" rel / irr / tail (see PAIRS).

The model (see models/reranker-minilm-l6-squad and tools/train_reranker/README.md):
  - all-MiniLM-L6-v2's BERT (6 post-LN layers, hidden 384, 12 heads, intermediate 1536,
    exact erf-GELU, layer-norm eps 1e-12), no pooler; logit = head(last_hidden_state[:, 0]).
  - models/reranker-minilm-l6-squad/reranker.safetensors (f16): bert.embeddings.{position,
    token_type,LayerNorm}, bert.encoder.layer.{0..5}.*, head.weight [1, 384], head.bias [1].
  - The word-embedding table is not in that file (it was frozen in training): it is
    embeddings.word_embeddings.weight of models/all-MiniLM-L6-v2/model.safetensors (f16).
  - Everything is cast to float32 and computed in float32.
Input: [CLS] question [SEP] passage [SEP], token types 0 for [CLS] question [SEP], 1 for
passage [SEP]. The question is cut to 62 word pieces, so that [CLS] question [SEP] is at
most 64 tokens; the passage is cut so that the whole pair is at most 256 tokens. Batches are
padded with [PAD] (id 0, type 0, attention mask 0) to the longest pair. Tokenizer:
models/all-MiniLM-L6-v2/tokenizer.json through the `tokenizers` package, with its built-in
padding/truncation (128) switched off; the cuts above are done here.
(Training used tokenizers' `only_second` truncation at 256 and never cut the question; for
questions of at most 62 pieces this script gives the same ids, which it checks.)

The BERT forward pass is written out in plain torch (no transformers needed). If
transformers is importable, the script also runs transformers' BertModel (offline, weights
from the same files) on every pair and prints the largest |difference| of the logits.

Usage (from the repository root):
  python3 tools/reranker_reference.py [--out FILE] [--bench]
    --out FILE  where to write the fixture (default: the path above)
    --bench     also time one padded batch of 5 pairs (a seed question with 5 seed
                paragraphs), torch.set_num_threads(2), 10 warm-up + 200 timed runs,
                p50/p90/p99 ms; then the same for batch sizes 1..8.
Needs: python3 -m pip install torch safetensors tokenizers numpy   (transformers optional)
Runs offline; nothing is downloaded.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "models", "all-MiniLM-L6-v2")
RERANKER = os.path.join(ROOT, "models", "reranker-minilm-l6-squad", "reranker.safetensors")
FIXTURE = os.path.join(ROOT, "crates", "newsbot-embed", "tests", "fixtures", "reranker_reference.json")
MAX_LEN = 256  # the whole pair, [CLS] and both [SEP] included
MAX_QUESTION = 64  # [CLS] question [SEP]: the question keeps at most 62 word pieces
CLS, SEP, PAD = 101, 102, 0

# ---------------------------------------------------------------------------------------------
# The pairs. Passages are verbatim from seeds/ (checked at run time); "kind":
#   rel  - the passage answers the question;   irr - it clearly does not;
#   tail - the passage holds the answer only in the part that truncation at 256 cuts off.
S001, S002 = "seeds/001_45ac0e190cf60fe9.txt", "seeds/002_0d78579493660949.txt"
P = {
    "coupang_breach": "Coupang disclosed a major data breach on 30 November 2025 that exposed 33.7 million customer accounts. The leaked data includes names, email addresses, phone numbers, shipping addresses and some order history but excludes payment or login credentials.",
    "coupang_detect": "The company said it first detected unauthorised access on 18 November. Subsequent investigations revealed that attacks likely began on 24 June through overseas servers and may involve a former employee’s still-active authentication key.",
    "coupang_probe": "South Korean authorities launched an emergency probe to determine if Coupang violated data-protection laws. The government warned customers to stay alert to phishing and fraud attempts using the leaked information.",
    "coupang_worst": "Cybersecurity experts say the breach may be one of the worst personal-data leaks in Korean history. Critics claim the incident underlines deep structural weaknesses in corporate cybersecurity practices.",
    "fidrec_claims": "FIDReC recorded 4,355 claims in FY2024/2025, marking its highest volume in twenty years and a sharp rise from the previous year. Scam activity and broader dispute growth across financial institutions contributed to the increase. Greater public awareness of the centre’s role also drove more filings.",
    "uk_fines": "Traders who fail to supply required details could face fines of up to £300, while platforms may be fined the same amount per unreported customer. HMRC expects to raise up to £315 million by 2030 from the new reporting rules.",
    "cnil_fine": "France’s data regulator fined Les Publications Condé Nast €750,000 for unlawful cookie practices on vanityfair.fr. Investigators found consent-based cookies loading immediately when visitors landed on the site.",
    "vietnam_5g": "Vietnam has moved to expand its use of Chinese 5G technology, awarding Huawei and ZTE a series of new contracts. Under recent deals, the two companies will supply advanced 5G radio equipment to strengthen network coverage, while European vendors remain responsible for core systems.",
    "europol_zurich": "Europol has supported a coordinated action week in Zurich, where Swiss and German authorities dismantled the illegal cryptocurrency mixing service Cryptomixer.",
    "europol_seized": "Three servers were seized in Switzerland, together with the cryptomixer.io domain, leading to the confiscation of more than €25 million in Bitcoin and over 12 terabytes of operational data.",
    "nvidia_invest": "An agreement that includes a significant investment of two billion dollars in Synopsys shares and a coordinated effort to bring accelerated computing into every stage of research and development.",
    "axian_yas": "Axian rebranded its mobile units to Yas in 2024 across Madagascar, Comoros, Senegal, Togo and Tanzania. Its financial services arms now operate as Mixx by Yas. The new merchant and card tools build on this unified-market strategy.",
    "spar_crypto": "Spar Switzerland has advanced retail crypto adoption by adding Bitcoin and over 100 digital assets to its mobile app. On-chain QR payments now replace third-party processors, following earlier pilots with the Lightning Network and Binance Pay.",
    "fake_photos": "Some buyers manipulated photos of fruit to appear mouldy or altered images of electric toothbrushes to look rusty. Clothing and ceramic product sellers also detected AI-generated inconsistencies, such as unnatural lighting, distorted edges, or visible signs of manipulation.",
    "turkmen_ads": "Promotional materials must include risk warnings, highlight the possibility of losing all invested funds, and avoid portraying digital assets as an easy path to wealth. Ads cannot use luxury imagery, bonuses, or involve minors.",
    "boilerplate": "Would you like to learn more about AI, tech and digital diplomacy? If so, ask our Diplo chatbot!",
    # The whole Turkmenistan article (headline and 8 paragraphs, as they stand in the file,
    # blank lines included): about 340 word pieces, so truncation at 256 is exercised.
    "turkmen_article": "Crypto mining to become legal under Turkmenistan’s new law\n\nTurkmenistan has adopted its first comprehensive law regulating virtual assets, officially legalising cryptocurrency mining and allowing the operation of crypto exchanges, effective January 1, 2026. Signed by President Serdar Berdimuhamedov, the legislation lays out the framework for creating, issuing, storing and trading digital assets, while clearly distinguishing them from legal tender or securities.\n\nCryptocurrencies will be recognised as objects of civil rights, but cannot be used as a means of payment within the country.\n\nUnder the new rules, mining will be allowed for companies and individual entrepreneurs who complete mandatory electronic registration with the Central Bank. Covert mining, which involves using someone else’s computing power without their consent, is strictly prohibited.\n\nCrypto exchanges and related trading platforms must also register with the regulator, with the state disclaiming any responsibility for these entities’ financial obligations.\n\nThe law introduces strict requirements for user identification, banning anonymous wallets and transactions to align with anti-money laundering standards. Advertising of cryptocurrencies will be tightly controlled.\n\nPromotional materials must include risk warnings, highlight the possibility of losing all invested funds, and avoid portraying digital assets as an easy path to wealth. Ads cannot use luxury imagery, bonuses, or involve minors.\n\nAdditionally, crypto companies are prohibited from using terms associated with national symbols, such as ‘Turkmenistan’ or ‘state,’ in their branding.\n\nTurkmenistan’s move aligns with a broader trend in Central Asia, where countries like Uzbekistan and Kazakhstan have established licensing regimes, mining regulations and even national crypto reserves. The regional push suggests growing interest in formalising digital asset markets while maintaining strict state oversight.",
}
SOURCE = {  # which seed file each passage is copied from
    "coupang_breach": S002, "coupang_detect": S002, "coupang_probe": S002, "coupang_worst": S002,
    "fidrec_claims": S002, "uk_fines": S002, "cnil_fine": S002, "vietnam_5g": S002,
    "turkmen_ads": S002, "turkmen_article": S002, "europol_zurich": S001, "europol_seized": S001,
    "nvidia_invest": S001, "axian_yas": S001, "spar_crypto": S001, "fake_photos": S001,
    "boilerplate": S001,
}
LONG_Q = ("How much money in Bitcoin was confiscated when the three Cryptomixer servers were seized in "
          "Switzerland, and how many terabytes of operational data were taken? I ask because I read that a "
          "Swiss and German operation, coordinated by Europol during an action week in Zurich, took down "
          "this cryptocurrency mixing service together with its web domain, and I would like the exact "
          "figures the article gives.")  # 84 word pieces: cut to 62
PAIRS = [
    ("rel", "How many customer accounts were exposed in the Coupang data breach?", "coupang_breach"),
    ("rel", "When did Coupang first detect the unauthorised access?", "coupang_detect"),
    ("rel", "How much did NVIDIA invest in Synopsys shares?", "nvidia_invest"),
    ("rel", "How many claims did FIDReC record in FY2024/2025?", "fidrec_claims"),
    ("rel", "What fines can UK crypto traders face for not supplying their details?", "uk_fines"),
    ("rel", "Which companies did Vietnam award new 5G contracts to?", "vietnam_5g"),
    ("rel", "What did Axian rebrand its mobile units to in 2024?", "axian_yas"),
    # accents, curly quotes, dashes, currency signs, an emoji ([UNK]):
    ("rel", "How much was Les Publications Condé Nast fined (in €) for cookies on vanityfair.fr?", "cnil_fine"),
    ("rel", "What did Europol’s “action week” in Zürich achieve — which service was dismantled?!", "europol_zurich"),
    ("rel", "Coupang breach 🚨: what data leaked — names, e-mails, card numbers?", "coupang_breach"),
    # question over 64 pieces (cut to 62):
    ("rel", LONG_Q, "europol_seized"),
    # passage over 256 pieces (cut): answer near the start, then answer only in the cut tail
    ("rel", "When will cryptocurrency mining become legal in Turkmenistan?", "turkmen_article"),
    ("tail", "Which Central Asian countries have established crypto licensing regimes and national crypto reserves?", "turkmen_article"),
    ("irr", "How many customer accounts were exposed in the Coupang data breach?", "turkmen_ads"),
    ("irr", "How much did NVIDIA invest in Synopsys shares?", "spar_crypto"),
    ("irr", "What does Utah's governor say about who should make AI rules?", "vietnam_5g"),
    ("irr", "Which companies did Vietnam award new 5G contracts to?", "boilerplate"),
    ("irr", "How many claims did FIDReC record in FY2024/2025?", "fake_photos"),
    ("irr", LONG_Q, "axian_yas"),
]
# --bench: a development seed question (eval/dev_questions.jsonl) with 5 seed paragraphs,
# about what newsbot's top-5 would be; padded length about 75 tokens.
BENCH_Q = "What personal data leaked in the Coupang incident?"
BENCH_P = ["coupang_breach", "coupang_detect", "coupang_probe", "coupang_worst", "fidrec_claims",
           "cnil_fine", "uk_fines", "vietnam_5g"]  # the first 5 for the main figure; 1..8 after


# ---------------------------------------------------------------------------------------------
# Tokenization
def load_tokenizer():
    tok = Tokenizer.from_file(os.path.join(BASE, "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()  # tokenizer.json carries truncation/padding at 128: not ours
    return tok


def encode_pair(tok, q, p):
    """ids, type_ids, question pieces kept: [CLS] q [SEP] p [SEP] with the cuts described above."""
    qi = tok.encode(q, add_special_tokens=False).ids[: MAX_QUESTION - 2]
    pi = tok.encode(p, add_special_tokens=False).ids[: MAX_LEN - 3 - len(qi)]
    ids = [CLS] + qi + [SEP] + pi + [SEP]
    types = [0] * (len(qi) + 2) + [1] * (len(pi) + 1)
    return ids, types, len(qi)


def batch(tok, pairs):
    enc = [encode_pair(tok, q, p) for q, p in pairs]
    n = max(len(e[0]) for e in enc)
    ids = torch.zeros(len(enc), n, dtype=torch.long)
    tt = torch.zeros(len(enc), n, dtype=torch.long)
    am = torch.zeros(len(enc), n, dtype=torch.long)
    for i, (a, t, _) in enumerate(enc):
        ids[i, : len(a)] = torch.tensor(a)
        tt[i, : len(t)] = torch.tensor(t)
        am[i, : len(a)] = 1
    return ids, tt, am


# ---------------------------------------------------------------------------------------------
# The model, in plain torch
class Reranker:
    def __init__(self):
        cfg = json.load(open(os.path.join(BASE, "config.json")))
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]
        self.eps = cfg["layer_norm_eps"]
        assert cfg["hidden_act"] == "gelu" and cfg["position_embedding_type"] == "absolute"
        w = {k: v.float() for k, v in load_file(RERANKER).items()}
        base = load_file(os.path.join(BASE, "model.safetensors"))
        w["bert.embeddings.word_embeddings.weight"] = base["embeddings.word_embeddings.weight"].float()
        self.w = w
        expected = {f"bert.embeddings.{n}" for n in ("word_embeddings.weight", "position_embeddings.weight",
                    "token_type_embeddings.weight", "LayerNorm.weight", "LayerNorm.bias")}
        expected |= {"head.weight", "head.bias"}
        for i in range(self.layers):
            for n in ("attention.self.query", "attention.self.key", "attention.self.value",
                      "attention.output.dense", "intermediate.dense", "output.dense",
                      "attention.output.LayerNorm", "output.LayerNorm"):
                expected |= {f"bert.encoder.layer.{i}.{n}.weight", f"bert.encoder.layer.{i}.{n}.bias"}
        assert set(w) == expected, (sorted(set(w) - expected), sorted(expected - set(w)))

    def ln(self, x, pre):
        return F.layer_norm(x, x.shape[-1:], self.w[pre + ".weight"], self.w[pre + ".bias"], self.eps)

    def lin(self, x, pre):
        return F.linear(x, self.w[pre + ".weight"], self.w[pre + ".bias"])

    @torch.inference_mode()
    def __call__(self, ids, tt, am):
        w = self.w
        b, n = ids.shape
        pos = torch.arange(n).unsqueeze(0)
        x = (w["bert.embeddings.word_embeddings.weight"][ids]
             + w["bert.embeddings.position_embeddings.weight"][pos]
             + w["bert.embeddings.token_type_embeddings.weight"][tt])
        x = self.ln(x, "bert.embeddings.LayerNorm")
        mask = (1.0 - am[:, None, None, :].float()) * torch.finfo(torch.float32).min  # [b,1,1,n]
        hd = x.shape[-1] // self.heads
        for i in range(self.layers):
            L = f"bert.encoder.layer.{i}."
            split = lambda t: t.view(b, n, self.heads, hd).transpose(1, 2)  # [b,h,n,hd]
            q = split(self.lin(x, L + "attention.self.query"))
            k = split(self.lin(x, L + "attention.self.key"))
            v = split(self.lin(x, L + "attention.self.value"))
            s = q @ k.transpose(-1, -2) / math.sqrt(hd) + mask
            ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, n, -1)
            x = self.ln(self.lin(ctx, L + "attention.output.dense") + x, L + "attention.output.LayerNorm")
            h = F.gelu(self.lin(x, L + "intermediate.dense"))  # exact (erf) GELU
            x = self.ln(self.lin(h, L + "output.dense") + x, L + "output.LayerNorm")
        return F.linear(x[:, 0], w["head.weight"], w["head.bias"]).squeeze(-1)


def transformers_logits(model, tok, pairs):
    """The same logits through transformers' BertModel (offline), or None if not installed."""
    try:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import BertConfig, BertModel
    except ImportError:
        return None
    cfg = BertConfig(**json.load(open(os.path.join(BASE, "config.json"))))
    try:
        bert = BertModel(cfg, add_pooling_layer=False, attn_implementation="eager")
    except TypeError:
        bert = BertModel(cfg, add_pooling_layer=False)
    sd = {k[len("bert."):]: v for k, v in model.w.items() if k.startswith("bert.")}
    missing, unexpected = bert.load_state_dict(sd, strict=False)
    assert not unexpected and not [m for m in missing if "position_ids" not in m], (missing, unexpected)
    bert.eval()
    out = []
    with torch.inference_mode():
        for q, p in pairs:
            ids, tt, am = batch(tok, [(q, p)])
            h = bert(input_ids=ids, token_type_ids=tt, attention_mask=am).last_hidden_state[:, 0]
            out.append(F.linear(h, model.w["head.weight"], model.w["head.bias"]).item())
    return out


# ---------------------------------------------------------------------------------------------
def check_passages():
    for key, text in P.items():
        if text not in open(os.path.join(ROOT, SOURCE[key]), encoding="utf-8").read():
            sys.exit(f"passage {key!r} is not verbatim in {SOURCE[key]}")


def check_tokenizer_agrees(tok):
    """For questions of at most 62 pieces our ids equal tokenizers' own pair encoding with
    only_second truncation at 256 (what training used)."""
    t2 = Tokenizer.from_file(os.path.join(BASE, "tokenizer.json"))
    t2.no_padding()
    t2.enable_truncation(max_length=MAX_LEN, strategy="only_second")
    n = 0
    for _, q, key in PAIRS:
        ids, types, nq = encode_pair(tok, q, P[key])
        if len(tok.encode(q, add_special_tokens=False).ids) > MAX_QUESTION - 2:
            assert nq == MAX_QUESTION - 2 and ids.index(SEP) == MAX_QUESTION - 1
            continue
        e = t2.encode(q, P[key])
        assert e.ids == ids and e.type_ids == types, q
        n += 1
    return n


def bench(model, tok):
    torch.set_num_threads(2)

    def run(bs, warm=10, timed=200):
        pairs = [(BENCH_Q, P[k]) for k in (BENCH_P * 2)[:bs]]
        for _ in range(warm):
            model(*batch(tok, pairs))
        ts = []
        for _ in range(timed):
            t = time.perf_counter()
            model(*batch(tok, pairs))  # tokenization + padding + forward
            ts.append((time.perf_counter() - t) * 1000)
        ts.sort()
        pc = lambda f: ts[min(len(ts) - 1, int(f * len(ts)))]
        return batch(tok, pairs)[0].shape[1], pc(0.5), pc(0.9), pc(0.99), statistics.mean(ts)

    print(f"\nbench: torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"load average before {os.getloadavg()[0]:.2f}; question: {BENCH_Q!r}")
    n, p50, p90, p99, _ = run(5)
    print(f"batch 5 (padded to {n} tokens), 10 warm-up + 200 timed: "
          f"p50 {p50:.1f} ms, p90 {p90:.1f} ms, p99 {p99:.1f} ms")
    print(f"{'batch':>5} {'len':>4} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'ms/pair':>8}")
    for bs in range(1, 9):
        n, p50, p90, p99, _ = run(bs)
        print(f"{bs:>5} {n:>4} {p50:>7.1f} {p90:>7.1f} {p99:>7.1f} {p50 / bs:>8.1f}")
    print(f"load average after {os.getloadavg()[0]:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=FIXTURE)
    ap.add_argument("--bench", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(2)
    check_passages()
    tok = load_tokenizer()
    agreed = check_tokenizer_agrees(tok)
    model = Reranker()

    pairs = [(q, P[key]) for _, q, key in PAIRS]
    logits = [model(*batch(tok, [pr])).item() for pr in pairs]  # one at a time: no padding
    padded = model(*batch(tok, pairs)).tolist()  # all at once, padded to 256
    pad_diff = max(abs(a - b) for a, b in zip(logits, padded))

    rows = []
    print(f"{'kind':<5} {'logit':>8} {'tok':>4} {'qp':>3}  question | passage")
    for (kind, q, key), (qq, p), lg in zip(PAIRS, pairs, logits):
        ids, _, nq = encode_pair(tok, q, p)
        rows.append({"q": q, "p": p, "logit": lg, "tokens": len(ids), "q_pieces": nq, "kind": kind, "ids": ids})
        print(f"{kind:<5} {lg:>8.4f} {len(ids):>4} {nq:>3}  {q[:60]} | {key}")

    rel = [r["logit"] for r in rows if r["kind"] == "rel"]
    irr = [r["logit"] for r in rows if r["kind"] == "irr"]
    print(f"\nrelevant: min {min(rel):.3f} mean {statistics.mean(rel):.3f}; "
          f"irrelevant: max {max(irr):.3f} mean {statistics.mean(irr):.3f}; "
          f"margin (min rel - max irr) {min(rel) - max(irr):.3f}")
    ok = min(rel) > max(irr)
    print("sanity:", "OK, every relevant pair above every irrelevant one" if ok else "FAILED")
    print(f"tokenizer: {agreed} pairs identical to tokenizers' only_second pair encoding")
    print(f"padding: max |single - padded batch| = {pad_diff:.2e}")
    tf = transformers_logits(model, tok, pairs)
    if tf is None:
        print("transformers: not installed, cross-check skipped")
    else:
        import transformers
        d = max(abs(a - b) for a, b in zip(logits, tf))
        print(f"transformers {transformers.__version__} BertModel: max |difference| = {d:.2e}")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"source": "tools/reranker_reference.py", "torch": torch.__version__,
                   "max_len": MAX_LEN, "max_question": MAX_QUESTION, "pairs": rows},
                  f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote", os.path.relpath(args.out, ROOT))
    if args.bench:
        bench(model, tok)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
