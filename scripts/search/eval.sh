#!/usr/bin/env bash
# Issue 11 evaluation, one command:  bash scripts/search/eval.sh   (after `make build`)
# Seeded 1-3-operation integer word problems (make_problems.py), every method at budgets N, step scorer
# math_steps (rule-based step arithmetic; no trained PRM ships with the repo; EXTRA="--config …" for another), answers
# checked exactly. Problems run in chunks, each chunk through every method, so a run cut short still compares
# all methods on the same problems (summarize.py compares each N on the ids every method finished).
# Writes ${OUT:-/tmp/rk-search-eval}/METHOD-nN.jsonl and prints the accuracy-vs-tokens table. Resumable.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/rewardkit}
OUT=${OUT:-/tmp/rk-search-eval}
COUNT=${COUNT:-30}
# Phases "N:PROBLEMS:CHUNK": all methods at budget N on the first PROBLEMS problems, CHUNK problems at a time.
PLAN=${PLAN:-"4:$COUNT:6 16:$COUNT:3"}
METHODS=${METHODS:-"best_of_n beam dvts rebase mcts"}
EXTRA=${EXTRA:-}          # e.g. "--config prm.yaml --aggregation min"
mkdir -p "$OUT"
python3 scripts/search/make_problems.py --count "$COUNT" --seed 0 > "$OUT/problems.jsonl"
echo "load before: $(uptime)"
COMMON=(--max-tokens 160 --step-tokens 48 --max-steps 5 --seed 0 --batch 16)
for phase in $PLAN; do
  IFS=: read -r n count chunk <<< "$phase"
  w=$(( n >= 16 ? 4 : 2 ))   # beam width M: 4 at N=16 (search-and-learn's default), 2 at N=4
  for ((s = 0; s < count; s += chunk)); do
    sed -n "$((s + 1)),$((s + chunk))p" "$OUT/problems.jsonl" > "$OUT/chunk.jsonl.part"
    for m in $METHODS; do
      # One BoN run per N; summarize.py re-picks its completions by majority / weighted / naive.
      "$BIN" search --method "$m" -n "$n" --beam-width "$w" --in "$OUT/chunk.jsonl.part" --out "$OUT/$m-n$n.jsonl" \
        "${COMMON[@]}" $EXTRA 2> "$OUT/$m-n$n.err" || echo "$m n=$n failed: $(tail -n 1 "$OUT/$m-n$n.err")"
      echo "$(date -u +%H:%M:%S) problems $((s + 1))-$((s + chunk)) $m n=$n done; load $(cut -d' ' -f1-3 /proc/loadavg)"
    done
  done
done
echo "load after: $(uptime)"
python3 scripts/search/summarize.py "$OUT"
