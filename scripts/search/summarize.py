#!/usr/bin/env python3
"""Accuracy vs generated tokens for `rewardkit search` result files, with percentile-bootstrap 95% CIs
over problems (2000 resamples, seed 0). usage: summarize.py OUT_DIR > table.md
Files are named METHOD-nN[-SCORER].jsonl (as scripts/search/eval.sh writes them)."""
import glob, json, os, random, sys


def boot(xs, reps=2000, seed=0):
    rng = random.Random(seed)
    n = len(xs)
    means = sorted(sum(xs[rng.randrange(n)] for _ in range(n)) / n for _ in range(reps))
    return means[int(0.025 * reps)], means[int(0.975 * reps) - 1]


def norm(a):
    return None if a is None else a.strip().rstrip(".").replace(" ", "")


def repick(r, how):
    """Correctness of the answer picked among a record's complete completions (answers compared as
    normalized strings: exact for the integer answers of make_problems.py)."""
    comps = [c for c in r["completions"] if c["complete"]] or r["completions"]
    ref = norm(r.get("reference"))
    voters = [c for c in comps if c["answer"] is not None]
    if not voters:
        return 0.0
    if how == "naive":
        best = max(voters, key=lambda c: c["score"])
        return 1.0 if norm(best["answer"]) == ref else 0.0
    tally = {}
    for c in voters:
        k = norm(c["answer"])
        tally.setdefault(k, 0.0)
        tally[k] += 1.0 if how == "majority" else c["score"]
    win = max(tally.items(), key=lambda kv: kv[1])[0]  # dict order = first seen wins ties
    return 1.0 if win == ref else 0.0


def main():
    d = sys.argv[1]
    rows = []
    for f in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        recs = [json.loads(l) for l in open(f) if l.strip()]
        ok = [r for r in recs if "error" not in r]
        if not ok:
            continue
        name = os.path.basename(f)[:-6]
        picks = [("", [1.0 if r.get("correct") else 0.0 for r in ok])]
        if name.startswith("best_of_n"):
            picks = [(f"({h})", [repick(r, h) for r in ok]) for h in ("majority", "weighted", "naive")]
        for label, acc in picks:
            add(rows, name + label, ok, recs, acc)
    print_rows(rows)


def add(rows, name, ok, recs, acc):
    gen = sum(r["stats"]["generated_tokens"] for r in ok) / len(ok)
    pre = sum(r["stats"]["prefill_tokens"] for r in ok) / len(ok)
    ctx = sum(r["stats"]["context_tokens"] for r in ok) / len(ok)
    prm = sum(r["stats"]["prm_tokens"] for r in ok) / len(ok)
    secs = sum(r["stats"]["seconds"] for r in ok) / len(ok)
    lo, hi = boot(acc)
    rows.append((name, len(ok), len(recs) - len(ok), sum(acc) / len(acc), lo, hi, gen, pre, ctx, prm, secs))


def print_rows(rows):
    print("| run | problems | errors | accuracy | 95% CI | gen tok/problem | prefill computed | context tokens | PRM tokens | s/problem |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | [{r[4]:.3f}, {r[5]:.3f}] | {r[6]:.0f} | {r[7]:.0f} | {r[8]:.0f} | {r[9]:.0f} | {r[10]:.1f} |")


if __name__ == "__main__":
    main()
