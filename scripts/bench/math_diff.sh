#!/usr/bin/env bash
# Issue 15 differential check: the same input through two rewardkit binaries (before/after a
# change to the math verifier or the JSONL core) must give byte-identical output.
#
#   scripts/bench/math_diff.sh BASE_BINARY [NEW_BINARY]      (NEW default .build/release/rewardkit)
# env: DATA (default ../shared/data), OUT (work dir, default /tmp/rk-math-diff), SIZE (lines,
#      default 51200), THREADS (default 2).
# Inputs: the real GSM8K responses of scripts/bench/make_math_io.py (`verify math` and `score`
# with a math spec; `score` with a field spec, the plain JSONL path), plus every *.jsonl under
# Tests/ (`verify math` on those with gold/pred lines, `score` with a field spec on all), and real
# lines made odd by make_odd_lines.py (invalid UTF-8, escapes, added/duplicate keys, …). Prints one line
# per comparison and exits 1 if any output differs (the first differing lines are shown).
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE=${1:?usage: math_diff.sh BASE_BINARY [NEW_BINARY]}
NEW=${2:-.build/release/rewardkit}
DATA=${DATA:-../shared/data}
OUT=${OUT:-/tmp/rk-math-diff}
SIZE=${SIZE:-51200}
THREADS=${THREADS:-2}
source scripts/bench/math_io_files.sh
math_io_files "$OUT" "$DATA" "$SIZE"
fail=0
compare() { # name, then the command after the binary; output goes to --out
  local name=$1; shift
  "$BASE" "$@" --out "$OUT/base.jsonl" 2>"$OUT/base.err" || true
  "$NEW" "$@" --out "$OUT/new.jsonl" 2>"$OUT/new.err" || true
  if cmp -s "$OUT/base.jsonl" "$OUT/new.jsonl"; then
    echo "same  $name ($(wc -l < "$OUT/new.jsonl") lines)"
  else
    fail=1
    echo "DIFF  $name: $(diff <(cat "$OUT/base.jsonl") <(cat "$OUT/new.jsonl") | grep -c '^>') lines differ"
    diff "$OUT/base.jsonl" "$OUT/new.jsonl" | head -6 | cut -c1-400
  fi
}
compare "verify math, $SIZE real responses" verify math --in "$OUT/math_verify_$SIZE.jsonl" --threads "$THREADS"
compare "score (type: math), $SIZE real responses" score -c "$OUT/math.yaml" --in "$OUT/math_score_$SIZE.jsonl" --threads "$THREADS" --quiet
compare "score (type: field), $SIZE real responses" score -c "$OUT/io.yaml" --in "$OUT/math_score_$SIZE.jsonl" --threads "$THREADS" --quiet
compare "score (type: math, --diagnostics), $SIZE real responses" score -c "$OUT/math.yaml" --in "$OUT/math_score_$SIZE.jsonl" --threads "$THREADS" --quiet --diagnostics
compare "score (type: field), verify-layout lines" score -c "$OUT/io.yaml" --in "$OUT/math_verify_$SIZE.jsonl" --threads "$THREADS" --quiet
# Real lines with invalid UTF-8, escapes, added and duplicate keys, truncation, blank and CRLF lines.
python3 scripts/bench/make_odd_lines.py "$OUT/math_score_$SIZE.jsonl" "$OUT/odd.jsonl"
compare "score (type: field), odd lines" score -c "$OUT/io.yaml" --in "$OUT/odd.jsonl" --threads "$THREADS" --quiet
compare "score (type: math), odd lines" score -c "$OUT/math.yaml" --in "$OUT/odd.jsonl" --threads "$THREADS" --quiet
# Group normalization (the pipeline builds `group` only then): real lines with a group id per problem.
printf 'rewards:\n  - {name: label, type: field, field: is_correct}\ngroup_normalize: true\n' > "$OUT/io_groups.yaml"
python3 -c '
import json, sys
for i, l in enumerate(open(sys.argv[1])):
    o = json.loads(l)
    o["group" if i % 2 else "prompt_id"] = o["id"].rsplit("-", 2)[0]
    print(json.dumps(o))' "$OUT/math_score_$SIZE.jsonl" > "$OUT/grouped.jsonl"
compare "score (type: field, group_normalize), grouped real lines" score -c "$OUT/io_groups.yaml" --in "$OUT/grouped.jsonl" --threads "$THREADS" --quiet
compare "score (type: field, group_normalize), odd lines" score -c "$OUT/io_groups.yaml" --in "$OUT/odd.jsonl" --threads "$THREADS" --quiet
for f in $(find Tests -name '*.jsonl' | sort); do
  compare "score (type: field), $f" score -c "$OUT/io.yaml" --in "$f" --threads 1 --quiet
done
for f in $(grep -l '"gold"' $(find Tests -name '*.jsonl') 2>/dev/null); do
  compare "verify math, $f" verify math --in "$f" --threads 1
done
exit $fail
