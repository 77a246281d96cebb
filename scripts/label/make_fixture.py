#!/usr/bin/env python3
"""Joins ProcessBench gsm8k items (human first-error labels) with their GSM8K gold answers and writes
`rewardkit label` input records {id, prompt, steps, reference, label}.

usage: make_fixture.py PROCESSBENCH_GSM8K_JSON GSM8K_TEST_JSONL OUT.jsonl [--n N] [--max-steps S] [--offset O]
Picks items in file order (deterministic), optionally only those with at most S steps."""
import argparse, json

ap = argparse.ArgumentParser()
ap.add_argument("processbench"); ap.add_argument("gsm8k"); ap.add_argument("out")
ap.add_argument("--n", type=int, default=0); ap.add_argument("--max-steps", type=int, default=0)
ap.add_argument("--offset", type=int, default=0)
a = ap.parse_args()
gold = {}
for line in open(a.gsm8k):
    o = json.loads(line)
    gold[o["question"].strip()] = o["answer"].split("####")[-1].strip().replace(",", "")
items = json.load(open(a.processbench))[a.offset:]
out = []
for x in items:
    g = gold.get(x["problem"].strip())
    if g is None or (a.max_steps and len(x["steps"]) > a.max_steps):
        continue
    out.append({"id": x["id"], "prompt": x["problem"], "steps": x["steps"], "reference": g, "label": x["label"]})
    if a.n and len(out) >= a.n:
        break
with open(a.out, "w") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
print(f"{len(out)} records -> {a.out}")
