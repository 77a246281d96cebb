"""Reference remote reward server for `scripts/serve_bench/bench_serve.py`: FastAPI + uvicorn +
math-verify, written the way OpenRLHF's rule-based remote-RM examples are (one POST
/get_reward taking {"query", "prompts", "labels"}, a format regex, math_verify parse/verify).
Runs in the git-ignored venv .venv-serve-ref (fastapi, uvicorn, math-verify==0.9.0).
"""

import argparse
import re

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from math_verify import parse, verify

app = FastAPI()
FORMAT = re.compile(r"^<think>.*?</think>\s*<answer>.*?</answer>$", re.DOTALL)
ANSWER = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)


def score(query, prompt, label):
    response = query[len(prompt):] if prompt and query.startswith(prompt) else query
    fmt = 1.0 if FORMAT.match(response.strip()) else 0.0
    correct = 0.0
    m = ANSWER.search(response)
    if m and label is not None:
        correct = 1.0 if verify(parse(str(label)), parse(m.group(1))) else 0.0
    return (correct if fmt else 0.0), fmt, correct


@app.post("/get_reward")
async def get_reward(request: Request):
    data = await request.json()
    queries = data.get("query", [])
    prompts = data.get("prompts") or [""] * len(queries)
    labels = data.get("labels") or [None] * len(queries)
    rewards, fmts, corrects = [], [], []
    for q, p, l in zip(queries, prompts, labels):
        r, f, c = score(q, p, l)
        rewards.append(r)
        fmts.append(f)
        corrects.append(c)
    return JSONResponse({"rewards": rewards, "scores": rewards, "extra_logs": {"format": fmts, "correct": corrects}})


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=5000)
    args = ap.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
