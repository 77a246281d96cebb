#!/usr/bin/env python3
"""Per-category agreement on the notation corpus: ours vs the intended verdict ("truth") and
vs math-verify ("mv"), from `rewardkit verify math` output.

    rewardkit verify math --in Tests/RewardVerifiersTests/Fixtures/math/notation.jsonl --out /tmp/n.jsonl
    python3 scripts/math/notation_agreement.py /tmp/n.jsonl [--show]
"""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cats = {}
for r in rows:
    c = cats.setdefault(r["category"], [0, 0, 0, 0])
    c[0] += 1
    c[1] += r.get("correct") == r["truth"]
    c[2] += r.get("correct") == r["mv"]
    c[3] += bool(r.get("correct")) and not r["truth"]
print(f"{'category':18s} {'pairs':>5s} {'ours=truth':>10s} {'ours=mv':>8s} {'mv=truth':>8s} {'false pos':>9s}")
for k, (n, t, m, fp) in cats.items():
    mt = sum(1 for r in rows if r["category"] == k and r["mv"] == r["truth"])
    print(f"{k:18s} {n:5d} {t:10d} {m:8d} {mt:8d} {fp:9d}")
n = len(rows)
print(f"{'all':18s} {n:5d} {sum(c[1] for c in cats.values()):10d} {sum(c[2] for c in cats.values()):8d} "
      f"{sum(1 for r in rows if r['mv'] == r['truth']):8d} {sum(c[3] for c in cats.values()):9d}")
if "--show" in sys.argv:
    for r in rows:
        if r.get("correct") != r["truth"]:
            print(json.dumps({k: r.get(k) for k in ["id", "category", "gold", "pred", "truth", "mv", "correct", "gold_answer", "pred_answer", "reason"]}, ensure_ascii=False))
