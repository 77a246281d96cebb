#!/usr/bin/env python3
"""Tables for scripts/search/bench.sh (reads OUT/{beam,dvts}.jsonl with --trace and OUT/rollout.err)."""
import json, os, re, sys
from collections import defaultdict

d = sys.argv[1]
roll = open(os.path.join(d, "rollout.err")).read()
m = re.search(r'"tokens_per_second":([0-9.]+)', roll)
roll_tps = float(m.group(1)) if m else float("nan")
print(f"plain batched sampling (rollout -n 16, batch 16): {roll_tps:.0f} generated tok/s\n")
print("| method | problems | generated tok | seconds | tok/s | vs rollout | prefill computed | unique prefix | ratio | context tokens (no sharing) |")
print("|---|---|---|---|---|---|---|---|---|---|")
depth_rows = {}
for meth in ["beam", "dvts"]:
    recs = [json.loads(l) for l in open(os.path.join(d, meth + ".jsonl")) if l.strip()]
    recs = [r for r in recs if "error" not in r]
    gen = sum(r["stats"]["generated_tokens"] for r in recs)
    secs = sum(r["stats"]["seconds"] for r in recs)
    pre = sum(r["stats"]["prefill_tokens"] for r in recs)
    uniq = sum(r["stats"]["unique_prefix_tokens"] for r in recs)
    ctx = sum(r["stats"]["context_tokens"] for r in recs)
    tps = gen / secs if secs else 0
    print(f"| {meth} | {len(recs)} | {gen} | {secs:.1f} | {tps:.0f} | {tps / roll_tps:.2f}x | {pre} | {uniq} | {pre / max(uniq, 1):.2f} | {ctx} |")
    # Scorer tokens by depth: incremental = each node's own step once; whole-prefix = every scored node
    # re-reads its path (what search-and-learn's beam search does every round). Generated tokens only.
    inc, full = defaultdict(int), defaultdict(int)
    for r in recs:
        nodes = {n[0]: n for n in r["tree"]}
        for n in r["tree"]:
            nid, parent, depth, toks = n[0], n[1], n[2], n[3]
            inc[depth] += toks
            path, c = 0, nid
            while c in nodes:
                path += nodes[c][3]
                c = nodes[c][1]
            full[depth] += path
    depth_rows[meth] = (inc, full)
print()
print("| method | depth | step tokens scored (incremental) | cumulative | whole-prefix re-score | cumulative |")
print("|---|---|---|---|---|---|")
for meth, (inc, full) in depth_rows.items():
    ci = cf = 0
    for dep in sorted(inc):
        ci += inc[dep]; cf += full[dep]
        print(f"| {meth} | {dep} | {inc[dep]} | {ci} | {full[dep]} | {cf} |")
