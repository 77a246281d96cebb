"""Plain subprocess-per-test stdin/stdout runner (no isolation at all: what many RL stacks do),
timed on the same workload `rewardkit bench code` runs in its jail. Prints one JSON line."""
import argparse, json, subprocess, time
from concurrent.futures import ThreadPoolExecutor


def run_sample(s, timeout):
    ok = 0
    for inp, out in zip(s["inputs"], s["outputs"]):
        try:
            r = subprocess.run(["/usr/bin/python3", "-I", "-c", s["response"]], input=inp.encode(),
                               capture_output=True, timeout=timeout)
            got = [l.strip() for l in r.stdout.decode().strip().split("\n")]
            want = [l.strip() for l in out.strip().split("\n")]
            ok += int(r.returncode == 0 and got == want)
        except subprocess.TimeoutExpired:
            pass
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3.0)
    a = ap.parse_args()
    samples = [json.loads(l) for l in open(a.workload)]
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=a.workers) as pool:
        passed = sum(pool.map(lambda s: run_sample(s, a.timeout), samples))
    dt = time.time() - t0
    tests = sum(len(s["inputs"]) for s in samples)
    print(json.dumps({"samples": len(samples), "tests": tests, "passed": passed, "seconds": dt,
                      "tests_per_s": tests / dt, "samples_per_s": len(samples) / dt}))


main()
