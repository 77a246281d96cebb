#!/usr/bin/env bash
# Issue 15: process start of one or more rewardkit binaries, side by side and interleaved (so each sees the
# same machine load), e.g. before/after dropping FoundationNetworking (libcurl and its ~30 shared objects).
#
#   scripts/bench/startup.sh [BIN...]        (default: .build/release/rewardkit)
# env: RUNS (perf stat -r, default 30), ROUNDS (interleaved rounds, default 3), SCORE (1: also the 50 MB
#      `score` type:field run of math_io.sh with every binary, best of REPEATS; needs DATA; default 1),
#      REPEATS (default 5), DATA (default ../shared/data), OUT (default /tmp/rk-startup).
# Prints markdown tables: shared objects loaded, dynamic-loader relocations, task-clock / page faults /
# wall of `BIN --version` (perf stat means), and the score run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BINS=("${@:-.build/release/rewardkit}")
RUNS=${RUNS:-30}
ROUNDS=${ROUNDS:-3}
SCORE=${SCORE:-1}
REPEATS=${REPEATS:-5}
DATA=${DATA:-../shared/data}
OUT=${OUT:-/tmp/rk-startup}
mkdir -p "$OUT"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| binary | MB | shared objects (ldd) | libcurl | symbol relocations | relative relocations |"
echo "|---|---:|---:|---:|---:|---:|"
for b in "${BINS[@]}"; do
  objs=$(ldd "$b" | wc -l)
  curl=$(ldd "$b" | grep -c curl || true)
  LD_DEBUG=statistics LD_DEBUG_OUTPUT="$OUT/ld" "$b" --version >/dev/null
  ld=$(cat "$OUT"/ld.*); rm -f "$OUT"/ld.*
  sym=$(awk -F: '/number of relocations:/{gsub(/ /,"",$NF); print $NF; exit}' <<< "$ld")
  rel=$(awk -F: '/number of relative relocations:/{gsub(/ /,"",$NF); print $NF; exit}' <<< "$ld")
  printf '| %s | %.1f | %d | %d | %s | %s |\n' "$b" "$(awk "BEGIN{print $(stat -c %s "$b") / 1e6}")" "$objs" "$curl" "$sym" "$rel"
done

echo
echo "\`BIN --version\`, perf stat -r $RUNS, $ROUNDS interleaved rounds:"
echo
echo "| round | binary | task-clock ms | page faults | wall ms | load (1 min) |"
echo "|---:|---|---:|---:|---:|---:|"
for r in $(seq "$ROUNDS"); do
  for b in "${BINS[@]}"; do
    perf stat -r "$RUNS" -e task-clock,page-faults -o "$OUT/perf" "$b" --version >/dev/null
    awk -v r="$r" -v b="$b" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
      /task-clock/ { tc = $1 } /page-faults/ { pf = $1 } /seconds time elapsed/ { el = $1 * 1000 }
      END { printf "| %d | %s | %.2f | %s | %.2f | %s |\n", r, b, tc, pf, el, load }' "$OUT/perf"
  done
done

if [ "$SCORE" = 1 ]; then
  source scripts/bench/math_io_files.sh
  math_io_files "$OUT" "$DATA" 51200
  f="$OUT/math_score_51200.jsonl"
  echo
  echo "\`score\` (type: field, I/O path only) on $(basename "$f") ($(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$f") / 1e6}") MB), --threads 2, best wall of $REPEATS, output deleted before each run:"
  echo
  echo "| binary | wall s | CPU s (user+sys) of that run | MB/s wall | load (1 min) |"
  echo "|---|---:|---:|---:|---:|"
  for b in "${BINS[@]}"; do
    best="" cpu=""
    for _ in $(seq "$REPEATS"); do
      rm -f "$OUT/o.jsonl"
      /usr/bin/time -f "%e %U %S" -o "$OUT/t" "$b" score -c "$OUT/io.yaml" --in "$f" --out "$OUT/o.jsonl" --threads 2 --quiet >/dev/null
      read -r e u s < <(tail -1 "$OUT/t")
      if [ -z "$best" ] || awk "BEGIN{exit !($e < $best)}"; then best=$e; cpu=$(awk "BEGIN{print $u + $s}"); fi
    done
    awk -v b="$b" -v w="$best" -v c="$cpu" -v mb="$(stat -c %s "$f")" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN{ printf "| %s | %.3f | %.2f | %.0f | %s |\n", b, w, c, mb / 1e6 / w, load }'
  done
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
