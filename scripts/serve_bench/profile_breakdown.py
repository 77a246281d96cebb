#!/usr/bin/env python3
"""Where a `rewardkit serve` profile's CPU goes, by stage: each perf sample is charged to the first
frame (leaf upward) that matches a stage, so runtime helpers (retain/release, malloc) count
for the stage that called them.

usage: python3 scripts/serve_bench/profile_breakdown.py PERF_DATA [CPU_US_PER_REQUEST]
(PERF_DATA from `perf record -e cpu-clock -g -p SERVER_PID`, e.g. cost_per_request.py --perf)
"""

import collections
import re
import subprocess
import sys

data = sys.argv[1]
out = subprocess.run(["perf", "script", "-i", data, "-F", "comm,ip,sym"], capture_output=True, text=True).stdout
samples = [s for s in out.split("\n\n") if s.strip()]
cats = [
 ("scoring: math verifier", r"MathVerifier|RewardVerifiers04Math"),
 ("scoring: format + composite", r"RewardVerifiers.*Format|CompositeReward|scoreSync"),
 ("request: OpenRLHF decode + prompt split", r"OpenRLHFRequest|PromptSplit"),
 ("request: JSON parse", r"JSONParser"),
 ("response: JSON encode + Response", r"openRLHFBody|JSONWriter|JSONResponse"),
 ("request: body read", r"readBody"),
 ("metrics + edge middleware", r"ServerMetrics|EdgeMiddleware"),
 ("RewardService other (spec, admit, handler)", r"RewardServer"),
 ("swift-log", r"s7Logging|ServeLogHandler"),
 ("kernel: socket write", r"writev"),
 ("kernel: socket read", r"readv|__libc_read|sys_read|tcp_recvmsg"),
 ("kernel: epoll", r"epoll"),
 ("kernel: futex/wakeups/scheduler", r"futex|schedule|finish_task_switch|try_to_wake_up|pthread_cond"),
 ("NIO: HTTP parse (llhttp/decoder)", r"llhttp|HTTPDecoder|BetterHTTPParser|ByteToMessage|HTTP1ToHTTPServerCodec|HTTPTypesHTTP1"),
 ("Hummingbird (connection, router, request/response)", r"Hummingbird"),
 ("NIO async channel bridge", r"NIOAsync"),
 ("NIO pipeline/event loop other", r"NIOPosix|NIOCore|NIOHTTP"),
 ("Swift concurrency runtime (task switch/enqueue)", r"swift_task|swift_job|swift::|_dispatch|swift_continuation|Concurrency"),
]
tot = collections.Counter(); bycomm = collections.Counter()
for s in samples:
    lines = s.strip().split("\n")
    comm = lines[0].split()[0]
    cat = "other"
    for fr in lines[1:]:
        hit = next((name for name, rx in cats if re.search(rx, fr)), None)
        if hit: cat = hit; break
    tot[cat] += 1
    bycomm[comm] += 1
n = len(samples)
us = float(sys.argv[2]) if len(sys.argv) > 2 else None
for k, v in tot.most_common():
    print(f"| {k} | {100*v/n:.1f} % |" + (f" {us*v/n:.1f} |" if us else ""))
print("threads:", {k: f"{100*v/n:.0f}%" for k, v in bycomm.items()}, "samples", n)
