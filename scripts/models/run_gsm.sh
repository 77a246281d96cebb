#!/usr/bin/env bash
# GSM8K verifier: pointwise BCE ORM (single and 5-member bootstrap ensemble), scored on held-out problems.
# usage: scripts/models/run_gsm.sh DATA_DIR OUT_DIR
source "$(dirname "$0")/common.sh" "$@"
train_with_ensemble orm gsm-train.jsonl orm-gsm
for m in orm-gsm orm-gsm-ens5; do
  printf 'rewards:\n  - name: orm\n    type: orm\n    path: %s\n    output: probability\n' "$O/$m" > "$O/$m.yaml"
  $RK score --config "$O/$m.yaml" --in "$D/gsm-test.jsonl" --out "$O/scores-${m#orm-}.jsonl" --diagnostics --summary "$O/score-${m#orm-}-summary.json" --threads 1
done
