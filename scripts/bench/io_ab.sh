#!/usr/bin/env bash
# Issue 15: same-load A/B of two binaries on the JSONL I/O path — `score` with a `type: field` spec on
# the 51,200 real lines of make_math_io.py (the math_io.sh file). The two binaries run alternately
# (A B, B A, A B, …) so a change in load hits both alike; prints each run's wall and CPU
# (perf stat task-clock) and the medians.
#
#   scripts/bench/io_ab.sh BINARY_A BINARY_B        env: ROUNDS (default 8), THREADS (2), OUT, DATA
set -euo pipefail
cd "$(dirname "$0")/../.."
A=$1 B=$2
DATA=${DATA:-../shared/data}
OUT=${OUT:-/tmp/rk-math-io}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-8}
source scripts/bench/math_io_files.sh
math_io_files "$OUT" "$DATA" 51200
in="$OUT/math_score_51200.jsonl"
one() { # binary -> "wall_s cpu_ms"
  rm -f "$OUT/ab.jsonl"; sync -f "$OUT" 2>/dev/null || true
  perf stat -e task-clock -o "$OUT/ab.stat" "$1" score -c "$OUT/io.yaml" --in "$in" --out "$OUT/ab.jsonl" --threads "$THREADS" --quiet
  awk '/seconds time elapsed/{w=$1} /task-clock/{gsub(",", "", $1); c=$1} END{printf "%.3f %.0f\n", w, c}' "$OUT/ab.stat"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); A=$A B=$B; $ROUNDS rounds"
wa=() ca=() wb=() cb=()
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then read -r w c < <(one "$A"); wa+=("$w"); ca+=("$c"); read -r w c < <(one "$B"); wb+=("$w"); cb+=("$c")
  else read -r w c < <(one "$B"); wb+=("$w"); cb+=("$c"); read -r w c < <(one "$A"); wa+=("$w"); ca+=("$c"); fi
done
med() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "A wall s: ${wa[*]} (median $(med "${wa[@]}")); CPU ms: ${ca[*]} (median $(med "${ca[@]}"))"
echo "B wall s: ${wb[*]} (median $(med "${wb[@]}")); CPU ms: ${cb[*]} (median $(med "${cb[@]}"))"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
