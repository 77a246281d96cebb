#!/usr/bin/env python3
"""Accuracy vs generated tokens for `rewardkit search` result files, with percentile-bootstrap 95% CIs
over problems (2000 resamples, seed 0).
usage: summarize.py OUT_DIR [LABEL=OUT_DIR …] [--html report.html] > table.md
Files are named METHOD-nN[-SCORER].jsonl (as scripts/search/eval.sh writes them); a LABEL=DIR argument adds
that directory's runs as METHOD-nN-LABEL (e.g. prm=/tmp/rk-search-eval-prm: the same problems and seeds with a
PRM step scorer). Each budget N (and label) is compared on the problems every method there finished (a run
cut short compares like with like); Δ is paired against best-of-N majority vote at the same N.
--html writes one self-contained page (inline SVG: accuracy vs generated tokens with CI bars, then the tables)."""
import glob, html, json, os, random, re, sys


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


def load(d, label=""):
    """{(name, n, label): records} for every METHOD-nN*.jsonl file (name gets "-LABEL" when labeled)."""
    runs = {}
    for f in sorted(glob.glob(os.path.join(d, "*.jsonl"))):
        name = os.path.basename(f)[:-6]
        m = re.search(r"-n(\d+)", name)
        if not m:
            continue
        recs = [json.loads(l) for l in open(f) if l.strip()]
        if recs:
            runs[(name + (f"-{label}" if label else ""), int(m.group(1)), label)] = recs
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


def table(runs, ids, title, tables):
    """One table over the problems `ids` (every run compared on the same problems), plus each run's
    paired accuracy difference to majority vote over best-of-N at the same N."""
    rows = []
    for (name, _, _), recs in runs.items():
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
    out = print_rows(rows)
    tables.append((title, out, rows))


def main():
    args, html_out = sys.argv[1:], None
    if "--html" in args:
        i = args.index("--html")
        html_out = args[i + 1]
        args = args[:i] + args[i + 2:]
    if not args:
        sys.exit(__doc__)
    runs = {}
    for a in args:
        label, _, d = a.rpartition("=") if "=" in a and not os.path.isdir(a) else ("", "", a)
        runs.update(load(d, label))
    groups = sorted({(n, label) for _, n, label in runs})
    done, tables = {}, []
    for n, label in groups:
        sets = [{r["id"] for r in recs} for (_, k, l), recs in runs.items() if (k, l) == (n, label)]
        done[(n, label)] = set.intersection(*sets)
        if done[(n, label)]:
            scorer = f", step scorer {label}" if label else ""
            table({k: v for k, v in runs.items() if (k[1], k[2]) == (n, label)}, done[(n, label)],
                  f"N = {n}{scorer}: {len(done[(n, label)])} problems finished by every method", tables)
    if len(groups) > 1:
        common = set.intersection(*done.values())
        if common:
            table(runs, common, f"All runs on the {len(common)} problems every run finished", tables)
    if html_out:
        with open(html_out, "w") as f:
            f.write(report_html(tables, args))


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


BASELINES = {}  # "best_of_n-nN(majority)" rows by N, unlabeled first: Δ of labeled runs pairs with it


def baseline(rows, n):
    return next((b for b in rows if b[0] == f"best_of_n-n{n}(majority)"), None) or BASELINES.get(n) \
        or next((b for b in rows if re.fullmatch(rf"best_of_n-n{n}-.*\(majority\)", b[0])), None)


def print_rows(rows):
    """Prints the markdown table; returns its cells (for --html)."""
    for r in rows:
        n = int(re.search(r"-n(\d+)", r[0]).group(1))
        if r[0] == f"best_of_n-n{n}(majority)" and n not in BASELINES:
            BASELINES[n] = r
    cells = []
    print("| run | problems | errors | accuracy | 95% CI | Δ vs BoN majority, same N [95% CI] | any completion correct | gen tok/problem | prefill computed | context tokens | PRM tokens | s/problem |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        n = int(re.search(r"-n(\d+)", r[0]).group(1))
        base = baseline(rows, n)
        delta = ""
        if base is not None and r[0] != base[0]:
            ids = sorted(set(r[11]) & set(base[11]))
            if ids:
                d, lo, hi = paired([r[11][i] for i in ids], [base[11][i] for i in ids])
                delta = f"{d:+.3f} [{lo:+.3f}, {hi:+.3f}]"
        row = [r[0], str(r[1]), str(r[2]), f"{r[3]:.3f}", f"[{r[4]:.3f}, {r[5]:.3f}]", delta, f"{r[12]:.3f}",
               f"{r[6]:.0f}", f"{r[7]:.0f}", f"{r[8]:.0f}", f"{r[9]:.0f}", f"{r[10]:.1f}"]
        print("| " + " | ".join(row) + " |")
        cells.append(row)
    return cells


HEADER = ["run", "problems", "errors", "accuracy", "95% CI", "Δ vs BoN majority, same N [95% CI]", "any completion correct",
          "gen tok/problem", "prefill computed", "context tokens", "PRM tokens", "s/problem"]
MIN_CHART_PROBLEMS = 3
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]


def method_of(name):
    """The curve a run belongs to: its name without the budget (best_of_n-n4-prm(weighted) → best_of_n-prm(weighted))."""
    return re.sub(r"-n\d+", "", name)


def chart(points, title):
    """Inline SVG: accuracy (with 95% CI bars) vs generated tokens per problem; one colored curve per method
    across budgets N. points: [(curve, n, tokens, acc, lo, hi)]."""
    W, H, L, R, T, B = 760, 380, 60, 230, 30, 50
    xmax = max(p[2] for p in points) * 1.08 or 1
    ymax = min(1.0, max(max(p[5] for p in points) * 1.15, 0.1))
    X = lambda v: L + (W - L - R) * v / xmax
    Y = lambda v: H - B - (H - T - B) * v / ymax
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<text x="{L}" y="18" font-size="13" font-weight="bold">{html.escape(title)}</text>',
           f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#333"/>',
           f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#333"/>',
           f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">generated tokens per problem</text>',
           f'<text x="14" y="{(T + H - B) / 2}" transform="rotate(-90 14 {(T + H - B) / 2})" text-anchor="middle">accuracy</text>']
    for k in range(6):
        v = ymax * k / 5
        out.append(f'<line x1="{L - 4}" y1="{Y(v):.1f}" x2="{W - R}" y2="{Y(v):.1f}" stroke="#eee"/>'
                   f'<text x="{L - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
        t = xmax * k / 5
        out.append(f'<text x="{X(t):.1f}" y="{H - B + 16}" text-anchor="middle">{t:.0f}</text>')
    curves = sorted({p[0] for p in points})
    for ci, c in enumerate(curves):
        col = COLORS[ci % len(COLORS)]
        ps = sorted((p for p in points if p[0] == c), key=lambda p: p[1])
        jit = (ci - len(curves) / 2) * 2.0  # separates overlapping CI bars
        if len(ps) > 1:
            out.append(f'<polyline fill="none" stroke="{col}" stroke-width="1.5" points="' +
                       " ".join(f"{X(p[2]) + jit:.1f},{Y(p[3]):.1f}" for p in ps) + '"/>')
        for p in ps:
            x = X(p[2]) + jit
            out.append(f'<line x1="{x:.1f}" y1="{Y(p[4]):.1f}" x2="{x:.1f}" y2="{Y(p[5]):.1f}" stroke="{col}"/>'
                       f'<circle cx="{x:.1f}" cy="{Y(p[3]):.1f}" r="3.5" fill="{col}">'
                       f'<title>{html.escape(c)} N={p[1]}: {p[3]:.3f} [{p[4]:.3f}, {p[5]:.3f}] at {p[2]:.0f} tokens</title></circle>')
        out.append(f'<rect x="{W - R + 14}" y="{T + 14 * ci - 8}" width="10" height="10" fill="{col}"/>'
                   f'<text x="{W - R + 28}" y="{T + 14 * ci + 1}">{html.escape(c)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def report_html(tables, args):
    """The page: one chart per step scorer over the per-N tables (each N on the problems all its methods
    finished), then every table."""
    per_label, skipped, counts = {}, [], {}
    for title, cells, rows in tables:
        if title.startswith("All runs"):
            continue
        if rows and rows[0][1] < MIN_CHART_PROBLEMS:
            skipped.append(title)
            continue
        for r in rows:
            label = re.search(r"-n\d+(?:-([^(]+))?", r[0]).group(1) or "math_steps"
            n = int(re.search(r"-n(\d+)", r[0]).group(1))
            per_label.setdefault(label, []).append((method_of(r[0]), n, r[6], r[3], r[4], r[5]))
            counts.setdefault(label, {})[n] = r[1]
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>rewardkit search: accuracy vs generated tokens</title>",
             "<style>body{font-family:sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;font-size:12px;margin-bottom:24px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>",
             "<h1>rewardkit search: accuracy vs generated tokens</h1>",
             f"<p>Runs: {html.escape(' '.join(args))}. Accuracy = chosen answer equals the reference; 95% percentile-bootstrap CIs over "
             "problems (2,000 resamples); Δ = paired bootstrap difference to best-of-N majority vote at the same N. Each point is one "
             "method at one budget N, on the problems every method at that N finished (see the tables).</p>"]
    for label, pts in per_label.items():
        sizes = ", ".join(f"N = {n}: {k} problems" for n, k in sorted(counts[label].items()))
        parts.append(chart(pts, f"step scorer: {label} ({sizes})"))
    if skipped:
        parts.append("<p>Not charted (fewer than %d problems finished by every method; see the tables): %s.</p>"
                     % (MIN_CHART_PROBLEMS, html.escape("; ".join(skipped))))
    for title, cells, _ in tables:
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in HEADER) + "</tr>")
        for row in cells:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


if __name__ == "__main__":
    main()
