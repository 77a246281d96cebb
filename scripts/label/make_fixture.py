#!/usr/bin/env python3
"""Joins ProcessBench gsm8k items (human first-error labels) with their GSM8K gold answers and writes
`rewardkit label` input records {id, prompt, steps, reference, label}.

usage: make_fixture.py PROCESSBENCH_GSM8K_JSON GSM8K_TEST_JSONL OUT.jsonl [--n N] [--max-steps S] [--offset O]
                       [--balanced --min-label L]
Picks items in file order (deterministic), optionally only those with at most S steps. --balanced alternates
correct solutions (label -1) and erroneous ones whose first error is at step >= L (late errors: a weak
completer can still reach the gold answer from the prefixes before them), so F1's two halves are both measured."""
import argparse, json

ap = argparse.ArgumentParser()
ap.add_argument("processbench"); ap.add_argument("gsm8k"); ap.add_argument("out")
ap.add_argument("--n", type=int, default=0); ap.add_argument("--max-steps", type=int, default=0)
ap.add_argument("--offset", type=int, default=0)
ap.add_argument("--balanced", action="store_true"); ap.add_argument("--min-label", type=int, default=0)
a = ap.parse_args()
gold = {}
for line in open(a.gsm8k):
    o = json.loads(line)
    gold[o["question"].strip()] = o["answer"].split("####")[-1].strip().replace(",", "")
items = json.load(open(a.processbench))[a.offset:]
def usable(x):
    return gold.get(x["problem"].strip()) is not None and not (a.max_steps and len(x["steps"]) > a.max_steps)
if a.balanced:
    ok = [x for x in items if usable(x) and x["label"] == -1]
    bad = [x for x in items if usable(x) and x["label"] >= a.min_label]
    picked = [x for pair in zip(ok, bad) for x in pair]
else:
    picked = [x for x in items if usable(x)]
out = []
for x in picked:
    g = gold[x["problem"].strip()]
    out.append({"id": x["id"], "prompt": x["problem"], "steps": x["steps"], "reference": g, "label": x["label"]})
    if a.n and len(out) >= a.n:
        break
with open(a.out, "w") as f:
    for o in out:
        f.write(json.dumps(o, ensure_ascii=False) + "\n")
print(f"{len(out)} records -> {a.out}")
