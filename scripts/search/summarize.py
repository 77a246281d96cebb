#!/usr/bin/env python3
"""Accuracy vs generated tokens for `rewardkit search` result files, with percentile-bootstrap 95% CIs
over problems (2000 resamples, seed 0). usage: summarize.py OUT_DIR > table.md
Files are named METHOD-nN[-SCORER].jsonl (as scripts/search/eval.sh writes them). Each budget N is compared
on the problems every method at that N finished (a run cut short compares like with like)."""
import glob, json, os, random, re, sys


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


def load(d):
    """{(name, n): records} for every METHOD-nN*.jsonl file."""
    runs = {}
    for f in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        name = os.path.basename(f)[:-6]
        m = re.search(r"-n(\d+)", name)
        if not m:
            continue
        runs[(name, int(m.group(1)))] = [json.loads(l) for l in open(f) if l.strip()]
    return runs


def paired(xs, ys, reps=2000, seed=0):
    """Percentile-bootstrap 95% CI of mean(xs - ys) over problems resampled jointly."""
    rng = random.Random(seed)
    n = len(xs)
    ds = []
    for _ in range(reps):
        idx = [rng.randrange(n) for _ in range(n)]
        ds.append(sum(xs[i] - ys[i] for i in idx) / n)
    ds.sort()
    return sum(x - y for x, y in zip(xs, ys)) / n, ds[int(0.025 * reps)], ds[int(0.975 * reps) - 1]


def table(runs, ids, title):
    """One table over the problems `ids` (every run compared on the same problems), plus each run's
    paired accuracy difference to majority vote over best-of-N at the same N."""
    rows = []
    for (name, _), recs in runs.items():
        recs = sorted((r for r in recs if r["id"] in ids), key=lambda r: r["id"])
        ok = [r for r in recs if "error" not in r]
        if not ok:
            continue
        picks = [("", [1.0 if r.get("correct") else 0.0 for r in ok])]
        if name.startswith("best_of_n"):
            picks = [(f"({h})", [repick(r, h) for r in ok]) for h in ("majority", "weighted", "naive")]
        for label, acc in picks:
            add(rows, name + label, ok, recs, acc, dict(zip((r["id"] for r in ok), acc)))
    print(f"\n{title}\n")
    print_rows(rows)


def main():
    runs = load(sys.argv[1])
    ns = sorted({n for _, n in runs})
    done = {}
    for n in ns:
        sets = [{r["id"] for r in recs} for (name, k), recs in runs.items() if k == n]
        done[n] = set.intersection(*sets)
        table({k: v for k, v in runs.items() if k[1] == n}, done[n],
              f"N = {n}: {len(done[n])} problems finished by every method")
    if len(ns) > 1:
        common = set.intersection(*done.values())
        if common:
            table(runs, common, f"All budgets on the {len(common)} problems every run finished")


def add(rows, name, ok, recs, acc, by_id):
    gen = sum(r["stats"]["generated_tokens"] for r in ok) / len(ok)
    pre = sum(r["stats"]["prefill_tokens"] for r in ok) / len(ok)
    ctx = sum(r["stats"]["context_tokens"] for r in ok) / len(ok)
    prm = sum(r["stats"]["prm_tokens"] for r in ok) / len(ok)
    secs = sum(r["stats"]["seconds"] for r in ok) / len(ok)
    lo, hi = boot(acc)
    ref = lambda r: norm(r.get("reference"))
    cover = sum(any(norm(c["answer"]) == ref(r) for c in r["completions"] if c["answer"] is not None) for r in ok) / len(ok)
    rows.append((name, len(ok), len(recs) - len(ok), sum(acc) / len(acc), lo, hi, gen, pre, ctx, prm, secs, by_id, cover))


def print_rows(rows):
    print("| run | problems | errors | accuracy | 95% CI | Δ vs BoN majority, same N [95% CI] | any completion correct | gen tok/problem | prefill computed | context tokens | PRM tokens | s/problem |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        n = re.search(r"-n(\d+)", r[0]).group(1)
        base = next((b for b in rows if b[0] == f"best_of_n-n{n}(majority)"), None)
        delta = ""
        if base is not None and r is not base:
            ids = sorted(set(r[11]) & set(base[11]))
            if ids:
                d, lo, hi = paired([r[11][i] for i in ids], [base[11][i] for i in ids])
                delta = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | [{r[4]:.3f}, {r[5]:.3f}] | {delta} | {r[12]:.3f} | {r[6]:.0f} | {r[7]:.0f} | {r[8]:.0f} | {r[9]:.0f} | {r[10]:.1f} |")


if __name__ == "__main__":
    main()
