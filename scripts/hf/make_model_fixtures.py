#!/usr/bin/env python3
"""Tiny random Hugging Face checkpoints + transformers' fp32 outputs, for the engine's parity tests.

Writes Tests/RewardEngineTests/Fixtures/hf/<name>/ (config.json, safetensors, expected.json).
Run from the repository root with a venv that has CPU torch, transformers, safetensors:
    python3 -m venv .venv-hf && .venv-hf/bin/pip install "torch==2.13.0+cpu" transformers tokenizers safetensors
    .venv-hf/bin/python scripts/hf/make_model_fixtures.py
Weights are random (seeded); nothing here comes from a real model. Token ids are used directly.
"""
import json, os, shutil, sys
import torch
from safetensors.torch import save_file
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoModelForCausalLM, AutoModel

OUT = "Tests/RewardEngineTests/Fixtures/hf"
VOCAB = 320


def randomize(model, seed):
    """transformers initializes norms to 1 and biases to 0: randomize them so a wrong norm/bias shows."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if "norm" in n:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif n.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def config(model_type, **kw):
    base = dict(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=128, initializer_range=0.2)
    base.update(kw)
    return AutoConfig.for_model(model_type, **base)


def batches(seed, pad, n=4, lo=3, hi=40):
    """Right-padded batches: random lengths, plus a row with the pad id inside the text and one ending with it."""
    g = torch.Generator().manual_seed(seed)
    rows = []
    for i in range(n):
        L = int(torch.randint(lo, hi, (1,), generator=g))
        ids = torch.randint(1, VOCAB, (L,), generator=g).tolist()
        ids = [t if t != pad else t + 1 for t in ids]
        rows.append(ids)
    if pad is not None:
        inside = rows[0][:]
        inside[len(inside) // 2] = pad
        rows.append(inside)
        rows.append(rows[1][:] + [pad])  # text that ends with the pad id (pad = eos emitted by a template)
    return [rows[:3], rows[3:]]


def pad_batch(rows, pad):
    T = max(len(r) for r in rows)
    p = pad if pad is not None else 0
    ids = [r + [p] * (T - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (T - len(r)) for r in rows]
    return torch.tensor(ids), torch.tensor(mask), ids, mask


def save(model, name, dtype, shard=None):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    m = model.to(dtype)
    kw = {"max_shard_size": shard} if shard else {}
    m.save_pretrained(d, **kw)
    model.to(torch.float32)
    # Only what the engine reads (generation_config.json is irrelevant to scoring).
    for f in os.listdir(d):
        if f not in ("config.json", "model.safetensors", "model.safetensors.index.json") and not f.startswith("model-"):
            os.remove(os.path.join(d, f))
    return d


def reload_fp32(d, cls):
    """transformers' reference: the saved weights (bf16 included) computed in fp32."""
    return cls.from_pretrained(d, dtype=torch.float32, attn_implementation="eager").eval()


def seqcls_case(name, model_type, seed, dtype=torch.float32, shard=None, num_labels=1, pad=5, **kw):
    torch.manual_seed(seed)
    cfg = config(model_type, num_labels=num_labels, pad_token_id=pad, **kw)
    model = AutoModelForSequenceClassification.from_config(cfg, attn_implementation="eager")
    randomize(model, seed)
    d = save(model, name, dtype, shard)
    ref = reload_fp32(d, AutoModelForSequenceClassification)
    out = []
    for rows in batches(seed, pad):
        t, m, ids, mask = pad_batch(rows, pad)
        with torch.no_grad():
            logits = ref(input_ids=t, attention_mask=m).logits.double()
        out.append({"ids": ids, "mask": mask, "logits": logits.tolist()})
    write_expected(d, {"kind": "seqcls", "architecture": cfg.architectures[0] if cfg.architectures else model_type,
                       "dtype": str(dtype).replace("torch.", ""), "batches": out})


class TwoLayerHead(torch.nn.Module):
    """Qwen2.5-Math-RM/PRM's head: Linear(H,H)+b, ReLU, Linear(H,n)+b, saved as score.0 / score.2."""

    def __init__(self, h, n):
        super().__init__()
        self.score = torch.nn.Sequential(torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Linear(h, n))


def qwen2_head_case(name, outputs, seed, tag=7, pad=0):
    torch.manual_seed(seed)
    cfg = config("qwen2", rope_theta=10000.0, rms_norm_eps=1e-6 if outputs == 1 else 1e-5, pad_token_id=pad)
    body = AutoModel.from_config(cfg, attn_implementation="eager").eval()
    randomize(body, seed)
    head = TwoLayerHead(cfg.hidden_size, outputs).eval()
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    tensors = {"model." + k: v.contiguous() for k, v in body.state_dict().items()}
    tensors.update({k: v.contiguous() for k, v in head.state_dict().items()})
    save_file(tensors, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    c = json.loads(cfg.to_json_string())
    arch = "Qwen2ForRewardModel" if outputs == 1 else "Qwen2ForProcessRewardModel"
    c["architectures"] = [arch]
    c["auto_map"] = {"AutoModel": f"modeling_qwen2_rm.{arch}"}
    c.pop("num_labels", None); c.pop("id2label", None); c.pop("label2id", None)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
    out = []
    for rows in batches(seed, pad):
        if outputs == 2:  # step tags: every ~5th token becomes <extra_0>
            rows = [[tag if (i % 5 == 4 or i == len(r) - 1) else (t if t != tag else t + 1) for i, t in enumerate(r)] for r in rows]
        t, m, ids, mask = pad_batch(rows, pad)
        with torch.no_grad():
            h = body(input_ids=t, attention_mask=m).last_hidden_state
            logits = head.score(h).double()
        if outputs == 1:
            # Pool as transformers' sequence classification does: rightmost non-pad position.
            idx = [max([i for i, x in enumerate(r) if x != pad], default=0) for r in ids]
            out.append({"ids": ids, "mask": mask, "logits": [logits[b, idx[b]].tolist() for b in range(len(ids))]})
        else:
            probs = []
            for b, r in enumerate(rows):
                pos = [i for i, x in enumerate(r) if x == tag]
                p = torch.softmax(logits[b, pos], dim=-1)[:, 1]
                probs.append(p.tolist())
            out.append({"ids": ids, "mask": mask, "step_probs": probs})
    write_expected(d, {"kind": "rm" if outputs == 1 else "prm", "architecture": arch, "dtype": "float32",
                       "step_tag": tag, "batches": out})


def causal_case(name, seed, plus=11, minus=12, tag=13, **kw):
    torch.manual_seed(seed)
    cfg = config("llama", tie_word_embeddings=True, rope_theta=10000.0,
                 rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 64}, **kw)
    model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").eval()
    randomize(model, seed)
    d = save(model, name, torch.float32)
    ref = reload_fp32(d, AutoModelForCausalLM)
    out = []
    for rows in batches(seed, None):
        rows = [[tag if i % 6 == 5 else t for i, t in enumerate(r)] for r in rows]
        t, m, ids, mask = pad_batch(rows, None)
        with torch.no_grad():
            logits = ref(input_ids=t, attention_mask=m).logits.double()
        probs = []
        for b, r in enumerate(rows):
            pos = [i for i, x in enumerate(r) if x == tag]
            two = logits[b, pos][:, [plus, minus]]
            probs.append(torch.softmax(two, dim=-1)[:, 0].tolist())
        out.append({"ids": ids, "mask": mask, "step_probs": probs})
    write_expected(d, {"kind": "token_prm", "architecture": "LlamaForCausalLM", "dtype": "float32", "step_tag": tag,
                       "plus": plus, "minus": minus, "batches": out})


QWEN_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"
              r"|\s+(?!\S)|\s+")
CORPUS = [
    "What is 12 + 30? First add the tens: 10 + 30 = 40. Then add the ones: 40 + 2 = 42. The answer is 42.",
    "Solve for x: 2x + 3 = 11. Subtract 3 from both sides, so 2x = 8. Divide by 2, so x = 4.",
    "The capital of France is Paris. Paris is a large city on the river Seine.",
    "Please reason step by step, and put your final answer within \\boxed{}.",
    "A train travels 60 km in 1 hour. In 3 hours it travels 180 km. The answer is \\boxed{180}.",
    "You are a helpful assistant. Answer the question briefly and correctly.",
]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<extra_0>"]


def tiny_qwen_tokenizer(template):
    """A ~400-token byte-level BPE with the Qwen pipeline (NFC, split regex, ByteLevel) and a real chat template."""
    from tokenizers import Tokenizer, Regex, models, normalizers, pre_tokenizers, decoders, trainers
    from transformers import PreTrainedTokenizerFast
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated"),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 4, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    fast.chat_template = open(template).read()
    return fast


E2E_SAMPLES = [
    {"prompt": "What is 12 + 30?", "response": "First add the tens: 10 + 30 = 40.\n\nThen add the ones: 40 + 2 = 42. The answer is 42."},
    {"prompt": "Solve for x: 2x + 3 = 11.", "response": "Subtract 3 from both sides, so 2x = 8.\n\nDivide by 2, so x = 4."},
    {"prompt": "What is the capital of France?", "response": "Paris."},
]


def e2e_case(name, kind, seed, template):
    """Checkpoint + tokenizer + chat template; reference = the model-card pipeline in transformers."""
    torch.manual_seed(seed)
    tok = tiny_qwen_tokenizer(template)
    V = len(tok)
    pad = tok.convert_tokens_to_ids("<|endoftext|>")
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cases = []
    if kind == "rm":  # Skywork-Reward-V2 style: Qwen3ForSequenceClassification, template user+assistant
        cfg = config("qwen3", vocab_size=V, num_labels=1, pad_token_id=pad, head_dim=16, rope_theta=1e6)
        model = AutoModelForSequenceClassification.from_config(cfg, attn_implementation="eager").eval()
        randomize(model, seed)
        model.save_pretrained(d)
        for f in os.listdir(d):
            if f not in ("config.json", "model.safetensors"):
                os.remove(os.path.join(d, f))
        for s in E2E_SAMPLES:
            conv = [{"role": "user", "content": s["prompt"]}, {"role": "assistant", "content": s["response"]}]
            text = tok.apply_chat_template(conv, tokenize=False)
            ids = tok(text, add_special_tokens=True)["input_ids"]
            with torch.no_grad():
                score = model(input_ids=torch.tensor([ids])).logits[0][0].double().item()
            cases.append({**s, "text": text, "ids": ids, "reward": score})
    else:  # Qwen2.5-Math-PRM style: system + user, assistant = steps joined by <extra_0>
        cfg = config("qwen2", vocab_size=V, rope_theta=10000.0, rms_norm_eps=1e-5)
        body = AutoModel.from_config(cfg, attn_implementation="eager").eval()
        randomize(body, seed)
        head = TwoLayerHead(cfg.hidden_size, 2).eval()
        tensors = {"model." + k: v.contiguous() for k, v in body.state_dict().items()}
        tensors.update({k: v.contiguous() for k, v in head.state_dict().items()})
        save_file(tensors, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        c = json.loads(cfg.to_json_string())
        c["architectures"] = ["Qwen2ForProcessRewardModel"]
        c["auto_map"] = {"AutoModel": "modeling_qwen2_rm.Qwen2ForProcessRewardModel"}
        for k in ("num_labels", "id2label", "label2id", "pad_token_id"):
            c.pop(k, None)
        json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=2)
        tag = tok.convert_tokens_to_ids("<extra_0>")
        system = "Please reason step by step, and put your final answer within \\boxed{}."
        for s in E2E_SAMPLES:
            steps = [x.strip() for x in s["response"].split("\n\n") if x.strip()]
            conv = [{"role": "system", "content": system}, {"role": "user", "content": s["prompt"]},
                    {"role": "assistant", "content": "<extra_0>".join(steps) + "<extra_0>"}]
            text = tok.apply_chat_template(conv, tokenize=False)
            ids = tok(text, add_special_tokens=True)["input_ids"]
            with torch.no_grad():
                logits = head.score(body(input_ids=torch.tensor([ids])).last_hidden_state)[0].double()
            pos = [i for i, x in enumerate(ids) if x == tag]
            probs = torch.softmax(logits[pos], dim=-1)[:, 1].tolist()
            cases.append({**s, "text": text, "ids": ids, "step_probs": probs})
    tok.save_pretrained(d)
    write_expected(d, {"kind": "e2e_" + kind, "cases": cases})


def write_expected(d, obj):
    obj["generator"] = "scripts/hf/make_model_fixtures.py (random weights, transformers fp32 reference)"
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(obj, f, separators=(",", ":"))


def main():
    os.makedirs(OUT, exist_ok=True)
    # Qwen3: explicit head_dim 16 (heads × head_dim = 64 ≠ hidden 32), q/k norms, rope 1e6.
    q3 = dict(head_dim=16, rope_theta=1e6, rms_norm_eps=1e-6)
    seqcls_case("qwen3-seqcls", "qwen3", 1, **q3)
    seqcls_case("qwen3-seqcls-bf16-sharded", "qwen3", 1, dtype=torch.bfloat16, shard="40KB", **q3)
    # Llama: llama3 rope with a small original context so all three frequency bands occur; 2 labels.
    seqcls_case("llama-seqcls", "llama", 2, num_labels=2, pad=3,
                rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    seqcls_case("llama-seqcls-bf16", "llama", 2, dtype=torch.bfloat16, num_labels=2, pad=3,
                rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    # Qwen2: q/k/v biases.
    seqcls_case("qwen2-seqcls", "qwen2", 3, pad=0, rope_theta=10000.0)
    qwen2_head_case("qwen2-math-rm", 1, 4)
    qwen2_head_case("qwen2-math-prm", 2, 5)
    causal_case("llama-causal-prm", 6)
    # End to end (chat template + tokenizer + model): templates from Fixtures/hf/templates (real model repos).
    e2e_case("qwen3-rm-e2e", "rm", 7, "Tests/RewardEngineTests/Fixtures/hf/templates/Qwen-Qwen3-0.6B.jinja")
    e2e_case("qwen2-math-prm-e2e", "prm", 8, "Tests/RewardEngineTests/Fixtures/hf/templates/Qwen-Qwen2.5-7B-Instruct.jinja")
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print(f"fixtures: {total} bytes under {OUT}")


if __name__ == "__main__":
    main()
