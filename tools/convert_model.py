#!/usr/bin/env python3
"""Convert a sentence-transformers snapshot to the folder newsbot loads.

Usage: python3 tools/convert_model.py SNAPSHOT_DIR OUT_DIR

Writes OUT_DIR/model.safetensors with every float tensor cast to float16 (half the size; the
engine computes in f32 after loading), and copies config.json, tokenizer.json and the
sentence-transformers pooling files unchanged. Needs: pip install numpy safetensors.
"""
import json
import shutil
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

src, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
tensors = load_file(str(src / "model.safetensors"))
converted = {}
for name, t in tensors.items():
    if name.endswith("position_ids"):
        continue  # a constant buffer, rebuilt by the model code
    converted[name] = t.astype(np.float16) if t.dtype == np.float32 else t
save_file(converted, str(out / "model.safetensors"), metadata={"format": "pt"})
for name in ["config.json", "tokenizer.json", "sentence_bert_config.json", "modules.json"]:
    if (src / name).exists():
        shutil.copy(src / name, out / name)
if (src / "1_Pooling" / "config.json").exists():
    (out / "1_Pooling").mkdir(exist_ok=True)
    shutil.copy(src / "1_Pooling" / "config.json", out / "1_Pooling" / "config.json")
print(f"{len(converted)} tensors -> {out / 'model.safetensors'}")
