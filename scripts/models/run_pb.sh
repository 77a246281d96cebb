#!/usr/bin/env bash
# PRM: train on ProcessBench gsm8k rows, test on ProcessBench math rows (single and 5-member ensemble).
# usage: scripts/models/run_pb.sh DATA_DIR OUT_DIR
source "$(dirname "$0")/common.sh" "$@"
train_with_ensemble prm pb-gsm8k-train.jsonl prm-pb
for m in prm-pb prm-pb-ens5; do
  printf 'rewards:\n  - name: prm\n    type: prm\n    path: %s\n    aggregation: min\n' "$O/$m" > "$O/$m.yaml"
  $RK score --config "$O/$m.yaml" --in "$D/pb-math-test.jsonl" --out "$O/scores-${m#prm-}.jsonl" --diagnostics --summary "$O/score-${m#prm-}-summary.json" --threads 1
done
# Training rows too (cached features, seconds): the step threshold is chosen on these, never on the test rows.
for m in prm-pb prm-pb-ens5; do
  $RK score --config "$O/$m.yaml" --in "$D/pb-gsm8k-train.jsonl" --out "$O/scores-${m#prm-}-train.jsonl" --threads 1
done
