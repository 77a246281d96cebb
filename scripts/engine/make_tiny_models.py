#!/usr/bin/env python3
"""Tiny random-weight GGUF models that exercise the architecture paths the engine claims but that no
real model on this machine covers (Llama 3: GQA, separate output, rope base 500k, K-quants, BF16;
Qwen2: q/k/v biases, NEOX rope, tied embeddings; linear rope scaling; Llama 3.1 rope_freqs factors).

For every model it writes, next to the .gguf, a JSON file with
  * a float64 NumPy forward pass over gguf-py's dequantized weights (full log-softmax rows) — the
    independent check of the math, and
  * llama.cpp's log-softmax (top-5 + log p(next token)) for the same sequence, n_threads=1,
  * greedy continuations of a prompt from both (with the float64 top-1/top-2 margins).

    /work/main/.venv-ref/bin/python scripts/engine/make_tiny_models.py [--no-llama]

Weights are random (fixed seeds); nothing here resembles a trained model.
"""
import argparse, json, os, struct
import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q, GGUFReader
from gguf.quants import quantize, dequantize

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "RewardEngineTests", "Fixtures", "tiny")


# ---------------------------------------------------------------- K-quant writers (gguf-py only decodes them)
def _f16(x):
    return np.asarray(x, dtype=np.float32).astype(np.float16)


def _kquant_scales(x, qmax):
    """Shared by the Q4_K / Q5_K writers: per super-block f16 d and dmin, the 6-bit sub-block scales and
    mins, their 12-byte packing, and the quants q in 0..qmax with x ≈ d·sc·q − dmin·mn."""
    blocks = x.reshape(-1, 8, 32).astype(np.float64)
    lo = np.minimum(blocks.min(-1), 0.0)                     # [nb, 8]
    hi = blocks.max(-1)
    sub_scale = np.maximum(hi - lo, 1e-12) / qmax
    sub_min = -lo
    d = _f16(np.maximum(sub_scale.max(-1), 1e-12) / 63.0)      # [nb]
    dmin = _f16(np.maximum(sub_min.max(-1), 1e-12) / 63.0)
    df, dmf = d.astype(np.float64)[:, None], dmin.astype(np.float64)[:, None]
    sc = np.clip(np.round(sub_scale / df), 1, 63).astype(np.uint8)
    mn = np.clip(np.round(sub_min / dmf), 0, 63).astype(np.uint8)
    q = np.clip(np.round((blocks + (dmf * mn)[..., None]) / (df * sc)[..., None]), 0, qmax).astype(np.uint8)
    nb = blocks.shape[0]
    scales = np.zeros((nb, 12), np.uint8)
    for j in range(4):
        scales[:, j] = (sc[:, j] & 63) | ((sc[:, j + 4] >> 4) << 6)
        scales[:, j + 4] = (mn[:, j] & 63) | ((mn[:, j + 4] >> 4) << 6)
        scales[:, j + 8] = (sc[:, j + 4] & 0xF) | ((mn[:, j + 4] & 0xF) << 4)
    return nb, d, dmin, scales, q


def quantize_q4_k(x):
    """x [rows, cols] (cols % 256 == 0) → uint8 [rows, cols/256*144]. Layout of ggml's block_q4_K:
    f16 d, f16 dmin, 12 bytes of packed 6-bit (scale, min) for 8 sub-blocks of 32, 128 bytes of nibbles
    (bytes 32k..32k+31: low nibble = element 64k+l, high nibble = element 64k+32+l)."""
    nb, d, dmin, scales, q = _kquant_scales(x, 15)
    qs = np.zeros((nb, 128), np.uint8)
    for k in range(4):
        qs[:, 32 * k:32 * k + 32] = q[:, 2 * k] | (q[:, 2 * k + 1] << 4)
    out = np.concatenate([d.view(np.uint8).reshape(nb, 2), dmin.view(np.uint8).reshape(nb, 2), scales, qs], axis=1)
    return out.reshape(x.shape[0], -1)


def quantize_q6_k(x):
    """x [rows, cols] → uint8 [rows, cols/256*210]. block_q6_K: 128 bytes low nibbles, 64 bytes of 2-bit
    highs, 16 int8 scales (one per 16 elements), f16 d; x = d·scale·(q − 32)."""
    blocks = x.reshape(-1, 16, 16).astype(np.float64)
    nb = blocks.shape[0]
    sub = np.maximum(np.abs(blocks).max(-1), 1e-12) / 31.0     # [nb, 16]
    d = _f16(sub.max(-1) / 127.0)
    df = np.maximum(d.astype(np.float64), 1e-12)[:, None]
    sc = np.clip(np.round(sub / df), 1, 127).astype(np.int8)
    q = np.clip(np.round(blocks / (df * sc)[..., None]), -32, 31).astype(np.int16) + 32   # [nb, 16, 16]
    q = q.reshape(nb, 2, 128).astype(np.uint8)                 # two halves of 128 elements
    ql = np.zeros((nb, 2, 64), np.uint8)
    qh = np.zeros((nb, 2, 32), np.uint8)
    for h in range(2):
        e = q[:, h]
        q1, q2, q3, q4 = e[:, 0:32], e[:, 32:64], e[:, 64:96], e[:, 96:128]
        ql[:, h, 0:32] = (q1 & 0xF) | ((q3 & 0xF) << 4)
        ql[:, h, 32:64] = (q2 & 0xF) | ((q4 & 0xF) << 4)
        qh[:, h] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6)
    out = np.concatenate([ql.reshape(nb, 128), qh.reshape(nb, 64), sc.view(np.uint8), d.view(np.uint8).reshape(nb, 2)], axis=1)
    return out.reshape(x.shape[0], -1)


def quantize_q5_k(x):
    """x [rows, cols] → uint8 [rows, cols/256*176]. block_q5_K: f16 d, f16 dmin, 12 bytes of 6-bit
    (scale, min) packed as in Q4_K, 32 bytes of high bits (bit 2k / 2k+1 of qh[l] for sub-blocks 2k /
    2k+1), 128 bytes of low nibbles laid out as in Q4_K; x = d·sc·q − dmin·m with q in 0..31."""
    nb, d, dmin, scales, q = _kquant_scales(x, 31)
    qs = np.zeros((nb, 128), np.uint8)
    qh = np.zeros((nb, 32), np.uint8)
    for k in range(4):
        qs[:, 32 * k:32 * k + 32] = (q[:, 2 * k] & 0xF) | ((q[:, 2 * k + 1] & 0xF) << 4)
        qh |= ((q[:, 2 * k] >> 4) << (2 * k)) | ((q[:, 2 * k + 1] >> 4) << (2 * k + 1))
    out = np.concatenate([d.view(np.uint8).reshape(nb, 2), dmin.view(np.uint8).reshape(nb, 2), scales, qh, qs], axis=1)
    return out.reshape(x.shape[0], -1)


def random_low_bit_k(rows, cols, qtype, sigma, rng):
    """Random but valid Q2_K / Q3_K blocks (random quants and sub-scales, f16 super-scales chosen so
    the values have about `sigma` spread and zero mean). No quantizer needed: the decoders only
    have to follow the block layout, and the references decode the same bytes."""
    nb = rows * cols // 256
    if qtype == Q.Q2_K:
        # scales[16] (low nibble: scale, high: min), qs[64], d, dmin; x = d·sc·q − dmin·m, q in 0..3.
        sc = rng.integers(1, 16, size=(nb, 16)).astype(np.uint8)
        d = _f16(np.full(nb, sigma / (1.118 * 9.0)))
        dmin = _f16(d.astype(np.float32) * 1.5)            # with m = sc: x = d·sc·(q − 1.5)
        scales = sc | (sc << 4)
        qs = rng.integers(0, 256, size=(nb, 64)).astype(np.uint8)
        out = np.concatenate([scales, qs, d.view(np.uint8).reshape(nb, 2), dmin.view(np.uint8).reshape(nb, 2)], axis=1)
    else:
        # hmask[32], qs[64], scales[12] (16 × 6-bit, offset 32), d; x = d·(s − 32)·(q − 4·!hbit).
        hm = rng.integers(0, 256, size=(nb, 32)).astype(np.uint8)
        qs = rng.integers(0, 256, size=(nb, 64)).astype(np.uint8)
        scales = rng.integers(0, 256, size=(nb, 12)).astype(np.uint8)
        d = _f16(np.full(nb, sigma / (2.3 * 18.5)))
        out = np.concatenate([hm, qs, scales, d.view(np.uint8).reshape(nb, 2)], axis=1)
    return out.reshape(rows, -1)


def encode(x, qtype):
    """float32 [rows, cols] → (array for GGUFWriter.add_tensor, raw_dtype or None)."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    if qtype == Q.F32:
        return x, None
    if qtype == Q.F16:
        return x.astype(np.float16), None
    if qtype == Q.Q4_K:
        return quantize_q4_k(x), Q.Q4_K
    if qtype == Q.Q6_K:
        return quantize_q6_k(x), Q.Q6_K
    if qtype == Q.Q5_K:
        return quantize_q5_k(x), Q.Q5_K
    return quantize(x, qtype), qtype


# ---------------------------------------------------------------- tokenizer metadata
def bytes_to_unicode():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def vocab(specials):
    b2u = bytes_to_unicode()
    toks = [b2u[b] for b in range(256)]
    merges = ["Ġ t", "h e", "Ġt he", "i n", "e r", "Ġ a", "o n", "r e"]
    for m in merges:
        toks.append(m.replace(" ", ""))
    types = [1] * len(toks)
    for s in specials:
        toks.append(s); types.append(3)
    return toks, types, merges


# ---------------------------------------------------------------- model specs
LLAMA3_TYPES = [
    # layer 0: K-quants and 8/4-bit mixed inside the stacked projections (f32 fallback in decode)
    dict(q=Q.Q4_K, k=Q.Q6_K, v=Q.Q8_0, o=Q.Q4_0, gate=Q.Q4_K, up=Q.Q6_K, down=Q.Q8_0),
    # layer 1: half precisions
    dict(q=Q.F16, k=Q.BF16, v=Q.F16, o=Q.Q6_K, gate=Q.BF16, up=Q.Q4_0, down=Q.Q4_K),
    # layer 2: only Q4_0/Q4_1/Q8_0, so every projection also runs the int8 decode kernel
    dict(q=Q.Q4_0, k=Q.Q4_1, v=Q.Q4_0, o=Q.Q8_0, gate=Q.Q8_0, up=Q.Q8_0, down=Q.Q4_1),
]

MODELS = {
    "tiny-llama3": dict(
        arch="llama", d=256, ff=256, heads=8, kv=2, layers=LLAMA3_TYPES, base=500000.0, eps=1e-5,
        embd=Q.Q4_K, output=Q.Q6_K, pre="llama-bpe", seed=11,
        specials=["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"], bos="<|begin_of_text|>",
        eos="<|end_of_text|>", add_bos=True),
    "tiny-qwen2": dict(
        arch="qwen2", d=256, ff=512, heads=4, kv=2, base=1000000.0, eps=1e-6, bias=True,
        layers=[dict(q=Q.Q8_0, k=Q.Q8_0, v=Q.Q8_0, o=Q.Q8_0, gate=Q.Q8_0, up=Q.Q8_0, down=Q.Q8_0),
                dict(q=Q.Q4_K, k=Q.Q4_K, v=Q.Q6_K, o=Q.Q6_K, gate=Q.F16, up=Q.Q4_1, down=Q.BF16)],
        embd=Q.Q8_0, output=None, pre="qwen2", seed=22,
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], bos="<|endoftext|>", eos="<|im_end|>",
        add_bos=False),
    "tiny-llama-linear": dict(
        arch="llama", d=256, ff=256, heads=4, kv=4, base=10000.0, eps=1e-5, scaling=("linear", 4.0),
        layers=[dict(q=Q.F16, k=Q.F16, v=Q.Q8_0, o=Q.Q8_0, gate=Q.Q4_1, up=Q.Q4_1, down=Q.Q8_0)] * 2,
        embd=Q.Q8_0, output=None, pre="llama-bpe", seed=33,
        specials=["<|begin_of_text|>", "<|end_of_text|>"], bos="<|begin_of_text|>", eos="<|end_of_text|>",
        add_bos=True),
    "tiny-llama31-freqs": dict(
        arch="llama", d=256, ff=256, heads=8, kv=4, base=10000.0, eps=1e-5, rope_freqs=True,
        layers=[dict(q=Q.Q8_0, k=Q.Q8_0, v=Q.Q8_0, o=Q.Q4_0, gate=Q.Q4_0, up=Q.Q4_0, down=Q.Q8_0)] * 2,
        embd=Q.Q8_0, output=Q.Q8_0, pre="llama-bpe", seed=44,
        specials=["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"], bos="<|begin_of_text|>",
        eos="<|end_of_text|>", add_bos=True),
    # Qwen2.5-0.5B-like: a width (320) that is not a multiple of 256, so its Q4_K_M/Q5_K_M files fall
    # back to Q5_0/Q5_1/Q8_0 for those rows; K-quants only where rows are 256-aligned (ffn_down).
    # Mistral-Nemo-style: head size (key_length 48) is not d_model / heads (256 / 4 = 64), so the
    # attention width (192) differs from d_model.
    "tiny-llama-headdim": dict(
        arch="llama", d=256, ff=256, heads=4, kv=2, hd=48, base=1000000.0, eps=1e-5,
        layers=[dict(q=Q.Q8_0, k=Q.Q6_K, v=Q.Q4_K, o=Q.Q8_0, gate=Q.Q4_0, up=Q.Q4_1, down=Q.Q8_0)] * 2,
        embd=Q.Q8_0, output=Q.Q8_0, pre="llama-bpe", seed=66,
        specials=["<|begin_of_text|>", "<|end_of_text|>"], bos="<|begin_of_text|>", eos="<|end_of_text|>",
        add_bos=True),
    "tiny-qwen25-q5": dict(
        arch="qwen2", d=320, ff=256, heads=5, kv=1, base=1000000.0, eps=1e-6, bias=True,
        layers=[dict(q=Q.Q5_0, k=Q.Q5_0, v=Q.Q5_1, o=Q.Q5_0, gate=Q.Q5_1, up=Q.Q5_0, down=Q.Q5_K),
                dict(q=Q.Q5_1, k=Q.Q8_0, v=Q.Q5_0, o=Q.Q5_1, gate=Q.Q5_0, up=Q.Q5_0, down=Q.Q3_K),
                dict(q=Q.Q5_0, k=Q.Q5_0, v=Q.Q5_0, o=Q.Q8_0, gate=Q.Q5_0, up=Q.Q5_1, down=Q.Q2_K)],
        embd=Q.Q5_0, output=None, pre="qwen2", seed=55,
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], bos="<|endoftext|>", eos="<|im_end|>",
        add_bos=False),
}

SEQ_LEN = 40
PROMPT_LEN = 12
GREEDY_TOKENS = 8


def build(name, spec):
    rng = np.random.default_rng(spec["seed"])
    arch, d, ff, nh, nkv = spec["arch"], spec["d"], spec["ff"], spec["heads"], spec["kv"]
    hd = spec.get("hd", d // nh)
    toks, types, merges = vocab(spec["specials"])
    V = len(toks)
    path = os.path.join(OUT, name + ".gguf")
    w = gguf.GGUFWriter(path, arch)
    w.add_name(name)
    w.add_context_length(512)
    w.add_embedding_length(d)
    w.add_feed_forward_length(ff)
    w.add_block_count(len(spec["layers"]))
    w.add_head_count(nh)
    w.add_head_count_kv(nkv)
    w.add_rope_dimension_count(hd)
    if "hd" in spec:
        w.add_key_length(hd)
        w.add_value_length(hd)
    w.add_rope_freq_base(spec["base"])
    w.add_layer_norm_rms_eps(spec["eps"])
    w.add_vocab_size(V)
    if "scaling" in spec:
        kind, factor = spec["scaling"]
        w.add_rope_scaling_type(gguf.RopeScalingType(kind))
        w.add_rope_scaling_factor(factor)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(spec["pre"])
    w.add_token_list(toks)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(toks.index(spec["bos"]))
    w.add_eos_token_id(toks.index(spec["eos"]))
    w.add_add_bos_token(spec["add_bos"])

    sigma = 0.06

    def mat(rows, cols, s=sigma):
        return rng.normal(0, s, size=(rows, cols)).astype(np.float32)

    def add(tname, x, qtype):
        if qtype in (Q.Q2_K, Q.Q3_K):
            w.add_tensor(tname, random_low_bit_k(x.shape[0], x.shape[1], qtype, sigma, rng), raw_dtype=qtype)
            return
        arr, raw = encode(x, qtype)
        w.add_tensor(tname, arr, raw_dtype=raw)

    add("token_embd.weight", mat(V, d, 0.1), spec["embd"])
    if spec["output"] is not None:
        add("output.weight", mat(V, d, 0.1), spec["output"])
    add("output_norm.weight", (1 + rng.normal(0, 0.1, size=(1, d))).astype(np.float32)[0], Q.F32)
    if spec.get("rope_freqs"):
        # Llama 3.1 stores per-frequency divisors (1 for fast dims … 8 for slow); random in [1, 6] here
        # so that they change every rotation at short positions.
        f = rng.uniform(1.0, 6.0, size=hd // 2).astype(np.float32)
        w.add_tensor("rope_freqs.weight", f)
    for i, t in enumerate(spec["layers"]):
        p = f"blk.{i}."
        add(p + "attn_norm.weight", (1 + rng.normal(0, 0.1, size=d)).astype(np.float32), Q.F32)
        add(p + "ffn_norm.weight", (1 + rng.normal(0, 0.1, size=d)).astype(np.float32), Q.F32)
        add(p + "attn_q.weight", mat(nh * hd, d), t["q"])
        add(p + "attn_k.weight", mat(nkv * hd, d), t["k"])
        add(p + "attn_v.weight", mat(nkv * hd, d), t["v"])
        if spec.get("bias"):
            add(p + "attn_q.bias", rng.normal(0, 0.3, size=nh * hd).astype(np.float32), Q.F32)
            add(p + "attn_k.bias", rng.normal(0, 0.3, size=nkv * hd).astype(np.float32), Q.F32)
            add(p + "attn_v.bias", rng.normal(0, 0.1, size=nkv * hd).astype(np.float32), Q.F32)
        add(p + "attn_output.weight", mat(d, nh * hd), t["o"])
        add(p + "ffn_gate.weight", mat(ff, d), t["gate"])
        add(p + "ffn_up.weight", mat(ff, d), t["up"])
        add(p + "ffn_down.weight", mat(d, ff), t["down"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


# ---------------------------------------------------------------- float64 reference forward pass
class Ref:
    def __init__(self, path):
        r = GGUFReader(path)
        self.T = {t.name: t for t in r.tensors}
        f = lambda k: r.fields[k].contents() if k in r.fields else None
        self.arch = arch = f("general.architecture")
        self.d = int(f(f"{arch}.embedding_length"))
        self.nh = int(f(f"{arch}.attention.head_count"))
        self.nkv = int(f(f"{arch}.attention.head_count_kv"))
        self.eps = float(f(f"{arch}.attention.layer_norm_rms_epsilon"))
        self.base = float(f(f"{arch}.rope.freq_base"))
        self.L = int(f(f"{arch}.block_count"))
        scale = 1.0
        if f(f"{arch}.rope.scaling.type") in ("linear",):
            scale = 1.0 / float(f(f"{arch}.rope.scaling.factor"))
        self.pos_scale = scale
        self.neox = arch == "qwen2"
        self.hd = int(f(f"{arch}.attention.key_length") or self.d // self.nh)
        self.factors = self.W("rope_freqs.weight").reshape(-1) if "rope_freqs.weight" in self.T else None

    def W(self, name, cols=None):
        t = self.T[name]
        x = dequantize(t.data, t.tensor_type).astype(np.float64)
        return x.reshape(-1, cols) if cols else x.reshape(-1)

    def has(self, name):
        return name in self.T

    def logsoftmax(self, tokens):
        d, nh, nkv, hd, eps = self.d, self.nh, self.nkv, self.hd, self.eps
        n = len(tokens)
        emb = self.W("token_embd.weight", d)
        x = emb[tokens]
        rms = lambda v, w: v / np.sqrt((v * v).mean(-1, keepdims=True) + eps) * w
        inv = self.base ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
        if self.factors is not None:
            inv = inv / self.factors
        ang = (np.arange(n) * self.pos_scale)[:, None] * inv[None, :]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]

        def rope(v):
            out = v.copy()
            if self.neox:
                x0, x1 = v[..., : hd // 2], v[..., hd // 2:]
                out[..., : hd // 2] = x0 * c - x1 * s
                out[..., hd // 2:] = x0 * s + x1 * c
            else:
                x0, x1 = v[..., 0::2], v[..., 1::2]
                out[..., 0::2] = x0 * c - x1 * s
                out[..., 1::2] = x0 * s + x1 * c
            return out

        mask = np.triu(np.full((n, n), -np.inf), 1)
        g = nh // nkv
        for l in range(self.L):
            p = f"blk.{l}."
            h = rms(x, self.W(p + "attn_norm.weight"))
            q, k, v = (h @ self.W(p + "attn_q.weight", d).T, h @ self.W(p + "attn_k.weight", d).T,
                       h @ self.W(p + "attn_v.weight", d).T)
            if self.has(p + "attn_q.bias"):
                q = q + self.W(p + "attn_q.bias"); k = k + self.W(p + "attn_k.bias"); v = v + self.W(p + "attn_v.bias")
            q = rope(q.reshape(n, nh, hd)); k = rope(k.reshape(n, nkv, hd)); v = v.reshape(n, nkv, hd)
            att = np.zeros((n, nh, hd))
            for i in range(nh):
                sc = q[:, i] @ k[:, i // g].T / np.sqrt(hd) + mask
                pr = np.exp(sc - sc.max(-1, keepdims=True)); pr /= pr.sum(-1, keepdims=True)
                att[:, i] = pr @ v[:, i // g]
            x = x + att.reshape(n, nh * hd) @ self.W(p + "attn_output.weight", nh * hd).T
            h = rms(x, self.W(p + "ffn_norm.weight"))
            gt = h @ self.W(p + "ffn_gate.weight", d).T
            up = h @ self.W(p + "ffn_up.weight", d).T
            x = x + (gt / (1 + np.exp(-gt)) * up) @ self.W(p + "ffn_down.weight", gt.shape[1]).T
        h = rms(x, self.W("output_norm.weight"))
        out = self.W("output.weight", d) if self.has("output.weight") else emb
        logits = h @ out.T
        m = logits.max(-1, keepdims=True)
        return logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def top5(row):
    ids = np.argsort(-row, kind="stable")[:5]
    return [int(i) for i in ids], [round(float(row[i]), 5) for i in ids]


def sensitivity(ref, seq):
    """How far plausible mistakes move the float64 reference (printed; shows the fixtures can tell a
    correct implementation from one with the wrong rope pairing, base, scaling or factors)."""
    base = ref.logsoftmax(seq)
    def moved(tag):
        print(f"    sensitivity: {tag:20s} moves log-probs by up to {np.abs(ref.logsoftmax(seq) - base).max():.3f}")
    ref.neox = not ref.neox; moved("other rope pairing"); ref.neox = not ref.neox
    b = ref.base; ref.base = b * 2; moved("rope base x2"); ref.base = b
    if ref.pos_scale != 1:
        s = ref.pos_scale; ref.pos_scale = 1; moved("no linear scaling"); ref.pos_scale = s
    if ref.factors is not None:
        f = ref.factors; ref.factors = None; moved("no rope_freqs"); ref.factors = f


def references(name, path, spec, use_llama):
    rng = np.random.default_rng(spec["seed"] + 1000)
    ref = Ref(path)
    toks, _, _ = vocab(spec["specials"])
    V = len(toks)
    bos = toks.index(spec["bos"])
    n_plain = V - len(spec["specials"])
    seq = [bos] + [int(t) for t in rng.integers(0, n_plain, size=SEQ_LEN - 1)]
    ls = ref.logsoftmax(seq)
    out = {"model": name + ".gguf", "tokens": seq, "vocab_size": V,
           "f64": {"rows": [[round(float(v), 6) for v in r] for r in ls[:-1]],
                   "logprob": [round(float(ls[i, seq[i + 1]]), 6) for i in range(len(seq) - 1)],
                   "top1": [int(ls[i].argmax()) for i in range(len(seq) - 1)]}}
    # float64 greedy continuation, with the top-1/top-2 margin at each step (near-ties may flip under
    # f32 or 8-bit rounding). Of a few candidate prompts, keep one whose margins all exceed 0.1 (so 8-bit
    # decode cannot flip a step) and whose continuation varies most; else the one with the largest margins.
    best = None
    key = lambda toks, marg: (min(marg) >= 0.1, len(set(toks)) if min(marg) >= 0.1 else 0, min(marg))
    for c in range(16):
        prompt = [bos] + [int(t) for t in rng.integers(0, n_plain, size=PROMPT_LEN - 1)] if c else seq[:PROMPT_LEN]
        ctx = list(prompt)
        g_toks, g_margin = [], []
        for _ in range(GREEDY_TOKENS):
            row = ref.logsoftmax(ctx)[-1]
            o = np.argsort(-row)
            g_toks.append(int(o[0])); g_margin.append(round(float(row[o[0]] - row[o[1]]), 6))
            ctx.append(int(o[0]))
        if best is None or key(g_toks, g_margin) > key(best[1], best[2]):
            best = (prompt, g_toks, g_margin)
    prompt, g_toks, g_margin = best
    out["greedy"] = {"prompt": prompt, "f64": g_toks, "f64_margin": g_margin}
    sensitivity(ref, seq)

    if use_llama:
        from llama_cpp import Llama
        llm = Llama(path, n_ctx=128, n_batch=128, n_threads=1, logits_all=True, verbose=False)
        llm.reset(); llm.eval(seq)
        lc = log_softmax(np.array(llm.scores[: len(seq)]))
        t5 = [top5(r) for r in lc[:-1]]
        out["llamacpp"] = {"logprob": [round(float(lc[i, seq[i + 1]]), 5) for i in range(len(seq) - 1)],
                           "top5_ids": [a for a, _ in t5], "top5_logprobs": [b for _, b in t5]}
        llm.reset(); llm.eval(prompt)
        gl = []
        for _ in range(GREEDY_TOKENS):
            t = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            gl.append(t)
            llm.eval([t])
        out["greedy"]["llamacpp"] = gl
        # Agreement summary (printed; the Swift test recomputes its own numbers).
        dl = np.abs(lc[:-1] - ls[:-1]).max()
        dn = max(abs(a - b) for a, b in zip(out["llamacpp"]["logprob"], out["f64"]["logprob"]))
        agree = sum(int(lc[i].argmax()) == out["f64"]["top1"][i] for i in range(len(seq) - 1))
        print(f"  llama.cpp vs float64: max |Δ| over full rows {dl:.4f}, next-token {dn:.4f}, top-1 {agree}/{len(seq) - 1}; "
              f"greedy f64 {g_toks} llama.cpp {gl}")
        del llm
    return out


def quant_block_vectors():
    """Random blocks of the extra types, decoded by gguf-py (for QuantBlockTests-style checks)."""
    rng = np.random.default_rng(77)
    specs = {"Q5_0": (Q.Q5_0, 22, [0]), "Q5_1": (Q.Q5_1, 24, [0, 2]), "Q2_K": (Q.Q2_K, 84, [80, 82]),
             "Q3_K": (Q.Q3_K, 110, [108]), "Q5_K": (Q.Q5_K, 176, [0, 2])}
    out = []
    for name, (qt, nbytes, half_offsets) in specs.items():
        nblocks = 4
        raw = bytearray(rng.integers(0, 256, size=nbytes * nblocks, dtype=np.uint8).tobytes())
        for b in range(nblocks):
            for off in half_offsets:
                struct.pack_into("<e", raw, b * nbytes + off, float(rng.uniform(-0.05, 0.05)))
        deq = dequantize(np.frombuffer(bytes(raw), dtype=np.uint8), qt).astype(np.float32).reshape(-1)
        out.append({"type": name, "bytes": bytes(raw).hex(), "values": [float(v) for v in deq]})
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-llama", action="store_true", help="skip the llama.cpp reference (float64 only)")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "quant_blocks_more.json"), "w") as fh:
        json.dump(quant_block_vectors(), fh, separators=(",", ":"))
    for name, spec in MODELS.items():
        if args.only and name not in args.only:
            continue
        path = build(name, spec)
        print(f"{name}.gguf: {os.path.getsize(path)} bytes")
        ref = references(name, path, spec, not args.no_llama)
        with open(os.path.join(OUT, name + ".json"), "w") as fh:
            json.dump(ref, fh, separators=(",", ":"))


if __name__ == "__main__":
    main()
