#!/usr/bin/env python3
"""llama.cpp side of `rewardkit bench generate` (run by it through the reference venv).

Reads a JSON job {model, threads, prompt, batches, steps, repeats} and prints one JSON line with aggregate
decode tok/s per batch size and the process's peak RSS after each. llama.cpp's own batched decoding through
llama-cpp-python's low-level API: the prompt is decoded once with every sequence id attached (shared prefix,
as llama.cpp's `batched` example does), then each step decodes one token for each of the B sequences in one
llama_decode call and picks each sequence's next token by argmax of its logits row. Timed: the decode steps.
"""
import ctypes, json, sys, time
import numpy as np
import llama_cpp
from llama_cpp import Llama


def hwm_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 * 1.048576
    return 0.0


def run(llm, prompt, B, steps):
    ctx = llm._ctx.ctx
    n_vocab = llm.n_vocab()
    mem = llama_cpp.llama_get_memory(ctx) if hasattr(llama_cpp, "llama_get_memory") else None
    if mem is not None:
        llama_cpp.llama_memory_clear(mem, True)
    elif hasattr(llama_cpp, "llama_kv_self_clear"):
        llama_cpp.llama_kv_self_clear(ctx)
    else:
        llama_cpp.llama_kv_cache_clear(ctx)
    batch = llama_cpp.llama_batch_init(max(len(prompt), B), 0, B)
    try:
        batch.n_tokens = len(prompt)
        for i, t in enumerate(prompt):
            batch.token[i] = t
            batch.pos[i] = i
            batch.n_seq_id[i] = B
            for s in range(B):
                batch.seq_id[i][s] = s
            batch.logits[i] = 1 if i == len(prompt) - 1 else 0
        assert llama_cpp.llama_decode(ctx, batch) == 0
        row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, len(prompt) - 1), shape=(n_vocab,))
        nxt = [int(np.argmax(row))] * B
        t0 = time.perf_counter()
        for step in range(steps):
            batch.n_tokens = B
            for s in range(B):
                batch.token[s] = nxt[s]
                batch.pos[s] = len(prompt) + step
                batch.n_seq_id[s] = 1
                batch.seq_id[s][0] = s
                batch.logits[s] = 1
            assert llama_cpp.llama_decode(ctx, batch) == 0
            for s in range(B):
                row = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, s), shape=(n_vocab,))
                nxt[s] = int(np.argmax(row))
        return time.perf_counter() - t0
    finally:
        llama_cpp.llama_batch_free(batch)


def main():
    job = json.load(open(sys.argv[1]))
    t, prompt, steps = job["threads"], job["prompt"], job["steps"]
    out = {"tok_s": {}, "peak_rss_mb": {}}
    for B in job["batches"]:
        n_ctx = ((len(prompt) + B * (steps + 1) + 255) // 256) * 256
        kw = dict(n_ctx=n_ctx, n_batch=max(512, B), n_ubatch=max(512, B), n_threads=t, n_threads_batch=t,
                  n_seq_max=B, logits_all=False, verbose=False)
        try:
            llm = Llama(job["model"], kv_unified=True, **kw)
        except TypeError:
            llm = Llama(job["model"], **kw)
        best = min(run(llm, prompt, B, steps) for _ in range(job.get("repeats", 2)))
        out["tok_s"][str(B)] = B * steps / best
        out["peak_rss_mb"][str(B)] = hwm_mb()
        del llm
    out["version"] = llama_cpp.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
