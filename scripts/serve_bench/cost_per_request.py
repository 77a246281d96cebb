#!/usr/bin/env python3
"""Server CPU time per request (µs) for `rewardkit serve` on 1-record OpenRLHF requests.

CPU time (utime + stime of the server process, from /proc) divided by the requests wrk completed
is far less sensitive to other load on the box than wall-clock throughput: it counts only what
the server itself executed. This VM exposes no hardware counters (perf stat instructions is
"not supported"), so CPU time is the per-request cost measure; --perf adds a sampled profile.

usage: python3 scripts/serve_bench/cost_per_request.py [--bin .build/release/rewardkit] [--seconds 10]
       [--conns 8] [--records 1] [--perf] [-- extra serve flags]
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_serve as bs  # noqa: E402


cpu_seconds = bs.cpu_seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(bs.ROOT, ".build", "release", "rewardkit"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--records", type=int, default=1)
    ap.add_argument("--perf", action="store_true", help="also record a perf profile (cpu-clock) and print its top symbols")
    ap.add_argument("extra", nargs="*", help="extra `rewardkit serve` flags (after --)")
    a = ap.parse_args()
    tmp = "/tmp/rk-bench-serve"
    os.makedirs(tmp, exist_ok=True)
    body = os.path.join(tmp, f"cost{a.records}.json")
    with open(body, "w") as f:
        f.write(bs.make_body(a.records, seed=a.records))
    port = bs.free_port()
    cmd = [a.bin, "serve", "--config", os.path.join(bs.ROOT, "clients/python/tests/math_format.yaml"),
           "--no-access-log", "--port", str(port)] + a.extra
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        bs.wait_up(port)
        bs.wrk(port, body, 2, a.conns, 1)  # warm-up
        perf = None
        if a.perf:
            # cpu-clock: this VM has no hardware counters, and the default event records nothing here.
            perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "2000", "-g", "-o", os.path.join(tmp, "perf.data"), "-p", str(p.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        c0 = cpu_seconds(p.pid)
        r = bs.wrk(port, body, a.seconds, a.conns, 1)
        c1 = cpu_seconds(p.pid)
        if perf:
            perf.send_signal(2)
            perf.wait(60)
        n = r["requests"]
        print(f"requests {n}  rps {r['rps']:.0f}  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  errors {r['errors'] + r['non2xx']}")
        print(f"server CPU {c1 - c0:.2f} s  = {1e6 * (c1 - c0) / max(n, 1):.1f} µs per request  (load average {bs.load_avg()})")
        if perf:
            rep = subprocess.run(["perf", "report", "-i", os.path.join(tmp, "perf.data"), "--no-children", "--stdio",
                                  "--percent-limit", "0.7", "-g", "none", "--sort", "dso,symbol"],
                                 capture_output=True, text=True).stdout
            print("\n".join(l for l in rep.splitlines() if l.strip() and not l.startswith("#"))[:6000])
            print(subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile_breakdown.py"),
                                  os.path.join(tmp, "perf.data"), f"{1e6 * (c1 - c0) / max(n, 1):.1f}"],
                                 capture_output=True, text=True).stdout)
    finally:
        p.terminate()
        p.wait(60)


if __name__ == "__main__":
    main()
