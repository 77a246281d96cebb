#!/usr/bin/env python3
"""Reference outputs of each benchmark's OWN scoring code on generated edge-case inputs.

Writes Tests/Fixtures/benchref/*.json; Tests/RewardEvalTests/BenchmarkFidelityTests.swift
compares rewardkit's metrics to them. The benchmarks' code is never copied here: it is
read from local git checkouts (the `fetch` tool's mirrors, or any clone at the commits
below) and the scoring functions/statements are pulled out of their source with `ast` and
executed as they are, without importing the heavy model-running modules around them.

Usage (one command; needs numpy, pandas, datasets in the interpreter):
    python3 -m venv .venv-ref && .venv-ref/bin/pip install numpy pandas datasets
    .venv-ref/bin/python scripts/benchref/make_fixtures.py [--mirrors /work/.mirror]

Non-finite floats are written as the strings "NaN", "Infinity", "-Infinity" (JSON has
no literal for them).
"""
import argparse
import ast
import itertools
import json
import math
import os
import random
import subprocess
import typing
import warnings

os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
import numpy as np  # noqa: E402

warnings.simplefilter("ignore")  # the benchmarks' own 0/0 and mean-of-empty warnings

REFS = {
    "rewardbench": ("allenai/reward-bench", "allenai+reward-bench"),
    "processbench": ("QwenLM/ProcessBench", "QwenLM+ProcessBench"),
    "rewardmath": ("kimsh0507/RewardMATH_official", "kimsh0507+RewardMATH_official"),
    "humaneval": ("openai/human-eval", "openai+human-eval"),
}


class Checkout:
    def __init__(self, mirrors, key):
        self.repo, folder = REFS[key]
        self.gitdir = os.path.join(mirrors, folder, "repo")
        self.commit = self.git("rev-parse", "HEAD").strip()

    def git(self, *args):
        return subprocess.run(["git", "--git-dir", self.gitdir, *args], check=True, capture_output=True, text=True).stdout

    def source(self, path):
        return self.git("show", f"HEAD:{path}")

    def ref(self, path, what):
        return {"repo": self.repo, "commit": self.commit, "path": path, "code": what}


def function_defs(source, names, cls=None):
    """Module holding only the named top-level (or class-level) function definitions."""
    tree = ast.parse(source)
    body = tree.body
    if cls:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
    keep = [n for n in body if isinstance(n, ast.FunctionDef) and n.name in names]
    assert {n.name for n in keep} == set(names), f"missing {set(names) - {n.name for n in keep}}"
    return compile(ast.Module(body=keep, type_ignores=[]), "<benchmark>", "exec")


def assignments(source, func, targets):
    """The assignment statements of `func` whose target text is in `targets`, in order."""
    fn = next(n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == func)
    keep = []
    for n in ast.walk(fn):
        if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) in targets:
            keep.append(n)
    keep.sort(key=lambda n: n.lineno)
    found = [ast.unparse(n.targets[0]) for n in keep]
    assert sorted(set(found)) == sorted(set(targets)), f"{func}: found {found}, wanted {targets}"
    return [compile(ast.Module(body=[n], type_ignores=[]), "<benchmark>", "exec") for n in keep], [ast.unparse(n) for n in keep]


def num(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


# Scores drawn from a small grid make ties common; specials hit NaN/inf handling.
def draw(rng, specials=True):
    r = rng.random()
    if specials and r < 0.04:
        return rng.choice([float("nan"), float("inf"), float("-inf")])
    if r < 0.45:
        return rng.choice([0.0, 0.25, 0.5, 1.0])
    return round(rng.gauss(0, 1), 6)


# ---------------------------------------------------------------- RewardBench v1
def rewardbench_v1(co, rng):
    consts = {}
    exec(compile(co.source("rewardbench/constants.py"), "constants.py", "exec"), consts)
    ns = {}
    exec(function_defs(co.source("rewardbench/utils.py"), ["calculate_scores_per_section"]), ns)
    # run_rm.py's per-pair outcome, executed as written there.
    stmts, texts = assignments(co.source("scripts/run_rm.py"), "main", ["results"])
    outcome = next(c for c, t in zip(stmts, texts) if "chosen > rejected" in t)
    counts, mapping = consts["EXAMPLE_COUNTS"], consts["SUBSET_MAPPING"]
    all_subsets = [s for sec in mapping.values() for s in sec]

    def case(name, pairs):
        env = {"scores_chosen": [p["chosen"] for p in pairs], "scores_rejected": [p["rejected"] for p in pairs]}
        exec(outcome, env)
        results = env["results"]
        per = {}
        for subset in dict.fromkeys(p["subset"] for p in pairs):  # run_rm.py: sum(results)/len per subset
            rs = [r for r, p in zip(results, pairs) if p["subset"] == subset]
            per[subset] = sum(rs) / len(rs)
        sections = ns["calculate_scores_per_section"](counts, mapping, per)
        present = {sec: v for sec, v in sections.items() if any(s in per for s in mapping[sec])}
        out = {"subsets": {k: num(v) for k, v in per.items()}, "sections": {k: num(v) for k, v in present.items()},
               "sections_as_benchmark": {k: num(v) for k, v in sections.items()}}
        if len(present) == 4:
            out["overall"] = num(sum(present.values()) / 4)
        return {"name": name, "pairs": [{"subset": p["subset"], "chosen": num(p["chosen"]), "rejected": num(p["rejected"])}
                                         for p in pairs], "expected": out}

    def pairs_for(subsets, lo, hi, specials=True):
        out = []
        for s in subsets:
            for _ in range(rng.randint(lo, hi)):
                out.append({"subset": s, "chosen": draw(rng, specials), "rejected": draw(rng, specials)})
        rng.shuffle(out)
        return out

    cases = [
        case("all 23 subsets, random sizes, ties and NaN/inf", pairs_for(all_subsets, 1, 25)),
        case("no Reasoning section, xstest only in Safety", pairs_for([s for s in all_subsets if s not in mapping["Reasoning"]
                                                                        and s not in ("refusals-dangerous", "refusals-offensive", "donotanswer")], 2, 12)),
        case("one-sample subsets", pairs_for(all_subsets, 1, 1)),
        case("xstest weights: should-refuse all right, should-respond all wrong",
             [{"subset": "xstest-should-refuse", "chosen": 1.0, "rejected": 0.0} for _ in range(3)]
             + [{"subset": "xstest-should-respond", "chosen": 0.0, "rejected": 1.0} for _ in range(5)]
             + [{"subset": "donotanswer", "chosen": 1.0, "rejected": 1.0}, {"subset": "donotanswer", "chosen": 2.0, "rejected": 1.0}]),
        case("every pair tied", [{"subset": s, "chosen": 0.5, "rejected": 0.5} for s in all_subsets]),
        case("subsets outside the mapping", pairs_for(["custom-a", "math-prm", "hep-go"], 3, 6)),
    ]
    return {"reference": [co.ref("rewardbench/utils.py", "calculate_scores_per_section"),
                          co.ref("rewardbench/constants.py", "EXAMPLE_COUNTS, SUBSET_MAPPING"),
                          co.ref("scripts/run_rm.py", "results = [1 if chosen > rejected else 0 ...]; num_correct / num_total")],
            "notes": "overall = unweighted mean of the four section scores (the leaderboard's definition; not in the repo's code). "
                     "sections_as_benchmark includes the 0 the helper returns for a section with none of its subsets; "
                     "rewardkit omits such a section instead (and then reports no overall).",
            "cases": cases}


# ---------------------------------------------------------------- RewardBench 2
def rewardbench_v2(co, rng):
    import pandas  # noqa: F401  (used by the benchmark's function)
    from datasets import Dataset
    ns = {"np": np, "pd": pandas, "Dataset": Dataset, "defaultdict": __import__("collections").defaultdict,
          "Dict": typing.Dict, "List": typing.List, "Tuple": typing.Tuple}
    exec(function_defs(co.source("rewardbench/utils.py"),
                       ["reroll_and_score_dataset", "_compute_prompt_stats", "process_single_model"]), ns)

    def score(rows):
        # run_v2.py: flatten to one row per completion, reroll (tie-penalised best-of-k), then
        # per subset: process_single_model for "ties", else sum(results) / len(results).
        flat = {"text": [], "scores": [], "subset": [], "id": []}
        for r in rows:
            for i, s in enumerate(r["scores"]):
                flat["text"].append(f"{r['id']}/{i}")
                flat["scores"].append(s)
                flat["subset"].append(r["subset"])
                flat["id"].append(r["id"])
        ds = ns["reroll_and_score_dataset"](Dataset.from_dict(flat), [len(r["scores"]) for r in rows])
        ds = ds.add_column("num_correct", [r["num_correct"] for r in rows])
        out = {}
        for subset in np.unique([r["subset"] for r in rows]):
            sub = ds.filter(lambda e: e["subset"] == subset)
            if subset.lower() == "ties":
                _, out[str(subset)] = ns["process_single_model"](sub)
            else:
                out[str(subset)] = sum(sub["results"]) / len(sub["results"])
        return out

    def bo4(subset, n, specials=True):
        return [{"id": f"{subset}-{i}", "subset": subset, "num_correct": 1, "scores": [draw(rng, specials) for _ in range(4)]}
                for i in range(n)]

    def ties_rows(prompts, specials=False, both=True):
        rows = []
        for pid in range(prompts):
            nc = rng.randint(2, 4)
            base = rng.choice([0.0, 1.0, 2.0])
            tied = [base + rng.choice([0.0, 0.5, round(rng.random(), 4)]) for _ in range(nc)]
            wrong = [rng.choice([base - 1, base + 0.25, round(rng.gauss(base - 0.5, 1), 4)]) for _ in range(rng.randint(1, 3))]
            if specials and rng.random() < 0.2:
                tied[0] = rng.choice([float("inf"), float("-inf")])
            rows.append({"id": f"tied:{pid}", "subset": "Ties", "num_correct": nc, "scores": tied + wrong})
            if both or pid % 2 == 0:
                ref = [rng.choice([base, base + 1])]
                rows.append({"id": f"ref:{pid}", "subset": "Ties", "num_correct": 1,
                             "scores": ref + [rng.choice([base - 1, ref[0], round(rng.gauss(base, 1), 4)]) for _ in range(3)]})
        return rows

    # A Ties subset built to score above 1: every row accurate, correct answers tied exactly
    # (spread 0 → margin term tanh(+inf) = 1): 0.3 + 0.3 + 0.2 + 0.2 + 0.01 = 1.01.
    perfect = []
    for pid in range(3):
        perfect.append({"id": f"tied:{pid}", "subset": "Ties", "num_correct": 3, "scores": [2.0, 2.0, 2.0, 0.0]})
        perfect.append({"id": f"ref:{pid}", "subset": "Ties", "num_correct": 1, "scores": [3.0, 0.0, 1.0, -1.0]})

    def case(name, rows):
        return {"name": name, "rows": [{**r, "scores": [num(s) for s in r["scores"]]} for r in rows],
                "expected": {"subsets": {k: num(v) for k, v in score(rows).items()}}}

    subsets = ["Factuality", "Precise IF", "Math", "Safety", "Focus"]
    cases = [
        case("five best-of-4 subsets with ties at the top and NaN/inf", [r for s in subsets for r in bo4(s, rng.randint(5, 30))]),
        case("one-prompt subsets: win, 2-way and 4-way tie at the top, loss, NaN", [
            {"id": f"{s}-0", "subset": s, "num_correct": 1, "scores": sc} for s, sc in zip(subsets, [
                [2.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, -1.0], [0.5, 0.5, 0.5, 0.5], [0.0, 1.0, 0.0, 0.0], [3.0, float("nan"), 0.0, 0.0]])]),
        case("Ties subset, every prompt with ref and tied rows", ties_rows(25)),
        case("Ties subset, infinite correct scores", ties_rows(20, specials=True)),
        case("Ties subset, half the prompts without a ref row", ties_rows(16, both=False)),
        case("Ties composite reaches 1.01", perfect),
        case("Ties subset, no prompt has both rows (NaN composite)", [r for r in ties_rows(4, both=False) if r["id"].startswith("tied")]),
        case("all subsets together", [r for s in subsets for r in bo4(s, 8)] + ties_rows(10)),
    ]
    return {"reference": [co.ref("rewardbench/utils.py", "reroll_and_score_dataset, _compute_prompt_stats, process_single_model"),
                          co.ref("scripts/run_v2.py", "per-subset loop: process_single_model for ties, else sum(results)/len")],
            "notes": "Ties is a composite score (can reach 1.01), not an accuracy.",
            "cases": cases}


# ---------------------------------------------------------------- ProcessBench
def processbench(co, rng):
    src = co.source("code/run_eval.py")
    stmts, texts = assignments(src, "main", ["d['match']", "error_data", "correct_data", "acc1", "acc2", "f1"])

    def split_scores(items):
        env = {"np": np}
        res_data = []
        for it in items:
            env.update(d=dict(label=it["label"]), pred=it["prediction"])
            exec(stmts[0], env)  # d['match'] = (pred == d['label'])
            res_data.append(env["d"])
        env["res_data"] = res_data
        for c in stmts[1:]:
            exec(c, env)
        return {"error_acc": num(env["acc1"]), "correct_acc": num(env["acc2"]), "f1": num(env["f1"])}

    def items(n, steps=8, none_rate=0.1):
        out = []
        for _ in range(n):
            label = rng.choice([-1, -1] + list(range(steps)))
            r = rng.random()
            if r < none_rate:
                pred = None
            elif r < 0.55:
                pred = label
            else:
                pred = rng.choice([-1] + list(range(steps)))
            out.append({"label": label, "prediction": pred})
        return out

    def case(name, splits):
        exp = {s: split_scores(v) for s, v in splits.items()}
        f1s = [float(e["f1"]) if not isinstance(e["f1"], str) else float("nan") for e in exp.values()]
        return {"name": name, "splits": splits, "expected": {"splits": exp, "average_f1": num(sum(f1s) / len(f1s))}}

    cases = [
        case("four splits, missing predictions", {s: items(rng.randint(10, 40)) for s in ["gsm8k", "math", "olympiadbench", "omnimath"]}),
        case("one-sample classes", {"gsm8k": [{"label": -1, "prediction": -1}, {"label": 2, "prediction": 1}],
                                    "math": [{"label": 0, "prediction": 0}, {"label": -1, "prediction": None}]}),
        case("both accuracies zero (F1 0/0)", {"gsm8k": [{"label": -1, "prediction": 3}, {"label": 1, "prediction": -1}]}),
        case("no erroneous samples", {"gsm8k": [{"label": -1, "prediction": -1}, {"label": -1, "prediction": 0}]}),
        case("empty-step solutions: label -1 predicted -1", {"gsm8k": [{"label": -1, "prediction": -1}] * 3 + [{"label": 0, "prediction": 0}]}),
    ]
    return {"reference": [co.ref("code/run_eval.py", "; ".join(texts))],
            "notes": "ProcessBench reports percentages (acc × 100); the test compares rewardkit's fractions × 100. "
                     "Average F1 = mean of the split F1s (the paper's Avg. F1; not in the script).",
            "cases": cases}


# ---------------------------------------------------------------- RewardMATH
def rewardmath(co, rng):
    src = co.source("src/evaluation/eval.py")
    cls = next(n.name for n in ast.parse(src).body if isinstance(n, ast.ClassDef)
               and any(isinstance(f, ast.FunctionDef) and f.name == "_calculate_MRR" for f in n.body))
    ns = {}
    exec(function_defs(src, ["_calculate_MRR"], cls=cls), ns)
    klass = next(n for n in ast.parse(src).body if isinstance(n, ast.ClassDef) and n.name == cls)
    fn = next(n for n in klass.body if isinstance(n, ast.FunctionDef) and n.name == "get_results")
    acc_expr = None
    for n in ast.walk(fn):
        if isinstance(n, ast.Call) and ast.unparse(n.func).replace('"', "'").endswith("['reward Acc'].append"):
            acc_expr = compile(ast.Expression(n.args[0]), "<benchmark>", "eval")
    assert acc_expr is not None

    def case(name, problems, specials):
        acc, mrr = [], []
        for p in problems:
            data_score = {"chosen_score": {"normal": [p["chosen"]]}, "rejected_score": {"normal": p["rejected"]}}
            acc.append(eval(acc_expr, {"data_score": data_score, "func_name": "normal", "min": min, "max": max}))
            mrr.append(ns["_calculate_MRR"](None, [p["chosen"]], p["rejected"]))
        return {"name": name, "problems": [{"chosen": num(p["chosen"]), "rejected": [num(x) for x in p["rejected"]]} for p in problems],
                "expected": {"accuracy": num(sum(acc) / len(acc)), "mrr": num(sum(mrr) / len(mrr)),
                             "per_problem_rr": [num(x) for x in mrr]}}

    def probs(n, specials):
        return [{"chosen": draw(rng, specials), "rejected": [draw(rng, specials) for _ in range(9)]} for _ in range(n)]

    cases = [
        case("1 vs 9, ties common", probs(60, False), False),
        case("infinite scores", [{"chosen": float("inf"), "rejected": [float("inf")] * 2 + [0.0] * 7},
                                 {"chosen": float("-inf"), "rejected": [float("-inf")] * 9},
                                 {"chosen": 1.0, "rejected": [float("inf")] + [0.0] * 8}], False),
        case("constant scorer", [{"chosen": 0.5, "rejected": [0.5] * 9} for _ in range(4)], False),
        case("one problem", probs(1, False), False),
    ]
    return {"reference": [co.ref("src/evaluation/eval.py", f"{cls}._calculate_MRR; get_results 'reward Acc' expression")],
            "notes": "Ties rank the correct solution below every incorrect one it ties (sort key (score, 'cho'/'rej') "
                     "descending puts 'rej' first). NaN scores are not compared: Python's sort with NaN keys "
                     "has no defined order.",
            "cases": cases}


# ---------------------------------------------------------------- pass@k
def passk(co, rng):
    ns = {"np": np, "itertools": itertools, "Union": typing.Union, "List": typing.List}
    exec(function_defs(co.source("human_eval/evaluation.py"), ["estimate_pass_at_k"]), ns)
    rows = []
    grid = [(1, 0, 1), (1, 1, 1), (5, 0, 1), (5, 5, 5), (10, 3, 1), (10, 3, 5), (10, 3, 7), (10, 3, 8), (10, 9, 10),
            (200, 1, 1), (200, 1, 100), (200, 13, 10), (200, 13, 100), (1000, 7, 500), (1000, 999, 1)]
    for _ in range(40):
        n = rng.randint(1, 300)
        c = rng.randint(0, n)
        grid.append((n, c, rng.randint(1, n)))
    for n, c, k in grid:
        rows.append({"n": n, "c": c, "k": k, "pass_at_k": num(ns["estimate_pass_at_k"]([n], [c], k)[0])})
    return {"reference": [co.ref("human_eval/evaluation.py", "estimate_pass_at_k")], "cases": rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirrors", default="/work/.mirror")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "benchref"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    jobs = {"rewardbench_v1": (rewardbench_v1, "rewardbench"), "rewardbench_v2": (rewardbench_v2, "rewardbench"),
            "processbench": (processbench, "processbench"), "rewardmath": (rewardmath, "rewardmath"), "passk": (passk, "humaneval")}
    for i, (name, (fn, key)) in enumerate(jobs.items()):
        data = fn(Checkout(a.mirrors, key), random.Random(1000 + i))
        data["generator"] = "scripts/benchref/make_fixtures.py"
        with open(os.path.join(a.out, f"{name}.json"), "w") as f:
            json.dump(data, f, indent=1, allow_nan=False)
            f.write("\n")
        print(name, len(data["cases"]), "cases")


if __name__ == "__main__":
    main()
