#!/usr/bin/env python3
"""Builds the JSONL files for the math I/O benchmark (issue 15) from real model outputs.

Source: ../shared/data/gsm8k (openai/grade-school-math, MIT): the 1,319 test problems with the
4 GPT-3 solutions each in example_model_solutions.jsonl (6B/175B, finetuning/verification) =
5,276 real model responses, cycled to N lines. Each line carries what an RL record carries:
id, prompt (the question), the dataset's reference solution, the model and its response, and
the gold answer (GSM8K `#### N`), and the dataset's is_correct label. Two key layouts, same content:
  verify: {"id","prompt","reference_solution","model","is_correct","gold","pred"}      (verify math)
  score:  {"id","prompt","reference_solution","model","is_correct","answer","response"} (score)

usage: make_math_io.py DATA_DIR OUT_DIR N [N ...]
"""
import json, os, sys

data, out, counts = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
gold = []
with open(os.path.join(data, "gsm8k", "test.jsonl")) as f:
    for line in f:
        gold.append(json.loads(line)["answer"].split("####")[-1].strip())
rows = []
with open(os.path.join(data, "gsm8k", "example_model_solutions.jsonl")) as f:
    for i, line in enumerate(f):
        o = json.loads(line)
        for model in ("6b_finetuning", "6b_verification", "175b_finetuning", "175b_verification"):
            rows.append((i, o["question"], o["ground_truth"], model, gold[i], o[model]["solution"], o[model]["is_correct"]))
os.makedirs(out, exist_ok=True)
for n in counts:
    for layout, (gk, pk) in {"verify": ("gold", "pred"), "score": ("answer", "response")}.items():
        path = os.path.join(out, f"math_{layout}_{n}.jsonl")
        with open(path, "w") as f:
            for k in range(n):
                i, q, ref, model, g, sol, ok = rows[k % len(rows)]
                rec = {"id": f"gsm8k-test-{i}-{model}-{k // len(rows)}", "prompt": q, "reference_solution": ref,
                       "model": model, "is_correct": ok, gk: g, pk: sol}
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(path, os.path.getsize(path), "bytes", f"{os.path.getsize(path) / n:.0f} B/line")
