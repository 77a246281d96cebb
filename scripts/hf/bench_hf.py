#!/usr/bin/env python3
"""RM scoring throughput: RewardKit vs transformers + torch (CPU), same checkpoint, same threads, same run.

Makes (once) a random-weight checkpoint with Qwen3-0.6B's real shape, Qwen3ForSequenceClassification,
saved in bf16 by transformers (NOT committed; under bench-out/qwen3-0.6b-shape-rm), then for each
length (256, 1024 tokens) scores `--batches` batches of 8 random sequences with
  - rewardkit:    `rewardkit bench hf DIR` (bf16 weights memory-mapped, f32 compute)
  - transformers: AutoModelForSequenceClassification in fp32 (its CPU reference path) and in bf16
each in its own process so peak RSS is per implementation.
    .venv-hf/bin/python scripts/hf/bench_hf.py [--threads N] [--batches 2] [--shapes 8x256,1x1024] [--weights compact|dense|q8|q7,...]
`--weights q8` quantizes the projections to Q8_0 at load, `q7` to RewardKit's 7-bit Q7_1 blocks (int8 kernel; opt-in
speed modes, not the parity mode); a comma list (e.g. `q7,q8`) runs each mode in the same run. `--accuracy` also scores one fixed batch per shape with transformers fp32 and with rewardkit (the chosen
weights and exact compact) and prints max abs / rel differences and pairwise ranking agreement.
"""
import argparse, json, os, subprocess, sys, time, resource

QWEN3_06B = dict(vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                 num_key_value_heads=8, head_dim=128, max_position_embeddings=40960, rms_norm_eps=1e-6, rope_theta=1000000.0,
                 tie_word_embeddings=True, num_labels=1, pad_token_id=151643, bos_token_id=151643, eos_token_id=151645)


def make_checkpoint(d):
    if os.path.exists(os.path.join(d, "config.json")):
        return
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification
    torch.manual_seed(0)
    cfg = AutoConfig.for_model("qwen3", **QWEN3_06B)
    m = AutoModelForSequenceClassification.from_config(cfg, dtype=torch.bfloat16)
    m.save_pretrained(d)


def torch_worker(d, tokens, batch, batches, threads, dtype):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(threads)
    t0 = time.time()
    m = AutoModelForSequenceClassification.from_pretrained(d, dtype=getattr(torch, dtype)).eval()
    load = time.time() - t0
    g = torch.Generator().manual_seed(1)
    def make():
        return torch.randint(1, 32000, (batch, tokens), generator=g)
    with torch.inference_mode():
        m(input_ids=make())
        secs = []
        for _ in range(batches):
            x = make()
            s = time.time()
            m(input_ids=x)
            secs.append(time.time() - s)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"impl": f"transformers-{dtype}", "tokens": tokens, "batch": batch, "threads": threads, "load_s": load,
                      "batch_s": secs, "seq_per_s": batch * len(secs) / sum(secs), "seq_per_s_best": batch / min(secs),
                      "peak_rss_mb": rss / 1e6}))


def score_worker(d, ids_path, threads):
    import torch
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(threads)
    m = AutoModelForSequenceClassification.from_pretrained(d, dtype=torch.float32).eval()
    ids = torch.tensor(json.load(open(ids_path)))
    with torch.inference_mode():
        out = m(input_ids=ids).logits
    print(json.dumps({"scores": out.tolist()}))


def compare(ours, ref):
    """max |a-b|, max |a-b|/|b|, fraction of pairs ranked alike (column 0)."""
    a = [x for r in ours for x in r]
    b = [x for r in ref for x in r]
    mabs = max(abs(x - y) for x, y in zip(a, b))
    mrel = max(abs(x - y) / max(abs(y), 1e-12) for x, y in zip(a, b))
    pairs = agree = 0
    for i in range(len(ref)):
        for j in range(i + 1, len(ref)):
            if ref[i][0] != ref[j][0]:
                pairs += 1
                agree += (ours[i][0] > ours[j][0]) == (ref[i][0] > ref[j][0])
    return mabs, mrel, (agree / pairs if pairs else 1.0), pairs


def accuracy(a, shapes):
    import torch
    for B, L in shapes:
        g = torch.Generator().manual_seed(7)
        ids = torch.randint(1, 32000, (B, L), generator=g).tolist()
        path = os.path.join(a.dir, f"..", f"accuracy-{B}x{L}.json")
        json.dump(ids, open(path, "w"))
        ref = json.loads(subprocess.run([sys.executable, __file__, "--threads", str(a.threads), "--score-worker", a.dir, path],
                                        capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])["scores"]
        for w in sorted(set(a.weights.split(",")) | {"compact"}):
            out = subprocess.run([a.rewardkit, "bench", "hf", a.dir, "--threads", str(a.threads), "--weights", w, "--inputs", path],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                sys.exit(1)
            ours = json.loads(out.stdout.strip().splitlines()[-1])["scores"]
            mabs, mrel, rank, pairs = compare(ours, ref)
            print(f"accuracy {B} x {L}, rewardkit --weights {w} vs transformers fp32: max abs {mabs:.3e}, max rel {mrel:.3e}, "
                  f"ranking agreement {rank:.3f} ({pairs} pairs); score range {min(r[0] for r in ref):.4f}..{max(r[0] for r in ref):.4f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batches", type=int, default=2)
    ap.add_argument("--lengths", default="256,1024", help="tokens per sequence, batch 8 (ignored with --shapes)")
    ap.add_argument("--shapes", help="BATCHxTOKENS list, e.g. 8x256,1x1024")
    ap.add_argument("--weights", default="compact", help="rewardkit weights, comma-separated: compact, dense, automatic, q8, q7")
    ap.add_argument("--rewardkit", default=".build/release/rewardkit")
    ap.add_argument("--dir", default="bench-out/qwen3-0.6b-shape-rm")
    ap.add_argument("--torch-dtypes", default="float32,bfloat16")
    ap.add_argument("--worker", nargs=5)
    ap.add_argument("--score-worker", nargs=2)
    ap.add_argument("--accuracy", action="store_true", help="also compare scores with transformers fp32 on fixed inputs")
    a = ap.parse_args()
    if a.score_worker:
        score_worker(a.score_worker[0], a.score_worker[1], a.threads)
        return
    if a.worker:
        d, tokens, batch, batches, dtype = a.worker
        torch_worker(d, int(tokens), int(batch), int(batches), a.threads, dtype)
        return
    make_checkpoint(a.dir)
    load = os.getloadavg()
    rows = []
    shapes = ([tuple(int(v) for v in x.split("x")) for x in a.shapes.split(",")] if a.shapes
              else [(8, int(x)) for x in a.lengths.split(",")])
    for B, L in shapes:
        cmds = [[a.rewardkit, "bench", "hf", a.dir, "--tokens", str(L), "--batch", str(B), "--batches", str(a.batches),
                 "--threads", str(a.threads), "--weights", w] for w in a.weights.split(",")]
        for dt in a.torch_dtypes.split(","):
            cmds.append([sys.executable, __file__, "--threads", str(a.threads), "--worker", a.dir, str(L), str(B), str(a.batches), dt])
        for c in cmds:
            out = subprocess.run(c, capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                sys.exit(1)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            if c[0] == a.rewardkit:
                r["impl"] = "rewardkit-" + c[-1]
            rows.append(r)
            print(json.dumps(r), flush=True)
    print(f"\nload average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; end: {' '.join('%.2f' % x for x in os.getloadavg())}")
    print("| batch × tokens | implementation | seq/s | peak RSS MB |\n|---|---|---|---|")
    for r in rows:
        print(f"| {r['batch']} × {r['tokens']} | {r['impl']} | {r['seq_per_s']:.3f} | {r['peak_rss_mb']:.0f} |")
    for B, L in shapes:
        same = [r for r in rows if r["tokens"] == L and r["batch"] == B]
        for rk in (r for r in same if r["impl"].startswith("rewardkit")):
            for r in (r for r in same if not r["impl"].startswith("rewardkit")):
                print(f"{B} x {L} tokens: {rk['impl']} / {r['impl']} = {rk['seq_per_s'] / r['seq_per_s']:.2f}x throughput, "
                      f"{rk['peak_rss_mb'] / r['peak_rss_mb']:.2f}x memory")
    if a.accuracy:
        accuracy(a, shapes)


if __name__ == "__main__":
    main()
