#!/usr/bin/env python3
"""Helper of train_on_synthetic.sh.

  synthetic_to_train.py OUT METHOD...   joins OUT/chunks/METHOD-*.jsonl (`rewardkit label` output) with the training
      items and writes ProcessBench-format training files OUT/train/{human,METHOD}.json ({id, problem, steps, label}),
      on the same items for every label set: the items of the chunks every listed method has finished. Also OUT/eval/agree-METHOD.jsonl (predictions for agreement with the
      human labels) and prints exact first-error agreement per method.
  synthetic_to_train.py --table DIR     prints the markdown table of DIR/report-*.json (F1 with bootstrap CIs)."""
import glob, json, os, sys

def table(dir):
    rows = []
    for p in sorted(glob.glob(f"{dir}/report-*.json")):
        name = os.path.basename(p)[len("report-"):-len(".json")]
        r = json.load(open(p))
        f = lambda k: f"{r[k]:.3f} [{r[k + '_ci'][0]:.3f}, {r[k + '_ci'][1]:.3f}]"
        best = ""
        sw = r.get("sweep") or r.get("threshold_sweep")
        if isinstance(sw, dict) and "best" in sw:
            b = sw["best"]; best = f"{b.get('f1', float('nan')):.3f} @ {b.get('threshold')}"
        elif isinstance(sw, list) and sw:
            b = max(sw, key=lambda s: s.get("f1", 0)); best = f"{b.get('f1', 0):.3f} @ {b.get('threshold')}"
        rows.append(f"| {name} | {r['n']} ({r['n_error']} err / {r['n_correct']} ok) | {f('error_acc')} | "
                    f"{f('correct_acc')} | {f('f1')} | {best} |")
    print("| scorer | items | erroneous acc | correct acc | F1 (threshold 0.5) | best F1 over thresholds (oracle) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))

def convert(out, methods):
    items = [json.loads(l) for l in open(f"{out}/items.jsonl")]
    # Only chunks every method has finished (the script may be stopped early: the rest is still comparable).
    chunks = sorted(os.path.basename(p)[len("items-"):-len(".jsonl")] for p in glob.glob(f"{out}/chunks/items-*.jsonl"))
    done = [c for c in chunks if all(os.path.getsize(f) > 0 if os.path.exists(f := f"{out}/chunks/{m}-{c}.jsonl.done") else False
                                     for m in methods)]
    print(f"chunks finished by {' '.join(methods)}: {len(done)}/{len(chunks)}")
    labels = {m: {} for m in methods}
    for m in methods:
        for c in done:
            for l in open(f"{out}/chunks/{m}-{c}.jsonl"):
                r = json.loads(l)
                if "error" not in r: labels[m][r["id"]] = r
    keep = [x for x in items if all(x["id"] in labels[m] for m in labels)]
    os.makedirs(f"{out}/train", exist_ok=True); os.makedirs(f"{out}/eval", exist_ok=True)
    def write(name, lab):
        json.dump([{"id": x["id"], "problem": x["prompt"], "steps": x["steps"], "label": lab(x)} for x in keep],
                  open(f"{out}/train/{name}.json", "w"), ensure_ascii=False)
    write("human", lambda x: x["label"])
    json.dump([{"id": x["id"], "problem": x["prompt"], "steps": x["steps"], "label": x["label"]} for x in keep],
              open(f"{out}/eval/train-items.json", "w"), ensure_ascii=False)
    for m, recs in labels.items():
        write(m, lambda x: recs[x["id"]]["first_error"])
        with open(f"{out}/eval/agree-{m}.jsonl", "w") as f:
            for x in keep: f.write(json.dumps({"id": x["id"], "prediction": recs[x["id"]]["first_error"]}) + "\n")
        agree = sum(recs[x["id"]]["first_error"] == x["label"] for x in keep)
        step0 = sum(recs[x["id"]]["first_error"] == 0 for x in keep)
        none = sum(recs[x["id"]]["first_error"] == -1 for x in keep)
        used = sum(recs[x["id"]]["rollouts_used"] for x in keep)
        print(json.dumps({"method": m, "items": len(keep), "first_error_equals_human": agree,
                          "predicted_step0": step0, "predicted_none": none, "rollouts_used": used}))
    print(json.dumps({"human": {"items": len(keep), "label_-1": sum(x["label"] == -1 for x in keep),
                                "label_0": sum(x["label"] == 0 for x in keep)}}))

if __name__ == "__main__":
    if sys.argv[1] == "--table": table(sys.argv[2])
    else: convert(sys.argv[1], sys.argv[2:])
