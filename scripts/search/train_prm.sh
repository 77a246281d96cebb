#!/usr/bin/env bash
# The model PRM the search evaluation uses (issue 11): a step head on the embedded SmolLM2-135M trained on
# ProcessBench gsm8k human labels, checked on a held-out ProcessBench slice, and its `prm` spec.
#   bash scripts/search/train_prm.sh          (after `make build`; reads ../shared/data/processbench/gsm8k.json)
# Split: every 4th record (index % 4 == 3) is held out (100 records, 52 with an error / 48 all-correct; the
# file is sorted by label, so a head/tail split would hold out only correct ones). Training reads the first
# LIMIT records of the rest in a seeded shuffle (the first 34 kept first: their features were cached first).
# Writes $OUT/prm-gsm8k/ (checkpoint), $OUT/prm.yaml, $OUT/processbench-heldout.json (eval report).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/rewardkit}
OUT=${OUT:-/tmp/rk-search-prm}
DATA=${DATA:-../shared/data/processbench/gsm8k.json}
LIMIT=${LIMIT:-160}
mkdir -p "$OUT"
python3 - "$DATA" "$OUT" <<'EOF'
import json, random, sys
d = json.load(open(sys.argv[1]))
train = [x for i, x in enumerate(d) if i % 4 != 3]
held = [x for i, x in enumerate(d) if i % 4 == 3]
rest = train[34:]
random.Random(0).shuffle(rest)
json.dump(train[:34] + rest, open(f"{sys.argv[2]}/train.json", "w"))
json.dump(held, open(f"{sys.argv[2]}/gsm8k.json", "w"))   # named gsm8k.json: eval processbench names the split by file
EOF
echo "load before: $(uptime)"
"$BIN" train prm --data "$OUT/train.json" --limit "$LIMIT" --out "$OUT/prm-gsm8k" --seed 0
cat > "$OUT/prm.yaml" <<EOF
# Step head on SmolLM2-135M, ProcessBench gsm8k human labels (scripts/search/train_prm.sh). cache: false — search
# scores fresh prefixes; the on-disk feature cache would only grow.
rewards:
  - {name: steps, type: prm, path: $OUT/prm-gsm8k, aggregation: min, cache: false}
EOF
"$BIN" eval processbench --data "$OUT/gsm8k.json" --config "$OUT/prm.yaml" --out "$OUT/processbench-heldout.json" --no-json
echo "load after: $(uptime)"
