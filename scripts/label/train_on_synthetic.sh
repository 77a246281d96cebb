#!/usr/bin/env bash
# Closes issue 12's loop: a PRM trained (`rewardkit train prm`) on synthesized step labels vs the same PRM trained
# on ProcessBench's human labels of the same items, both evaluated on a ProcessBench *math* subset.
#   1. M balanced ProcessBench gsm8k items (correct / erroneous alternating; make_fixture.py --balanced).
#   2. Synthetic labels: `rewardkit label --method mc` and `--method omegaprm` on them, in chunks of CHUNK items
#      (each chunk its own resumable SQLite job: kill the script at any moment and rerun it; finished chunks
#      are skipped, the running one resumes).
#   3. Each label set → ProcessBench-format training data ({problem, steps, label = first error}), so every PRM
#      is trained by the same reader on the same items; only the label differs.
#   4. `rewardkit train prm` per label set, identical hyper-parameters and seed.
#   5. `rewardkit eval processbench` of each PRM on the same math subset (first EVAL_N items after a seeded
#      shuffle), plus trivial baselines (always −1, always step 0); F1 with bootstrap CIs.
# usage: scripts/label/train_on_synthetic.sh [OUTDIR=/tmp/rk-label3]
# env: M=32 CHUNK=16 K=4 T=64 BUDGET=16 EVAL_N=100 SEED=0 PHASES="label train eval" METHODS="mc omegaprm"
#      FIXTURE_ARGS="--balanced --max-steps 6" REWARDKIT_BIN=.build/release/rewardkit SHARED_DATA=../shared/data
#      NICE=10 (every model run is under nice -n $NICE)
set -euo pipefail
OUT=${1:-/tmp/rk-label3}
M=${M:-32}; CHUNK=${CHUNK:-16}; K=${K:-4}; T=${T:-64}; BUDGET=${BUDGET:-16}; EVAL_N=${EVAL_N:-100}; SEED=${SEED:-0}
PHASES=${PHASES:-label train eval}; METHODS=${METHODS:-mc omegaprm}
FIXTURE_ARGS=${FIXTURE_ARGS:---balanced --max-steps 6}
BIN=${REWARDKIT_BIN:-.build/release/rewardkit}
DATA=${SHARED_DATA:-../shared/data}
NICE=${NICE:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
run() { nice -n "$NICE" "$BIN" "$@"; }
has() { [[ " $PHASES " == *" $1 "* ]]; }
mkdir -p "$OUT/chunks" "$OUT/train" "$OUT/eval" "$OUT/prm"
echo "$(date -u +%FT%TZ) start M=$M K=$K T=$T BUDGET=$BUDGET EVAL_N=$EVAL_N PHASES=$PHASES; $(uptime)" | tee -a "$OUT/log.txt"

# 1. training items (deterministic: file order)
if [[ ! -s "$OUT/items.jsonl" ]]; then
  python3 "$HERE/make_fixture.py" "$DATA/processbench/gsm8k.json" "$DATA/gsm8k/test.jsonl" "$OUT/items.jsonl" --n "$M" $FIXTURE_ARGS
  split -l "$CHUNK" -d -a 3 --additional-suffix=.jsonl "$OUT/items.jsonl" "$OUT/chunks/items-"
fi

# 2. synthetic labels, chunk by chunk (resumable)
if has label; then
  for m in $METHODS; do
    extra=(); [[ $m == omegaprm ]] && extra=(--rollout-budget "$BUDGET")
    for c in "$OUT"/chunks/items-*.jsonl; do
      base=$(basename "$c" .jsonl); o="$OUT/chunks/$m-${base#items-}.jsonl"
      [[ -s "$o.done" ]] && continue
      run label --method "$m" --in "$c" --rollouts "$K" --max-tokens "$T" --seed "$SEED" "${extra[@]}" \
        --db "${o%.jsonl}.sqlite" --out "$o" 2>&1 | grep summary | tee "$o.done"
      echo "$(date -u +%FT%TZ) $m $base done; $(uptime)" | tee -a "$OUT/log.txt"
    done
  done
fi

# 3. training files: human labels and each finished method's first_error on the same items
python3 "$HERE/synthetic_to_train.py" "$OUT" $METHODS | tee "$OUT/agreement.txt"
# label agreement with the human labels on the training items (ProcessBench F1 of the synthetic first errors)
mkdir -p "$OUT/agree"
for m in $METHODS; do
  [[ -s "$OUT/eval/agree-$m.jsonl" ]] || continue
  "$BIN" eval processbench --data "$OUT/eval/train-items.json" --predictions "$OUT/eval/agree-$m.jsonl" --no-sweep \
    --out "$OUT/agree/report-$m.json" --quiet --no-json
done
[[ -d "$OUT/agree" ]] && python3 "$HERE/synthetic_to_train.py" --table "$OUT/agree" | tee "$OUT/agreement-table.md"

# 4. train one PRM per label set, identical settings
if has train; then
  for f in "$OUT"/train/*.json; do
    n=$(basename "$f" .json)
    [[ -s "$OUT/prm/$n/config.json" ]] && continue
    run train prm --data "$f" --out "$OUT/prm/$n" --seed "$SEED" ${TRAIN_ARGS:-} 2>&1 | tail -3 | tee "$OUT/prm/$n.train.txt"
    echo "$(date -u +%FT%TZ) train $n done; $(uptime)" | tee -a "$OUT/log.txt"
  done
fi

# 5. evaluate on the same ProcessBench math subset
if has eval; then
  python3 - "$DATA/processbench/math.json" "$OUT/eval/math.json" "$EVAL_N" "$SEED" <<'PY'
import json, random, sys
src, dst, n, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
items = json.load(open(src)); random.Random(seed).shuffle(items)
json.dump(items[:n], open(dst, "w"), ensure_ascii=False)
with open(dst.replace("math.json", "pred-always-none.jsonl"), "w") as f:
    for x in items[:n]: f.write(json.dumps({"id": x["id"], "prediction": -1}) + "\n")
with open(dst.replace("math.json", "pred-always-step0.jsonl"), "w") as f:
    for x in items[:n]: f.write(json.dumps({"id": x["id"], "prediction": 0}) + "\n")
# chance: "no error" with probability 1/2, else a uniformly drawn step (constant predictors all have F1 0)
rng = random.Random(seed + 1)
with open(dst.replace("math.json", "pred-random.jsonl"), "w") as f:
    for x in items[:n]:
        f.write(json.dumps({"id": x["id"], "prediction": -1 if rng.random() < 0.5 else rng.randrange(len(x["steps"]))}) + "\n")
PY
  for b in always-none always-step0 random; do
    run eval processbench --data "$OUT/eval/math.json" --predictions "$OUT/eval/pred-$b.jsonl" --no-sweep \
      --out "$OUT/eval/report-$b.json" --quiet --no-json
  done
  for d in "$OUT"/prm/*/; do
    n=$(basename "$d")
    printf 'rewards:\n  - {name: steps, type: prm, path: %s, aggregation: min}\n' "$d" > "$OUT/eval/spec-$n.yaml"
  done
  # Backbone features are cached on disk (model sha + text) and shared by every PRM here (same backbone); one
  # eval call caches them only when it finishes, so warm the cache in slices of 20 items: a stopped run
  # keeps what it computed, and the full evaluations below are head-only.
  first=$(ls "$OUT"/eval/spec-*.yaml | head -1)
  python3 -c "import json,sys; m=json.load(open(sys.argv[1])); [json.dump(m[i:i+20], open(f'{sys.argv[2]}/slice-{i//20:03d}.json','w')) for i in range(0,len(m),20)]" \
    "$OUT/eval/math.json" "$OUT/eval"
  for s in "$OUT"/eval/slice-*.json; do
    [[ -s "$s.done" ]] && continue
    run eval processbench --data "$s" --config "$first" --no-sweep --out "$s.done" --quiet --no-json
  done
  for d in "$OUT"/prm/*/; do
    n=$(basename "$d"); [[ -s "$OUT/eval/report-$n.json" ]] && continue
    run eval processbench --data "$OUT/eval/math.json" --config "$OUT/eval/spec-$n.yaml" \
      --write-predictions "$OUT/eval/pred-$n.jsonl" --out "$OUT/eval/report-$n.json" --quiet --no-json
    echo "$(date -u +%FT%TZ) eval $n done; $(uptime)" | tee -a "$OUT/log.txt"
  done
  python3 "$HERE/synthetic_to_train.py" --table "$OUT/eval" | tee "$OUT/table.md"
fi
echo "$(date -u +%FT%TZ) end; $(uptime)" | tee -a "$OUT/log.txt"
