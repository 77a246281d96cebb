#!/bin/bash
# User CPU seconds (the load-robust number) of whole `rewardkit bench hf` runs, two binaries alternating:
#   scripts/hf/cpu_ab.sh BEFORE_BIN AFTER_BIN [ROUNDS] [extra bench-hf args…]
# Default args: the bench_hf.py checkpoint (bench-out/qwen3-0.6b-shape-rm), --tokens 256 --batch 8 --batches 1
# --threads 2 --weights q7. Prints per run: label, user s, sys s, wall s, timed-batch s, then `uptime`.
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$1 after=$2 rounds=${3:-2}; shift 2; [ $# -gt 0 ] && shift
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(--tokens 256 --batch 8 --batches 1 --threads 2 --weights q7)
dir=bench-out/qwen3-0.6b-shape-rm
[ -f "$dir/config.json" ] || { echo "make the checkpoint first: .venv-hf/bin/python scripts/hf/bench_hf.py" >&2; exit 1; }
uptime
for r in $(seq "$rounds"); do
  for label in before after; do
    bin=$before; [ $label = after ] && bin=$after
    out=$( { /usr/bin/time -f "TIME %U %S %e" "$bin" bench hf "$dir" "${args[@]}" 2>&1; } )
    t=$(echo "$out" | grep '^TIME' | cut -d' ' -f2-)
    b=$(echo "$out" | grep -o '"batch_s":\[[^]]*\]' | head -1)
    echo "$label user/sys/wall $t  $b"
  done
  uptime
done
