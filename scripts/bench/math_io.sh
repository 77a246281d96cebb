#!/usr/bin/env bash
# Issue 15: end-to-end math verification and JSONL I/O, the way a user runs it (process start
# included), on files of real model responses, next to math-verify called the way users call it.
#
#   scripts/bench/math_io.sh [SIZES...]        (default: 800 51200)
# env: RK (binary, default .build/release/rewardkit), DATA (default ../shared/data),
#      PY (python with math-verify 0.9.0, default .venv-math/bin/python), MV_LIMIT (pairs math-verify
#      times on files larger than it, then extrapolated; default 3200), THREADS (default 2),
#      REPEATS (best of, default 3), OUT (work dir, default /tmp/rk-math-io), KEEP_OUT (1: the
#      output file of the previous run stays, so each run replaces it).
# Files: scripts/bench/make_math_io.py (GSM8K test problems × the 4 GPT-3 solutions each in
# ../shared/data/gsm8k/example_model_solutions.jsonl, cycled). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
RK=${RK:-.build/release/rewardkit}
DATA=${DATA:-../shared/data}
PY=${PY:-.venv-math/bin/python}
MV_LIMIT=${MV_LIMIT:-3200}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
OUT=${OUT:-/tmp/rk-math-io}
SIZES=("${@:-800 51200}")
read -r -a SIZES <<< "${SIZES[*]}"
source scripts/bench/math_io_files.sh
math_io_files "$OUT" "$DATA" "${SIZES[@]}"

# best wall seconds of REPEATS runs of "$@" (stdout discarded), and that run's user+sys CPU seconds.
# The output file of the previous run is deleted first (outside the timing), as for a user's first
# run: replacing an existing 50 MB file costs the rename 30-40 ms of freeing its blocks (ext4),
# which is the file system's work, not ours (KEEP_OUT=1 keeps it to measure that case).
best() {
  local b="" cpu=""
  for _ in $(seq "$REPEATS"); do
    [ "${KEEP_OUT:-0}" = 1 ] || rm -f "$OUT/o.jsonl" "$OUT/mv.jsonl"
    sync -f "$OUT" 2>/dev/null || true
    /usr/bin/time -f "%e %U %S" -o "$OUT/t" "$@" >/dev/null 2>"$OUT/err" || { cat "$OUT/err" >&2; return 1; }
    read -r e u s < <(tail -1 "$OUT/t")
    if [ -z "$b" ] || awk "BEGIN{exit !($e < $b)}"; then b=$e; cpu=$(awk "BEGIN{print $u + $s}"); fi
  done
  echo "$b $cpu"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS; best of $REPEATS"
# Process start alone (no input): what every row below includes.
read -r w c < <(best "$RK" --version)
echo "process start (\`rewardkit --version\`): wall $w s, CPU $c s"
echo
echo "| file | lines | MB | command | wall s (process start included) | CPU s (user+sys) | µs/line wall | MB/s wall | vs math-verify, wall | vs math-verify, CPU |"
echo "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|"
for n in "${SIZES[@]}"; do
  vf="$OUT/math_verify_$n.jsonl" sf="$OUT/math_score_$n.jsonl"
  mb=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$vf") / 1e6}")
  # math-verify as users call it; on big files LIMIT pairs are timed and the rest extrapolated
  # from the per-pair time (process start + import measured with 0 pairs).
  if [ "$n" -le "$MV_LIMIT" ]; then
    read -r mv mvc < <(REPEATS=1 best "$PY" scripts/bench/math_verify_user.py "$vf" "$OUT/mv.jsonl")
    mvnote="measured"
  else
    read -r t0 c0 < <(REPEATS=1 best "$PY" scripts/bench/math_verify_user.py "$vf" "$OUT/mv.jsonl" 0)
    read -r tl cl < <(REPEATS=1 best "$PY" scripts/bench/math_verify_user.py "$vf" "$OUT/mv.jsonl" "$MV_LIMIT")
    mv=$(awk "BEGIN{print $t0 + ($tl - $t0) * $n / $MV_LIMIT}")
    mvc=$(awk "BEGIN{print $c0 + ($cl - $c0) * $n / $MV_LIMIT}")
    mvnote="extrapolated from $MV_LIMIT pairs"
  fi
  row() { # name wall cpu
    awk -v f="$(basename "$3")" -v n="$n" -v mb="$mb" -v c="$1" -v w="$4" -v cpu="$5" -v mv="$mv" -v mvc="$mvc" 'BEGIN{
      printf "| %s | %d | %s | %s | %.3f | %.2f | %.1f | %.0f | %.0f× | %.0f× |\n", f, n, mb, c, w, cpu, w * 1e6 / n, mb / w, mv / w, mvc / (cpu > 0 ? cpu : 0.01) }'
  }
  read -r w c < <(best "$RK" verify math --in "$vf" --out "$OUT/o.jsonl" --threads "$THREADS"); row "rewardkit verify math" x "$vf" "$w" "$c"
  read -r w c < <(best "$RK" score -c "$OUT/math.yaml" --in "$sf" --out "$OUT/o.jsonl" --threads "$THREADS" --quiet); row "rewardkit score (type: math)" x "$sf" "$w" "$c"
  read -r w c < <(best "$RK" score -c "$OUT/io.yaml" --in "$sf" --out "$OUT/o.jsonl" --threads "$THREADS" --quiet); row "rewardkit score (type: field; I/O path only)" x "$sf" "$w" "$c"
  awk -v f="$(basename "$vf")" -v n="$n" -v mb="$mb" -v w="$mv" -v cpu="$mvc" -v note="$mvnote" 'BEGIN{
    printf "| %s | %d | %s | math-verify 0.9.0, one process (%s) | %.2f | %.2f | %.0f | %.2f | 1× | 1× |\n", f, n, mb, note, w, cpu, w * 1e6 / n, mb / w }'
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
