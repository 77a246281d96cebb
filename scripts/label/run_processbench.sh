#!/usr/bin/env bash
# Reproduces the `rewardkit label` numbers in RESULTS.md: mc, omegaprm and consensus on the first N
# ProcessBench gsm8k items (human first-error labels) with the embedded model, then ProcessBench F1
# (bootstrap CIs) of each method's first-error prediction via `rewardkit eval processbench`.
# usage: scripts/label/run_processbench.sh [N=40] [ROLLOUTS=4] [MAX_TOKENS=96] [OUTDIR=/tmp/rk-label-pb]
set -euo pipefail
N=${1:-40}; K=${2:-4}; T=${3:-96}; OUT=${4:-/tmp/rk-label-pb}
BIN=${REWARDKIT_BIN:-.build/release/rewardkit}
DATA=${SHARED_DATA:-../shared/data}
mkdir -p "$OUT"
uptime | tee "$OUT/uptime-start.txt"
python3 scripts/label/make_fixture.py "$DATA/processbench/gsm8k.json" "$DATA/gsm8k/test.jsonl" "$OUT/subset.jsonl" --n "$N"
runs=()
for m in mc omegaprm consensus; do
  # Each method has its own job DB; consensus draws the same rollouts as mc (same seeds).
  extra=(); [ "$m" = consensus ] && extra=(--include-dropped)
  /usr/bin/time -f "$m wall %e s" "$BIN" label --method "$m" --in "$OUT/subset.jsonl" --db "$OUT/$m.sqlite" \
     --out "$OUT/$m.jsonl" --rollouts "$K" --max-tokens "$T" --seed 0 "${extra[@]}" 2>&1 | grep -E 'summary|wall' | tee "$OUT/$m.summary"
  runs+=("$m=$OUT/$m.jsonl")
done
python3 scripts/label/processbench_agreement.py "$OUT/subset.jsonl" "$OUT/eval" "${runs[@]}" | tee "$OUT/agreement.jsonl"
for m in mc omegaprm consensus; do
  echo "== $m"; "$BIN" eval processbench --data "$OUT/eval/gsm8k.json" --predictions "$OUT/eval/pred-$m.jsonl" --no-sweep 2>&1 | tail -20
done | tee "$OUT/f1.txt"
# consensus: F1 on the kept subset only (the filter's point is precision on what it keeps).
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
recs = [json.loads(l) for l in open(f"{out}/consensus.jsonl") if '"error"' not in l]
kept = [r for r in recs if r.get("kept")]
with open(f"{out}/eval/pred-consensus-kept.jsonl", "w") as f:
    for r in kept: f.write(json.dumps({"id": r["id"], "prediction": r["first_error"]}) + "\n")
data = json.load(open(f"{out}/eval/gsm8k.json")); ids = {r["id"] for r in kept}
json.dump([d for d in data if d["id"] in ids], open(f"{out}/eval/gsm8k-kept.json", "w"))
print(json.dumps({"consensus_kept": len(kept), "of": len(recs)}))
PY
"$BIN" eval processbench --data "$OUT/eval/gsm8k-kept.json" --predictions "$OUT/eval/pred-consensus-kept.jsonl" --no-sweep 2>&1 | tail -20 | tee -a "$OUT/f1.txt"
uptime | tee "$OUT/uptime-end.txt"
