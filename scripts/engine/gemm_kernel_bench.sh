#!/bin/bash
# Kernel-level int8 GEMM vs f32 sgemm table (one thread, thread CPU time), for the working tree's
# kernels and optionally a git ref's (before/after):  scripts/engine/gemm_kernel_bench.sh [REF]
# Needs clang and libopenblas-dev. Prints GMAC/s per type × shape × n and the int8/f32 ratio.
# Env: TYPES, NS, MACS narrow it; SHAPES="4096x1024 1024x3072" picks shapes; PAR=2 runs two copies of each
# point at once (as Linear.apply's two threads share L3 and memory; each line is one copy's thread CPU time).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
build() { clang -O3 -Wno-everything -ISources/CEngineKernels/include -I/usr/include/x86_64-linux-gnu \
    scripts/engine/gemm_kernel_bench.c "$1" -o "$2" -lopenblas -lm; }
build Sources/CEngineKernels/kernels.c "$tmp/new"
bins="new"
if [ $# -ge 1 ]; then git show "$1:Sources/CEngineKernels/kernels.c" > "$tmp/ref.c"; build "$tmp/ref.c" "$tmp/ref"; bins="ref new"; fi
uptime
for shape in ${SHAPES:-1728x576 3072x576 576x1536 4096x1024 6144x1024 1024x3072 1024x2048}; do
  set -- ${shape/x/ }
  for t in ${TYPES:-8 3 2}; do
    for n in ${NS:-1 4 16 64 256 2048}; do
      # Linear.apply on one thread: min(4, rows/64) row slices, activations packed once per call.
      sl=$(( $1 / 64 < 4 ? $1 / 64 : 4 ))
      for b in $bins; do
        for c in $(seq "${PAR:-1}"); do (SL=$sl PK=1 "$tmp/$b" "$t" "$1" "$2" "$n" | sed "s/^/$b /" || true) & done
        wait
      done
    done
  done
done
