# Sourced by the issue-15 benchmarks (math_io, math_diff, io_ab, io_profile, startup): one place that makes
# their inputs, so every script measures the same files with the same specs.
#
#   math_io_files OUT DATA SIZE...
# Writes $OUT/math_verify_SIZE.jsonl and $OUT/math_score_SIZE.jsonl for each SIZE (make_math_io.py: real
# GSM8K responses from DATA; deterministic) and the two specs the scripts run: $OUT/math.yaml (one `math`
# reward) and $OUT/io.yaml (one `field` reward: the JSONL I/O path with a reward that costs nothing).
math_io_files() {
  local out=$1 data=$2
  shift 2
  mkdir -p "$out"
  python3 scripts/bench/make_math_io.py "$data" "$out" "$@" >/dev/null
  printf 'rewards:\n  - {name: math, type: math}\n' > "$out/math.yaml"
  printf 'rewards:\n  - {name: label, type: field, field: is_correct}\n' > "$out/io.yaml"
}
