#!/usr/bin/env bash
# Issue 11 benchmarks, one command:  bash scripts/search/bench.sh   (after `make build`)
# - beam / DVTS generated tok/s vs plain batched sampling (`rewardkit rollout`, same n, same batch);
# - prefill tokens computed vs unique prefix tokens (prefix sharing);
# - step-scorer tokens per depth: incremental (each step once) vs re-scoring whole prefixes every round.
# Writes to ${OUT:-/tmp/rk-search-bench}; prints a markdown table. Record `uptime` with the numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/rewardkit}
OUT=${OUT:-/tmp/rk-search-bench}
COUNT=${COUNT:-6}
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl
python3 scripts/search/make_problems.py --count "$COUNT" --seed 7 > "$OUT/problems.jsonl"
echo "load before: $(uptime)"
for m in beam dvts; do
  "$BIN" search --method $m --in "$OUT/problems.jsonl" --out "$OUT/$m.jsonl" -n 16 --beam-width 4 \
    --max-tokens 192 --step-tokens 48 --max-steps 6 --seed 0 --batch 16 --trace 2> "$OUT/$m.err"
  tail -1 "$OUT/$m.err"
done
"$BIN" rollout --in "$OUT/problems.jsonl" --out "$OUT/rollout.jsonl" -n 16 --max-tokens 192 --temperature 0.8 --top-p 1 \
  --batch 16 2> "$OUT/rollout.err"
tail -1 "$OUT/rollout.err"
echo "load after: $(uptime)"
python3 scripts/search/bench_report.py "$OUT"
