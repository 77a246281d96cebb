#!/usr/bin/env bash
# Incremental model-PRM scoring (issue 11), one command:
#   CONFIG=/tmp/rk-search-prm/prm.yaml bash scripts/search/bench_prm.sh     (after train_prm.sh and `make build`)
# Beam search (n $N = 16, width 4, as bench.sh) with a `prm` step scorer twice on the same problems and seeds:
# incremental (a node runs only its own step on its parent's KV) and --full-prm-rescoring (every new node
# re-reads question + whole path, as search-and-learn does). Prints PRM tokens actually run by the backbone
# (stats.prm_tokens), per depth from the trees, and seconds. Record `uptime` with the numbers.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release/rewardkit}
OUT=${OUT:-/tmp/rk-search-bench-prm}
COUNT=${COUNT:-3}
N=${N:-16}
CONFIG=${CONFIG:-/tmp/rk-search-prm/prm.yaml}
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl
python3 scripts/search/make_problems.py --count "$COUNT" --seed 7 > "$OUT/problems.jsonl"
echo "load before: $(uptime)"
for mode in incremental full; do
  flag=""; [ "$mode" = full ] && flag="--full-prm-rescoring"
  "$BIN" search --method beam --in "$OUT/problems.jsonl" --out "$OUT/$mode.jsonl" -n "$N" --beam-width 4 \
    --max-tokens 192 --step-tokens 48 --max-steps 6 --seed 0 --batch 16 --trace --config "$CONFIG" $flag 2> "$OUT/$mode.err"
  tail -1 "$OUT/$mode.err"
  echo "$mode done: $(uptime)"
done
python3 - "$OUT" <<'EOF'
import json, sys
from collections import defaultdict
d = sys.argv[1]
print("| PRM scoring | problems | generated tok | PRM calls | PRM tokens run | s/problem |")
print("|---|---|---|---|---|---|")
trees = {}
for mode in ["incremental", "full"]:
    recs = [r for r in (json.loads(l) for l in open(f"{d}/{mode}.jsonl") if l.strip()) if "error" not in r]
    s = lambda k: sum(r["stats"][k] for r in recs)
    print(f"| {mode} | {len(recs)} | {s('generated_tokens')} | {s('prm_calls')} | {s('prm_tokens')} | {s('seconds') / max(len(recs), 1):.1f} |")
    trees[mode] = recs
# Per depth (incremental run's trees): a node's own step tokens vs its whole path (what re-scoring reads).
inc, full = defaultdict(int), defaultdict(int)
for r in trees["incremental"]:
    nodes = {n[0]: n for n in r["tree"]}
    for n in r["tree"]:
        inc[n[2]] += n[3]
        c, path = n[0], 0
        while c in nodes:
            path += nodes[c][3]; c = nodes[c][1]
        full[n[2]] += path
print("\n| depth | step tokens (incremental) | cumulative | whole-path re-read | cumulative |\n|---|---|---|---|---|")
ci = cf = 0
for k in sorted(inc):
    ci += inc[k]; cf += full[k]
    print(f"| {k} | {inc[k]} | {ci} | {full[k]} | {cf} |")
EOF
