#!/usr/bin/env bash
# HH-RLHF harmless ORM: single head and 5-member bootstrap ensemble, then score the held-out pairs.
# usage: scripts/models/run_hh.sh DATA_DIR OUT_DIR   (DATA_DIR from prepare_data.py)
source "$(dirname "$0")/common.sh" "$@"
train_with_ensemble orm hh-train.jsonl orm-hh
printf 'rewards:\n  - name: orm\n    type: orm\n    path: %s\n' "$O/orm-hh" > "$O/orm-hh.yaml"
printf 'rewards:\n  - name: orm\n    type: orm\n    path: %s\n' "$O/orm-hh-ens5" > "$O/orm-hh-ens5.yaml"
$RK score --config "$O/orm-hh.yaml" --in "$D/hh-test.jsonl" --out "$O/scores-hh.jsonl" --summary "$O/score-hh-summary.json" --threads 1
$RK score --config "$O/orm-hh-ens5.yaml" --in "$D/hh-test.jsonl" --out "$O/scores-hh-ens5.jsonl" --diagnostics --summary "$O/score-hh-ens5-summary.json" --threads 1
# Linear head and other ensemble aggregators on the cached features (seconds).
$RK train orm --model smollm2-135m-instruct --data "$D/hh-train.jsonl" --out "$O/orm-hh-linear" --head linear --val-split 0.1 --seed 0 --threads 1 > "$O/train-hh-linear.json"
printf 'rewards:\n  - name: orm\n    type: orm\n    path: %s\n' "$O/orm-hh-linear" > "$O/orm-hh-linear.yaml"
$RK score --config "$O/orm-hh-linear.yaml" --in "$D/hh-test.jsonl" --out "$O/scores-hh-linear.jsonl" --threads 1
for a in wco uwo; do
  printf 'rewards:\n  - name: orm\n    type: orm\n    path: %s\n    aggregate: %s\n' "$O/orm-hh-ens5" "$a" > "$O/orm-hh-ens5-$a.yaml"
  $RK score --config "$O/orm-hh-ens5-$a.yaml" --in "$D/hh-test.jsonl" --out "$O/scores-hh-ens5-$a.jsonl" --threads 1
done
