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


def run(llm, ctx, prompt, B, steps):
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
        rc = llama_cpp.llama_decode(ctx, batch)
        assert rc == 0, f"llama_decode of the prompt returned {rc} (B={B})"
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
        llm = Llama(job["model"], n_ctx=256, n_threads=t, n_threads_batch=t, verbose=False)
        # The high-level wrapper has no n_seq_max: make a context for B sequences on the same weights.
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx, cp.n_batch, cp.n_ubatch, cp.n_seq_max = n_ctx, max(512, B), max(512, B), B
        cp.n_threads, cp.n_threads_batch = t, t
        if hasattr(cp, "kv_unified"):
            cp.kv_unified = True
        ctx = llama_cpp.llama_init_from_model(llm._model.model, cp)
        best = min(run(llm, ctx, prompt, B, steps) for _ in range(job.get("repeats", 2)))
        llama_cpp.llama_free(ctx)
        out["tok_s"][str(B)] = B * steps / best
        out["peak_rss_mb"][str(B)] = hwm_mb()
        del llm
    out["version"] = llama_cpp.__version__
    print(json.dumps(out))


if __name__ == "__main__":
    main()
