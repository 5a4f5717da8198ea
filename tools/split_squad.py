#!/usr/bin/env python3
"""Splits ../shared/eval/squad by article: tuning half and reporting half.

Sorted titles at even positions go to the tuning half, odd ones to the reporting half; the
out-of-corpus questions are split the same way by topic. Nothing is fitted on the reporting
half.

    python3 tools/split_squad.py ../shared/eval/squad /tmp/squad
    # writes /tmp/squad/{questions,out_of_corpus}_{tune,report}.jsonl
"""
import json
import os
import sys


def split(path, key, out_prefix):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    titles = sorted({r[key] for r in rows})
    tune = {t for i, t in enumerate(titles) if i % 2 == 0}
    for name, keep in (("tune", lambda r: r[key] in tune), ("report", lambda r: r[key] not in tune)):
        with open(f"{out_prefix}_{name}.jsonl", "w") as f:
            for r in rows:
                if keep(r):
                    f.write(json.dumps(r) + "\n")


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    split(os.path.join(src, "questions.jsonl"), "headline", os.path.join(out, "questions"))
    split(os.path.join(src, "out_of_corpus.jsonl"), "topic", os.path.join(out, "out_of_corpus"))


if __name__ == "__main__":
    main()
