#!/usr/bin/env bash
# Issue 11 evaluation, one command:  bash scripts/search/eval.sh   (after `make build`)
# Seeded 1-3-operation integer word problems (make_problems.py), every method at budgets N, step scorer
# math_steps (rule-based step arithmetic; no trained PRM ships with the repo), answers checked exactly.
# Writes ${OUT:-/tmp/rk-search-eval}/METHOD-nN.jsonl and prints the accuracy-vs-tokens table.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/rewardkit}
OUT=${OUT:-/tmp/rk-search-eval}
COUNT=${COUNT:-30}
NS=${NS:-"4 8"}
mkdir -p "$OUT"
python3 scripts/search/make_problems.py --count "$COUNT" --seed 0 > "$OUT/problems.jsonl"
echo "load before: $(uptime)"
COMMON=(--in "$OUT/problems.jsonl" --max-tokens 160 --step-tokens 48 --max-steps 5 --seed 0 --batch 16)
for n in $NS; do
  # One BoN run per N; summarize.py re-picks its completions by majority / weighted / naive.
  "$BIN" search --method best_of_n -n $n --out "$OUT/best_of_n-n$n.jsonl" "${COMMON[@]}" 2>&1 | tail -1
  for m in beam dvts rebase mcts; do
    "$BIN" search --method $m -n $n --beam-width 2 --out "$OUT/$m-n$n.jsonl" "${COMMON[@]}" 2>&1 | tail -1
  done
done
echo "load after: $(uptime)"
python3 scripts/search/summarize.py "$OUT"
