#!/usr/bin/env python3
"""From `rewardkit label` outputs on a ProcessBench subset, writes the subset as ProcessBench data and
each method's first-error predictions, ready for `rewardkit eval processbench` (F1 with bootstrap CIs),
and prints rollouts used per labeled solution.

usage: processbench_agreement.py SUBSET.jsonl OUTDIR METHOD=labels.jsonl ..."""
import json, os, sys

subset, outdir, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(outdir, exist_ok=True)
items = [json.loads(l) for l in open(subset)]
data = [{"id": x["id"], "problem": x["prompt"], "steps": x["steps"], "label": x["label"]} for x in items]
json.dump(data, open(os.path.join(outdir, "gsm8k.json"), "w"))
for run in runs:
    method, path = run.split("=", 1)
    recs = [json.loads(l) for l in open(path)]
    ok = [r for r in recs if "error" not in r]
    with open(os.path.join(outdir, f"pred-{method}.jsonl"), "w") as f:
        for r in ok:
            f.write(json.dumps({"id": r["id"], "prediction": r["first_error"]}) + "\n")
    used = sum(r["rollouts_used"] for r in ok)
    agree = sum(1 for r in ok if r.get("human_label") == r["first_error"])
    print(json.dumps({"method": method, "records": len(ok), "errors": len(recs) - len(ok),
                      "rollouts_used": used, "rollouts_per_solution": round(used / max(len(ok), 1), 2),
                      "exact_first_error_agreement": round(agree / max(len(ok), 1), 4),
                      "tokens": sum(r["generated_tokens"] for r in ok)}))
