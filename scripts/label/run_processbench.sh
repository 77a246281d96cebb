#!/usr/bin/env bash
# Reproduces the `rewardkit label` numbers in RESULTS.md on the first N ProcessBench gsm8k items (human
# first-error labels) with the embedded model:
#  - consensus (= MC labels + the step-arithmetic annotator; its MC part is exactly `--method mc`: the
#    rollout seeds depend only on (seed, solution, prefix, index), so one run gives both);
#  - omegaprm with a per-question rollout budget;
#  - ProcessBench F1 with bootstrap CIs of each first-error prediction (`rewardkit eval processbench`);
#  - rollouts/s with the KV prefix cache vs without (mc on the first 4 items).
# usage: scripts/label/run_processbench.sh [N=16] [ROLLOUTS=4] [MAX_TOKENS=64] [BUDGET=32] [OUTDIR=/tmp/rk-label-pb]
# env FIXTURE_ARGS: extra make_fixture.py arguments (e.g. "--balanced --min-label 2 --max-steps 5").
set -euo pipefail
N=${1:-16}; K=${2:-4}; T=${3:-64}; B=${4:-32}; OUT=${5:-/tmp/rk-label-pb}
BIN=${REWARDKIT_BIN:-.build/release/rewardkit}
DATA=${SHARED_DATA:-../shared/data}
mkdir -p "$OUT/eval"
uptime | tee "$OUT/uptime-start.txt"
python3 scripts/label/make_fixture.py "$DATA/processbench/gsm8k.json" "$DATA/gsm8k/test.jsonl" "$OUT/subset.jsonl" --n "$N" ${FIXTURE_ARGS:-}
common=(--in "$OUT/subset.jsonl" --rollouts "$K" --max-tokens "$T" --seed 0)
"$BIN" label --method consensus "${common[@]}" --db "$OUT/consensus.sqlite" --out "$OUT/consensus.jsonl" --include-dropped 2>&1 | grep summary | tee "$OUT/consensus.summary"
"$BIN" label --method omegaprm "${common[@]}" --rollout-budget "$B" --db "$OUT/omegaprm.sqlite" --out "$OUT/omegaprm.jsonl" 2>&1 | grep summary | tee "$OUT/omegaprm.summary"
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
items = [json.loads(l) for l in open(f"{out}/subset.jsonl")]
data = [{"id": x["id"], "problem": x["prompt"], "steps": x["steps"], "label": x["label"]} for x in items]
json.dump(data, open(f"{out}/eval/gsm8k.json", "w"))
cons = [json.loads(l) for l in open(f"{out}/consensus.jsonl")]
omega = [json.loads(l) for l in open(f"{out}/omegaprm.jsonl")]
def write(name, recs, key="first_error"):
    with open(f"{out}/eval/pred-{name}.jsonl", "w") as f:
        for r in recs: f.write(json.dumps({"id": r["id"], "prediction": r[key]}) + "\n")
ok = [r for r in cons if "error" not in r]
write("mc", ok)
write("math_steps", ok, "annotator_first_error")
kept = [r for r in ok if r["kept"]]
write("consensus-kept", kept)
ids = {r["id"] for r in kept}
json.dump([d for d in data if d["id"] in ids], open(f"{out}/eval/gsm8k-kept.json", "w"))
oko = [r for r in omega if "error" not in r]
write("omegaprm", oko)
def row(name, recs):
    used = sum(r["rollouts_used"] for r in recs)
    agree = sum(1 for r in recs if r.get("human_label") == r["first_error"])
    return {"method": name, "records": len(recs), "rollouts_used": used,
            "rollouts_per_solution": round(used / max(len(recs), 1), 2),
            "exact_first_error_agreement": f"{agree}/{len(recs)}"}
for r in [row("mc", ok), row("omegaprm", oko), row("consensus-kept", kept)]: print(json.dumps(r))
PY
for m in mc omegaprm math_steps; do
  echo "== $m"; "$BIN" eval processbench --data "$OUT/eval/gsm8k.json" --predictions "$OUT/eval/pred-$m.jsonl" --no-sweep 2>&1 | tail -8
done | tee "$OUT/f1.txt"
echo "== consensus (kept subset only)" | tee -a "$OUT/f1.txt"
"$BIN" eval processbench --data "$OUT/eval/gsm8k-kept.json" --predictions "$OUT/eval/pred-consensus-kept.jsonl" --no-sweep 2>&1 | tail -8 | tee -a "$OUT/f1.txt" || true
# Prefix sharing: same mc job on the first 4 items, KV prefix cache on vs off (rollouts/s).
head -4 "$OUT/subset.jsonl" > "$OUT/subset4.jsonl"
for c in 1024 0; do
  rm -f "$OUT/pc$c.sqlite"*
  "$BIN" label --method mc --in "$OUT/subset4.jsonl" --rollouts "$K" --max-tokens "$T" --seed 0 --prefix-cache-mb "$c" \
     --db "$OUT/pc$c.sqlite" --out "$OUT/pc$c.jsonl" 2>&1 | grep summary | sed "s/^/prefix-cache-mb=$c /" | tee -a "$OUT/prefix.txt"
done
cmp "$OUT/pc1024.jsonl" "$OUT/pc0.jsonl" && echo "prefix cache on/off: identical labels" | tee -a "$OUT/prefix.txt"
uptime | tee "$OUT/uptime-end.txt"
