#!/usr/bin/env python3
"""A tiny random Qwen3ForCausalLM, converted to GGUF by llama.cpp's own convert_hf_to_gguf.py, with
transformers' fp32 logits for the same weights: the parity fixture for the engine's GGUF qwen3 path.

    .venv-hf/bin/python scripts/hf/make_gguf_qwen3.py --llama-cpp DIR
DIR is a llama.cpp checkout holding convert_hf_to_gguf.py and gguf-py/ (e.g. vendor/llama.cpp of the
llama-cpp-python sdist: `pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36`). Its
Python needs numpy, torch, transformers (the same .venv-hf).

Writes Tests/RewardEngineTests/Fixtures/hf/qwen3-gguf/: tiny-qwen3.gguf (F16 matrices, F32 norms),
the HF checkpoint it came from (config.json, F16 model.safetensors, tokenizer files: the HF path reads the
same weights), and expected.json. Weights are random (seeded) and rounded to f16 before saving, so the
F16 GGUF holds exactly the weights transformers ran; nothing comes from a real model.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile
import torch
from transformers import AutoModelForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import config, randomize, tiny_qwen_tokenizer, E2E_SAMPLES  # noqa: E402

OUT = "Tests/RewardEngineTests/Fixtures/hf/qwen3-gguf"
TEMPLATE = "Tests/RewardEngineTests/Fixtures/hf/templates/Qwen-Qwen3-0.6B.jinja"

# The converter recognizes a BPE pre-tokenizer by hashing a probe text's ids; a freshly trained tiny
# vocabulary has no known hash. Its split regex *is* Qwen2's, so label it "qwen2" as the real Qwen3 is.
CONVERT = r"""
import sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[1] + "/gguf-py")
import convert_hf_to_gguf as c
try:
    from conversion.base import TextModel as base      # llama.cpp after the conversion/ split
except ImportError:
    base = getattr(c, "TextModel", None) or c.Model
base.get_vocab_base_pre = lambda self, tokenizer: "qwen2"
sys.argv = ["convert_hf_to_gguf.py"] + sys.argv[2:]
c.main()
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--llama-cpp", required=True)
    a = ap.parse_args()
    torch.manual_seed(11)
    tok = tiny_qwen_tokenizer(TEMPLATE)
    V = len(tok)
    # Qwen3-0.6B's traits at toy size: explicit head_dim (4 × 32 = 128 ≠ hidden 64), GQA 4/2, q/k norms,
    # tied embeddings, rope 1e6.
    cfg = config("qwen3", vocab_size=V, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, head_dim=32, rope_theta=1e6, rms_norm_eps=1e-6,
                 tie_word_embeddings=True, max_position_embeddings=256,
                 bos_token_id=None, eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"),
                 pad_token_id=tok.convert_tokens_to_ids("<|endoftext|>"))
    cfg.architectures = ["Qwen3ForCausalLM"]
    model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").eval()
    randomize(model, 11)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    # Saved as F16 (exact: the weights are f16 values) to halve the fixture; the reference runs in fp32.
    import copy
    copy.deepcopy(model).to(torch.float16).save_pretrained(OUT)
    for f in os.listdir(OUT):
        if f not in ("config.json", "model.safetensors"):
            os.remove(os.path.join(OUT, f))
    tok.save_pretrained(OUT)
    gguf_path = os.path.join(OUT, "tiny-qwen3.gguf")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(CONVERT)
    subprocess.run([sys.executable, f.name, os.path.abspath(a.llama_cpp), OUT, "--outfile", gguf_path,
                    "--outtype", "f16"], check=True)
    os.remove(f.name)

    cases = []
    for s in E2E_SAMPLES:
        conv = [{"role": "user", "content": s["prompt"]}, {"role": "assistant", "content": s["response"]}]
        text = tok.apply_chat_template(conv, tokenize=False)
        ids = tok(text, add_special_tokens=True)["input_ids"]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0].double()
        T = len(ids)
        rows = sorted({0, T // 2, T - 1})
        lsm = torch.log_softmax(logits, dim=-1)
        cases.append({"text": text, "ids": ids, "rows": rows,
                      "logits": [[round(x, 7) for x in logits[r].tolist()] for r in rows],
                      "next_logprob": [round(lsm[t, ids[t + 1]].item(), 7) for t in range(T - 1)]})
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generator": "scripts/hf/make_gguf_qwen3.py (random f16-exact weights; transformers fp32 logits; "
                                "GGUF by llama.cpp convert_hf_to_gguf.py)", "vocab_size": V, "cases": cases},
                  f, separators=(",", ":"))
    total = sum(os.path.getsize(os.path.join(OUT, x)) for x in os.listdir(OUT))
    print(f"{OUT}: {total} bytes ({os.path.getsize(gguf_path)} GGUF)")


if __name__ == "__main__":
    main()
