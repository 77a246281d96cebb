#!/usr/bin/env python3
"""`rewardkit serve` vs a FastAPI + uvicorn + math-verify reference server, same wrk load on loopback.

Workloads: OpenRLHF /get_reward with 1 and 64 records per request, math + format spec
(clients/python/tests/math_format.yaml; the reference computes the same two terms).
For each: saturation throughput (records/s), p50/p99 latency at ~50 % and ~90 % of that
server's own saturation (wrk with a per-connection delay; the achieved rate is printed), peak RSS.
Optionally (--model-spec) a model-backed spec with batching on vs off.

usage: python3 scripts/serve_bench/bench_serve.py [--bin .build/release/rewardkit] [--seconds 8]
Needs wrk (apt) and the venv .venv-serve-ref (created here when missing).
"""

import argparse
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv-serve-ref")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_up(port, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_body(n, seed):
    rnd = random.Random(seed)
    q, p, l = [], [], []
    for _ in range(n):
        a, b = rnd.randint(1, 999), rnd.randint(1, 999)
        prompt = f"<|im_start|>user\nWhat is {a} + {b}?<|im_end|>\n<|im_start|>assistant\n"
        ans = a + b if rnd.random() < 0.7 else a + b + 1
        resp = f"<think>{a} plus {b}: add the units, carry, then the tens. So {ans}.</think><answer>\\boxed{{{ans}}}</answer>"
        if rnd.random() < 0.1:
            resp = f"The answer is {ans}."
        q.append(prompt + resp + "<|im_end|>")
        p.append(prompt)
        l.append(str(a + b))
    return json.dumps({"query": q, "prompts": p, "labels": l})


def wrk(port, body_file, seconds, conns, threads, delay_ms=0, path="/get_reward", timeout=2):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", f"--timeout={timeout}s", "--latency", "-s", os.path.join(HERE, "wrk_post.lua"),
           f"http://127.0.0.1:{port}{path}", "--", body_file, str(delay_ms)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r"RESULT (\{.*\})", out)
    if not m:
        raise RuntimeError(out)
    return json.loads(m.group(1))


def load_avg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def measure(name, port, pid, records, body_file, seconds, conns):
    sat = wrk(port, body_file, seconds, conns, 2)
    rows = [dict(server=name, records=records, load="saturation", **sat)]
    for frac in (0.5, 0.9):
        target = sat["rps"] * frac
        # Open-ish loop: c connections each waiting 1000·c/target ms between requests, so the
        # offered rate is at most `target` (latency only lowers it); the achieved rate is reported.
        c = max(2, min(conns, math.ceil(target / 100)))
        delay = max(1, int(round(1000.0 * c / target)))
        r = wrk(port, body_file, seconds, c, 2, delay)
        rows.append(dict(server=name, records=records, load=f"{int(frac * 100)}%", **r))
    for r in rows:
        r["records_per_s"] = r["rps"] * records
        r["peak_rss_mb"] = peak_rss_mb(pid)
        r["loadavg"] = load_avg()
    return rows


def cpu_seconds(pid):
    """utime + stime of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def batch_stats(port):
    """(engine calls, samples) from the server's batch-size histogram."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    get = lambda name: float(re.search(rf"^{name} (\S+)$", text, re.M).group(1))
    return get("rewardkit_batch_size_count"), get("rewardkit_batch_size_sum")


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "fastapi", "uvicorn", "math-verify==0.9.0"], check=True)
    return py


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "rewardkit"))
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--conns", type=int, default=32)
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--model-spec", help="also measure this model-backed spec with batching on vs off")
    ap.add_argument("--json", help="write all rows here")
    ap.add_argument("--model-only", action="store_true", help="only the --model-spec batching comparison")
    ap.add_argument("--model-seconds", type=int, default=30, help="wrk duration per model-backed run")
    ap.add_argument("--model-conns", type=int, default=16, help="concurrent clients for the model-backed runs")
    a = ap.parse_args()
    tmp = "/tmp/rk-bench-serve"
    os.makedirs(tmp, exist_ok=True)
    bodies = {}
    for n in (1, 64):
        bodies[n] = os.path.join(tmp, f"body{n}.json")
        with open(bodies[n], "w") as f:
            f.write(make_body(n, seed=n))
    rows = []
    servers = [("rewardkit", [a.bin, "serve", "--config", os.path.join(ROOT, "clients/python/tests/math_format.yaml"),
                              "--no-access-log", "--port", "{port}"])]
    if not a.skip_reference:
        servers.append(("reference", [ensure_venv(), os.path.join(HERE, "reference_server.py"), "--port", "{port}"]))
    for name, cmd in ([] if a.model_only else servers):
        port = free_port()
        p = subprocess.Popen([c.replace("{port}", str(port)) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(port)
            wrk(port, bodies[1], 2, 8, 2)  # warm-up
            for n in (1, 64):
                rows += measure(name, port, p.pid, n, bodies[n], a.seconds, a.conns)
        finally:
            p.terminate()
            p.wait(120)
    if a.model_spec:
        # Distinct single-record requests (one per line), so repeated texts cannot be served from a cache.
        distinct = os.path.join(tmp, "distinct1.jsonl")
        with open(distinct, "w") as f:
            for i in range(5000):
                f.write(make_body(1, seed=1000 + i) + "\n")
        # On: concurrent requests merge into one engine call (one packed forward batch). Off: the
        # batcher with --max-batch 1 (one request's sample per engine call), and no batcher at all.
        for label, extra in (("batching", []), ("max batch 1", ["--max-batch", "1"]), ("no batching", ["--no-batching"])):
            port = free_port()
            cmd = [a.bin, "serve", "--config", a.model_spec, "--no-access-log", "--port", str(port)] + extra
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_up(port, timeout=300)
                c0 = cpu_seconds(p.pid)
                r = wrk(port, distinct, a.model_seconds, a.model_conns, 2, timeout=60)
                # Server CPU per completed record: less sensitive to other load than records/s (the
                # last batch in flight when wrk stops is counted in CPU, not in records: a bias against batching).
                cpu_per_record = (cpu_seconds(p.pid) - c0) / max(r["requests"], 1)
                batches, samples = batch_stats(port)
                rows.append(dict(server="rewardkit " + os.path.basename(a.model_spec) + " " + label,
                                 records=1, load=f"saturation ({a.model_conns} conns)", records_per_s=r["rps"],
                                 peak_rss_mb=peak_rss_mb(p.pid), loadavg=load_avg(),
                                 mean_batch=(samples / batches if batches else float("nan")), cpu_per_record=cpu_per_record, **r))
            finally:
                p.terminate()
                p.wait(120)
    print("| server | records/req | load | req/s | records/s | p50 ms | p99 ms | errors | peak RSS MB | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "mean_batch" in r:
            r["server"] += f" (mean batch {r['mean_batch']:.1f}, server CPU {r['cpu_per_record']:.2f} s/record, {r['requests']} requests)"
        print(f"| {r['server']} | {r['records']} | {r['load']} | {r['rps']:.0f} | {r['records_per_s']:.0f} | {r['p50_ms']:.2f} | "
              f"{r['p99_ms']:.2f} | {r['errors'] + r['non2xx']} | {r['peak_rss_mb']:.0f} | {r['loadavg']} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
