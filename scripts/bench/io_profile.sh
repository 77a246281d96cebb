#!/usr/bin/env bash
# Issue 15: where the JSONL I/O path's time goes — `score` with a `type: field` spec on the 51,200 real
# lines of make_math_io.py (the math_io.sh file), through one or more binaries.
#
#   scripts/bench/io_profile.sh [BINARY...]        (default .build/release/rewardkit)
# env: DATA (default ../shared/data), OUT (default /tmp/rk-math-io), THREADS (default 2), REPEATS (3).
# Per binary: wall, CPU, page faults (perf stat, best of REPEATS by wall), syscall counts (strace -c),
# the process start alone (`--version`), and the top symbols of a `perf record -g` run
# ($OUT/perf-<n>.data is kept for `perf report -i`). Needs perf and strace.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-/tmp/rk-math-io}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
BINS=("${@:-.build/release/rewardkit}")
source scripts/bench/math_io_files.sh
math_io_files "$OUT" "$DATA" 51200
in="$OUT/math_score_51200.jsonl"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); input $(stat -c %s "$in") bytes; threads $THREADS"
n=0
for b in "${BINS[@]}"; do
  n=$((n + 1))
  best=""
  for _ in $(seq "$REPEATS"); do
    rm -f "$OUT/prof.jsonl"; sync -f "$OUT" 2>/dev/null || true
    perf stat -e task-clock,page-faults -o "$OUT/stat" "$b" score -c "$OUT/io.yaml" --in "$in" --out "$OUT/prof.jsonl" --threads "$THREADS" --quiet
    wall=$(awk '/seconds time elapsed/{print $1}' "$OUT/stat")
    cpu=$(awk '/task-clock/{gsub(",", "", $1); printf "%.0f", $1}' "$OUT/stat"); pf=$(awk '/page-faults/{gsub(",", "", $1); print $1}' "$OUT/stat")
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < ${best%% *})}"; then best="$wall $cpu $pf"; fi
  done
  read -r wall cpu pf <<< "$best"
  mb=$(awk "BEGIN{printf \"%.0f\", $(stat -c %s "$in") / 1e6 / $wall}")
  echo "== $b: wall $(printf %.3f "$wall") s ($mb MB/s), CPU ${cpu} ms, page faults $pf"
  rm -f "$OUT/prof.jsonl"
  strace -c -f -o "$OUT/strace" "$b" score -c "$OUT/io.yaml" --in "$in" --out "$OUT/prof.jsonl" --threads "$THREADS" --quiet
  awk '$NF ~ /^(read|write|mprotect|mmap|munmap|madvise|futex|fsync|sched_yield)$/ {printf "  %s %s calls;", $NF, $4} END{print ""}' "$OUT/strace"
  perf stat -e task-clock,page-faults -o "$OUT/stat" "$b" --version >/dev/null
  echo "  process start (--version): CPU $(awk '/task-clock/{printf "%.0f", $1}' "$OUT/stat") ms, page faults $(awk '/page-faults/{print $1}' "$OUT/stat")"
  rm -f "$OUT/prof.jsonl"
  perf record -q -F 4999 -g -o "$OUT/perf-$n.data" "$b" score -c "$OUT/io.yaml" --in "$in" --out "$OUT/prof.jsonl" --threads "$THREADS" --quiet 2>/dev/null
  perf report -i "$OUT/perf-$n.data" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | grep -E 'RewardCore|page_fault|sys_write|sys_read|dl_main|mprotect' | sed 's/  */ /g' | cut -c1-150 | head -14 || true  # head closes the pipe early (pipefail)
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
